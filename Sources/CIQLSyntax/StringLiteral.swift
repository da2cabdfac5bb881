extension CIQLLexer {
    /// The value of one CIQL string literal, `'…'` or `"…"` with its escapes (`\'`, `\\`, `\n`, `\uXXXX`, …), as a
    /// statement would read it; the REPL's `:describe 'id'` and its completion use it so a quoted id means there
    /// what it means in CIQL.
    ///
    /// - Throws: the lexer's `CIQLError` (an invalid escape, no closing quote), or one saying the text is more than
    ///   one string literal.
    package static func stringLiteralValue(_ literal: String) throws(CIQLError) -> String {
        let tokens = try tokenize(Array(literal.utf8))
        guard tokens.count == 2, tokens[0].kind == .string, tokens[1].kind == .endOfInput else {
            throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "expected one string literal")
        }
        return tokens[0].text
    }
}
