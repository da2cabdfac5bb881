/// A class's id naming pattern (`id_pattern` in the schema), compiled once.
///
/// Not `Sendable`: `Regex` values are not; each job compiles its own. Shared by verify's registrations, the audit's
/// naming rule and spreadsheet ids.
package struct IDPattern {
    package let source: String
    private let regex: Regex<AnyRegexOutput>

    /// Nil when the pattern does not compile.
    package init?(_ source: String) {
        guard let regex = try? Regex(source) else { return nil }
        self.source = source
        self.regex = regex
    }

    /// Whether `id` matches (the pattern's own anchors decide how much of the id it must cover).
    package func matches(_ id: String) -> Bool {
        (try? regex.firstMatch(in: id)) != nil
    }
}
