/// Reads the store's binary encodings from bytes that live in the memory map.
///
/// The buffer is valid only while its transaction is open; everything returned is copied out.
struct ByteReader {
    let base: UnsafeRawBufferPointer
    var offset: Int = 0

    init(_ base: UnsafeRawBufferPointer) { self.base = base }

    var isAtEnd: Bool { offset >= base.count }

    private static var truncated: StorageError {
        StorageError(.corrupted, "a database record is truncated; the file is damaged")
    }

    @inline(__always) mutating func u8() throws -> UInt8 {
        guard offset < base.count else { throw Self.truncated }
        defer { offset += 1 }
        return base[offset]
    }

    @inline(__always) mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < base.count, shift < 64 else { throw Self.truncated }
            let b = base[offset]
            offset += 1
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    @inline(__always) mutating func signedVarint() throws -> Int64 {
        let u = try varint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    mutating func u64LE() throws -> UInt64 {
        guard offset + 8 <= base.count else { throw Self.truncated }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(base[offset + i]) << UInt64(8 * i) }
        offset += 8
        return v
    }

    mutating func bytes(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, offset + count <= base.count else { throw Self.truncated }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: base[offset..<(offset + count)])
    }

    mutating func string() throws -> String {
        let n = try varint()
        guard n <= UInt64(base.count) else { throw Self.truncated }
        let raw = try bytes(Int(n))
        return String(decoding: raw, as: UTF8.self)
    }
}

extension UnsafeRawBufferPointer {
    /// Reads a big-endian integer at `offset`; the caller checks the length.
    @inline(__always) func loadBE64(at offset: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = (v << 8) | UInt64(self[offset + i]) }
        return v
    }

    @inline(__always) func loadBE32(at offset: Int) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v = (v << 8) | UInt32(self[offset + i]) }
        return v
    }

    @inline(__always) func loadBE16(at offset: Int) -> UInt16 {
        (UInt16(self[offset]) << 8) | UInt16(self[offset + 1])
    }
}
