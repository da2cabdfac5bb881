import CIQLSyntax
import JSONLines

/// CI ids as tab completion offers them: in the form the place they are completed in reads back as the id, which
/// also keeps their control characters off the terminal (a stored id holding `ESC [ 2 J` would otherwise clear the
/// screen when libedit lists the candidates).
///
/// Inside a CIQL string an id is written with the string's escapes (`\u001B`, `\'`, `\\`); after `:describe`,
/// `:history` and `:impact` an id that cannot stand as a bare word is offered as a quoted CIQL string, which those
/// commands read as CIQL does.
enum IDCompletion {
    /// The candidates for the word being completed inside a string opened with `quote` at `quoteEnd` in `before`.
    ///
    /// `before + word` runs from the line's start to the cursor. libedit replaces only `word`, which starts at the
    /// last word-break character (`.`, `[`, …), so the id's prefix is everything typed after the quote and each
    /// candidate is `word` followed by the rest of the id, escaped for this string.
    static func insideString(
        word: String, before: String, quote: Character, quoteEnd: String.Index,
        ids: (_ prefix: String, _ limit: Int) throws -> [String], limit: Int
    ) -> [String] {
        let typed = String(before[quoteEnd...]) + word
        guard !typed.unicodeScalars.contains(where: isControl), let (prefix, cut) = value(of: typed, quote: quote),
            cut.count <= word.count
        else { return [] }
        let kept = String(word.dropLast(cut.count))
        let prefixLength = prefix.unicodeScalars.count
        let found = (try? ids(prefix, limit)) ?? []
        return found.compactMap { id in
            let scalars = Array(id.unicodeScalars)
            guard scalars.count >= prefixLength, String(String.UnicodeScalarView(scalars[..<prefixLength])) == prefix
            else { return nil }
            let rest = escaped(String(String.UnicodeScalarView(scalars[prefixLength...])), quote: quote)
            // A cut escape typed at the end (`\u00`) is replaced by the id's next character's whole escape.
            guard rest.lowercased().hasPrefix(cut.lowercased()) else { return nil }
            return kept + rest
        }
    }

    /// The candidate for `id` after a meta-command: bare when it can stand as a word, else a quoted CIQL string.
    static func metaCommandArgument(_ id: String) -> String {
        let needsQuotes =
            id.isEmpty || id.hasSuffix(";") || id.first == "'" || id.first == "\""
            || id.contains(where: \.isWhitespace) || id.unicodeScalars.contains(where: isControl)
        return needsQuotes ? "'" + escaped(id, quote: "'") + "'" : id
    }

    /// `text` written inside a CIQL string closed by `quote`: backslashes, that quote and control characters escaped.
    static func escaped(_ text: String, quote: Character) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case _ where Character(scalar) == quote: out += "\\" + String(quote)
            case _ where isControl(scalar):
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The value of the string text `typed` (without its quotes), and the cut escape at its end that the value leaves
    /// out (`\`, `\u`, `\u00`, …; empty when there is none); nil when it holds an invalid escape.
    static func value(of typed: String, quote: Character) -> (String, String)? {
        if let whole = try? CIQLLexer.stringLiteralValue(String(quote) + typed + String(quote)) { return (whole, "") }
        // The last backslash that is not itself escaped starts the cut escape.
        var escapeStart: String.Index?
        var i = typed.startIndex
        while i < typed.endIndex {
            if typed[i] == "\\" {
                escapeStart = i
                i = typed.index(after: i)
                if i < typed.endIndex { i = typed.index(after: i) }
            } else {
                i = typed.index(after: i)
            }
        }
        guard let start = escapeStart else { return nil }
        let cut = typed[start...]
        let body = cut.dropFirst()
        let isCutUnicode =
            body.first.map { $0 == "u" || $0 == "U" } == true
            && body.dropFirst().allSatisfy(\.isHexDigit) && body.count - 1 < (body.first == "u" ? 4 : 8)
        guard body.isEmpty || isCutUnicode,
            let clean = try? CIQLLexer.stringLiteralValue(String(quote) + typed[..<start] + String(quote))
        else { return nil }
        return (clean, String(cut))
    }

    /// C0 controls, DEL, the C1 controls and the bidirectional controls: what `TerminalText` escapes for a terminal.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        TerminalText.needsEscape(scalar, keepingNewlines: false)
    }
}
