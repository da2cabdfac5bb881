import LinearRegex

/// A class's id naming pattern (`id_pattern` in the schema), compiled once: Java syntax, as CIQL's `=~`, matched
/// in time linear in the id, so no pattern in a schema file can make verify, the audit or a spreadsheet import hang.
///
/// Shared by verify's registrations, the audit's naming rule and spreadsheet ids.
package struct IDPattern: Sendable {
    package let source: String
    private let regex: LinearRegex

    /// Nil when the pattern does not compile, or spells a POSIX class (`[[:alpha:]]`), which means letters to
    /// Swift's `Regex` (what earlier versions matched with) and the five characters `:alph` to Java's syntax.
    package init?(_ source: String) {
        guard !Self.spellsPOSIXClass(source), let regex = try? LinearRegex(source) else { return nil }
        self.source = source
        self.regex = regex
    }

    /// Whether `id` matches (the pattern's own anchors decide how much of the id it must cover).
    package func matches(_ id: String) -> Bool {
        regex.containsMatch(id)
    }

    /// Whether `pattern` holds `[:` (a POSIX class such as `[:alpha:]` inside a class).
    package static func spellsPOSIXClass(_ pattern: String) -> Bool {
        pattern.contains("[:")
    }
}
