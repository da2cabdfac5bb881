/// A syntax error found by `JSONParser`, with the offset of the offending byte.
///
/// Messages are lowercase without a full stop and quote the tokens they mention, e.g.
/// `expected ',' or '}' after object member` or `duplicate key 'id'`.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `unterminated string`.
    public var message: String
    /// The 0-based offset of the offending byte in the parsed input (the input's length
    /// when the input ended too early).
    public var byteOffset: Int

    /// Creates an error with a message and the offset of the offending byte.
    public init(message: String, byteOffset: Int) {
        self.message = message
        self.byteOffset = byteOffset
    }

    /// The 1-based column of `byteOffset`, counted in Unicode scalars of `bytes` (the
    /// input that was parsed), so a multi-byte character counts once.
    public func column(in bytes: UnsafeRawBufferPointer) -> Int {
        let limit = min(max(byteOffset, 0), bytes.count)
        var column = 1
        var index = 0
        while index < limit {
            // Every byte except a UTF-8 continuation byte starts a scalar.
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return column
    }

    /// The 1-based column of `byteOffset` in `text`, counted in Unicode scalars.
    public func column(in text: String) -> Int {
        var text = text
        return text.withUTF8 { column(in: UnsafeRawBufferPointer($0)) }
    }

    /// `message at byte N`.
    public var description: String {
        "\(message) at byte \(byteOffset)"
    }
}
