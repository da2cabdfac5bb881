/// The engine of `JSONWriter`: formats into a small stack chunk with plain pointer stores
/// and appends the chunk to the output array only when it fills or the write ends, so a
/// typical line costs a few array appends instead of one per token.
struct JSONEmitter {
    /// Size of the stack chunk (at most 1 KiB stays on the stack).
    static let chunkSize = 1024

    /// The chunk.
    let chunk: UnsafeMutablePointer<UInt8>
    /// Bytes used in the chunk.
    var count = 0

    /// Creates an emitter over a chunk of `chunkSize` bytes.
    init(chunk: UnsafeMutablePointer<UInt8>) {
        self.chunk = chunk
    }

    /// Appends the chunk to `output` and empties it.
    @inline(__always)
    mutating func flush(_ output: inout [UInt8]) {
        if count > 0 {
            output.append(contentsOf: UnsafeBufferPointer(start: chunk, count: count))
            count = 0
        }
    }

    /// Makes room for `needed` (≤ `chunkSize`) more bytes.
    @inline(__always)
    mutating func reserve(_ needed: Int, _ output: inout [UInt8]) {
        if count &+ needed > JSONEmitter.chunkSize { flush(&output) }
    }

    /// Emits one byte.
    @inline(__always)
    mutating func byte(_ value: UInt8, _ output: inout [UInt8]) {
        if count == JSONEmitter.chunkSize { flush(&output) }
        chunk[count] = value
        count &+= 1
    }

    /// Emits raw bytes; large runs go straight to `output`.
    @inline(__always)
    mutating func raw(_ source: UnsafeBufferPointer<UInt8>, _ output: inout [UInt8]) {
        let length = source.count
        guard let sourceBase = source.baseAddress, length > 0 else { return }
        if length > JSONEmitter.chunkSize &- count {
            flush(&output)
            if length > JSONEmitter.chunkSize / 2 {
                output.append(contentsOf: source)
                return
            }
        }
        (chunk + count).update(from: sourceBase, count: length)
        count &+= length
    }

    /// Emits a static string.
    @inline(__always)
    mutating func raw(_ text: StaticString, _ output: inout [UInt8]) {
        raw(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount), &output)
    }

    /// Emits `value`.
    mutating func value(_ value: JSONValue, _ output: inout [UInt8]) {
        switch value {
        case .null:
            raw("null", &output)
        case .bool(let flag):
            if flag { raw("true", &output) } else { raw("false", &output) }
        case .int(let number):
            int(number, &output)
        case .float(let number):
            double(number, &output)
        case .string(let text):
            string(text, &output)
        case .array(let elements):
            byte(UInt8(ascii: "["), &output)
            var first = true
            for element in elements {
                if !first { byte(UInt8(ascii: ","), &output) }
                first = false
                self.value(element, &output)
            }
            byte(UInt8(ascii: "]"), &output)
        case .object(let object):
            self.object(object, &output)
        }
    }

    /// Emits `object` with its members in stored order.
    mutating func object(_ object: JSONObject, _ output: inout [UInt8]) {
        byte(UInt8(ascii: "{"), &output)
        var first = true
        for member in object.members {
            if !first { byte(UInt8(ascii: ","), &output) }
            first = false
            string(member.key, &output)
            byte(UInt8(ascii: ":"), &output)
            value(member.value, &output)
        }
        byte(UInt8(ascii: "}"), &output)
    }

    /// Emits `text` quoted and escaped.
    @inline(__always)
    mutating func string(_ text: String, _ output: inout [UInt8]) {
        if let done: Void = text.utf8.withContiguousStorageIfAvailable({ escaped($0, &output) }) {
            return done
        }
        var copy = text
        copy.withUTF8 { escaped($0, &output) }
    }

    /// Emits `utf8` quoted, escaping `"`, `\` and control characters.
    mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>, _ output: inout [UInt8]) {
        let length = utf8.count
        guard let source = utf8.baseAddress, length > 0 else {
            raw("\"\"", &output)
            return
        }
        if !needsEscaping(source, length) {
            if length <= JSONEmitter.chunkSize - 2 {
                reserve(length &+ 2, &output)
                chunk[count] = UInt8(ascii: "\"")
                (chunk + (count &+ 1)).update(from: source, count: length)
                chunk[count &+ length &+ 1] = UInt8(ascii: "\"")
                count &+= length &+ 2
            } else {
                byte(UInt8(ascii: "\""), &output)
                raw(utf8, &output)
                byte(UInt8(ascii: "\""), &output)
            }
            return
        }
        byte(UInt8(ascii: "\""), &output)
        var runStart = 0
        var index = 0
        while index < length {
            let character = source[index]
            if character >= 0x20 && character != UInt8(ascii: "\"") && character != UInt8(ascii: "\\") {
                index &+= 1
                continue
            }
            raw(UnsafeBufferPointer(start: source + runStart, count: index &- runStart), &output)
            escape(character, &output)
            index &+= 1
            runStart = index
        }
        raw(UnsafeBufferPointer(start: source + runStart, count: length &- runStart), &output)
        byte(UInt8(ascii: "\""), &output)
    }

    /// Emits the escape sequence for a quote, backslash or control character.
    mutating func escape(_ character: UInt8, _ output: inout [UInt8]) {
        reserve(6, &output)
        chunk[count] = UInt8(ascii: "\\")
        let code: UInt8
        switch character {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): code = character
        case 0x0A: code = UInt8(ascii: "n")
        case 0x0D: code = UInt8(ascii: "r")
        case 0x09: code = UInt8(ascii: "t")
        case 0x08: code = UInt8(ascii: "b")
        case 0x0C: code = UInt8(ascii: "f")
        default:
            let high = character >> 4
            let low = character & 15
            chunk[count &+ 1] = UInt8(ascii: "u")
            chunk[count &+ 2] = UInt8(ascii: "0")
            chunk[count &+ 3] = UInt8(ascii: "0")
            chunk[count &+ 4] = high < 10 ? 0x30 &+ high : 0x57 &+ high
            chunk[count &+ 5] = low < 10 ? 0x30 &+ low : 0x57 &+ low
            count &+= 6
            return
        }
        chunk[count &+ 1] = code
        count &+= 2
    }

    /// Emits `number` in decimal.
    mutating func int(_ number: Int64, _ output: inout [UInt8]) {
        reserve(20, &output)
        if number >= 0 && number < 10 {
            chunk[count] = UInt8(truncatingIfNeeded: number) &+ 0x30
            count &+= 1
            return
        }
        var magnitude = number < 0 ? UInt64(bitPattern: 0 &- number) : UInt64(number)
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits &+= 1
        }
        if number < 0 {
            chunk[count] = UInt8(ascii: "-")
            count &+= 1
        }
        var index = count &+ digits
        count = index
        repeat {
            index &-= 1
            chunk[index] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
            magnitude /= 10
        } while magnitude != 0
    }

    /// Emits `number` so that it reads back as the same float.
    mutating func double(_ number: Double, _ output: inout [UInt8]) {
        if number.isNaN {
            raw("NaN", &output)
            return
        }
        if number.isInfinite {
            if number < 0 { raw("-Infinity", &output) } else { raw("Infinity", &output) }
            return
        }
        // Whole numbers below 2^53 print as digits plus ".0", exactly like `description`.
        if number.magnitude < 9_007_199_254_740_992, number == number.rounded(.towardZero),
            !(number == 0 && number.sign == .minus) {
            int(Int64(number), &output)
            raw(".0", &output)
            return
        }
        var text = number.description
        text.withUTF8 { utf8 in
            raw(utf8, &output)
            for character in utf8
            where character == UInt8(ascii: ".") || character == UInt8(ascii: "e") || character == UInt8(ascii: "E") {
                return
            }
            raw(".0", &output)
        }
    }
}

/// Whether any of `count` bytes at `bytes` is `"`, `\` or a control character.
@inline(__always)
func needsEscaping(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var index = 0
    while index &+ 8 <= count {
        if specialBytes(UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self)) != 0 { return true }
        index &+= 8
    }
    while index < count {
        let character = bytes[index]
        if character < 0x20 || character == UInt8(ascii: "\"") || character == UInt8(ascii: "\\") { return true }
        index &+= 1
    }
    return false
}
