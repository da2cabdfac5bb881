/// The UTF-8 byte order mark, U+FEFF written as the bytes EF BB BF, which Windows editors put at the start of a
/// text file. cmdb skips one at the start of every text input a user hands it: statement files, schema, audit
/// rules and column mapping files, shell scripts, import lines, snapshots and spreadsheets. Anywhere else it is an
/// ordinary character.
package enum ByteOrderMark {
    /// `text` without a byte order mark at its start (`text` itself when it has none).
    package static func skipped(in text: String) -> String {
        guard text.unicodeScalars.first == "\u{FEFF}" else { return text }
        return String(text.unicodeScalars.dropFirst())
    }
}
