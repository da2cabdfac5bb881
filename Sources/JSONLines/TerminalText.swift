/// Text bound for a terminal with its control characters made visible, so that a stored value holding an escape
/// sequence (`ESC ] 0 ; … BEL` retitles the window, `ESC [ 2 J` clears it) is shown, never obeyed.
///
/// C0 controls (except newline and tab), DEL and the C1 controls U+0080–U+009F become `\u001B`-style escapes,
/// as CIQL and JSON write them; so do the bidirectional controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069),
/// which make a terminal show text in another order than it is stored ("Trojan Source": `invoice\u202Efdp.exe`
/// shows as a PDF's name).
public enum TerminalText {
    /// `text` with its control characters escaped; newlines and tabs are kept when `keepingNewlines`.
    public static func escaped(_ text: String, keepingNewlines: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepingNewlines: keepingNewlines) }) else {
            return text
        }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, keepingNewlines: keepingNewlines) {
                out.append(contentsOf: escape(scalar.value).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    public static func needsEscape(_ s: Unicode.Scalar, keepingNewlines: Bool) -> Bool {
        switch s.value {
        case 0x0A, 0x09: return !keepingNewlines
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E...0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    static func escape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The same for UTF-8 bytes: escaped bytes when something needed escaping, else nil (the bytes go out as they
    /// are, invalid UTF-8 included). ASCII is judged byte by byte; text holding other characters is judged by
    /// `needsEscape`, the one rule, on its scalars. Callers hand over whole values, so no character is cut in two.
    static func escaped(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var needs = false
        var beyondASCII = false
        for b in bytes {
            if b < 0x20 && b != 0x0A && b != 0x09 || b == 0x7F {
                needs = true
                break
            }
            if b >= 0x80 { beyondASCII = true }
        }
        guard needs || beyondASCII else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard needs || text.unicodeScalars.contains(where: { needsEscape($0, keepingNewlines: true) }) else { return nil }
        return Array(escaped(text).utf8)
    }
}
