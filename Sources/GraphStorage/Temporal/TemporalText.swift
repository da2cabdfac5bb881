/// Temporal values as ISO 8601 text, as openCypher (java.time) writes them: `2015-07-21`, `21:40:32.142`,
/// `21:40+01:00`, `2015-07-21T21:40:32.142+02:00[Europe/Stockholm]`.
public enum TemporalText {
    static func pad(_ v: Int64, _ width: Int) -> String {
        let t = String(v)
        return t.count >= width ? t : String(repeating: "0", count: width - t.count) + t
    }

    /// Four digits at least; a sign before negative years and years past 9999.
    public static func year(_ y: Int64) -> String {
        if y < 0 { return "-" + pad(-y, 4) }
        return (y > 9999 ? "+" : "") + pad(y, 4)
    }

    public static func date(_ day: Int64) -> String {
        let (y, m, d) = CivilCalendar.civil(day)
        return "\(year(y))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// Nanoseconds as 9 digits; `trimmed` drops trailing zeros, else groups of three are kept (`.140`).
    public static func fraction(_ n: Int64, trimmed: Bool) -> String {
        var f = pad(n, 9)
        if trimmed {
            while f.hasSuffix("0") { f.removeLast() }
        } else {
            while f.count > 3 && f.hasSuffix("000") { f.removeLast(3) }
        }
        return f
    }

    /// `HH:MM`, with `:SS` and a fraction (3, 6 or 9 digits) only when they are not zero.
    public static func time(_ nanos: Int64) -> String {
        let secs = nanos / CivilCalendar.nanosPerSecond, n = nanos % CivilCalendar.nanosPerSecond
        var text = "\(pad(secs / 3600, 2)):\(pad(secs % 3600 / 60, 2))"
        if secs % 60 != 0 || n != 0 {
            text += ":\(pad(secs % 60, 2))"
            if n != 0 { text += "." + fraction(n, trimmed: false) }
        }
        return text
    }

    /// `Z` for UTC, else `±HH:MM`, with `:SS` when the offset has seconds.
    public static func offset(_ seconds: Int32) -> String {
        guard seconds != 0 else { return "Z" }
        let a = Int64(abs(seconds))
        var text = (seconds < 0 ? "-" : "+") + "\(pad(a / 3600, 2)):\(pad(a % 3600 / 60, 2))"
        if a % 60 != 0 { text += ":\(pad(a % 60, 2))" }
        return text
    }

    public static func format(_ t: TemporalValue) -> String {
        switch t {
        case .date(let d): return date(d)
        case .localTime(let n): return time(n)
        case .time(let n, let o): return time(n) + offset(o)
        case .localDateTime(let d, let n): return date(d) + "T" + time(n)
        case .dateTime(let d, let n, let o, let zone):
            return date(d) + "T" + time(n) + offset(o) + (zone.map { "[\($0)]" } ?? "")
        }
    }
}

extension TemporalValue {
    /// The text files and outputs carry (export, JSON): openCypher's ISO 8601 form, except that a UTC datetime
    /// always shows its seconds (`2026-11-22T02:00:00Z`), as CMDB exports always have. Reads back to the same value.
    public var fileText: String {
        if case .dateTime(_, let n, 0, nil) = self, n % 1000 == 0, let micros = epochMicros,
            TemporalValue.instant(micros: micros) == self
        {
            return ISODateTime.format(micros)
        }
        return TemporalText.format(self)
    }
}
