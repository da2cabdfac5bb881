import Foundation
import TestSupport

/// Builds random CIQL statements from the productions of grammar/ciql.ebnf: the W3C EBNF is read into rules,
/// and a statement is a random derivation from `Statement`, with the lexical leaves (names, literals) and a few
/// productions replaced by choices that fit the sample CMDB, so that many statements get past planning and run.
struct GrammarGenerator {
    indirect enum Term {
        case literal(String)
        case rule(String)
        case sequence([Term])
        case choice([Term])
        case optional(Term)
        case many(Term, atLeastOne: Bool)
        /// A character class or other lexical detail the overrides stand in for.
        case lexical
    }

    private(set) var rules: [String: Term] = [:]
    /// The fewest expansion steps each rule needs to end (used once the depth budget is spent).
    private var cost: [String: Int] = [:]
    var random: SplitMix64
    let maximumDepth: Int

    /// Values that mean something in the sample (schoolbestuur.jsonl).
    static let variables = ["n", "m", "r", "p", "x"]
    static let labels = ["Server", "VirtualServer", "Application", "Site", "Hypervisor", "BusinessService", "Cluster"]
    static let relationTypes = ["RUNS_ON", "HOSTED_ON", "MEMBER_OF", "LOCATED_IN", "USES", "DEPENDS_ON", "CONNECTS_TO"]
    static let keys = ["id", "name", "status", "owner", "criticality", "os", "cpu", "memory_gb", "leerlingen", "hostname"]
    static let strings = ["'srv-dc01'", "'hv-bb-01'", "'live'", "'app-ad-ds'", "'(a+)+$'", "'.*'", "''", "'x\\u001b'", "'P1D'",
        "'2026-11-01T00:00:00Z'"]
    static let integers = ["0", "1", "2", "3", "-1", "100", "9223372036854775807", "-9223372036854775808", "0x10"]
    static let functions = [
        "count", "sum", "avg", "min", "max", "collect", "size", "length", "coalesce", "toLower", "toUpper", "toString",
        "toInteger", "toFloat", "class", "type", "nodes", "relationships", "datetime", "duration", "range", "abs",
        "head", "last", "tail", "keys", "labels", "id", "reverse", "split", "substring", "replace", "round", "sqrt",
    ]

    init(grammar: String, seed: UInt64, maximumDepth: Int = 9) throws {
        random = SplitMix64(seed: seed)
        self.maximumDepth = maximumDepth
        rules = try Self.parse(grammar)
        computeCosts()
    }

    // MARK: - Generating

    /// One statement.
    mutating func statement() -> String {
        var out: [String] = []
        expand(.rule("Statement"), depth: 0, into: &out)
        return out.joined(separator: " ")
    }

    private mutating func expand(_ term: Term, depth: Int, into out: inout [String]) {
        let spent = depth >= maximumDepth
        switch term {
        case .literal(let text): out.append(text)
        case .lexical: out.append("x")
        case .rule(let name):
            if let replaced = override(name, depth: depth) {
                out.append(replaced)
                return
            }
            guard let body = rules[name] else {
                out.append(name)
                return
            }
            expand(body, depth: depth + 1, into: &out)
        case .sequence(let items): for item in items { expand(item, depth: depth, into: &out) }
        case .choice(let options):
            let chosen = spent ? options.min { cost(of: $0) < cost(of: $1) } ?? options[0] : options[random.below(options.count)]
            expand(chosen, depth: depth, into: &out)
        case .optional(let inner):
            if !spent, random.below(3) == 0 { expand(inner, depth: depth, into: &out) }
        case .many(let inner, let atLeastOne):
            var n = atLeastOne ? 1 : 0
            if !spent { while n < 3, random.below(3) == 0 { n += 1 } }
            for _ in 0..<n { expand(inner, depth: depth, into: &out) }
        }
    }

    /// Leaves and a few productions chosen to fit the sample, so statements plan and run.
    private mutating func override(_ name: String, depth: Int) -> String? {
        switch name {
        case "Variable": return pick(Self.variables)
        case "SymbolicName": return pick(Self.keys + Self.labels + Self.relationTypes)
        case "PropertyKey": return pick(Self.keys)
        case "Name": return pick(Self.variables)
        case "StringLiteral": return pick(Self.strings)
        case "IntegerLiteral": return pick(Self.integers)
        case "FloatLiteral": return pick(["0.5", "1e300", "-0.0", "2.5"])
        case "Parameter": return pick(["$id", "$n", "$list"])
        case "ProcedureName": return pick(["impact", "dependencies", "history"])
        case "Comment": return ""
        case "NodeLabels": return ":" + pick(Self.labels)
        case "RelationshipTypes": return ":" + pick(Self.relationTypes)
        case "VariableLength": return pick(["*", "*1..2", "*0..", "*..3", "*2"])
        case "FunctionCall":
            var out: [String] = []
            let arguments = depth >= maximumDepth ? 0 : random.below(3)
            for i in 0..<arguments {
                if i > 0 { out.append(",") }
                expand(.rule("Expression"), depth: depth + 2, into: &out)
            }
            return pick(Self.functions) + "(" + out.joined(separator: " ") + ")"
        case "SingleQuery":
            // Clauses, then RETURN: a statement that ends in a projection plans far more often.
            var out: [String] = []
            let clauses = 1 + random.below(3)
            for _ in 0..<clauses { expand(.rule("Clause"), depth: depth + 1, into: &out) }
            out.append("RETURN")
            expand(.rule("ProjectionBody"), depth: depth + 1, into: &out)
            return out.joined(separator: " ")
        case "Clause":
            let weighted = ["Match", "Match", "Match", "Match", "With", "With", "Unwind", "Match", "Create", "Set", "Merge",
                "Remove", "Delete", "Call"]
            var out: [String] = []
            expand(.rule(pick(weighted)), depth: depth + 1, into: &out)
            return out.joined(separator: " ")
        default: return nil
        }
    }

    private mutating func pick(_ options: [String]) -> String { options[random.below(options.count)] }

    // MARK: - Costs

    private mutating func computeCosts() {
        for name in rules.keys { cost[name] = 1_000 }
        for _ in 0..<50 {
            var changed = false
            for (name, body) in rules {
                let c = 1 + cost(of: body)
                if c < cost[name] ?? .max {
                    cost[name] = c
                    changed = true
                }
            }
            if !changed { break }
        }
    }

    private func cost(of term: Term) -> Int {
        switch term {
        case .literal, .lexical: return 0
        case .rule(let name): return rules[name] == nil ? 0 : (cost[name] ?? 1_000)
        case .sequence(let items): return items.reduce(0) { min(1_000, $0 + cost(of: $1)) }
        case .choice(let options): return options.map(cost(of:)).min() ?? 0
        case .optional: return 0
        case .many(let inner, let atLeastOne): return atLeastOne ? cost(of: inner) : 0
        }
    }

    // MARK: - Reading the EBNF

    struct GrammarError: Error, CustomStringConvertible {
        var description: String
    }

    /// Productions `Name ::= …` of the W3C EBNF, comments removed.
    static func parse(_ text: String) throws -> [String: Term] {
        var source = text
        while let open = source.range(of: "/*") {
            guard let close = source.range(of: "*/", range: open.upperBound..<source.endIndex) else { break }
            source.removeSubrange(open.lowerBound..<close.upperBound)
        }
        var tokens = try tokenize(source)
        var rules: [String: Term] = [:]
        // A production starts where a name is followed by '::='.
        var starts: [Int] = []
        for i in tokens.indices.dropLast() where tokens[i + 1] == "::=" { starts.append(i) }
        tokens.append("")
        for (k, start) in starts.enumerated() {
            let end = k + 1 < starts.count ? starts[k + 1] : tokens.count - 1
            var parser = TermParser(tokens: Array(tokens[(start + 2)..<end]))
            rules[tokens[start]] = try parser.choice()
        }
        return rules
    }

    private static func tokenize(_ s: String) throws -> [String] {
        var tokens: [String] = []
        let chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace {
                i += 1
            } else if c == "'" || c == "\"" {
                var j = i + 1
                while j < chars.count, chars[j] != c { j += 1 }
                tokens.append(String(chars[i...min(j, chars.count - 1)]))
                i = j + 1
            } else if c == "[" {
                var j = i + 1
                while j < chars.count, chars[j] != "]" { j += 1 }
                tokens.append("[class]")
                i = j + 1
            } else if c == ":", i + 2 < chars.count, chars[i + 1] == ":", chars[i + 2] == "=" {
                tokens.append("::=")
                i += 3
            } else if c == "#" {
                var j = i + 1
                while j < chars.count, chars[j].isLetter || chars[j].isNumber { j += 1 }
                tokens.append("[class]")
                i = j
            } else if c.isLetter || c == "_" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                tokens.append(String(chars[i..<j]))
                i = j
            } else if "()|?*+-".contains(c) {
                tokens.append(String(c))
                i += 1
            } else {
                throw GrammarError(description: "unexpected '\(c)' in the grammar")
            }
        }
        return tokens
    }

    private struct TermParser {
        let tokens: [String]
        var index = 0

        mutating func choice() throws -> Term {
            var options = [try sequence()]
            while index < tokens.count, tokens[index] == "|" {
                index += 1
                options.append(try sequence())
            }
            return options.count == 1 ? options[0] : .choice(options)
        }

        mutating func sequence() throws -> Term {
            var items: [Term] = []
            while index < tokens.count, tokens[index] != "|", tokens[index] != ")" {
                if tokens[index] == "-" {
                    // `A - B`: A without B; the overrides keep the exclusions.
                    index += 1
                    _ = try primary()
                    continue
                }
                var term = try primary()
                if index < tokens.count {
                    switch tokens[index] {
                    case "?": term = .optional(term); index += 1
                    case "*": term = .many(term, atLeastOne: false); index += 1
                    case "+": term = .many(term, atLeastOne: true); index += 1
                    default: break
                    }
                }
                items.append(term)
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        mutating func primary() throws -> Term {
            guard index < tokens.count else { throw GrammarError(description: "the grammar ends inside a production") }
            let t = tokens[index]
            index += 1
            if t == "(" {
                let inner = try choice()
                guard index < tokens.count, tokens[index] == ")" else { throw GrammarError(description: "unclosed '('") }
                index += 1
                return inner
            }
            if t == "[class]" { return .lexical }
            if t.hasPrefix("'") || t.hasPrefix("\"") { return .literal(String(t.dropFirst().dropLast())) }
            return .rule(t)
        }
    }
}

