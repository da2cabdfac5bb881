import CIQLSyntax
public import GraphStorage

/// A duration as Cypher keeps it: months, days and a time part, each kept apart because a month and
/// a day have no fixed length (`P1M` added to Jan 31 is Feb 28/29).
public struct CIQLDuration: Hashable, Sendable, CustomStringConvertible {
    public var months: Int64
    public var days: Int64
    public var microseconds: Int64

    public init(months: Int64 = 0, days: Int64 = 0, microseconds: Int64 = 0) {
        self.months = months
        self.days = days
        self.microseconds = microseconds
    }

    static let microsecondsPerDay: Int64 = 86_400_000_000

    /// For ordering only: a month counted as 30.436875 days.
    var approximateMicroseconds: Double {
        Double(months) * 30.436875 * Double(Self.microsecondsPerDay) + Double(days) * Double(Self.microsecondsPerDay)
            + Double(microseconds)
    }

    /// Parses ISO 8601 `PnYnMnWnDTnHnMnS` (fractions allowed on the last unit), e.g. `P1DT12H`, `PT0.5S`.
    public static func parse(_ text: String) -> CIQLDuration? {
        var chars = Substring(text.uppercased())
        var negative = false
        if chars.first == "-" {
            negative = true
            chars = chars.dropFirst()
        }
        guard chars.first == "P", chars.count > 1 else { return nil }
        chars = chars.dropFirst()
        var result = CIQLDuration()
        var inTime = false
        var number = ""
        for c in chars {
            if c == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                continue
            }
            if c.isNumber || c == "." || c == "," || (c == "-" && number.isEmpty) {
                number.append(c == "," ? "." : c)
                continue
            }
            guard let value = Double(number) else { return nil }
            number = ""
            let part: Int64?
            switch (c, inTime) {
            case ("Y", false): part = Int64(checked: value * 12)
            case ("M", false): part = Int64(checked: value)
            case ("W", false): part = Int64(checked: value * 7)
            case ("D", false): part = Int64(checked: value)
            case ("H", true): part = Int64(checked: value * 3_600_000_000)
            case ("M", true): part = Int64(checked: value * 60_000_000)
            case ("S", true): part = Int64(checked: (value * 1_000_000).rounded())
            default: return nil
            }
            guard let part else { return nil }
            var field = CIQLDuration()
            switch (c, inTime) {
            case ("Y", false), ("M", false): field.months = part
            case ("W", false), ("D", false): field.days = part
            default: field.microseconds = part
            }
            guard let sum = result.adding(field) else { return nil }
            result = sum
        }
        guard number.isEmpty else { return nil }
        return negative ? result.negated : result
    }

    /// `-self`, or nil when a field is `Int64.min` and has no positive counterpart.
    public var negated: CIQLDuration? {
        guard months != .min, days != .min, microseconds != .min else { return nil }
        return CIQLDuration(months: -months, days: -days, microseconds: -microseconds)
    }

    /// `self + other` field by field, or nil when a field overflows.
    public func adding(_ other: CIQLDuration) -> CIQLDuration? {
        let m = months.addingReportingOverflow(other.months)
        let d = days.addingReportingOverflow(other.days)
        let us = microseconds.addingReportingOverflow(other.microseconds)
        guard !m.overflow, !d.overflow, !us.overflow else { return nil }
        return CIQLDuration(months: m.partialValue, days: d.partialValue, microseconds: us.partialValue)
    }

    /// Every field scaled by `factor` (truncated), or nil when the factor is not finite or a field leaves the range.
    public func multiplied(by factor: Double) -> CIQLDuration? {
        guard let m = Int64(checked: Double(months) * factor), let d = Int64(checked: Double(days) * factor),
            let us = Int64(checked: Double(microseconds) * factor)
        else { return nil }
        return CIQLDuration(months: m, days: d, microseconds: us)
    }

    /// Whether adding it to a datetime stays within ±100,000 years.
    var isWithinCalendar: Bool {
        abs(Double(months)) < 1_200_000 && abs(Double(days)) < 36_500_000
    }

    /// `instant + self`, months first (clamping the day to the month's length), then days, then time; nil when the
    /// result leaves the range of datetimes (callers check `isWithinCalendar` first).
    public func added(to instant: Int64) -> Int64? {
        var micros = instant
        if months != 0 {
            let days = Int(micros >= 0 ? micros / Self.microsecondsPerDay : (micros + 1) / Self.microsecondsPerDay - 1)
            let timeOfDay = micros - Int64(days) * Self.microsecondsPerDay
            let (y, m, d) = ISODateTime.civilFromDays(days)
            let total = y &* 12 &+ (m - 1) &+ Int(months)
            let year = total >= 0 ? total / 12 : (total + 1) / 12 - 1
            let month = total - year * 12 + 1
            let day = min(d, ISODateTime.daysInMonth(year, month))
            micros = Int64(ISODateTime.daysFromCivil(year, month, day)) * Self.microsecondsPerDay + timeOfDay
        }
        let (dayMicros, o1) = days.multipliedReportingOverflow(by: Self.microsecondsPerDay)
        let (withDays, o2) = micros.addingReportingOverflow(dayMicros)
        let (result, o3) = withDays.addingReportingOverflow(microseconds)
        return o1 || o2 || o3 ? nil : result
    }

    /// ISO 8601, e.g. `P1M2DT3H0.5S`; `PT0S` for zero.
    public var description: String {
        var s = "P"
        let years = months / 12, rest = months % 12
        if years != 0 { s += "\(years)Y" }
        if rest != 0 { s += "\(rest)M" }
        if days != 0 { s += "\(days)D" }
        if microseconds != 0 {
            s += "T"
            var us = microseconds
            let hours = us / 3_600_000_000
            us -= hours * 3_600_000_000
            let minutes = us / 60_000_000
            us -= minutes * 60_000_000
            if hours != 0 { s += "\(hours)H" }
            if minutes != 0 { s += "\(minutes)M" }
            if us != 0 {
                let whole = us / 1_000_000, frac = abs(us % 1_000_000)
                if frac == 0 {
                    s += "\(whole)S"
                } else {
                    var f = String(frac)
                    f = String(repeating: "0", count: 6 - f.count) + f
                    while f.hasSuffix("0") { f.removeLast() }
                    s += "\(us < 0 && whole == 0 ? "-" : "")\(whole).\(f)S"
                }
            }
        }
        return s == "P" ? "PT0S" : s
    }
}

extension Int64 {
    /// The integer part of a finite double within range, else nil.
    init?(checked d: Double) {
        guard d.isFinite, d > -9.2e18, d < 9.2e18 else { return nil }
        self = Int64(d.rounded(.towardZero))
    }

    /// The integer part, clamped to the range; 0 for NaN.
    init(clamping d: Double) {
        if d.isNaN { self = 0 } else { self = Int64(checked: d) ?? (d < 0 ? .min : .max) }
    }
}
