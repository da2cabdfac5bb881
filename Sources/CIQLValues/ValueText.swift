import CIQLSyntax
package import GraphStorage

/// Values as text: `plain` is `toString` (and what CSV cells hold); `literal` is the CIQL literal form
/// used in tables and messages (strings quoted, lists and maps in brackets).
package enum ValueText {
    package static func plain(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return float(d)
        case .string(let s): return s
        case .temporal(let t): return TemporalText.format(t)
        case .duration(let d): return d.description
        default: return literal(v)
        }
    }

    /// A float always shows it is one: `1.0`, `0.5`, `1.0e+20`, `NaN`, `Infinity`.
    package static func float(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        let s = d.description
        if s.contains(".") || s.contains("e") { return s }
        return s + ".0"
    }

    package static func quoted(_ s: String) -> String {
        var out = "'"
        for c in s {
            switch c {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.append(c)
            }
        }
        return out + "'"
    }

    /// The literal form; graph elements as their internal references (renderers with a graph do better).
    package static func literal(_ v: Value, maxLength: Int = .max) -> String {
        let text: String
        switch v {
        case .string(let s): text = quoted(s)
        case .temporal, .duration: text = quoted(plain(v))
        case .list(let l): text = "[" + l.map { literal($0) }.joined(separator: ", ") + "]"
        case .map(let m): text = "{" + m.entries.map { "\($0.key): \(literal($0.value))" }.joined(separator: ", ") + "}"
        case .node(let nid): text = "node(\(nid))"
        case .relationship(let r): text = "relation(\(r.from)-[:\(r.type)]->\(r.to))"
        case .path(let p): text = "path(\(p.nodes.count) nodes)"
        default: text = plain(v)
        }
        if text.count > maxLength { return String(text.prefix(maxLength)) + "…" }
        return text
    }
}

/// The components of temporal values (`d.year`, `t.offset`) and durations (`d.days`).
package enum TemporalFields {
    package static func field(_ key: String, of t: TemporalValue) -> Value? {
        if let day = t.day, let v = dateField(key, day) { return .int(v) }
        if let n = t.nanosOfDay {
            let s = n / CivilCalendar.nanosPerSecond, ns = n % CivilCalendar.nanosPerSecond
            switch key {
            case "hour": return .int(s / 3600)
            case "minute": return .int(s % 3600 / 60)
            case "second": return .int(s % 60)
            case "millisecond": return .int(ns / 1_000_000)
            case "microsecond": return .int(ns / 1000)
            case "nanosecond": return .int(ns)
            default: break
            }
        }
        if let o = t.offset {
            switch key {
            case "timezone": return .string(t.zoneName ?? TemporalText.offset(o))
            case "offset": return .string(TemporalText.offset(o))
            case "offsetMinutes": return .int(Int64(o) / 60)
            case "offsetSeconds": return .int(Int64(o))
            default: break
            }
        }
        if let (s, n) = t.epochInstant {
            switch key {
            case "epochSeconds": return .int(s)
            case "epochMillis":
                let (ms, o) = s.multipliedReportingOverflow(by: 1000)
                return o ? nil : .int(ms + n / 1_000_000)
            default: break
            }
        }
        return nil
    }

    private static func dateField(_ key: String, _ day: Int64) -> Int64? {
        let (y, m, d) = CivilCalendar.civil(day)
        switch key {
        case "year": return y
        case "quarter": return CivilCalendar.quarter(ofMonth: m)
        case "month": return m
        case "week": return CivilCalendar.weekDate(day).week
        case "weekYear": return CivilCalendar.weekDate(day).weekYear
        case "day": return d
        case "ordinalDay": return CivilCalendar.ordinalDay(day)
        case "weekDay", "dayOfWeek": return CivilCalendar.dayOfWeek(day)
        case "dayOfQuarter":
            return day - CivilCalendar.firstDay(year: y, quarter: CivilCalendar.quarter(ofMonth: m)) + 1
        default: return nil
        }
    }

    package static func field(_ key: String, of d: TemporalDuration) -> Value? {
        // The time part as seconds (rounded down) and the nanoseconds above them, as openCypher's accessors give it.
        let s = d.seconds, n = d.nanos
        func scaled(_ k: Int64, _ n: Int64) -> Value? {
            let (v, o) = s.multipliedReportingOverflow(by: k)
            guard !o else { return nil }
            let (r, o2) = v.addingReportingOverflow(n)
            return o2 ? nil : .int(r)
        }
        switch key {
        case "years": return .int(d.months / 12)
        case "quarters": return .int(d.months / 3)
        case "months": return .int(d.months)
        case "weeks": return .int(d.days / 7)
        case "days": return .int(d.days)
        case "hours": return .int(s / 3600)
        case "minutes": return .int(s / 60)
        case "seconds": return .int(s)
        case "milliseconds": return scaled(1000, n / 1_000_000)
        case "microseconds": return scaled(1_000_000, n / 1000)
        case "nanoseconds": return scaled(1_000_000_000, n)
        case "quartersOfYear": return .int(d.months % 12 / 3)
        case "monthsOfQuarter": return .int(d.months % 3)
        case "monthsOfYear": return .int(d.months % 12)
        case "daysOfWeek": return .int(d.days % 7)
        case "minutesOfHour": return .int(s / 60 % 60)
        case "secondsOfMinute": return .int(s % 60)
        case "millisecondsOfSecond": return .int(n / 1_000_000)
        case "microsecondsOfSecond": return .int(n / 1000)
        case "nanosecondsOfSecond": return .int(n)
        default: return nil
        }
    }
}
