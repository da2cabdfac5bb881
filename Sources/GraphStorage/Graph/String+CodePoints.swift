/// Strings as the store keeps them: sequences of Unicode code points, compared by their UTF-8 bytes (whose order is
/// code point order). Swift's own `==`, `<` and hashing take canonically equivalent strings (`"caf\u{e9}"` and
/// `"cafe\u{301}"`) as one, which the id index, the count store and CIQL do not; every comparison of stored or
/// CIQL strings goes through these.
extension String {
    /// Whether the two strings hold the same code points.
    @inline(__always)
    package func hasSameCodePoints(as other: String) -> Bool {
        utf8.count == other.utf8.count && utf8.elementsEqual(other.utf8)
    }

    /// Whether this string sorts before `other` in code point order.
    @inline(__always)
    package func precedesByCodePoint(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// Hashes the code points, agreeing with `hasSameCodePoints(as:)`.
    package func hashCodePoints(into hasher: inout Hasher) {
        hasher.combine(utf8.count)
        for byte in utf8 { hasher.combine(byte) }
    }
}
