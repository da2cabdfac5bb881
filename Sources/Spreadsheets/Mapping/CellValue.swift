public import ConfigurationSchema
public import GraphStorage
import CMDB
import JSONLines

/// Reading typed values from cells and writing them back, in a dialect's number style.
public enum CellValue {
    /// A problem with one cell's text.
    public struct ConversionError: Error, Sendable {
        public var message: String
    }

    /// The value of `text` as `type`.
    ///
    /// Numbers: with decimal commas `1.234,5` (dots between groups of three digits are thousands separators, a lone
    /// dot still reads as a decimal point); without, `1234.5`; `NaN`, `Infinity`, `-Infinity`. Booleans: ja/nee, j/n, waar/onwaar, true/false,
    /// yes/no, y/n, 1/0. Date-times: the format, else ISO-8601 (a datetime keeps its offset, zone and nanoseconds).
    /// Lists: a JSON array (dates, times and durations in it typed, `{"date":"2027-01-31"}`, as JSON Lines writes
    /// them).
    public static func parse(
        _ text: String, as type: AttributeType, format: DateFormat?, decimalComma: Bool
    ) throws(ConversionError) -> PropertyValue {
        let trimmed = trimmedCell(text)
        switch type {
        case .string:
            return .string(text)
        case .int:
            if let i = Int64(trimmed) { return .int(i) }
            guard let number = normalisedNumber(trimmed, decimalComma: decimalComma) else {
                throw ConversionError(message: "'\(text)' is not a whole number")
            }
            if let i = Int64(number) { return .int(i) }
            if let d = Double(number), d.isFinite, d == d.rounded(), abs(d) < 9.0e15 { return .int(Int64(d)) }
            throw ConversionError(message: "'\(text)' is not a whole number")
        case .float:
            if let special = nonFinite.first(where: { $0.text == trimmed }) { return .float(special.value) }
            if !trimmed.utf8.contains(where: { $0 == 0x2E || $0 == 0x2C }), let i = Int64(trimmed) {
                return .float(Double(i))
            }
            if !decimalComma, !trimmed.utf8.contains(where: { $0 > 0x39 && $0 != 0x65 && $0 != 0x45 }),
                let d = Double(trimmed)
            {
                return .float(d)
            }
            guard let number = normalisedNumber(trimmed, decimalComma: decimalComma), let d = Double(number) else {
                throw ConversionError(message: "'\(text)' is not a number"
                    + (decimalComma ? " (decimal comma: 12,5)" : " (decimal point: 12.5)"))
            }
            return .float(d)
        case .bool:
            switch trimmed.lowercased() {
            case "ja", "j", "waar", "true", "yes", "y", "1", "wahr": return .bool(true)
            case "nee", "n", "onwaar", "false", "no", "0", "falsch": return .bool(false)
            default: throw ConversionError(message: "'\(text)' is not a yes/no value (ja/nee, true/false, 1/0)")
            }
        case .datetime, .date, .localdatetime:
            var iso = trimmed
            if let format {
                guard let t = format.parse(trimmed) else {
                    throw ConversionError(message: "'\(text)' is not a date in the format \(format.pattern)")
                }
                // The pattern's fields, as ISO 8601 in the attribute's type: a date, a local or a UTC date-time.
                let full = ISODateTime.format(t)
                iso = type == .date ? String(full.prefix(10)) : type == .localdatetime ? String(full.dropLast()) : full
            }
            // Without a format a datetime keeps its offset, zone and nanoseconds as written (it is a UTC instant
            // where it says Z or nothing), so that what export wrote reads back as itself.
            let value = type == .datetime && format == nil
                ? ISO8601Parser.dateTime(iso).map { PropertyValue.temporal($0) } : type.temporalValue(.string(iso))
            guard let value else {
                throw ConversionError(message: "'\(text)' is not an ISO-8601 \(type.rawValue) like \(type.example) "
                    + "(give the column a format, e.g. dd-MM-yyyy)")
            }
            return value
        case .list:
            guard trimmed.hasPrefix("["), let parsed = try? JSONParser.parse(trimmed),
                let value = listValue(parsed)
            else {
                throw ConversionError(message: "'\(text)' is not a list written as a JSON array like [\"a\",\"b\"] "
                    + "(a date, time or duration in it as {\"date\":\"2027-01-31\"})")
            }
            return value
        }
    }

    /// The text of a value for a cell, as `parse` reads it back.
    public static func text(_ value: PropertyValue, format: DateFormat?, decimalComma: Bool) -> String {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .float(let d):
            if let special = nonFinite.first(where: { $0.value == d || ($0.value.isNaN && d.isNaN) }) {
                return special.text
            }
            let s = d.description
            return decimalComma ? String(s.map { $0 == "." ? "," : $0 }) : s
        case .bool(let b): return b ? "true" : "false"
        case .temporal(let t):
            if let format {
                switch t {
                case .date(let day): return format.format(day * 86_400_000_000)
                case .localDateTime(let day, let nanos): return format.format(day * 86_400_000_000 + nanos / 1000)
                default: if let micros = value.datetimeMicros { return format.format(micros) }
                }
            }
            return isoText(value)
        case .duration:
            return isoText(value)
        case .list:
            // Dates, times and durations typed as a JSON Lines import file writes them (`{"date":"2027-01-31"}`),
            // so they read back as themselves, not as strings.
            var w = JSONWriter(capacity: 64)
            w.write(value, typed: true)
            return String(decoding: w.bytes, as: UTF8.self)
        }
    }

    /// NaN and the infinities, spelled as JSON Lines and CIQL spell them (Swift's `nan`, `inf` read as nothing).
    private static let nonFinite: [(text: String, value: Double)] = [
        ("NaN", .nan), ("Infinity", .infinity), ("-Infinity", -.infinity),
    ]

    /// Whether the cell holds nothing but spaces.
    static func isBlank(_ text: String) -> Bool {
        for b in text.utf8 where b != 0x20 && b != 0x09 {
            return b == 0xC2 && trimmedCell(text).isEmpty
        }
        return true
    }

    /// A date, time or duration as its ISO 8601 text (what JSON export writes, without the quotes).
    private static func isoText(_ value: PropertyValue) -> String {
        var w = JSONWriter(capacity: 40)
        w.write(value)
        return String(decoding: w.bytes, as: UTF8.self).trimmingQuotes()
    }

    /// The cell without surrounding spaces (Excel pads some exports).
    static func trimmedCell(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last else { return text }
        if first != 0x20 && first != 0x09 && first != 0xC2 && last != 0x20 && last != 0x09 && last != 0xA0 {
            return text
        }
        var s = Substring(text)
        while let f = s.first, f == " " || f == "\t" || f == "\u{A0}" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\u{A0}" { s = s.dropLast() }
        return String(s)
    }

    /// The number in Swift's syntax (`-1234.5`), or nil.
    static func normalisedNumber(_ text: String, decimalComma: Bool) -> String? {
        var s = text.replacingSpaces()
        guard !s.isEmpty else { return nil }
        if decimalComma {
            let parts = s.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return nil }
            let whole = String(parts[0])
            let body = whole.hasPrefix("-") || whole.hasPrefix("+") ? String(whole.dropFirst()) : whole
            var integer = whole
            if body.contains(".") {
                let groups = body.split(separator: ".", omittingEmptySubsequences: false)
                let grouped = groups.count > 1 && (1...3).contains(groups[0].count)
                    && groups.dropFirst().allSatisfy { $0.count == 3 }
                if grouped {
                    integer = whole.filter { $0 != "." }
                } else if parts.count == 1 {
                    integer = whole  // a decimal point after all: 12.5
                } else {
                    return nil
                }
            }
            s = parts.count == 2 ? integer + "." + parts[1] : integer
        } else if s.contains(",") {
            return nil
        }
        guard s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E") }),
            Double(s) != nil
        else { return nil }
        return s
    }

    private static func listValue(_ value: JSONValue) -> PropertyValue? {
        switch value {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .bool(let b): return .bool(b)
        case .array(let items):
            var list: [PropertyValue] = []
            for item in items {
                guard let v = listValue(item) else { return nil }
                list.append(v)
            }
            return .list(list)
        case .object(let members):
            // A date, time or duration written typed, as in JSON Lines: {"date": "2027-01-31"}.
            guard members.count == 1, let member = members.members.first, TemporalTypeTag.all.contains(member.key),
                case .string(let text) = member.value
            else { return nil }
            if member.key == TemporalTypeTag.duration { return ISO8601Parser.duration(text).map { .duration($0) } }
            return ISO8601Parser.temporal(member.key, text).map { .temporal($0) }
        case .null: return nil
        }
    }
}

extension String {
    fileprivate func trimmingQuotes() -> String {
        hasPrefix("\"") && hasSuffix("\"") && count >= 2 ? String(dropFirst().dropLast()) : self
    }

    fileprivate func replacingSpaces() -> String { filter { $0 != " " && $0 != "\u{A0}" } }
}
