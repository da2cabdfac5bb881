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

    /// The length of the UTF-8 encoding of a bidirectional control at `bytes[i]`, else 0.
    static func bidirectionalControlLength(_ bytes: UnsafeRawBufferPointer, at i: Int) -> Int {
        let b = bytes[i]
        if b == 0xD8, i + 1 < bytes.count, bytes[i + 1] == 0x9C { return 2 }  // U+061C
        guard b == 0xE2, i + 2 < bytes.count else { return 0 }
        switch (bytes[i + 1], bytes[i + 2]) {
        case (0x80, 0x8E...0x8F), (0x80, 0xAA...0xAE), (0x81, 0xA6...0xA9): return 3
        default: return 0
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
        for (i, b) in bytes.enumerated() {
            if b < 0x20 && b != 0x0A && b != 0x09 || b == 0x7F || previous == 0xC2 && (0x80...0x9F).contains(b)
                || (b == 0xD8 || b == 0xE2) && bidirectionalControlLength(bytes, at: i) > 0
            {
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
            } else if case let length = bidirectionalControlLength(bytes, at: i), length > 0 {
                let scalar = length == 2 ? 0x061C : 0x2000 | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F)
                out.append(contentsOf: Array(escape(scalar).utf8))
                i += length - 1
            } else {
                out.append(b)
            }
            i += 1
        }
        return out
    }
}
