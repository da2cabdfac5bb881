@testable import CIQLSyntax

/// Prints syntax trees as compact S-expressions, so tests can assert a whole tree's shape in one string.
///
///     a < b < c   →   (and (< a b) (< b c))
enum SyntaxPrinter {
    static func print(_ statement: Statement) -> String {
        var parts: [String] = []
        if statement.mode != .run { parts.append(statement.mode == .explain ? "explain" : "profile") }
        if let change = statement.changeReference { parts.append("(change '\(change)')") }
        if let asOf = statement.asOf {
            switch asOf {
            case .time(let e): parts.append("(as-of \(print(e)))")
            case .transaction(let e): parts.append("(as-of-tx \(print(e)))")
            case .baseline(let e): parts.append("(as-of-baseline \(print(e)))")
            }
        }
        switch statement.body {
        case .query(let query): parts.append(print(query))
        case .createBaseline(let name, let description):
            parts.append("(create-baseline \(print(name))" + (description.map { " " + print($0) } ?? "") + ")")
        case .showBaselines: parts.append("(show-baselines)")
        case .diffBaseline(let a, let b):
            parts.append("(diff-baseline \(print(a))" + (b.map { " " + print($0) } ?? "") + ")")
        case .showClasses: parts.append("(show-classes)")
        case .showRelationTypes: parts.append("(show-relation-types)")
        case .describeClass(let name): parts.append("(describe-class \(name.text))")
        }
        return parts.joined(separator: " ")
    }

    static func print(_ query: Query) -> String {
        var text = print(query.parts[0])
        for (i, all) in query.unionAll.enumerated() where i + 1 < query.parts.count {
            text += (all ? " union-all " : " union ") + print(query.parts[i + 1])
        }
        return text
    }

    static func print(_ query: SingleQuery) -> String {
        query.clauses.map(print).joined(separator: " ")
    }

    static func print(_ clause: Clause) -> String {
        switch clause.kind {
        case .match(let optional, let pattern, let condition):
            return "(\(optional ? "optional-match" : "match") \(print(pattern))" + whereText(condition) + ")"
        case .unwind(let e, let variable): return "(unwind \(print(e)) \(variable.text))"
        case .with(let projection, let condition): return "(with \(print(projection))" + whereText(condition) + ")"
        case .return(let projection): return "(return \(print(projection)))"
        case .create(let pattern): return "(create \(print(pattern)))"
        case .merge(let part, let onCreate, let onMatch):
            var text = "(merge \(print(part))"
            if !onCreate.isEmpty { text += " (on-create " + onCreate.map(print).joined(separator: " ") + ")" }
            if !onMatch.isEmpty { text += " (on-match " + onMatch.map(print).joined(separator: " ") + ")" }
            return text + ")"
        case .set(let items): return "(set " + items.map(print).joined(separator: " ") + ")"
        case .remove(let items):
            return "(remove "
                + items.map { item in
                    switch item {
                    case .property(let e): return print(e)
                    case .labels(let v, let labels): return v.text + labels.map { ":" + $0.text }.joined()
                    }
                }.joined(separator: " ") + ")"
        case .delete(let list, let detach):
            return "(\(detach ? "detach-delete" : "delete") " + list.map(print).joined(separator: " ") + ")"
        case .call(let call):
            var text = "(call \(call.name.text)"
            if let arguments = call.arguments { text += " (" + arguments.map(print).joined(separator: " ") + ")" }
            if call.yieldsAll { text += " (yield *)" }
            if let items = call.yield, !call.yieldsAll {
                text +=
                    " (yield "
                    + items.map { $0.field.text + ($0.alias.map { " as " + $0.text } ?? "") }
                    .joined(separator: ", ") + ")"
            }
            return text + whereText(call.where_) + ")"
        }
    }

    static func whereText(_ condition: Expression?) -> String {
        condition.map { " (where \(print($0)))" } ?? ""
    }

    static func print(_ item: SetItem) -> String {
        switch item {
        case .property(let target, let value): return "(= \(print(target)) \(print(value)))"
        case .replaceProperties(let v, let value): return "(= \(v.text) \(print(value)))"
        case .mergeProperties(let v, let value): return "(+= \(v.text) \(print(value)))"
        case .labels(let v, let labels): return v.text + labels.map { ":" + $0.text }.joined()
        }
    }

    static func print(_ projection: Projection) -> String {
        var parts: [String] = []
        if projection.includesAll { parts.append("*") }
        for item in projection.items {
            parts.append(print(item.expression) + (item.alias.map { " as " + $0.text } ?? ""))
        }
        var text = (projection.distinct ? "distinct " : "") + parts.joined(separator: ", ")
        if !projection.orderBy.isEmpty {
            text +=
                " (order "
                + projection.orderBy.map { print($0.expression) + ($0.descending ? " desc" : "") }
                .joined(separator: ", ") + ")"
        }
        if let skip = projection.skip { text += " (skip \(print(skip)))" }
        if let limit = projection.limit { text += " (limit \(print(limit)))" }
        return text
    }

    static func print(_ pattern: [PatternPart]) -> String {
        pattern.map(print).joined(separator: ", ")
    }

    static func print(_ part: PatternPart) -> String {
        var text = part.pathVariable.map { $0.text + " = " } ?? ""
        switch part.shortest {
        case .single?: text += "shortest(" + print(part.element) + ")"
        case .all?: text += "all-shortest(" + print(part.element) + ")"
        case nil: text += print(part.element)
        }
        return text
    }

    static func print(_ element: PatternElement) -> String {
        var text = print(element.start)
        for step in element.steps { text += print(step.relationship) + print(step.node) }
        return text
    }

    static func print(_ node: NodePattern) -> String {
        "(" + (node.variable?.text ?? "") + node.labels.map { ":" + $0.text }.joined()
            + (node.properties.map { " " + print($0) } ?? "") + ")"
    }

    static func print(_ r: RelationshipPattern) -> String {
        var inner = r.variable?.text ?? ""
        if !r.types.isEmpty { inner += ":" + r.types.map(\.text).joined(separator: "|") }
        if let length = r.length {
            inner += "*" + (length.minimum.map(String.init) ?? "") + ".." + (length.maximum.map(String.init) ?? "")
        }
        if let properties = r.properties { inner += " " + print(properties) }
        let body = inner.isEmpty ? "--" : "-[" + inner + "]-"
        switch r.direction {
        case .right: return body + ">"
        case .left: return "<" + body
        case .both: return body
        }
    }

    static func print(_ e: Expression) -> String {
        switch e.kind {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .float(let d): return String(d)
        case .string(let s): return "'" + s + "'"
        case .parameter(let p): return "$" + p
        case .variable(let v): return v
        case .property(let base, let key): return print(base) + "." + key
        case .list(let items): return "[" + items.map(print).joined(separator: " ") + "]"
        case .map(let entries):
            return "{" + entries.map { $0.key + ": " + print($0.value) }.joined(separator: ", ") + "}"
        case .mapProjection(let variable, let items):
            return variable.text + "{"
                + items.map { item in
                    switch item {
                    case .property(let n): return "." + n.text
                    case .literal(let key, let value): return key + ": " + print(value)
                    case .variable(let n): return n.text
                    case .allProperties: return ".*"
                    }
                }.joined(separator: ", ") + "}"
        case .subscript(let base, let index): return "(index \(print(base)) \(print(index)))"
        case .slice(let base, let from, let to):
            return "(slice \(print(base)) \(from.map(print) ?? "_") \(to.map(print) ?? "_"))"
        case .unary(let op, let operand): return "(\(op == .not ? "not" : op.rawValue) \(print(operand)))"
        case .binary(let op, let l, let r): return "(\(op.rawValue.lowercased()) \(print(l)) \(print(r)))"
        case .isNull(let operand, let negated): return "(\(negated ? "is-not-null" : "is-null") \(print(operand)))"
        case .hasLabels(let operand, let labels):
            return "(labels \(print(operand)) " + labels.map(\.text).joined(separator: ":") + ")"
        case .function(let name, let distinct, let arguments):
            return "(\(name.text)\(distinct ? " distinct" : "")" + arguments.map { " " + print($0) }.joined() + ")"
        case .countStar: return "(count *)"
        case .caseWhen(let subject, let branches, let otherwise):
            return "(case" + (subject.map { " " + print($0) } ?? "")
                + branches.map { " (when \(print($0.when)) \(print($0.then)))" }.joined()
                + (otherwise.map { " (else \(print($0)))" } ?? "") + ")"
        case .listComprehension(let variable, let list, let condition, let map):
            return "[\(variable.text) in \(print(list))" + (condition.map { " where " + print($0) } ?? "")
                + (map.map { " | " + print($0) } ?? "") + "]"
        case .patternComprehension(let pathVariable, let pattern, let condition, let map):
            return "[" + (pathVariable.map { $0.text + " = " } ?? "") + print(pattern)
                + (condition.map { " where " + print($0) } ?? "") + " | " + print(map) + "]"
        case .quantifier(let q, let variable, let list, let condition):
            return "(\(q.rawValue) \(variable.text) \(print(list))" + (condition.map { " " + print($0) } ?? "") + ")"
        case .reduce(let acc, let initial, let variable, let list, let map):
            return "(reduce \(acc.text) \(print(initial)) \(variable.text) \(print(list)) \(print(map)))"
        case .patternPredicate(let element): return "(pattern " + print(element) + ")"
        case .exists(let pattern, let condition):
            return "(exists \(print(pattern))" + (condition.map { " " + print($0) } ?? "") + ")"
        case .existsQuery: return "(exists query)"
        }
    }
}
