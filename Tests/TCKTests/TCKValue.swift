import Foundation

/// A value as the TCK writes it in result tables and parameters, and as engine results are turned into
/// for comparison: graph elements carry their labels, type and properties, not their identity.
indirect enum TCKValue: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case list([TCKValue])
    case map([String: TCKValue])
    case node(labels: [String], properties: [String: TCKValue])
    case relationship(type: String, properties: [String: TCKValue])
    /// A start node and steps; `forward` is true for `-[…]->`.
    case path(start: TCKValue, steps: [PathStep])
    /// A value the TCK has no notation for (a datetime, a duration), kept as text.
    case other(String)

    struct PathStep: Equatable {
        var relationship: TCKValue
        var forward: Bool
        var node: TCKValue
    }

    /// Canonical text: equal values give equal text. Map keys are sorted, floats are rounded to 12 significant
    /// digits (the TCK's expected floats are decimal renderings), and with `sortingLists` list elements are
    /// sorted (for `ignoring element order for lists`).
    func canonical(sortingLists: Bool = false) -> String {
        func map(_ m: [String: TCKValue]) -> String {
            "{" + m.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.canonical(sortingLists: sortingLists))" }
                .joined(separator: ", ") + "}"
        }
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d < 0 ? "-Inf" : "Inf" }
            return "F" + String(format: "%.12g", d == 0 ? 0 : d)  // -0.0 == 0.0, as the TCK compares
        case .string(let s): return "'" + s.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
        case .list(let l):
            let items = l.map { $0.canonical(sortingLists: sortingLists) }
            return "[" + (sortingLists ? items.sorted() : items).joined(separator: ", ") + "]"
        case .map(let m): return map(m)
        case .node(let labels, let properties):
            return "(" + labels.sorted().map { ":" + $0 }.joined() + " " + map(properties) + ")"
        case .relationship(let type, let properties): return "[:" + type + " " + map(properties) + "]"
        case .path(let start, let steps):
            var out = "<" + start.canonical(sortingLists: sortingLists)
            for step in steps {
                let rel = step.relationship.canonical(sortingLists: sortingLists)
                out += step.forward ? "-\(rel)->" : "<-\(rel)-"
                out += step.node.canonical(sortingLists: sortingLists)
            }
            return out + ">"
        case .other(let text): return "?" + text
        }
    }

    /// True when the value (or one inside it) is a node with several labels, which a CMDB cannot hold.
    var hasSeveralLabels: Bool {
        switch self {
        case .node(let labels, let properties): labels.count > 1 || properties.values.contains { $0.hasSeveralLabels }
        case .list(let l): l.contains { $0.hasSeveralLabels }
        case .map(let m): m.values.contains { $0.hasSeveralLabels }
        case .path(let start, let steps): start.hasSeveralLabels || steps.contains { $0.node.hasSeveralLabels }
        default: false
        }
    }
}

struct TCKValueError: Error, CustomStringConvertible {
    var description: String
}

/// Reads the TCK's value notation: `null`, `true`, `42`, `-1.5e3`, `NaN`, `Inf`, `'text'`, `[1, 2]`, `{k: v}`,
/// `(:L {k: v})`, `[:T {k: v}]`, `<(:A)-[:T]->(:B)>`.
struct TCKValueParser {
    private let chars: [Character]
    private var i = 0

    static func parse(_ text: String) throws -> TCKValue {
        var parser = TCKValueParser(chars: Array(text))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.i == parser.chars.count else { throw parser.error("trailing text") }
        return value
    }

    private init(chars: [Character]) { self.chars = chars }

    private func error(_ what: String) -> TCKValueError {
        TCKValueError(description: "cannot read TCK value '\(String(chars))' at \(i): \(what)")
    }

    private mutating func skipSpace() {
        while i < chars.count, chars[i].isWhitespace { i += 1 }
    }

    private mutating func peek() -> Character? {
        skipSpace()
        return i < chars.count ? chars[i] : nil
    }

    private mutating func expect(_ c: Character) throws {
        guard peek() == c else { throw error("expected '\(c)'") }
        i += 1
    }

    private mutating func consume(_ word: String) -> Bool {
        skipSpace()
        let w = Array(word)
        guard i + w.count <= chars.count, Array(chars[i..<i + w.count]) == w else { return false }
        i += w.count
        return true
    }

    private mutating func value() throws -> TCKValue {
        guard let c = peek() else { throw error("expected a value") }
        switch c {
        case "'", "\"": return .string(try string())
        case "[":
            if i + 1 < chars.count, chars[i + 1] == ":" { return try relationship() }
            i += 1
            var items: [TCKValue] = []
            if peek() == "]" { i += 1; return .list(items) }
            while true {
                items.append(try value())
                if peek() == "," { i += 1; continue }
                try expect("]")
                return .list(items)
            }
        case "{": return .map(try properties())
        case "(": return try node()
        case "<": return try path()
        default:
            if consume("null") { return .null }
            if consume("true") { return .bool(true) }
            if consume("false") { return .bool(false) }
            if consume("NaN") { return .float(.nan) }
            if consume("-Inf") { return .float(-.infinity) }
            if consume("Inf") { return .float(.infinity) }
            return try number()
        }
    }

    private mutating func string() throws -> String {
        let quote = chars[i]
        i += 1
        var out = ""
        while i < chars.count, chars[i] != quote {
            if chars[i] == "\\", i + 1 < chars.count {
                i += 1
                switch chars[i] {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(chars[i])
                }
            } else {
                out.append(chars[i])
            }
            i += 1
        }
        guard i < chars.count else { throw error("unterminated string") }
        i += 1
        return out
    }

    private mutating func number() throws -> TCKValue {
        skipSpace()
        let start = i
        while i < chars.count, chars[i].isNumber || "+-.eE".contains(chars[i]) || chars[i].isLetter { i += 1 }
        let text = String(chars[start..<i])
        if let n = Int64(text) { return .int(n) }
        if text.hasPrefix("0x") || text.hasPrefix("-0x"), let n = Int64(text.replacing("0x", with: ""), radix: 16) {
            return .int(n)
        }
        if let d = Double(text) { return .float(d) }
        throw error("expected a value")
    }

    private mutating func name() throws -> String {
        skipSpace()
        if i < chars.count, chars[i] == "`" {
            i += 1
            let start = i
            while i < chars.count, chars[i] != "`" { i += 1 }
            let n = String(chars[start..<i])
            i += 1
            return n
        }
        let start = i
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { i += 1 }
        guard i > start else { throw error("expected a name") }
        return String(chars[start..<i])
    }

    private mutating func properties() throws -> [String: TCKValue] {
        try expect("{")
        var m: [String: TCKValue] = [:]
        if peek() == "}" { i += 1; return m }
        while true {
            let key = try name()
            try expect(":")
            m[key] = try value()
            if peek() == "," { i += 1; continue }
            try expect("}")
            return m
        }
    }

    private mutating func node() throws -> TCKValue {
        try expect("(")
        var labels: [String] = []
        while peek() == ":" {
            i += 1
            labels.append(try name())
        }
        let props = peek() == "{" ? try properties() : [:]
        try expect(")")
        return .node(labels: labels, properties: props)
    }

    private mutating func relationship() throws -> TCKValue {
        try expect("[")
        try expect(":")
        let type = try name()
        let props = peek() == "{" ? try properties() : [:]
        try expect("]")
        return .relationship(type: type, properties: props)
    }

    private mutating func path() throws -> TCKValue {
        try expect("<")
        let start = try node()
        var steps: [TCKValue.PathStep] = []
        while peek() != ">" {
            let backward = consume("<-")
            if !backward { try expect("-") }
            let rel = try relationship()
            let forward = consume("->")
            if !forward { try expect("-") }
            steps.append(TCKValue.PathStep(relationship: rel, forward: forward, node: try node()))
        }
        try expect(">")
        return .path(start: start, steps: steps)
    }
}
