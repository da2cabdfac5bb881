import Glibc

/// Strings as the store keeps them: sequences of Unicode code points, compared by their UTF-8 bytes (whose order is
/// code point order). Swift's own `==`, `<` and hashing take canonically equivalent strings (`"caf\u{e9}"` and
/// `"cafe\u{301}"`) as one, which the id index, the count store and CIQL do not; every comparison of stored or
/// CIQL strings goes through these.
///
/// A native string keeps its UTF-8 bytes in one piece, so these compare and hash them with `memcmp` and one
/// `Hasher.combine(bytes:)`; a bridged or lazily decoded string, which has no such buffer, goes byte by byte.
extension String {
    /// Whether the two strings hold the same code points.
    @inline(__always)
    package func hasSameCodePoints(as other: String) -> Bool {
        let count = utf8.count
        guard count == other.utf8.count else { return false }
        let compared = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in
                guard let x = a.baseAddress, let y = b.baseAddress else { return count == 0 }
                return memcmp(x, y, count) == 0
            }
        }
        if let result = compared ?? nil { return result }
        return utf8.elementsEqual(other.utf8)
    }

    /// Whether this string sorts before `other` in code point order.
    @inline(__always)
    package func precedesByCodePoint(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// Hashes the code points, agreeing with `hasSameCodePoints(as:)`: the byte count, then the bytes. Both paths
    /// feed the hasher the same bytes, so a string hashes alike whichever path it takes.
    package func hashCodePoints(into hasher: inout Hasher) {
        hasher.combine(utf8.count)
        let hashed: Void? = utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashed == nil {
            for byte in utf8 { hasher.combine(byte) }
        }
    }
}
