/// Reads ISO 8601 dates, times, date-times and durations in every form openCypher accepts: calendar dates
/// (`2015-07-21`, `20150721`, `2015-07`, `2015`), week dates (`2015-W30-2`, `2015W302`, `2015-W30`), ordinal
/// dates (`2015-202`), quarter dates (`2015-Q3-21`), times (`21:40:32.142`, `214032`, `21:40`, `21`) with offsets
/// (`Z`, `+01:00`, `+0100`, `-02`) and named zones (`[Europe/Stockholm]`), a space or `T` between date and time.
///
/// One grammar for every user of dates: CIQL's constructors, the schema's attribute types, import, verify and
/// change windows. Every function returns nil for text that is not such a value, including impossible dates.
public struct ISO8601Parser {
    private let s: [UInt8]
    private var i = 0
    /// Set when the text has the form of a value but a number in it is too large for its field.
    private var isOutOfRange = false

    private init(_ text: String) { s = Array(text.utf8) }

    private var atEnd: Bool { i >= s.count }
    private var peek: UInt8? { i < s.count ? s[i] : nil }

    private mutating func take(_ c: Character) -> Bool {
        guard let p = peek, let a = c.asciiValue, p == a else { return false }
        i += 1
        return true
    }

    private func digitCount(from: Int) -> Int {
        var j = from
        while j < s.count, s[j] >= 48, s[j] <= 57 { j += 1 }
        return j - from
    }

    private mutating func digits(_ n: Int) -> Int64? {
        guard i + n <= s.count else { return nil }
        var v: Int64 = 0
        for b in s[i..<(i + n)] {
            guard b >= 48, b <= 57 else { return nil }
            v = v * 10 + Int64(b - 48)
        }
        i += n
        return v
    }

    // MARK: - Parts

    /// A date at the cursor, as an epoch day.
    private mutating func date() -> Int64? {
        var year: Int64
        if let sign = peek, sign == 43 || sign == 45 {
            i += 1
            let n = digitCount(from: i)
            guard n >= 4, n <= 9, let y = digits(n) else { return nil }
            year = sign == 45 ? -y : y
        } else {
            guard let y = digits(4) else { return nil }
            year = y
        }
        guard CivilCalendar.years.contains(year) else { return nil }
        if atEnd || peek == UInt8(ascii: "T") || peek == UInt8(ascii: " ") {
            return CivilCalendar.epochDay(year, 1, 1)
        }
        let extended = take("-")
        if take("W") {
            guard let week = digits(2) else { return nil }
            var dow: Int64 = 1
            if extended {
                if take("-") { guard let d = digits(1) else { return nil }; dow = d }
            } else if digitCount(from: i) == 1 {
                guard let d = digits(1) else { return nil }
                dow = d
            }
            return CivilCalendar.epochDay(weekYear: year, week: week, dayOfWeek: dow)
        }
        if take("Q") {
            guard let q = digits(1), (1...4).contains(q) else { return nil }
            var dayOfQuarter: Int64 = 1
            if extended ? take("-") : digitCount(from: i) == 2 {
                guard let d = digits(2) else { return nil }
                dayOfQuarter = d
            }
            let first = CivilCalendar.firstDay(year: year, quarter: q)
            let length = CivilCalendar.firstDay(year: q == 4 ? year + 1 : year, quarter: q == 4 ? 1 : q + 1) - first
            guard dayOfQuarter >= 1, dayOfQuarter <= length else { return nil }
            return first + dayOfQuarter - 1
        }
        let run = digitCount(from: i)
        if run == 3 || (!extended && run == 3) {
            guard let ordinal = digits(3), ordinal >= 1, ordinal <= CivilCalendar.daysInYear(year) else { return nil }
            return CivilCalendar.epochDay(year, 1, 1) + ordinal - 1
        }
        guard let month = digits(2) else { return nil }
        var day: Int64 = 1
        if extended {
            if take("-") { guard let d = digits(2) else { return nil }; day = d }
        } else if run == 4 {
            guard let d = digits(2) else { return nil }
            day = d
        } else if run != 2 {
            return nil
        }
        guard CivilCalendar.isValid(year, month, day) else { return nil }
        return CivilCalendar.epochDay(year, month, day)
    }

    /// A time of day at the cursor, in nanoseconds since midnight.
    private mutating func timeOfDay() -> Int64? {
        guard let hour = digits(2), hour < 24 else { return nil }
        var minute: Int64 = 0, second: Int64 = 0, nanos: Int64 = 0
        var hasSeconds = false
        if take(":") {
            guard let m = digits(2) else { return nil }
            minute = m
            if take(":") {
                guard let sec = digits(2) else { return nil }
                second = sec
                hasSeconds = true
            }
        } else if digitCount(from: i) >= 2 {
            guard let m = digits(2) else { return nil }
            minute = m
            if digitCount(from: i) >= 2 {
                guard let sec = digits(2) else { return nil }
                second = sec
                hasSeconds = true
            }
        }
        guard minute < 60, second < 60 else { return nil }
        if hasSeconds, take(".") || take(",") {
            let n = digitCount(from: i)
            guard n >= 1, n <= 9, let f = digits(n) else { return nil }
            var scaled = f
            for _ in n..<9 { scaled *= 10 }
            nanos = scaled
        }
        return ((hour * 60 + minute) * 60 + second) * CivilCalendar.nanosPerSecond + nanos
    }

    /// An offset at the cursor (`Z`, `±HH`, `±HH:MM`, `±HHMM`, `±HH:MM:SS`), or `.some(nil)` when there is none.
    private mutating func offset() -> Int32?? {
        if take("Z") || take("z") { return .some(0) }
        guard let sign = peek, sign == 43 || sign == 45 else { return .some(nil) }
        i += 1
        guard let h = digits(2) else { return nil }
        var m: Int64 = 0, sec: Int64 = 0
        let colon = take(":")
        if colon || digitCount(from: i) >= 2 {
            guard let mm = digits(2) else { return nil }
            m = mm
            if colon ? take(":") : digitCount(from: i) >= 2 {
                guard let ss = digits(2) else { return nil }
                sec = ss
            }
        }
        guard h <= 18, m < 60, sec < 60 else { return nil }
        let total = h * 3600 + m * 60 + sec
        guard total <= 18 * 3600 else { return nil }
        return .some(Int32(sign == 45 ? -total : total))
    }

    /// A `[Region/City]` zone name at the cursor, or `.some(nil)` when there is none.
    private mutating func zoneName() -> String?? {
        guard take("[") else { return .some(nil) }
        guard let close = s[i...].firstIndex(of: UInt8(ascii: "]")), close == s.count - 1 else { return nil }
        let name = String(decoding: s[i..<close], as: UTF8.self)
        i = close + 1
        return .some(name)
    }

    private mutating func dateTimeSeparator() -> Bool { take("T") || take("t") || take(" ") }

    // MARK: - Values

    /// `2015-07-21` and the other date forms, as an epoch day.
    public static func date(_ text: String) -> Int64? {
        var p = ISO8601Parser(text)
        guard let d = p.date(), p.atEnd else { return nil }
        return d
    }

    /// `21:40:32.142` and the other forms, as nanoseconds since midnight.
    public static func localTime(_ text: String) -> Int64? {
        var p = ISO8601Parser(text)
        guard let t = p.timeOfDay(), p.atEnd else { return nil }
        return t
    }

    /// A time with an optional offset (nil when it has none).
    public static func time(_ text: String) -> (nanos: Int64, offset: Int32?)? {
        var p = ISO8601Parser(text)
        guard let t = p.timeOfDay(), let o = p.offset(), p.atEnd else { return nil }
        return (t, o)
    }

    /// `2015-07-21T21:40:32.142`; a date alone is midnight.
    public static func localDateTime(_ text: String) -> (day: Int64, nanos: Int64)? {
        var p = ISO8601Parser(text)
        guard let d = p.date() else { return nil }
        if p.atEnd { return (d, 0) }
        guard p.dateTimeSeparator(), let t = p.timeOfDay(), p.atEnd else { return nil }
        return (d, t)
    }

    /// A date-time with an optional offset and zone name, as written (not yet resolved against the zone).
    public static func dateTimeParts(_ text: String)
        -> (day: Int64, nanos: Int64, offset: Int32?, zone: String?)?
    {
        var p = ISO8601Parser(text)
        guard let d = p.date() else { return nil }
        if p.atEnd { return (d, 0, nil, nil) }
        guard p.dateTimeSeparator(), let t = p.timeOfDay(), let o = p.offset(), let z = p.zoneName(), p.atEnd
        else { return nil }
        return (d, t, o, z)
    }

    /// A datetime: an offset or zone in the text wins, else `defaultZone` (a zone name, or nil for UTC).
    /// Nil for text that is no datetime or names a zone the tz database does not know.
    public static func dateTime(_ text: String) -> TemporalValue? {
        guard let p = dateTimeParts(text) else { return nil }
        return TemporalZone.resolve(day: p.day, nanos: p.nanos, offset: p.offset ?? (p.zone == nil ? 0 : nil), zone: p.zone)
    }
}

extension ISO8601Parser {
    /// A value of the temporal type the schema and CIQL name `type` (`date`, `localtime`, `time`, `localdatetime`,
    /// `datetime`) read from ISO 8601 text, as CIQL's `date('…')` and the other constructors read it (a time without
    /// an offset is at UTC); nil for another name or text that is not one.
    public static func temporal(_ type: String, _ text: String) -> TemporalValue? {
        switch type {
        case "date": return date(text).map { .date(day: $0) }
        case "localtime": return localTime(text).map { .localTime(nanos: $0) }
        case "time": return time(text).map { .time(nanos: $0.nanos, offset: $0.offset ?? 0) }
        case "localdatetime": return localDateTime(text).map { .localDateTime(day: $0.day, nanos: $0.nanos) }
        case "datetime": return dateTime(text)
        default: return nil
        }
    }

    /// An offset alone: `Z`, `+01:00`, `-0530`, `+02`.
    public static func offsetOnly(_ text: String) -> Int32? {
        var p = ISO8601Parser(text)
        guard !p.atEnd, let o = p.offset(), let offset = o, p.atEnd else { return nil }
        return offset
    }

    /// An ISO 8601 duration: `P1Y2M3W4DT5H6M7.5S` (any part may be fractional or negative, `-P…` negates the
    /// whole) or the alternative form `P2012-02-02T14:37:21.545`.
    public static func duration(_ text: String) -> TemporalDuration? {
        readDuration(text).duration
    }

    /// Whether `text` has the form of an ISO 8601 duration but a part too large for one (past ±2^63 seconds,
    /// days or months, or nanoseconds): why `duration` gave nil, when it did for that.
    public static func durationIsOutOfRange(_ text: String) -> Bool {
        readDuration(text).isOutOfRange
    }

    private static func readDuration(_ text: String) -> (duration: TemporalDuration?, isOutOfRange: Bool) {
        var p = ISO8601Parser(text)
        let d = p.duration()
        return d == nil ? (nil, p.isOutOfRange) : (d, false)
    }

    private mutating func duration() -> TemporalDuration? {
        var negate = false
        if take("-") { negate = true } else { _ = take("+") }
        guard take("P") || take("p") else { return nil }
        if let alt = alternativeDuration() { return negate ? alt.negated : alt }
        var b = TemporalDuration.Builder()
        var inTime = false
        var order = 0
        var any = false
        var tooLarge = false
        while !atEnd {
            if !inTime, take("T") || take("t") {
                inTime = true
                guard !atEnd else { return nil }
                continue
            }
            guard let (whole, fraction, nanosDigits, overflow) = decimal(), let unit = peek else { return nil }
            tooLarge = tooLarge || overflow
            i += 1
            let rank: Int
            switch (Character(UnicodeScalar(unit)).uppercased(), inTime) {
            case ("Y", false): rank = 1; b.add(months: whole, scale: 12); b.add(months: fraction * 12)
            case ("M", false): rank = 2; b.add(months: whole); b.add(months: fraction)
            case ("W", false): rank = 3; b.add(days: whole, scale: 7); b.add(days: fraction * 7)
            case ("D", false): rank = 4; b.add(days: whole); b.add(days: fraction)
            case ("H", true): rank = 5; b.add(time: whole, unitNanos: 3_600_000_000_000); b.add(seconds: fraction * 3600)
            case ("M", true): rank = 6; b.add(time: whole, unitNanos: 60_000_000_000); b.add(seconds: fraction * 60)
            case ("S", true): rank = 7; b.add(time: whole, unitNanos: 1_000_000_000); b.add(time: nanosDigits, unitNanos: 1)
            default: return nil
            }
            guard rank > order else { return nil }
            order = rank
            any = true
        }
        guard any else { return nil }
        guard !tooLarge, let d = b.duration else {
            isOutOfRange = true
            return nil
        }
        return negate ? d.negated : d
    }

    /// A signed decimal number: its integer part, its fraction (with the sign), the fraction as nanoseconds, and
    /// whether the integer part overflowed.
    private mutating func decimal() -> (Int64, Double, Int64, Bool)? {
        var negative = false
        if take("-") { negative = true } else { _ = take("+") }
        let n = digitCount(from: i)
        guard n >= 1 else { return nil }
        var whole: Int64 = 0
        var overflow = false
        for b in s[i..<(i + n)] {
            let (tens, o1) = whole.multipliedReportingOverflow(by: 10)
            let (sum, o2) = tens.addingReportingOverflow(Int64(b - 48))
            overflow = overflow || o1 || o2
            whole = overflow ? 0 : sum
        }
        i += n
        var fraction = 0.0, nanos: Int64 = 0
        if take(".") || take(",") {
            let f = digitCount(from: i)
            guard f >= 1 else { return nil }
            let text = String(decoding: s[i..<(i + f)], as: UTF8.self)
            fraction = Double("0." + text) ?? 0
            var scaled: Int64 = 0
            for (k, c) in text.utf8.enumerated() where k < 9 { scaled = scaled * 10 + Int64(c - 48) }
            for _ in min(f, 9)..<9 { scaled *= 10 }
            nanos = scaled
            i += f
        }
        return negative ? (-whole, -fraction, -nanos, overflow) : (whole, fraction, nanos, overflow)
    }

    /// `YYYY-MM-DDThh:mm:ss[.f]` (or basic `YYYYMMDDThhmmss`) after the `P`.
    private mutating func alternativeDuration() -> TemporalDuration? {
        let start = i
        let extended = digitCount(from: i) == 4 && i + 4 < s.count && s[i + 4] == UInt8(ascii: "-")
        guard extended || digitCount(from: i) == 8 else { return nil }
        func fail() -> TemporalDuration? { i = start; return nil }
        guard let y = digits(4), !extended || take("-"), let mo = digits(2), !extended || take("-"), let d = digits(2),
            take("T"), let h = digits(2), !extended || take(":"), let mi = digits(2), !extended || take(":"),
            let sec = digits(2)
        else { return fail() }
        var nanos: Int64 = 0
        if take(".") || take(",") {
            let n = digitCount(from: i)
            guard n >= 1, n <= 9, let f = digits(n) else { return fail() }
            nanos = f
            for _ in n..<9 { nanos *= 10 }
        }
        guard atEnd, mo <= 12, h < 24, mi < 60, sec < 60 else { return fail() }
        return TemporalDuration(months: y * 12 + mo, days: d, seconds: h * 3600 + mi * 60 + sec, nanos: nanos)
    }
}
