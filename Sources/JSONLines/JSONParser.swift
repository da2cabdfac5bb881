/// Parses one JSON document (RFC 8259 plus `NaN`, `Infinity`, `-Infinity`) into a `JSONValue`.
///
/// Rules beyond RFC 8259's grammar:
/// - A number without `.`, `e` or `E` is `.int` (Int64, `integer out of range` otherwise);
///   with them it is `.float`, correctly rounded like `strtod`. `-0` is `.int(0)`.
/// - Strings must be valid UTF-8 without raw control characters; `\uXXXX` escapes must
///   pair their surrogates.
/// - A key may appear only once per object (`duplicate key 'k'`; keys compare by bytes).
/// - Containers nest at most `maximumDepth` deep; deeper input is an error, never a
///   stack overflow.
/// - Only whitespace may follow the value.
public enum JSONParser {
    /// The deepest nesting of arrays and objects that parses.
    public static let maximumDepth = 256

    /// Parses the document in `bytes` (UTF-8). Errors carry the offset into `bytes`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONSyntaxError(message: "unexpected end of input", byteOffset: 0)
        }
        var parser = ByteParser(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        defer { parser.releaseScratch() }
        return try parser.parseDocument()
    }

    /// Parses the document in `text`. Errors carry the offset into `text.utf8`.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONSyntaxError) -> JSONValue in
                try parse(UnsafeRawBufferPointer(utf8))
            }
        }
        return try result.get()
    }
}
