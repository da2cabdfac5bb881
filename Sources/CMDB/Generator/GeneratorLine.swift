// A reusable byte buffer that builds one JSON line at a time. Every piece of text the
// generator writes is plain ASCII without quotes or backslashes, so no escaping is needed.

extension CMDBGenerator {
    struct Line {
        private(set) var bytes: [UInt8]

        init() {
            bytes = []
            bytes.reserveCapacity(512)
        }

        @inline(__always)
        mutating func reset() {
            bytes.removeAll(keepingCapacity: true)
        }

        /// The line as a `String`.
        var string: String {
            String(decoding: bytes, as: UTF8.self)
        }

        @inline(__always)
        mutating func put(_ text: StaticString) {
            text.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }

        @inline(__always)
        mutating func put(byte: UInt8) {
            bytes.append(byte)
        }

        /// A non-negative integer in decimal, left-padded with zeros to at least `width` digits.
        @inline(__always)
        mutating func put(_ value: Int, width: Int = 1) {
            var v = value
            if v < 0 {
                bytes.append(UInt8(ascii: "-"))
                v = 0 &- v
            }
            var digits = 1
            var rest = v / 10
            while rest > 0 {
                digits += 1
                rest /= 10
            }
            let count = digits > width ? digits : width
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
            var i = start + count - 1
            repeat {
                bytes[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
                i -= 1
            } while v > 0
        }

        /// `,"key":"value"` (or without the leading comma when `first`).
        @inline(__always)
        mutating func stringAttr(_ key: StaticString, _ value: StaticString, first: Bool = false) {
            put(first ? "\"" : ",\"")
            put(key)
            put("\":\"")
            put(value)
            put(byte: UInt8(ascii: "\""))
        }

        /// `,"key":123` (or without the leading comma when `first`).
        @inline(__always)
        mutating func intAttr(_ key: StaticString, _ value: Int, first: Bool = false) {
            put(first ? "\"" : ",\"")
            put(key)
            put("\":")
            put(value)
        }

        /// `,"key":"` — the caller writes the value and then calls `closeString()`.
        @inline(__always)
        mutating func openString(_ key: StaticString, first: Bool = false) {
            put(first ? "\"" : ",\"")
            put(key)
            put("\":\"")
        }

        @inline(__always)
        mutating func closeString() {
            put(byte: UInt8(ascii: "\""))
        }
    }
}
