/// Reads the store's binary encodings from bytes that live in the memory map.
///
/// The buffer is valid only while its transaction is open; everything returned is copied out.
/// `@unsafe`: it reads through a raw buffer that its creator must keep alive while it is used.
@unsafe
struct ByteReader {
    let base: UnsafeRawBufferPointer
    var offset: Int = 0

    init(_ base: UnsafeRawBufferPointer) { unsafe self.base = unsafe base }

    var isAtEnd: Bool { unsafe offset >= base.count }

    private static var truncated: StorageError {
        StorageError(.corrupted, "a database record is truncated; the file is damaged")
    }

    @inline(__always) mutating func u8() throws -> UInt8 {
        guard unsafe offset < base.count else { throw unsafe Self.truncated }
        defer { unsafe offset += 1 }
        return unsafe base[offset]
    }

    @inline(__always) mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard unsafe offset < base.count, shift < 64 else { throw unsafe Self.truncated }
            let b = unsafe base[offset]
            unsafe offset += 1
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    @inline(__always) mutating func signedVarint() throws -> Int64 {
        let u = unsafe try varint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    mutating func u64LE() throws -> UInt64 {
        guard unsafe offset + 8 <= base.count else { throw unsafe Self.truncated }
        var v: UInt64 = 0
        for i in 0..<8 { unsafe v |= UInt64(base[offset + i]) << UInt64(8 * i) }
        unsafe offset += 8
        return v
    }

    mutating func bytes(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, unsafe offset + count <= base.count else { throw unsafe Self.truncated }
        defer { unsafe offset += count }
        return unsafe UnsafeRawBufferPointer(rebasing: base[offset..<(offset + count)])
    }

    mutating func string() throws -> String {
        let n = unsafe try varint()
        guard unsafe n <= UInt64(base.count) else { throw unsafe Self.truncated }
        let raw = unsafe try bytes(Int(n))
        return unsafe String(decoding: raw, as: UTF8.self)
    }
}

extension UnsafeRawBufferPointer {
    /// Reads a big-endian integer at `offset`; the caller checks the length.
    @inline(__always) func loadBE64(at offset: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = unsafe (v << 8) | UInt64(self[offset + i]) }
        return v
    }

    @inline(__always) func loadBE32(at offset: Int) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v = unsafe (v << 8) | UInt32(self[offset + i]) }
        return v
    }

    @inline(__always) func loadBE16(at offset: Int) -> UInt16 {
        unsafe (UInt16(self[offset]) << 8) | UInt16(self[offset + 1])
    }
}
