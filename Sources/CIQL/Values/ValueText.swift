import CIQLSyntax
import GraphStorage

/// Values as text: `plain` is `toString` (and what CSV cells hold); `literal` is the CIQL literal form
/// used in tables and messages (strings quoted, lists and maps in brackets).
enum ValueText {
    static func plain(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return float(d)
        case .string(let s): return s
        case .datetime(let t): return ISODateTime.format(t)
        case .duration(let d): return d.description
        default: return literal(v)
        }
    }

    /// A float always shows it is one: `1.0`, `0.5`, `1.0e+20`, `NaN`, `Infinity`.
    static func float(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        let s = d.description
        if s.contains(".") || s.contains("e") { return s }
        return s + ".0"
    }

    static func quoted(_ s: String) -> String {
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
    static func literal(_ v: Value, maxLength: Int = .max) -> String {
        let text: String
        switch v {
        case .string(let s): text = quoted(s)
        case .datetime, .duration: text = quoted(plain(v))
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

/// The components of datetimes (`dt.year`) and durations (`d.days`).
enum DateTimeFields {
    static func field(_ key: String, of t: Int64) -> Value? {
        let perDay: Int64 = 86_400_000_000
        let days = t >= 0 ? t / perDay : (t + 1) / perDay - 1
        let micros = t - days * perDay
        let (y, m, d) = ISODateTime.civilFromDays(Int(days))
        switch key {
        case "year": return .int(Int64(y))
        case "month": return .int(Int64(m))
        case "day": return .int(Int64(d))
        case "hour": return .int(micros / 3_600_000_000)
        case "minute": return .int(micros / 60_000_000 % 60)
        case "second": return .int(micros / 1_000_000 % 60)
        case "millisecond": return .int(micros / 1000 % 1000)
        case "microsecond": return .int(micros % 1_000_000)
        case "epochSeconds": return .int(t >= 0 ? t / 1_000_000 : (t + 1) / 1_000_000 - 1)
        case "epochMillis": return .int(t >= 0 ? t / 1000 : (t + 1) / 1000 - 1)
        case "dayOfWeek", "weekday":
            // 1970-01-01 was a Thursday; ISO weekday: Monday = 1 … Sunday = 7.
            let sinceThursday = (Int(days) % 7 + 7) % 7
            return .int(Int64((sinceThursday + 3) % 7 + 1))
        default: return nil
        }
    }

    static func field(_ key: String, of d: CIQLDuration) -> Value? {
        switch key {
        case "years": return .int(d.months / 12)
        case "months": return .int(d.months)
        case "days": return .int(d.days)
        case "hours": return .int(d.microseconds / 3_600_000_000)
        case "minutes": return .int(d.microseconds / 60_000_000)
        case "seconds": return .int(d.microseconds / 1_000_000)
        case "milliseconds": return .int(d.microseconds / 1000)
        case "microseconds": return .int(d.microseconds)
        default: return nil
        }
    }
}
