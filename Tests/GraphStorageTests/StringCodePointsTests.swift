import Testing
@testable import GraphStorage

/// Stored strings compare and hash by code point: canonically equivalent spellings are different strings, and the
/// fast path over a string's UTF-8 buffer gives the same answers as going byte by byte.
struct StringCodePointsTests {
    private static let samples = [
        "", "a", "vm-183616", "café", "cafe\u{301}", "caf\u{e9}", "Ω≈ç√∫", "🇳🇱 rack",
        String(repeating: "configuration item ", count: 20), String(repeating: "é", count: 40) + "x",
    ]

    /// What the code-point hash must be: the byte count, then each byte.
    private static func bytewiseHash(_ s: String) -> Int {
        var hasher = Hasher()
        hasher.combine(s.utf8.count)
        for byte in s.utf8 { hasher.combine(byte) }
        return hasher.finalize()
    }

    @Test("the hash is that of the UTF-8 bytes, for small, large and non-ASCII strings")
    func hashIsThatOfTheBytes() {
        for s in Self.samples {
            var hasher = Hasher()
            s.hashCodePoints(into: &hasher)
            #expect(hasher.finalize() == Self.bytewiseHash(s), "\(s)")
        }
    }

    @Test("equality is byte equality: canonically equivalent spellings differ")
    func equalityIsByteEquality() {
        for a in Self.samples {
            for b in Self.samples {
                #expect(a.hasSameCodePoints(as: b) == Array(a.utf8).elementsEqual(b.utf8), "\(a) / \(b)")
            }
            // A copy built from other storage still compares equal.
            #expect(a.hasSameCodePoints(as: String(decoding: Array(a.utf8), as: UTF8.self)))
        }
        #expect("caf\u{e9}" == "cafe\u{301}")
        #expect(!"caf\u{e9}".hasSameCodePoints(as: "cafe\u{301}"))
        // Same length, one byte apart at the end.
        #expect(!"vm-183616".hasSameCodePoints(as: "vm-183617"))
    }
}
