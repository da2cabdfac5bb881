/// Keeps text cells from running as formulas. Excel and LibreOffice evaluate a CSV cell that starts with `=`, `+`,
/// `-` or `@` (or a tab or carriage return) as a formula, quoted or not, so a hostname like `=HYPERLINK(…)` planted
/// in discovery data would run when a CAB member opens the export. Export writes such a cell with a leading
/// apostrophe (OWASP's advice; a plain number such as `-5` is left alone); import takes one apostrophe off a cell
/// that would otherwise read as a formula, so export → import gives back the same text.
enum FormulaGuard {
    /// The cell as export writes it.
    static func guarded(_ field: String, decimalComma: Bool) -> String {
        guard startsLikeFormula(field.utf8[...]) else { return field }
        let number = decimalComma ? String(field.map { $0 == "," ? "." : $0 }) : field
        return Double(number) == nil ? "'" + field : field
    }

    /// The text of a cell as import reads it.
    static func unguarded(_ field: String) -> String {
        let utf8 = field.utf8
        guard utf8.first == UInt8(ascii: "'"), startsLikeFormula(utf8.dropFirst()) else { return field }
        return String(field.dropFirst())
    }

    /// Whether the text starts like a formula, or is apostrophes before one (so that a value that really starts
    /// with an apostrophe keeps it through a round trip).
    private static func startsLikeFormula(_ utf8: Substring.UTF8View) -> Bool {
        var rest = utf8
        while let first = rest.first {
            switch first {
            case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return true
            case UInt8(ascii: "'"): rest = rest.dropFirst()
            default: return false
            }
        }
        return false
    }
}
