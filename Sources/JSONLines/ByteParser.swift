/// One member or element under construction, kept on the parser's scratch stack.
typealias ScratchSlot = (key: String, value: JSONValue)

/// The recursive-descent parser behind `JSONParser`, working on raw bytes with an index.
///
/// Members and elements of open containers are collected on one scratch stack and moved
/// into an exactly-sized array when the container closes, so each container costs one
/// allocation. Key hashes sit on a parallel stack for the duplicate-key check.
/// The owner must call `releaseScratch()` exactly once, also after an error.
struct ByteParser {
    /// The first input byte.
    let base: UnsafePointer<UInt8>
    /// The number of input bytes.
    let end: Int
    /// The next byte to read.
    var pos = 0
    /// The number of containers open around `pos`.
    var depth = 0

    /// Scratch stack of members and elements of open containers (initialized below `top`).
    var slots: UnsafeMutablePointer<ScratchSlot>
    /// Hashes of the keys in `slots` (meaningful for object members only).
    var hashes: UnsafeMutablePointer<UInt64>
    /// Allocated size of `slots` and `hashes`.
    var capacity: Int
    /// Number of initialized slots.
    var top = 0

    /// Objects with more members than this check duplicates with a hash index.
    static let linearKeyCheckLimit = 32

    /// Creates a parser for `count` bytes at `base` (`count` > 0).
    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.end = count
        self.capacity = 64
        self.slots = .allocate(capacity: capacity)
        self.hashes = .allocate(capacity: capacity)
    }

    /// Frees the scratch stack, releasing whatever an error left on it.
    mutating func releaseScratch() {
        slots.deinitialize(count: top)
        slots.deallocate()
        hashes.deallocate()
        top = 0
        capacity = 0
    }

    /// Parses the whole input as one value followed only by whitespace.
    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input", at: end) }
        let value = try parseValue()
        skipWhitespace()
        if pos < end {
            throw fail("unexpected \(describe(at: pos)) after the value", at: pos)
        }
        return value
    }

    // MARK: - Values

    /// Parses the value starting at `pos`, which must be a non-whitespace byte.
    mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        switch base[pos] {
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "{"):
            return try parseObject()
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            return .null
        case UInt8(ascii: "N"):
            try parseLiteral("NaN")
            return .float(.nan)
        case UInt8(ascii: "I"):
            try parseLiteral("Infinity")
            return .float(.infinity)
        default:
            throw fail("unexpected character \(describe(at: pos))", at: pos)
        }
    }

    /// Parses the object whose `{` is at `pos`.
    mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        let open = pos
        depth += 1
        if depth > JSONParser.maximumDepth { throw fail("nesting too deep", at: open) }
        pos += 1
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input", at: end) }
        if base[pos] == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            return .object(JSONObject())
        }
        let start = top
        var index: [UInt64: Int]? = nil
        while true {
            guard base[pos] == UInt8(ascii: "\"") else {
                let message = top == start ? "expected string key or '}'" : "expected string key after ','"
                throw fail(message, at: pos)
            }
            let keyOffset = pos
            let (key, hash) = try parseKey()
            try checkDuplicate(key, hash: hash, from: start, index: &index, at: keyOffset)
            skipWhitespace()
            guard pos < end else { throw fail("unexpected end of input", at: end) }
            guard base[pos] == UInt8(ascii: ":") else {
                throw fail("expected ':' after object key", at: pos)
            }
            pos += 1
            skipWhitespace()
            guard pos < end else { throw fail("unexpected end of input", at: end) }
            let value = try parseValue()
            push(key: key, value: value, hash: hash)
            skipWhitespace()
            guard pos < end else { throw fail("unexpected end of input", at: end) }
            let separator = base[pos]
            pos += 1
            if separator == UInt8(ascii: ",") {
                skipWhitespace()
                guard pos < end else { throw fail("unexpected end of input", at: end) }
                continue
            }
            if separator == UInt8(ascii: "}") { break }
            throw fail("expected ',' or '}' after object member", at: pos - 1)
        }
        let count = top - start
        let source = slots + start
        let members = [ScratchSlot](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let target = buffer.baseAddress {
                target.moveInitialize(from: source, count: count)
            }
            initialized = count
        }
        top = start
        depth -= 1
        return .object(JSONObject(members))
    }

    /// Throws `duplicate key` when `key` already occurs among the members from `start` on.
    @inline(__always)
    mutating func checkDuplicate(
        _ key: String, hash: UInt64, from start: Int, index: inout [UInt64: Int]?, at offset: Int
    ) throws(JSONSyntaxError) {
        let count = top - start
        if count <= ByteParser.linearKeyCheckLimit {
            var slot = start
            while slot < top {
                if hashes[slot] == hash && sameBytes(slots[slot].key, key) {
                    throw fail("duplicate key '\(key)'", at: offset)
                }
                slot += 1
            }
            return
        }
        if index == nil {
            var built = [UInt64: Int](minimumCapacity: count * 2)
            for slot in start..<top { built[hashes[slot]] = slot }
            index = built
        }
        if index?[hash] != nil {
            // Same hash seen before: confirm by comparing the keys themselves.
            for slot in start..<top where hashes[slot] == hash && sameBytes(slots[slot].key, key) {
                throw fail("duplicate key '\(key)'", at: offset)
            }
        }
        index?[hash] = top
    }

    /// Parses the array whose `[` is at `pos`.
    mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        let open = pos
        depth += 1
        if depth > JSONParser.maximumDepth { throw fail("nesting too deep", at: open) }
        pos += 1
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input", at: end) }
        if base[pos] == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
            return .array([])
        }
        let start = top
        while true {
            let value = try parseValue()
            push(key: "", value: value, hash: 0)
            skipWhitespace()
            guard pos < end else { throw fail("unexpected end of input", at: end) }
            let separator = base[pos]
            pos += 1
            if separator == UInt8(ascii: ",") {
                skipWhitespace()
                guard pos < end else { throw fail("unexpected end of input", at: end) }
                continue
            }
            if separator == UInt8(ascii: "]") { break }
            throw fail("expected ',' or ']' after array element", at: pos - 1)
        }
        let count = top - start
        let source = slots + start
        let elements = [JSONValue](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let target = buffer.baseAddress {
                for k in 0..<count {
                    (target + k).initialize(to: (source + k).move().value)
                }
            }
            initialized = count
        }
        top = start
        depth -= 1
        return .array(elements)
    }

    /// Consumes `literal` at `pos`, or throws.
    mutating func parseLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let expected = literal.utf8Start
        var k = 0
        while k < count {
            if pos + k >= end { throw fail("unexpected end of input", at: end) }
            if base[pos + k] != expected[k] { throw invalidLiteral() }
            k += 1
        }
        if pos + count < end && isWordByte(base[pos + count]) { throw invalidLiteral() }
        pos += count
    }

    /// `invalid literal 'xyz'` for the word starting at `pos`.
    func invalidLiteral() -> JSONSyntaxError {
        var stop = pos
        while stop < end && stop - pos < 32 && isWordByte(base[stop]) { stop += 1 }
        let word = String(decoding: UnsafeBufferPointer(start: base + pos, count: stop - pos), as: UTF8.self)
        return fail("invalid literal '\(word)'", at: pos)
    }

    // MARK: - Helpers

    /// Skips JSON whitespace (space, tab, line feed, carriage return).
    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end {
            let byte = base[pos]
            if byte > 0x20 { return }
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            pos += 1
        }
    }

    /// Pushes one member or element onto the scratch stack.
    @inline(__always)
    mutating func push(key: String, value: JSONValue, hash: UInt64) {
        if top == capacity { growScratch() }
        (slots + top).initialize(to: (key: key, value: value))
        hashes[top] = hash
        top += 1
    }

    /// Doubles the scratch stack.
    mutating func growScratch() {
        let newCapacity = capacity * 2
        let newSlots = UnsafeMutablePointer<ScratchSlot>.allocate(capacity: newCapacity)
        newSlots.moveInitialize(from: slots, count: top)
        slots.deallocate()
        slots = newSlots
        let newHashes = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
        newHashes.update(from: hashes, count: top)
        hashes.deallocate()
        hashes = newHashes
        capacity = newCapacity
    }

    /// Makes an error at `offset`.
    func fail(_ message: String, at offset: Int) -> JSONSyntaxError {
        JSONSyntaxError(message: message, byteOffset: offset)
    }

    /// The byte at `offset` for an error message, quoted: `'x'`, `'é'`, `'\u0001'`, `'\xff'`.
    func describe(at offset: Int) -> String {
        let byte = base[offset]
        if byte >= 0x20 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        if byte < 0x80 {
            return "'\\u00\(hexDigit(byte >> 4))\(hexDigit(byte & 15))'"
        }
        if let length = validUTF8Length(at: offset) {
            let text = String(decoding: UnsafeBufferPointer(start: base + offset, count: length), as: UTF8.self)
            return "'\(text)'"
        }
        return "'\\x\(hexDigit(byte >> 4))\(hexDigit(byte & 15))'"
    }
}

/// Whether a byte continues a bare word (for literal error messages).
@inline(__always)
func isWordByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
        return true
    default:
        return false
    }
}

/// The lowercase hex digit for a value 0...15.
func hexDigit(_ value: UInt8) -> Character {
    Character(Unicode.Scalar(value < 10 ? 0x30 + value : 0x57 + value))
}

/// Whether two strings have the same UTF-8 bytes (no Unicode canonical equivalence).
@inline(__always)
func sameBytes(_ a: String, _ b: String) -> Bool {
    a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8)
}
