/// What tab completes, from the text before the cursor: keywords, classes after `:` in a node, relation types
/// after `:` or `|` in a relationship, property keys after `.`, parameters after `$`, CI ids inside a quoted
/// string or after `:describe`, `:history` and `:impact`, and the meta-commands.
///
/// Pure apart from the two closures it is given, so tests can drive it without a terminal or a database.
package final class CompletionSource {
    /// The names the database and its schema know.
    package struct Vocabulary: Sendable {
        package var classes: [String]
        package var relationTypes: [String]
        package var propertyKeys: [String]

        package init(classes: [String], relationTypes: [String], propertyKeys: [String]) {
            self.classes = classes
            self.relationTypes = relationTypes
            self.propertyKeys = propertyKeys
        }
    }

    /// Candidates for the word before the cursor, and what to type after a unique one.
    package struct Completion: Equatable, Sendable {
        package var candidates: [String]
        /// Appended after a single candidate: a space after a keyword, the closing quote after an id.
        package var terminator: Character?
    }

    /// The CIQL keywords, in upper case.
    private let keywords: [String]
    private let loadVocabulary: () throws -> Vocabulary
    private var vocabulary: Vocabulary?
    private let ids: (_ prefix: String, _ limit: Int) throws -> [String]
    /// The parameters set with `:param`, for `$` completion.
    package var parameterNames: () -> [String] = { [] }
    /// Whether the line being edited continues a statement (meta-commands only start one).
    package var isContinuation = false

    /// How many CI ids one tab offers at most.
    package static let idLimit = 200

    /// - Parameters:
    ///   - keywords: the language's keywords (`CIQLLexer.keywords`).
    ///   - vocabulary: read once, on the first completion that needs it, so start-up does not pay for it.
    ///   - ids: the ids of live CIs starting with a prefix, at most `limit` (a prefix search in the id index).
    package init(
        keywords: [String], vocabulary: @escaping () throws -> Vocabulary,
        ids: @escaping (_ prefix: String, _ limit: Int) throws -> [String]
    ) {
        self.keywords = keywords.map { $0.uppercased() }.sorted()
        self.loadVocabulary = vocabulary
        self.ids = ids
    }

    /// Forgets the names read so far (after a statement that may have added classes, types or keys).
    package func invalidate() { vocabulary = nil }

    /// The completions of `word`, which the text `before` precedes on the line.
    package func completions(of word: String, after before: String) -> Completion {
        let trimmed = before.drop { $0 == " " || $0 == "\t" }
        let isMetaCommand = !isContinuation && trimmed.hasPrefix(":")
        if let (quote, quoteEnd) = Self.openQuote(in: before) {
            if isMetaCommand, !["describe", "history", "impact"].contains(Self.commandName(trimmed)) {
                return Completion(candidates: [], terminator: nil)
            }
            let candidates = IDCompletion.insideString(
                word: word, before: before, quote: quote, quoteEnd: quoteEnd, ids: ids, limit: Self.idLimit)
            return Completion(candidates: candidates, terminator: quote)
        }
        if isMetaCommand {
            return metaCommandCompletions(of: word, command: String(trimmed.dropFirst()))
        }
        switch before.last {
        case ":", "|":
            let inRelationship = Self.isInsideRelationship(before)
            if before.last == "|", !inRelationship { return Completion(candidates: [], terminator: nil) }
            let known = inRelationship ? names(\.relationTypes) : names(\.classes)
            return Completion(candidates: Self.matching(word, in: known), terminator: nil)
        case ".":
            return Completion(candidates: Self.matching(word, in: names(\.propertyKeys)), terminator: nil)
        case "$":
            return Completion(candidates: Self.matching(word, in: parameterNames().sorted()), terminator: nil)
        default:
            guard !word.isEmpty else { return Completion(candidates: [], terminator: nil) }
            let upper = word.uppercased()
            var found = keywords.filter { $0.hasPrefix(upper) }
            // Lower-case typing gets lower-case keywords.
            if word == word.lowercased() { found = found.map { $0.lowercased() } }
            return Completion(candidates: found, terminator: " ")
        }
    }

    private func metaCommandCompletions(of word: String, command: String) -> Completion {
        guard let space = command.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
            let names = MetaCommand.names.filter { $0.hasPrefix(word.lowercased()) }
            return Completion(candidates: names, terminator: " ")
        }
        switch command[..<space] {
        case "describe", "history", "impact":
            let found = word.unicodeScalars.contains(where: IDCompletion.isControl) ? [] : (try? ids(word, Self.idLimit)) ?? []
            return Completion(candidates: found.map(IDCompletion.metaCommandArgument), terminator: " ")
        case "format":
            return Completion(candidates: MetaCommand.formats.filter { $0.hasPrefix(word) }, terminator: nil)
        case "timing":
            return Completion(candidates: ["on", "off"].filter { $0.hasPrefix(word) }, terminator: nil)
        default:
            return Completion(candidates: [], terminator: nil)
        }
    }

    /// The names of `path`, without those holding control characters: a name cannot be typed back with them
    /// (backtick names have no escapes) and would reach the terminal raw in the list of candidates.
    private func names(_ path: KeyPath<Vocabulary, [String]>) -> [String] {
        if vocabulary == nil { vocabulary = try? loadVocabulary() }
        return (vocabulary?[keyPath: path] ?? []).filter { !$0.unicodeScalars.contains(where: IDCompletion.isControl) }
    }

    /// The meta-command's name in `line`, which starts with `:`.
    private static func commandName(_ line: Substring) -> String {
        String(line.dropFirst().prefix { $0 != " " && $0 != "\t" }).lowercased()
    }

    /// Names starting with `word`; when none matches exactly, those matching without regard to case.
    static func matching(_ word: String, in names: [String]) -> [String] {
        let exact = names.filter { $0.hasPrefix(word) }
        if !exact.isEmpty || word.isEmpty { return exact }
        let lower = word.lowercased()
        return names.filter { $0.lowercased().hasPrefix(lower) }
    }

    /// The quote character of a string literal left open at the end of `text`, and where the string's text starts.
    static func openQuote(in text: String) -> (Character, String.Index)? {
        var open: (Character, String.Index)?
        var escaped = false
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            i = text.index(after: i)
            if let (quote, _) = open {
                if escaped {
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == quote {
                    open = nil
                }
            } else if c == "'" || c == "\"" {
                open = (c, i)
            }
        }
        return open
    }

    /// Whether the end of `text` lies inside `[…]` (a relationship pattern), outside strings.
    static func isInsideRelationship(_ text: String) -> Bool {
        var depth = 0
        var open: Character?
        for c in text {
            if let quote = open {
                if c == quote { open = nil }
            } else if c == "'" || c == "\"" || c == "`" {
                open = c
            } else if c == "[" {
                depth += 1
            } else if c == "]" {
                depth = max(0, depth - 1)
            } else if c == "(" {
                // A node pattern inside brackets (a list of patterns) is not a relationship.
                if depth > 0 { depth = 0 }
            }
        }
        return depth > 0
    }
}
