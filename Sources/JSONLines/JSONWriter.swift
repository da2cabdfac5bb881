/// Appends compact JSON (no spaces) to a byte buffer.
///
/// Doubles are written as Swift's shortest round-trip form, always with `.` or `e` so they
/// read back as floats (`1.0`, `1e+16`); NaN and the infinities as `NaN`, `Infinity`,
/// `-Infinity`. Strings escape `"`, `\` and control characters and keep all other UTF-8
/// raw. Object members are written in their stored order.
///
/// Typical use: write one line, hand `bytes` to an `OutputSink`, `removeAll()`, repeat.
public struct JSONWriter {
    /// The output written so far.
    public var bytes: [UInt8]

    /// Creates an empty writer with room for `capacity` bytes.
    public init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Writes `value`.
    public mutating func write(_ value: JSONValue) {
        withEmitter { emitter, output in emitter.value(value, &output) }
    }

    /// Writes `object` with its members in stored order.
    public mutating func write(_ object: JSONObject) {
        withEmitter { emitter, output in emitter.object(object, &output) }
    }

    /// Writes `s` as a quoted, escaped JSON string.
    public mutating func writeString(_ s: String) {
        withEmitter { emitter, output in emitter.string(s, &output) }
    }

    /// Writes the UTF-8 bytes in `utf8` as a quoted, escaped JSON string.
    public mutating func writeString(utf8: UnsafeRawBufferPointer) {
        withEmitter { emitter, output in
            emitter.escaped(utf8.assumingMemoryBound(to: UInt8.self), &output)
        }
    }

    /// Writes `i` in decimal.
    public mutating func writeInt(_ i: Int64) {
        withEmitter { emitter, output in emitter.int(i, &output) }
    }

    /// Writes `d` so it reads back as the same float: shortest round-trip digits with `.`
    /// or `e`, or `NaN`, `Infinity`, `-Infinity`.
    public mutating func writeDouble(_ d: Double) {
        withEmitter { emitter, output in emitter.double(d, &output) }
    }

    /// Runs `body` with an emitter whose stack chunk is appended to `bytes` at the end.
    @inline(__always)
    mutating func withEmitter(_ body: (inout JSONEmitter, inout [UInt8]) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: JSONEmitter.chunkSize) { chunk in
            if let base = chunk.baseAddress {
                var emitter = JSONEmitter(chunk: base)
                body(&emitter, &bytes)
                emitter.flush(&bytes)
            }
        }
    }

    /// Appends `s` unchanged (it must be valid JSON in context).
    public mutating func writeRaw(_ s: StaticString) {
        s.withUTF8Buffer { utf8 in
            bytes.append(contentsOf: utf8)
        }
    }

    /// Appends `s` unchanged (it must be valid JSON in context).
    public mutating func writeRaw(_ s: String) {
        var text = s
        text.withUTF8 { utf8 in
            bytes.append(contentsOf: utf8)
        }
    }

    /// Appends one byte unchanged.
    public mutating func writeByte(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Empties the buffer, by default keeping its storage for the next line.
    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
    }
}
