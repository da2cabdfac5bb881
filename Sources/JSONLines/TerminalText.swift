/// Text bound for a terminal with its control characters made visible, so that a stored value holding an escape
/// sequence (`ESC ] 0 ; … BEL` retitles the window, `ESC [ 2 J` clears it) is shown, never obeyed.
///
/// C0 controls (except newline and tab), DEL and the C1 controls U+0080–U+009F become `\u001B`-style escapes,
/// as CIQL and JSON write them.
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

    static func needsEscape(_ s: Unicode.Scalar, keepingNewlines: Bool) -> Bool {
        switch s.value {
        case 0x0A, 0x09: return !keepingNewlines
        case 0x00...0x1F, 0x7F...0x9F: return true
        default: return false
        }
    }

    static func escape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The same for UTF-8 bytes: escaped bytes when something needed escaping, else nil.
    static func escaped(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var needs = false
        var previous: UInt8 = 0
        for b in bytes {
            if b < 0x20 && b != 0x0A && b != 0x09 || b == 0x7F || previous == 0xC2 && (0x80...0x9F).contains(b) {
                needs = true
                break
            }
            previous = b
        }
        guard needs else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x20 && b != 0x0A && b != 0x09 || b == 0x7F {
                out.append(contentsOf: Array(escape(UInt32(b)).utf8))
            } else if b == 0xC2, i + 1 < bytes.count, (0x80...0x9F).contains(bytes[i + 1]) {
                out.append(contentsOf: Array(escape(UInt32(bytes[i + 1])).utf8))
                i += 1
            } else {
                out.append(b)
            }
            i += 1
        }
        return out
    }
}
