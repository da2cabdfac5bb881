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
        switch value {
        case .null:
            writeRaw("null")
        case .bool(let flag):
            if flag { writeRaw("true") } else { writeRaw("false") }
        case .int(let number):
            writeInt(number)
        case .float(let number):
            writeDouble(number)
        case .string(let text):
            writeString(text)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            write(object)
        }
    }

    /// Writes `object` with its members in stored order.
    public mutating func write(_ object: JSONObject) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for member in object.members {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            writeString(member.key)
            bytes.append(UInt8(ascii: ":"))
            write(member.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Writes `s` as a quoted, escaped JSON string.
    public mutating func writeString(_ s: String) {
        var text = s
        text.withUTF8 { utf8 in
            writeEscaped(utf8)
        }
    }

    /// Writes the UTF-8 bytes in `utf8` as a quoted, escaped JSON string.
    public mutating func writeString(utf8: UnsafeRawBufferPointer) {
        writeEscaped(utf8.assumingMemoryBound(to: UInt8.self))
    }

    /// Quotes and escapes `utf8`, copying runs that need no escaping in one go.
    @inline(__always)
    mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        var index = 0
        let count = utf8.count
        while index < count {
            let byte = utf8[index]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                index &+= 1
                continue
            }
            if runStart < index {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            }
            writeEscape(for: byte)
            index &+= 1
            runStart = index
        }
        if runStart < count {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends the escape sequence for `byte` (a quote, backslash or control character).
    mutating func writeEscape(for byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            let hex: StaticString = "0123456789abcdef"
            let digits = hex.utf8Start
            bytes.append(UInt8(ascii: "u"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 15)])
        }
    }

    /// Writes `i` in decimal.
    public mutating func writeInt(_ i: Int64) {
        if i >= 0 && i < 10 {
            bytes.append(UInt8(truncatingIfNeeded: i) &+ 0x30)
            return
        }
        var magnitude = i < 0 ? UInt64(bitPattern: 0 &- i) : UInt64(i)
        // 20 digits plus a sign fit in 24 bytes, filled from the end.
        var storage: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { buffer in
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
                magnitude /= 10
            } while magnitude != 0
            if i < 0 {
                index -= 1
                buffer[index] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index...]))
        }
    }

    /// Writes `d` so it reads back as the same float: shortest round-trip digits with `.`
    /// or `e`, or `NaN`, `Infinity`, `-Infinity`.
    public mutating func writeDouble(_ d: Double) {
        if d.isNaN {
            writeRaw("NaN")
            return
        }
        if d.isInfinite {
            if d < 0 { writeRaw("-Infinity") } else { writeRaw("Infinity") }
            return
        }
        var text = d.description
        let needsFraction = text.withUTF8 { utf8 in
            for byte in utf8 where byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                return false
            }
            return true
        }
        writeRaw(text)
        if needsFraction { writeRaw(".0") }
    }

    /// Appends `s` unchanged (it must be valid JSON in context).
    public mutating func writeRaw(_ s: StaticString) {
        if s.hasPointerRepresentation {
            bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
        } else {
            writeRaw(s.description)
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
