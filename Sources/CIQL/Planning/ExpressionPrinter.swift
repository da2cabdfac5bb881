import CIQLValues
import CIQLSyntax
/// Prints expressions back as CIQL text, canonically: for EXPLAIN, and to recognise in ORDER BY an
/// expression that a RETURN item already computes.
enum ExpressionPrinter {
    static func print(_ e: Expression) -> String {
        switch e.kind {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return ValueText.float(d)
        case .string(let s): return ValueText.quoted(s)
        case .parameter(let p): return "$" + p
        case .variable(let v): return v.hasPrefix(" ") ? "_" : v
        case .property(let b, let k): return print(b) + "." + k
        case .list(let items): return "[" + items.map(print).joined(separator: ", ") + "]"
        case .map(let items): return "{" + items.map { "\($0.key): \(print($0.value))" }.joined(separator: ", ") + "}"
        case .mapProjection(let v, let items):
            let parts = items.map { item -> String in
                switch item {
                case .property(let k): return "." + k.text
                case .literal(let k, let x): return k + ": " + print(x)
                case .variable(let n): return n.text
                case .allProperties: return ".*"
                }
            }
            return v.text + " {" + parts.joined(separator: ", ") + "}"
        case .subscript(let b, let i): return print(b) + "[" + print(i) + "]"
        case .slice(let b, let f, let t): return print(b) + "[" + (f.map(print) ?? "") + ".." + (t.map(print) ?? "") + "]"
        case .unary(let op, let x): return op == .not ? "NOT " + print(x) : op.rawValue + print(x)
        case .binary(let op, let a, let b): return "(" + print(a) + " " + op.rawValue + " " + print(b) + ")"
        case .isNull(let x, let negated): return print(x) + (negated ? " IS NOT NULL" : " IS NULL")
        case .hasLabels(let x, let labels): return print(x) + labels.map { ":" + $0.text }.joined()
        case .function(let name, let distinct, let args):
            return name.text + "(" + (distinct ? "DISTINCT " : "") + args.map(print).joined(separator: ", ") + ")"
        case .countStar: return "count(*)"
        case .caseWhen(let s, let branches, let o):
            var out = "CASE" + (s.map { " " + print($0) } ?? "")
            for b in branches { out += " WHEN " + print(b.when) + " THEN " + print(b.then) }
            if let o { out += " ELSE " + print(o) }
            return out + " END"
        case .listComprehension(let v, let l, let w, let m):
            return "[" + v.text + " IN " + print(l) + (w.map { " WHERE " + print($0) } ?? "")
                + (m.map { " | " + print($0) } ?? "") + "]"
        case .quantifier(let q, let v, let l, let w):
            return q.rawValue + "(" + v.text + " IN " + print(l) + (w.map { " WHERE " + print($0) } ?? "") + ")"
        case .reduce(let acc, let i, let v, let l, let m):
            return "reduce(\(acc.text) = \(print(i)), \(v.text) IN \(print(l)) | \(print(m)))"
        case .patternComprehension(_, let p, _, let m): return "[" + print(p) + " | " + print(m) + "]"
        case .patternPredicate(let p): return print(p)
        case .exists(let parts, _): return "EXISTS { " + parts.map { print($0.element) }.joined(separator: ", ") + " }"
        case .existsQuery: return "EXISTS { … }"
        }
    }

    static func print(_ p: PatternElement) -> String {
        func node(_ n: NodePattern) -> String {
            "(" + (n.variable?.text ?? "") + n.labels.map { ":" + $0.text }.joined()
                + (n.properties.map { " " + print($0) } ?? "") + ")"
        }
        var out = node(p.start)
        for step in p.steps {
            let r = step.relationship
            var inner = r.variable?.text ?? ""
            if !r.types.isEmpty { inner += ":" + r.types.map(\.text).joined(separator: "|") }
            if let l = r.length { inner += "*" + (l.minimum.map(String.init) ?? "") + ".." + (l.maximum.map(String.init) ?? "") }
            let body = inner.isEmpty ? "" : "[" + inner + "]"
            switch r.direction {
            case .right: out += "-" + body + "->"
            case .left: out += "<-" + body + "-"
            case .both: out += "-" + body + "-"
            }
            out += node(step.node)
        }
        return out
    }
}

extension Planner {
    func describe(_ e: Expression) -> String { ExpressionPrinter.print(e) }
}
