/// A class's id naming pattern (`id_pattern` in the schema), compiled once.
///
/// Not `Sendable`: `Regex` values are not.
struct IDPattern {
    let source: String
    private let regex: Regex<AnyRegexOutput>

    /// Nil when the pattern does not compile.
    init?(_ source: String) {
        guard let regex = try? Regex(source) else { return nil }
        self.source = source
        self.regex = regex
    }

    func matches(_ id: String) -> Bool {
        (try? regex.firstMatch(in: id)) != nil
    }
}
