/// String scanning: a word-at-a-time fast path for strings without escapes, a byte loop
/// that decodes escapes, and UTF-8 validation with exact error offsets.
extension ByteParser {
    /// Parses the string whose opening quote is at `pos`.
    @inline(__always)
    mutating func parseString() throws(JSONSyntaxError) -> String {
        var decoded: [UInt8] = []
        if let range = try scanString(&decoded) {
            return makeString(range)
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Parses the object key whose opening quote is at `pos`, with the hash of its bytes.
    @inline(__always)
    mutating func parseKey() throws(JSONSyntaxError) -> (String, UInt64) {
        var decoded: [UInt8] = []
        if let range = try scanString(&decoded) {
            return (makeString(range), hashBytes(base + range.lowerBound, range.count))
        }
        let hash = decoded.withUnsafeBufferPointer { buffer in
            hashBytes(buffer.baseAddress ?? base, buffer.count)
        }
        return (String(decoding: decoded, as: UTF8.self), hash)
    }

    /// A string from validated input bytes.
    @inline(__always)
    func makeString(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
    }

    /// Scans the string whose opening quote is at `pos` and moves `pos` past its closing
    /// quote. Returns the content's byte range when it has no escapes (already validated),
    /// or nil after putting the decoded content into `decoded`.
    @inline(__always)
    mutating func scanString(_ decoded: inout [UInt8]) throws(JSONSyntaxError) -> Range<Int>? {
        let open = pos
        let start = pos + 1
        var i = start
        var high: UInt64 = 0
        // Eight bytes at a time until a quote, backslash or control character shows up.
        while i &+ 8 <= end {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let special = specialBytes(word)
            if special != 0 {
                let lead = special.trailingZeroBitCount >> 3
                high |= word & ((1 << UInt64(lead &* 8)) &- 1)
                i &+= lead
                break
            }
            high |= word
            i &+= 8
        }
        while i < end {
            let byte = base[i]
            if byte == UInt8(ascii: "\"") {
                if high & 0x8080_8080_8080_8080 != 0 { try validateUTF8(start..<i) }
                pos = i + 1
                return start..<i
            }
            if byte == UInt8(ascii: "\\") {
                if high & 0x8080_8080_8080_8080 != 0 { try validateUTF8(start..<i) }
                try decodeEscapedString(open: open, start: start, firstEscape: i, into: &decoded)
                return nil
            }
            if byte < 0x20 { throw controlCharacter(at: i) }
            high |= UInt64(byte)
            i &+= 1
        }
        throw fail("unterminated string", at: open)
    }

    /// Decodes the rest of a string that has an escape at `firstEscape`.
    mutating func decodeEscapedString(
        open: Int, start: Int, firstEscape: Int, into out: inout [UInt8]
    ) throws(JSONSyntaxError) {
        out.reserveCapacity(firstEscape - start + 32)
        out.append(contentsOf: UnsafeBufferPointer(start: base + start, count: firstEscape - start))
        var i = firstEscape
        while i < end {
            let byte = base[i]
            if byte == UInt8(ascii: "\"") {
                pos = i + 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                i = try decodeEscape(at: i, open: open, into: &out)
                continue
            }
            if byte < 0x20 { throw controlCharacter(at: i) }
            if byte < 0x80 {
                out.append(byte)
                i += 1
                continue
            }
            guard let length = validUTF8Length(at: i) else { throw fail("invalid UTF-8", at: i) }
            out.append(contentsOf: UnsafeBufferPointer(start: base + i, count: length))
            i += length
        }
        throw fail("unterminated string", at: open)
    }

    /// Decodes the escape whose backslash is at `i`; returns the offset after it.
    mutating func decodeEscape(at i: Int, open: Int, into out: inout [UInt8]) throws(JSONSyntaxError) -> Int {
        guard i + 1 < end else { throw fail("unterminated string", at: open) }
        let kind = base[i + 1]
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
            out.append(kind)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            return try decodeUnicodeEscape(at: i, open: open, into: &out)
        default:
            let shown = describe(at: i + 1).dropFirst().dropLast()
            throw fail("invalid escape '\\\(shown)'", at: i)
        }
        return i + 2
    }

    /// Decodes `\uXXXX` (and its low surrogate, if it is a high one) at `i`.
    mutating func decodeUnicodeEscape(at i: Int, open: Int, into out: inout [UInt8]) throws(JSONSyntaxError) -> Int {
        let unit = try hexUnit(at: i, open: open)
        var scalarValue = UInt32(unit)
        var next = i + 6
        if unit >= 0xDC00 && unit <= 0xDFFF {
            throw fail("unpaired surrogate '\(escapeText(at: i))'", at: i)
        }
        if unit >= 0xD800 && unit <= 0xDBFF {
            guard next + 1 < end, base[next] == UInt8(ascii: "\\"), base[next + 1] == UInt8(ascii: "u") else {
                throw fail("unpaired surrogate '\(escapeText(at: i))'", at: i)
            }
            let low = try hexUnit(at: next, open: open)
            guard low >= 0xDC00 && low <= 0xDFFF else {
                throw fail("unpaired surrogate '\(escapeText(at: i))'", at: i)
            }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            next += 6
        }
        guard let scalar = Unicode.Scalar(scalarValue) else {
            throw fail("unpaired surrogate '\(escapeText(at: i))'", at: i)
        }
        if let encoded = UTF8.encode(scalar) {
            for codeUnit in encoded { out.append(codeUnit) }
        }
        return next
    }

    /// The 16-bit value of the `\uXXXX` escape at `i`.
    func hexUnit(at i: Int, open: Int) throws(JSONSyntaxError) -> UInt16 {
        var value: UInt16 = 0
        for k in 2..<6 {
            guard i + k < end else { throw fail("unterminated string", at: open) }
            let byte = base[i + k]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 0x57
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 0x37
            default:
                throw fail("invalid unicode escape '\(escapeText(at: i))'", at: i)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// Up to six bytes of the escape at `i`, for messages.
    func escapeText(at i: Int) -> String {
        var stop = i
        while stop < end && stop - i < 6 && base[stop] >= 0x20 && base[stop] < 0x7F
            && (stop == i || base[stop] != UInt8(ascii: "\"")) {
            stop += 1
        }
        return String(decoding: UnsafeBufferPointer(start: base + i, count: stop - i), as: UTF8.self)
    }

    /// `unescaped control character '\u000a' in string` for the byte at `i`.
    func controlCharacter(at i: Int) -> JSONSyntaxError {
        fail("unescaped control character \(describe(at: i)) in string", at: i)
    }

    /// Checks that `range` (which ends before an ASCII byte) is valid UTF-8.
    func validateUTF8(_ range: Range<Int>) throws(JSONSyntaxError) {
        var i = range.lowerBound
        while i < range.upperBound {
            if base[i] < 0x80 {
                i += 1
                continue
            }
            guard let length = validUTF8Length(at: i) else { throw fail("invalid UTF-8", at: i) }
            i += length
        }
    }

    /// The length of the valid UTF-8 sequence starting at `i`, or nil (RFC 3629: no
    /// overlongs, no surrogates, nothing above U+10FFFF).
    func validUTF8Length(at i: Int) -> Int? {
        @inline(__always) func continuation(_ j: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            j < end && base[j] >= low && base[j] <= high
        }
        switch base[i] {
        case 0x00...0x7F:
            return 1
        case 0xC2...0xDF:
            return continuation(i + 1) ? 2 : nil
        case 0xE0:
            return continuation(i + 1, 0xA0) && continuation(i + 2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(i + 1) && continuation(i + 2) ? 3 : nil
        case 0xED:
            return continuation(i + 1, 0x80, 0x9F) && continuation(i + 2) ? 3 : nil
        case 0xF0:
            return continuation(i + 1, 0x90) && continuation(i + 2) && continuation(i + 3) ? 4 : nil
        case 0xF1...0xF3:
            return continuation(i + 1) && continuation(i + 2) && continuation(i + 3) ? 4 : nil
        case 0xF4:
            return continuation(i + 1, 0x80, 0x8F) && continuation(i + 2) && continuation(i + 3) ? 4 : nil
        default:
            return nil
        }
    }
}

/// Marks (high bit per byte) the bytes of `word` that are `"`, `\` or below 0x20. The lowest
/// mark is exact; marks above it may be spurious, which is all the scanner needs.
@inline(__always)
func specialBytes(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let quotes = word ^ (ones &* 0x22)
    let backslashes = word ^ (ones &* 0x5C)
    let hasQuote = (quotes &- ones) & ~quotes
    let hasBackslash = (backslashes &- ones) & ~backslashes
    let hasControl = (word &- ones &* 0x20) & ~word
    return (hasQuote | hasBackslash | hasControl) & highs
}

/// A fast 64-bit hash of `count` bytes at `bytes` (for the duplicate-key check only).
@inline(__always)
func hashBytes(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
    var hash = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
    var k = 0
    while k &+ 8 <= count {
        let word = UnsafeRawPointer(bytes + k).loadUnaligned(as: UInt64.self)
        hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 32
        k &+= 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while k < count {
        tail |= UInt64(bytes[k]) << shift
        shift &+= 8
        k &+= 1
    }
    hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
    return hash ^ (hash >> 29)
}
