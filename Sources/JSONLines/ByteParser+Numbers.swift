/// Number parsing: Int64 for integers, correctly rounded Double for the rest.
extension ByteParser {
    /// Parses the number (or `-Infinity`) starting at `pos`.
    mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = pos
        var i = pos
        let negative = base[i] == UInt8(ascii: "-")
        if negative {
            i += 1
            if i < end && base[i] == UInt8(ascii: "I") {
                pos = i
                try parseLiteral("Infinity")
                return .float(-.infinity)
            }
        }
        guard i < end else { throw invalidNumber(from: start) }
        // Integer part: the first 19 digits go into `mantissa` (19 digits always fit).
        var mantissa: UInt64 = 0
        var digits = 0
        let first = base[i]
        if first == UInt8(ascii: "0") {
            i += 1
            digits = 1
            if i < end && isDigit(base[i]) { throw invalidNumber(from: start) }
        } else if isDigit(first) {
            while i < end {
                let digit = base[i] &- 0x30
                if digit > 9 { break }
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(digit) }
                digits &+= 1
                i &+= 1
            }
        } else {
            throw invalidNumber(from: start)
        }

        if i < end {
            let next = base[i]
            if next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
                return try parseFloat(start: start, at: i, negative: negative, mantissa: mantissa, digits: digits)
            }
        }
        pos = i
        let limit: UInt64 = negative ? 1 << 63 : (1 << 63) - 1
        guard digits <= 19 && mantissa <= limit else {
            throw fail("integer out of range", at: start)
        }
        return .int(negative ? Int64(bitPattern: 0 &- mantissa) : Int64(bitPattern: mantissa))
    }

    /// Parses the fraction and exponent from `i` of the float that starts at `start`.
    mutating func parseFloat(
        start: Int, at index: Int, negative: Bool, mantissa integerPart: UInt64, digits integerDigits: Int
    ) throws(JSONSyntaxError) -> JSONValue {
        var i = index
        var mantissa = integerPart
        var digits = integerDigits
        var exponent = 0
        if base[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < end {
                let digit = base[i] &- 0x30
                if digit > 9 { break }
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    exponent -= 1
                }
                digits &+= 1
                i &+= 1
            }
            if i == fractionStart { throw invalidNumber(from: start) }
        }
        if i < end && (base[i] == UInt8(ascii: "e") || base[i] == UInt8(ascii: "E")) {
            i += 1
            var exponentNegative = false
            if i < end && (base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-")) {
                exponentNegative = base[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            var written = 0
            while i < end {
                let digit = base[i] &- 0x30
                if digit > 9 { break }
                if written < 100_000 { written = written &* 10 &+ Int(digit) }
                i &+= 1
            }
            if i == exponentStart { throw invalidNumber(from: start) }
            exponent += exponentNegative ? -written : written
        }
        pos = i
        // Clinger's fast path: an exact mantissa times an exact power of ten rounds once.
        if digits <= 19 && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 {
                value /= powerOfTen(-exponent)
            } else {
                value *= powerOfTen(exponent)
            }
            return .float(negative ? -value : value)
        }
        if mantissa == 0 && digits <= 19 {
            return .float(negative ? -0.0 : 0.0)
        }
        // Everything else goes to the standard library (strtod), which rounds correctly.
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
        guard let value = Double(text) else { throw invalidNumber(from: start) }
        return .float(value)
    }

    /// `invalid number '1.'` for the number-like characters from `start`.
    func invalidNumber(from start: Int) -> JSONSyntaxError {
        var stop = start
        while stop < end && stop - start < 40 {
            switch base[stop] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"),
                UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                stop += 1
                continue
            default:
                break
            }
            break
        }
        let token = String(decoding: UnsafeBufferPointer(start: base + start, count: stop - start), as: UTF8.self)
        return fail("invalid number '\(token)'", at: start)
    }
}

/// Whether `byte` is an ASCII digit.
@inline(__always)
func isDigit(_ byte: UInt8) -> Bool {
    byte &- 0x30 < 10
}

/// 10^exponent for 0...22, all exactly representable as Double.
@inline(__always)
func powerOfTen(_ exponent: Int) -> Double {
    switch exponent {
    case 0: return 1e0
    case 1: return 1e1
    case 2: return 1e2
    case 3: return 1e3
    case 4: return 1e4
    case 5: return 1e5
    case 6: return 1e6
    case 7: return 1e7
    case 8: return 1e8
    case 9: return 1e9
    case 10: return 1e10
    case 11: return 1e11
    case 12: return 1e12
    case 13: return 1e13
    case 14: return 1e14
    case 15: return 1e15
    case 16: return 1e16
    case 17: return 1e17
    case 18: return 1e18
    case 19: return 1e19
    case 20: return 1e20
    case 21: return 1e21
    default: return 1e22
    }
}
