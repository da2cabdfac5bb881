/// A regular expression in the Java syntax Cypher uses, matched by an automaton in time linear in the input: no
/// pattern can make a match take exponential time (`(a+)+$` on `aaaa…!` answers at once).
///
/// Supported: literals, `.`, classes `[a-z]`, `[^…]` (with nested classes as unions), the escapes `\d \w \s \D \W \S`,
/// `\t \n \r \f \a \e \0oo \xhh \x{h…} \uhhhh \cX`, `\Q…\E`, anchors `^ $ \A \z \Z`, word boundaries `\b \B`,
/// groups `(…)`, `(?:…)`, `(?<name>…)`, alternation `|`, the quantifiers `* + ? {m} {m,} {m,n}` (lazy variants
/// accepted: they match the same strings), and the flags `(?i)`, `(?s)`, `(?m)`, also scoped `(?i:…)` and turned
/// off `(?-i)`. Refused with the construct and its position: backreferences, lookaround, atomic groups,
/// possessive quantifiers, property classes and class intersection, all of which need backtracking or tables this
/// engine does not carry.
///
/// The compiled automaton is bounded (`maximumSize` instructions, default 20,000), so `x{1000}{1000}` is refused
/// rather than built.
public struct LinearRegex: Sendable {
    public let pattern: String
    private let program: RegexProgram

    /// The default bound on a compiled pattern, in automaton instructions (about one per literal or class).
    public static let defaultMaximumSize = 20_000

    /// Parses and compiles `pattern`; throws naming what is wrong and where.
    public init(_ pattern: String, maximumSize: Int = LinearRegex.defaultMaximumSize) throws(RegexSyntaxError) {
        self.pattern = pattern
        let node = try RegexParser.parse(pattern)
        let size = RegexProgram.size(of: node)
        guard size <= maximumSize else {
            throw RegexSyntaxError(
                message: "the pattern is too large: it expands to \(size == .max ? "too many" : String(size)) "
                    + "states, more than the \(maximumSize) allowed (lower the repetition counts)",
                position: 1)
        }
        program = RegexProgram(node)
    }

    /// Whether the whole of `text` matches (Java's `matches()`, Cypher's `=~`).
    public func wholeMatch(_ text: String) -> Bool {
        program.matches(Array(text.unicodeScalars), anchored: true, interval: .max) {}
    }

    /// Whether the whole of `text` matches; `check` runs every `interval` input scalars and may throw to stop a
    /// long match (a statement's time limit).
    public func wholeMatch(_ text: String, interval: Int = 65_536, check: () throws -> Void) rethrows -> Bool {
        try program.matches(Array(text.unicodeScalars), anchored: true, interval: max(1, interval), check)
    }

    /// Whether some part of `text` matches (Java's `find()`).
    public func containsMatch(_ text: String) -> Bool {
        program.matches(Array(text.unicodeScalars), anchored: false, interval: .max) {}
    }
}
