/// The character encodings a spreadsheet export comes in.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    /// Windows' Western European code page, what Excel writes as "CSV (gescheiden door lijstscheidingsteken)".
    case windows1252 = "windows-1252"

    /// The text of `bytes`, or nil when they are not valid in this encoding.
    public func decode(_ bytes: UnsafeRawBufferPointer) -> String? {
        var ascii = true
        for b in bytes where b >= 0x80 {
            ascii = false
            break
        }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        switch self {
        case .utf8:
            return String(validating: bytes, as: UTF8.self)
        case .windows1252:
            var text = ""
            text.unicodeScalars.reserveCapacity(bytes.count)
            for b in bytes { text.unicodeScalars.append(Self.windows1252Scalar(b)) }
            return text
        }
    }

    /// The bytes of `text` in this encoding; characters Windows-1252 cannot hold become `?`.
    public func encode(_ text: String, into bytes: inout [UInt8]) {
        switch self {
        case .utf8:
            bytes.append(contentsOf: text.utf8)
        case .windows1252:
            for scalar in text.unicodeScalars {
                if scalar.value < 0x80 || (0xA0...0xFF).contains(scalar.value) {
                    bytes.append(UInt8(scalar.value))
                } else if let index = Self.high.firstIndex(of: scalar.value) {
                    bytes.append(0x80 + UInt8(index))
                } else {
                    bytes.append(0x3F)
                }
            }
        }
    }

    /// The first character of `text` this encoding cannot hold (which `encode` would write as `?`), or nil.
    public func firstUnencodable(_ text: String) -> Unicode.Scalar? {
        guard self == .windows1252 else { return nil }
        return text.unicodeScalars.first { scalar in
            !(scalar.value < 0x80 || (0xA0...0xFF).contains(scalar.value) || Self.high.contains(scalar.value))
        }
    }

    /// Windows-1252 bytes 0x80–0x9F (WHATWG's table; the five unassigned bytes map to the C1 controls).
    private static let high: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ]

    static func windows1252Scalar(_ b: UInt8) -> Unicode.Scalar {
        let value = (0x80...0x9F).contains(b) ? high[Int(b - 0x80)] : UInt32(b)
        // Every entry of the table is a valid scalar.
        return Unicode.Scalar(value) ?? "?"
    }
}
