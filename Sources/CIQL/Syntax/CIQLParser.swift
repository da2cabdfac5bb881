/// Parses CIQL text into statements, following `grammar/ciql.ebnf`.
public enum CIQLParser {
    /// Parses one or more statements separated by `;` (a trailing `;` is allowed).
    ///
    /// - Throws: `CIQLError` of kind `.syntax` at the first place the text leaves the grammar.
    public static func parse(_ text: String) throws(CIQLError) -> [Statement] {
        throw CIQLError(.syntax, "the parser is not written yet", at: .start)
    }
}
