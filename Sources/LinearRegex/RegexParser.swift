/// Why a pattern was refused: what is wrong and the 1-based position (in Unicode scalars) where it starts.
public struct RegexSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var position: Int

    public var description: String { "\(message) at position \(position)" }
}

/// The flags `(?i)`, `(?s)`, `(?m)` switch on (and `(?-i)` off) until the end of the enclosing group.
struct RegexFlags: Sendable {
    var ignoresCase = false
    var dotMatchesLineTerminators = false
    var multiline = false
}

/// A recursive-descent parser for the Java (Cypher) regular expression syntax, limited to what an automaton can
/// match in linear time: constructs that need backtracking are refused by name.
struct RegexParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var depth = 0
    /// Deeper nesting is refused, so that parsing and compiling never exhaust the stack.
    static let maximumNesting = 200

    init(_ pattern: String) {
        scalars = Array(pattern.unicodeScalars)
    }

    static func parse(_ pattern: String) throws(RegexSyntaxError) -> RegexNode {
        var parser = RegexParser(pattern)
        var flags = RegexFlags()
        let node = try parser.parseAlternation(&flags)
        if parser.index < parser.scalars.count {
            throw parser.error("unmatched ')'", at: parser.index)
        }
        return node
    }

    // MARK: - Structure

    private mutating func parseAlternation(_ flags: inout RegexFlags) throws(RegexSyntaxError) -> RegexNode {
        var branches = [try parseConcatenation(&flags)]
        while peek == "|" {
            index += 1
            branches.append(try parseConcatenation(&flags))
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcatenation(_ flags: inout RegexFlags) throws(RegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while let c = peek, c != "|", c != ")" {
            let start = index
            guard let atom = try parseAtom(&flags) else { continue }  // a flag group like (?i) matches nothing
            items.append(try parseQuantifiers(atom, start: start))
        }
        return items.count == 1 ? items[0] : (items.isEmpty ? .empty : .concatenation(items))
    }

    private mutating func parseQuantifiers(_ atom: RegexNode, start: Int) throws(RegexSyntaxError) -> RegexNode {
        guard let c = peek else { return atom }
        let at = index
        var minimum = 0, maximum: Int? = nil
        switch c {
        case "*": index += 1
        case "+":
            index += 1
            minimum = 1
        case "?":
            index += 1
            maximum = 1
        case "{":
            guard let bounds = try parseBraces() else { return atom }
            (minimum, maximum) = bounds
        default: return atom
        }
        if peek == "?" {
            index += 1  // lazy: the same strings match
        } else if peek == "+" {
            throw error("the possessive quantifier '\(scalars[at])+' needs backtracking, which is not supported", at: at)
        }
        if let next = peek, next == "*" || next == "+" || next == "?" || next == "{" {
            throw error("'\(next)' has nothing to repeat (a quantifier cannot follow a quantifier)", at: index)
        }
        return .repetition(atom, minimum: minimum, maximum: maximum)
    }

    /// `{m}`, `{m,}` or `{m,n}` at the current `{`.
    private mutating func parseBraces() throws(RegexSyntaxError) -> (Int, Int?)? {
        let open = index
        index += 1
        guard let minimum = parseNumber() else {
            throw error("'{' must start a repetition like {2}, {2,} or {2,5} (write '\\{' for a brace)", at: open)
        }
        var maximum: Int? = minimum
        if peek == "," {
            index += 1
            maximum = parseNumber()
        }
        guard peek == "}" else { throw error("unclosed repetition '{'", at: open) }
        index += 1
        if let maximum, maximum < minimum {
            throw error("repetition {\(minimum),\(maximum)} has its bounds the wrong way round", at: open)
        }
        return (minimum, maximum)
    }

    /// Decimal digits, capped so that a huge count is refused by the size limit rather than overflowing.
    private mutating func parseNumber() -> Int? {
        var value: Int?
        while let c = peek, ("0"..."9").contains(c) {
            value = min((value ?? 0) * 10 + Int(c.value - 0x30), 1_000_000_000)
            index += 1
        }
        return value
    }

    private mutating func parseAtom(_ flags: inout RegexFlags) throws(RegexSyntaxError) -> RegexNode? {
        let at = index
        guard let c = next() else { return .empty }
        switch c {
        case "(": return try parseGroup(&flags, at: at)
        case "[": return .scalar(.set(try parseClass(flags, at: at)))
        case ".": return .scalar(.any(matchesLineTerminators: flags.dotMatchesLineTerminators))
        case "^": return .assertion(.lineStart(multiline: flags.multiline))
        case "$": return .assertion(.lineEnd(multiline: flags.multiline))
        case "\\": return try parseEscape(flags, at: at)
        case "*", "+", "?": throw error("'\(c)' has nothing to repeat", at: at)
        case "{":
            index = at
            _ = try parseBraces()
            throw error("a repetition has nothing to repeat", at: at)
        default: return .scalar(.literal(c, ignoringCase: flags.ignoresCase))
        }
    }

    private mutating func parseGroup(_ outer: inout RegexFlags, at: Int) throws(RegexSyntaxError) -> RegexNode? {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumNesting {
            throw error("groups are nested more than \(Self.maximumNesting) deep", at: at)
        }
        var inner = outer
        if peek == "?" {
            index += 1
            switch next() {
            case ":": break
            case "=": throw error("lookahead '(?=' needs backtracking, which is not supported", at: at)
            case "!": throw error("negative lookahead '(?!' needs backtracking, which is not supported", at: at)
            case ">": throw error("the atomic group '(?>' needs backtracking, which is not supported", at: at)
            case "<":
                if peek == "=" { throw error("lookbehind '(?<=' is not supported", at: at) }
                if peek == "!" { throw error("negative lookbehind '(?<!' is not supported", at: at) }
                try skipGroupName(at: at)
            case "P":
                guard next() == "<" else { throw error("unknown group construct '(?P'", at: at) }
                try skipGroupName(at: at)
            default:
                index -= 1
                // Inline flags: (?i) for the rest of the enclosing group, (?i:…) for this group only.
                let scoped = try parseFlags(&inner, at: at)
                if !scoped {
                    outer = inner
                    return nil
                }
            }
        }
        let body = try parseAlternation(&inner)
        guard next() == ")" else { throw error("unclosed group '('", at: at) }
        return body
    }

    /// The name of `(?<name>…)`, which only labels the group.
    private mutating func skipGroupName(at: Int) throws(RegexSyntaxError) {
        var length = 0
        while let c = next(), c != ">" {
            guard c.isASCIIWord else { throw error("a group name may hold only letters and digits", at: at) }
            length += 1
        }
        guard length > 0, index <= scalars.count, scalars[index - 1] == ">" else {
            throw error("unclosed group name '(?<'", at: at)
        }
    }

    /// Flags up to `)` (returns false: they apply from here on) or `:` (returns true: a scoped group follows).
    private mutating func parseFlags(_ flags: inout RegexFlags, at: Int) throws(RegexSyntaxError) -> Bool {
        var on = true
        while let c = next() {
            switch c {
            case ")": return false
            case ":": return true
            case "-": on = false
            case "i": flags.ignoresCase = on
            case "s": flags.dotMatchesLineTerminators = on
            case "m": flags.multiline = on
            case "u", "U": break  // Unicode case folding: case-insensitive matching already folds beyond ASCII
            default:
                throw error("inline flag '\(c)' is not supported (supported: i, s, m)", at: index - 1)
            }
        }
        throw error("unclosed inline flags '(?'", at: at)
    }

    // MARK: - Escapes and classes

    private mutating func parseEscape(_ flags: RegexFlags, at: Int) throws(RegexSyntaxError) -> RegexNode {
        guard let c = peek else { throw error("the pattern ends with a lone '\\'", at: at) }
        switch c {
        case "b", "B":
            index += 1
            return .assertion(.wordBoundary(negated: c == "B"))
        case "A":
            index += 1
            return .assertion(.inputStart)
        case "z":
            index += 1
            return .assertion(.inputEnd)
        case "Z":
            index += 1
            return .assertion(.lineEnd(multiline: false))
        case "Q":
            index += 1
            var literals: [RegexNode] = []
            while let q = next() {
                if q == "\\", peek == "E" {
                    index += 1
                    break
                }
                literals.append(.scalar(.literal(q, ignoringCase: flags.ignoresCase)))
            }
            return .concatenation(literals)
        default:
            var set = try parseClassEscape(at: at)
            set.ignoresCase = flags.ignoresCase
            set.closeOverCase()
            if !set.isNegated, set.ranges.count == 1, let only = set.ranges.first, only.lowerBound == only.upperBound,
                let scalar = Unicode.Scalar(only.lowerBound)
            {
                return .scalar(.literal(scalar, ignoringCase: flags.ignoresCase))
            }
            return .scalar(.set(set))
        }
    }

    /// An escape that stands for scalars (the `\` already read): `\d`, `\n`, `\x41`, `\.` …
    private mutating func parseClassEscape(at: Int) throws(RegexSyntaxError) -> ScalarSet {
        guard let c = next() else { throw error("the pattern ends with a lone '\\'", at: at) }
        func single(_ value: UInt32) -> ScalarSet { ScalarSet(ranges: [value...value]) }
        switch c {
        case "d": return .digits
        case "D": return ScalarSet(ranges: ScalarSet.digits.ranges, isNegated: true)
        case "w": return .wordCharacters
        case "W": return ScalarSet(ranges: ScalarSet.wordCharacters.ranges, isNegated: true)
        case "s": return .whitespace
        case "S": return ScalarSet(ranges: ScalarSet.whitespace.ranges, isNegated: true)
        case "t": return single(0x09)
        case "n": return single(0x0A)
        case "r": return single(0x0D)
        case "f": return single(0x0C)
        case "a": return single(0x07)
        case "e": return single(0x1B)
        case "0":
            var value: UInt32 = 0, digits = 0
            while digits < 3, let d = peek, ("0"..."7").contains(d), value * 8 + (d.value - 0x30) <= 0o377 {
                value = value * 8 + (d.value - 0x30)
                index += 1
                digits += 1
            }
            guard digits > 0 else { throw error("'\\0' must be followed by octal digits", at: at) }
            return single(value)
        case "x":
            if peek == "{" {
                index += 1
                let value = try parseHex(maxDigits: 8, at: at)
                guard next() == "}" else { throw error("unclosed '\\x{'", at: at) }
                return try scalarValue(value, at: at)
            }
            return try scalarValue(try parseHex(exactly: 2, at: at), at: at)
        case "u": return try scalarValue(try parseHex(exactly: 4, at: at), at: at)
        case "c":
            guard let letter = next() else { throw error("'\\c' must be followed by a letter", at: at) }
            return single(letter.value ^ 0x40)
        case "1"..."9", "k":
            throw error("the backreference '\\\(c)' needs backtracking, which is not supported", at: at)
        case "p", "P":
            throw error("the property class '\\\(c){…}' is not supported (use a class like [a-zA-Z])", at: at)
        case "G", "R", "X", "h", "H", "v", "V", "N", "K", "g":
            throw error("the escape '\\\(c)' is not supported", at: at)
        default:
            if c.isASCIIWord {
                throw error("unknown escape '\\\(c)'", at: at)
            }
            return single(c.value)
        }
    }

    private mutating func parseHex(exactly count: Int, at: Int) throws(RegexSyntaxError) -> UInt32 {
        let start = index
        let value = try parseHex(maxDigits: count, at: at)
        guard index - start == count else { throw error("expected \(count) hexadecimal digits", at: at) }
        return value
    }

    private mutating func parseHex(maxDigits: Int, at: Int) throws(RegexSyntaxError) -> UInt32 {
        var value: UInt32 = 0, digits = 0
        while digits < maxDigits, let c = peek, let d = c.properties.isASCIIHexDigit ? UInt32(String(c), radix: 16) : nil {
            value = value * 16 + d
            index += 1
            digits += 1
        }
        guard digits > 0 else { throw error("expected hexadecimal digits", at: at) }
        return value
    }

    private func scalarValue(_ value: UInt32, at: Int) throws(RegexSyntaxError) -> ScalarSet {
        guard Unicode.Scalar(value) != nil else {
            throw error("U+\(String(value, radix: 16, uppercase: true)) is not a Unicode scalar", at: at)
        }
        return ScalarSet(ranges: [value...value])
    }

    /// `[…]` after its `[`: items, ranges, escapes and nested classes (a union).
    private mutating func parseClass(_ flags: RegexFlags, at: Int) throws(RegexSyntaxError) -> ScalarSet {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumNesting { throw error("classes are nested more than \(Self.maximumNesting) deep", at: at) }
        var set = ScalarSet()
        if peek == "^" {
            index += 1
            set.isNegated = true
        }
        var first = true
        while true {
            let itemAt = index
            guard let c = next() else { throw error("unclosed character class '['", at: at) }
            if c == "]", !first { break }
            first = false
            if c == "[" {
                set.formUnion(try parseClass(flags, at: itemAt))
                continue
            }
            if c == "&", peek == "&" {
                throw error("class intersection '&&' is not supported", at: itemAt)
            }
            let low: UInt32
            if c == "\\" {
                let escaped = try parseClassEscape(at: itemAt)
                guard !escaped.isNegated, escaped.ranges.count == 1, let only = escaped.ranges.first,
                    only.lowerBound == only.upperBound
                else {
                    set.formUnion(escaped)
                    continue
                }
                low = only.lowerBound
            } else {
                low = c.value
            }
            // A range `a-z`; a '-' before ']' is a literal.
            if peek == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                index += 1
                let highAt = index
                guard let h = next() else { throw error("unclosed character class '['", at: at) }
                var high = h.value
                if h == "\\" {
                    let escaped = try parseClassEscape(at: highAt)
                    guard !escaped.isNegated, escaped.ranges.count == 1, let only = escaped.ranges.first,
                        only.lowerBound == only.upperBound
                    else { throw error("a class range must end in a single character", at: highAt) }
                    high = only.lowerBound
                } else if h == "[" {
                    throw error("a class range must end in a single character", at: highAt)
                }
                guard low <= high else { throw error("the class range is out of order", at: itemAt) }
                set.insert(low...high)
                continue
            }
            set.insert(low...low)
        }
        set.ignoresCase = flags.ignoresCase
        set.closeOverCase()
        return set
    }

    // MARK: - Reading

    private var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func next() -> Unicode.Scalar? {
        guard index < scalars.count else {
            index = scalars.count + 1
            return nil
        }
        defer { index += 1 }
        return scalars[index]
    }

    private func error(_ message: String, at index: Int) -> RegexSyntaxError {
        RegexSyntaxError(message: message, position: min(index, scalars.count) + 1)
    }
}
