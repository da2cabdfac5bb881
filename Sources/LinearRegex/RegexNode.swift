/// A parsed regular expression: the tree the compiler turns into an automaton.
indirect enum RegexNode: Sendable {
    /// Matches the empty string.
    case empty
    /// One Unicode scalar that passes the test.
    case scalar(ScalarTest)
    /// A zero-width condition on the neighbouring scalars.
    case assertion(RegexAssertion)
    case concatenation([RegexNode])
    case alternation([RegexNode])
    /// `node{minimum,maximum}`; `maximum` nil means unbounded. Greedy and lazy repeats match the same strings.
    case repetition(RegexNode, minimum: Int, maximum: Int?)
}

/// What a scalar must be to be consumed.
enum ScalarTest: Sendable {
    /// This scalar, or one of `alternatives` (its simple case variants when case is ignored, computed once).
    case literal(Unicode.Scalar, alternatives: [Unicode.Scalar])
    /// `.`: any scalar, or any but a line terminator.
    case any(matchesLineTerminators: Bool)
    case set(ScalarSet)
}

/// Zero-width conditions: anchors and word boundaries.
enum RegexAssertion: Sendable {
    /// `^` (start of input; with `(?m)` also after a line terminator), `\A`.
    case lineStart(multiline: Bool)
    /// `$` (end of input or before a final line terminator; with `(?m)` before any line terminator), `\Z`.
    case lineEnd(multiline: Bool)
    /// `\z`: the very end of input.
    case inputEnd
    /// `\A`: the very start of input.
    case inputStart
    /// `\b` (or `\B` when negated).
    case wordBoundary(negated: Bool)
}

extension ScalarTest {
    static func literal(_ scalar: Unicode.Scalar, ignoringCase: Bool) -> ScalarTest {
        .literal(scalar, alternatives: ignoringCase ? scalar.simpleCaseVariants : [])
    }
}

extension Unicode.Scalar {
    /// Java's line terminators: `\n`, `\r`, U+0085, U+2028, U+2029.
    var isLineTerminator: Bool {
        switch value {
        case 0x0A, 0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    /// `\w` without the Unicode flag: ASCII letters, digits and `_`.
    var isASCIIWord: Bool {
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F: true
        default: false
        }
    }
}
