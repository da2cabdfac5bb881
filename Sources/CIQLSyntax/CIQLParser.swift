/// Parses CIQL text into statements, following `grammar/ciql.ebnf`.
public enum CIQLParser {
    /// Parses one or more statements separated by `;` (a trailing `;` is allowed; empty text gives no statements).
    ///
    /// - Throws: `CIQLError` of kind `.syntax` at the first place the text leaves the grammar, with the errors
    ///   found after recovering from it (at the next clause or statement) in `further`.
    public static func parse(_ text: String) throws(CIQLError) -> [Statement] {
        let bytes = Array(text.utf8)
        let tokens = try CIQLLexer.tokenize(bytes)
        var parser = Parser(tokens: tokens, source: bytes)
        return try parser.parseStatements()
    }

    /// Splits `text` at the `;` that end statements, ignoring those inside strings, quoted names and comments.
    ///
    /// The REPL uses this to know when a multi-line statement is complete.
    ///
    /// - Returns: the complete statements without their `;` and trimmed of surrounding whitespace (empty ones are
    ///   dropped), and the text after the last `;` unchanged (or `""` when it is only whitespace). The remainder may
    ///   end inside a string or comment; appending more text to it and splitting again is how input accumulates.
    public static func splitStatements(_ text: String) -> (complete: [String], remainder: String) {
        enum State { case code, quoted(UInt8), lineComment, blockComment }
        let bytes = Array(text.utf8)
        var complete: [String] = []
        var state = State.code
        var segmentStart = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let next: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
            switch state {
            case .code:
                if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "`") {
                    state = .quoted(b)
                } else if b == UInt8(ascii: "/"), next == UInt8(ascii: "/") {
                    state = .lineComment
                    i += 1
                } else if b == UInt8(ascii: "/"), next == UInt8(ascii: "*") {
                    state = .blockComment
                    i += 1
                } else if b == UInt8(ascii: ";") {
                    let statement = trimmed(bytes[segmentStart..<i])
                    if !statement.isEmpty { complete.append(statement) }
                    segmentStart = i + 1
                }
            case .quoted(let quote):
                if b == UInt8(ascii: "\\"), quote != UInt8(ascii: "`") {
                    i += 1
                } else if b == quote {
                    state = .code
                }
            case .lineComment:
                if b == 0x0A || b == 0x0D { state = .code }
            case .blockComment:
                if b == UInt8(ascii: "*"), next == UInt8(ascii: "/") {
                    state = .code
                    i += 1
                }
            }
            i += 1
        }
        let rest = bytes[min(segmentStart, bytes.count)...]
        let remainder = trimmed(rest).isEmpty ? "" : String(decoding: rest, as: UTF8.self)
        return (complete, remainder)
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> String {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
