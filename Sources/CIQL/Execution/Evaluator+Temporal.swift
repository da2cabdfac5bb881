import CIQLValues
import CIQLSyntax
import GraphStorage

/// The five temporal types as constructors name them.
enum TemporalKind: String, Sendable {
    case date, localtime, time, localdatetime, datetime

    var hasDate: Bool { self == .date || self == .localdatetime || self == .datetime }
    var hasTime: Bool { self != .date }
}

/// `date(…)`, `localtime(…)`, `time(…)`, `localdatetime(…)`, `datetime(…)`: from nothing (now), a string, a map of
/// fields, another temporal value, or a map selecting parts of other values (`{date: d, time: t, day: 28}`).
extension ExecutionContext {
    func constructTemporal(_ kind: TemporalKind, _ args: [Value], _ at: SourceLocation) throws -> Value {
        guard let a = args.first else { return .temporal(try now(kind, zone: nil, at)) }
        switch a {
        case .null: return .null
        case .string(let s): return .temporal(try parseTemporal(kind, s, at))
        case .temporal(let t): return .temporal(try convert(t, to: kind, at))
        case .map(let m):
            let keys = Set(m.keys)
            if keys.isEmpty || keys == ["timezone"] {
                return .temporal(try now(kind, zone: try zoneSpec(m["timezone"], at), at))
            }
            if kind == .datetime, keys.contains("epochSeconds") || keys.contains("epochMillis") {
                return .temporal(try fromEpoch(m, at))
            }
            return .temporal(try build(kind, m, base: nil, at))
        default: throw typeError("\(kind.rawValue)() needs a string, a map or a temporal value", a, at)
        }
    }

    /// The statement's time in a zone (UTC when none is given).
    func now(_ kind: TemporalKind, zone: TemporalZone.Spec?, _ at: SourceLocation) throws -> TemporalValue {
        let seconds = CivilCalendar.floorDiv(statementTime, 1_000_000)
        let nano = (statementTime - seconds * 1_000_000) * 1000
        guard let t = TemporalZone.atInstant(epochSecond: seconds, nano: nano, zone ?? .offset(0)) else {
            throw CIQLError(.runtime, .argument(.invalidArgumentValue), "cannot place the current time in that time zone", at: at)
        }
        return try convert(t, to: kind, at)
    }

    func zoneSpec(_ v: Value?, _ at: SourceLocation) throws -> TemporalZone.Spec? {
        guard let v, !v.isNull else { return nil }
        guard case .string(let s) = v else { throw typeError("timezone must be a string", v, at) }
        guard let spec = TemporalZone.Spec.parse(s) else {
            throw CIQLError(.runtime, .argument(.invalidArgumentValue), "'\(s)' is not a time zone (an offset like '+01:00' or a name like 'Europe/Amsterdam')", at: at)
        }
        return spec
    }

    private func parseTemporal(_ kind: TemporalKind, _ s: String, _ at: SourceLocation) throws -> TemporalValue {
        guard let result = ISO8601Parser.temporal(kind.rawValue, s) else {
            let example = switch kind {
            case .date: "2026-11-22"
            case .localtime: "21:40:32"
            case .time: "21:40:32+01:00"
            case .localdatetime: "2026-11-22T21:40:32"
            case .datetime: "2026-11-22T21:40:32+01:00"
            }
            throw CIQLError(.runtime, .argument(.invalidArgumentValue), "'\(s)' is not an ISO 8601 \(kind.rawValue) (e.g. '\(example)')", at: at)
        }
        return result
    }

    /// A temporal value as another kind: the parts the kind has, a zone added (UTC) or dropped as needed.
    func convert(_ t: TemporalValue, to kind: TemporalKind, _ at: SourceLocation) throws -> TemporalValue {
        let day = t.day, nanos = t.nanosOfDay
        func need<T>(_ v: T?) throws -> T {
            guard let v else {
                throw CIQLError(.runtime, .argument(.invalidArgumentValue), "cannot make a \(kind.rawValue) from a \(t.typeName.lowercased()): it has no \(kind.hasDate && day == nil ? "date" : "time")", at: at)
            }
            return v
        }
        switch kind {
        case .date: return .date(day: try need(day))
        case .localtime: return .localTime(nanos: try need(nanos))
        case .time: return .time(nanos: try need(nanos), offset: t.offset ?? 0)
        case .localdatetime: return .localDateTime(day: try need(day), nanos: try need(nanos))
        case .datetime:
            if case .dateTime = t { return t }
            return .dateTime(day: try need(day), nanos: nanos ?? 0, offset: 0, zone: nil)
        }
    }

    private func fromEpoch(_ m: ValueMap, _ at: SourceLocation) throws -> TemporalValue {
        var seconds: Int64, nano: Int64 = 0
        if let s = m["epochSeconds"] {
            seconds = try intField(s, "epochSeconds", at)
        } else {
            let ms = try intField(m["epochMillis"] ?? .int(0), "epochMillis", at)
            seconds = CivilCalendar.floorDiv(ms, 1000)
            nano = CivilCalendar.floorMod(ms, 1000) * 1_000_000
        }
        for (key, limit, scale) in [("millisecond", Int64(999), Int64(1_000_000)), ("microsecond", 999_999, 1000), ("nanosecond", 999_999_999, 1)] {
            guard let v = m[key] else { continue }
            let k = try intField(v, key, at)
            guard (0...limit).contains(k) else { throw CIQLError(.runtime, .argument(.invalidArgumentValue), "\(key) \(k) is out of range (0 to \(limit))", at: at) }
            nano += k * scale
        }
        // Seconds of the years ±999,999,999.
        guard seconds > -31_556_889_864_403_199, seconds < 31_556_889_864_403_199 else {
            throw CIQLError(.runtime, .argument(.invalidArgumentValue), "the instant \(seconds) s after 1970 is out of range", at: at)
        }
        seconds += CivilCalendar.floorDiv(nano, CivilCalendar.nanosPerSecond)
        nano = CivilCalendar.floorMod(nano, CivilCalendar.nanosPerSecond)
        guard let t = TemporalZone.atInstant(epochSecond: seconds, nano: nano, try zoneSpec(m["timezone"], at) ?? .offset(0))
        else { throw CIQLError(.runtime, .argument(.invalidArgumentValue), "the instant is out of range", at: at) }
        return t
    }

    func intField(_ v: Value, _ key: String, _ at: SourceLocation) throws -> Int64 {
        switch v {
        case .int(let i): return i
        case .float(let d) where d.rounded() == d:
            if let i = Int64(checked: d) { return i }
        default: break
        }
        throw typeError("field '\(key)' must be an integer", v, at)
    }

    /// A temporal value from a map of fields, with a base value (`truncate`) or parts selected from others
    /// (`{date: d, time: t}`); `timezone` converts a zoned base to that zone, or attaches it to a local one.
    func build(_ kind: TemporalKind, _ m: ValueMap, base: TemporalValue?, _ at: SourceLocation) throws -> TemporalValue {
        for key in m.keys where !Self.temporalFields.contains(key) {
            throw CIQLError(.runtime, .argument(.invalidArgumentValue), "\(kind.rawValue)() has no field '\(key)'", at: at)
        }
        func source(_ key: String) throws -> TemporalValue? {
            guard let v = m[key], !v.isNull else { return nil }
            guard case .temporal(let t) = v else { throw typeError("field '\(key)' must be a temporal value", v, at) }
            return t
        }
        let dateSource = try source("date") ?? source("datetime")
        let timeSource = try source("time") ?? source("datetime")
        var zoneSource: TemporalValue? = timeSource.flatMap { $0.offset == nil ? nil : $0 }
        var convertZone = true
        if let base {
            zoneSource = base.offset == nil ? nil : base
            convertZone = false
        }
        let baseDay = base?.day ?? dateSource?.day
        let baseNanos = base?.nanosOfDay ?? timeSource?.nanosOfDay

        var fields: [String: Int64] = [:]
        for key in Self.dateFields + Self.timeFields {
            if let v = m[key] { fields[key] = try intField(v, key, at) }
        }
        let day: Int64? = kind.hasDate ? try buildDay(fields, baseDay, kind, at) : nil
        let nanos: Int64 = kind.hasTime ? try buildTimeOfDay(fields, baseNanos, kind, needed: kind != .datetime && kind != .localdatetime, at) : 0
        let zone = try zoneSpec(m["timezone"], at)

        switch kind {
        case .date: return .date(day: day ?? 0)
        case .localtime: return .localTime(nanos: nanos)
        case .localdatetime: return .localDateTime(day: day ?? 0, nanos: nanos)
        case .time:
            let baseOffset = zoneSource?.offset
            var offset = baseOffset ?? 0
            var n = nanos
            if let zone {
                let newOffset = try offsetNow(zone, at)
                if let baseOffset, convertZone {
                    n = CivilCalendar.floorMod(n + Int64(newOffset - baseOffset) * CivilCalendar.nanosPerSecond, CivilCalendar.nanosPerDay)
                }
                offset = newOffset
            }
            return .time(nanos: n, offset: offset)
        case .datetime:
            let d = day ?? 0
            if let zoneSource, convertZone {
                guard let local = TemporalZone.resolve(day: d, nanos: nanos, offset: zoneSource.offset, zone: zoneSource.zoneName)
                else { throw CIQLError(.runtime, .argument(.invalidArgumentValue), "cannot resolve the time zone", at: at) }
                guard let zone else { return local }
                return try inZone(local, zone, at)
            }
            let spec = zone ?? zoneSource.map { z in z.zoneName.map { .named($0) } ?? .offset(z.offset ?? 0) } ?? .offset(0)
            let resolved: TemporalValue?
            switch spec {
            case .offset(let o): resolved = .dateTime(day: d, nanos: nanos, offset: o, zone: nil)
            case .named(let name): resolved = TemporalZone.resolve(day: d, nanos: nanos, offset: nil, zone: name)
            }
            guard let resolved else { throw CIQLError(.runtime, .argument(.invalidArgumentValue), "cannot resolve the time zone", at: at) }
            return resolved
        }
    }

    /// A datetime seen in another zone (the same instant).
    func inZone(_ t: TemporalValue, _ zone: TemporalZone.Spec, _ at: SourceLocation) throws -> TemporalValue {
        guard let (s, n) = t.epochInstant, let r = TemporalZone.atInstant(epochSecond: s, nano: n, zone) else {
            throw CIQLError(.runtime, .argument(.invalidArgumentValue), "cannot place the datetime in that time zone", at: at)
        }
        return r
    }

    /// A zone's offset now (a named zone's offset changes over the year; a time has no date to fix it).
    private func offsetNow(_ zone: TemporalZone.Spec, _ at: SourceLocation) throws -> Int32 {
        switch zone {
        case .offset(let o): return o
        case .named(let name):
            guard let o = TimeZoneRules.offset(name, atEpochSecond: CivilCalendar.floorDiv(statementTime, 1_000_000)) else {
                throw CIQLError(.runtime, .argument(.invalidArgumentValue), "unknown time zone '\(name)'", at: at)
            }
            return o
        }
    }

    static let dateFields = ["year", "month", "day", "week", "dayOfWeek", "ordinalDay", "quarter", "dayOfQuarter"]
    static let timeFields = ["hour", "minute", "second", "millisecond", "microsecond", "nanosecond"]
    static let temporalFields = Set(dateFields + timeFields + ["timezone", "date", "time", "datetime"])

    private func buildDay(_ f: [String: Int64], _ base: Int64?, _ kind: TemporalKind, _ at: SourceLocation) throws -> Int64 {
        func bad(_ what: String) -> CIQLError { CIQLError(.runtime, .argument(.invalidArgumentValue), "\(kind.rawValue)(): \(what)", at: at) }
        let civil = base.map(CivilCalendar.civil)
        if f["week"] != nil || (f["dayOfWeek"] != nil && f["month"] == nil && f["day"] == nil) {
            let w = base.map(CivilCalendar.weekDate)
            guard let year = f["year"] ?? w?.weekYear else { throw bad("a week date needs a year") }
            guard let week = f["week"] ?? w?.week else { throw bad("dayOfWeek needs a week") }
            let dow = f["dayOfWeek"] ?? w?.dayOfWeek ?? 1
            guard let d = CivilCalendar.epochDay(weekYear: year, week: week, dayOfWeek: dow) else {
                throw bad("\(year)-W\(week)-\(dow) is not a week date")
            }
            return d
        }
        if let ordinal = f["ordinalDay"] {
            guard let year = f["year"] ?? civil?.year else { throw bad("an ordinal date needs a year") }
            guard CivilCalendar.years.contains(year), ordinal >= 1, ordinal <= CivilCalendar.daysInYear(year) else {
                throw bad("day \(ordinal) of \(year) does not exist")
            }
            return CivilCalendar.epochDay(year, 1, 1) + ordinal - 1
        }
        if f["quarter"] != nil || f["dayOfQuarter"] != nil {
            guard let year = f["year"] ?? civil?.year else { throw bad("a quarter date needs a year") }
            let baseQuarter = civil.map { CivilCalendar.quarter(ofMonth: $0.month) }
            let baseDayOfQuarter = base.map { b in b - CivilCalendar.firstDay(year: civil?.year ?? 0, quarter: baseQuarter ?? 1) + 1 }
            let q = f["quarter"] ?? baseQuarter ?? 1
            let dq = f["dayOfQuarter"] ?? baseDayOfQuarter ?? 1
            guard CivilCalendar.years.contains(year), (1...4).contains(q) else { throw bad("quarter \(q) does not exist") }
            let first = CivilCalendar.firstDay(year: year, quarter: q)
            let next = q == 4 ? CivilCalendar.epochDay(year + 1, 1, 1) : CivilCalendar.firstDay(year: year, quarter: q + 1)
            guard dq >= 1, dq <= next - first else { throw bad("day \(dq) of quarter \(q) does not exist") }
            return first + dq - 1
        }
        guard let year = f["year"] ?? civil?.year else { throw bad("a date needs a year") }
        if base == nil, f["day"] != nil, f["month"] == nil { throw bad("a day needs a month") }
        let month = f["month"] ?? civil?.month ?? 1, day = f["day"] ?? civil?.day ?? 1
        guard CivilCalendar.isValid(year, month, day) else { throw bad("\(year)-\(month)-\(day) is not a date") }
        return CivilCalendar.epochDay(year, month, day)
    }

    private func buildTimeOfDay(
        _ f: [String: Int64], _ base: Int64?, _ kind: TemporalKind, needed: Bool, _ at: SourceLocation
    ) throws -> Int64 {
        func bad(_ what: String) -> CIQLError { CIQLError(.runtime, .argument(.invalidArgumentValue), "\(kind.rawValue)(): \(what)", at: at) }
        let bs = base.map { $0 / CivilCalendar.nanosPerSecond }
        if base == nil, needed, f["hour"] == nil { throw bad("a time needs an hour") }
        let hour = f["hour"] ?? bs.map { $0 / 3600 } ?? 0
        let minute = f["minute"] ?? bs.map { $0 % 3600 / 60 } ?? 0
        let second = f["second"] ?? bs.map { $0 % 60 } ?? 0
        // Sub-second fields replace their own digits: with a base of .645876123, {nanosecond: 2} gives .645876002.
        let baseNano = base.map { $0 % CivilCalendar.nanosPerSecond } ?? 0
        var nano = baseNano
        let ms = f["millisecond"], us = f["microsecond"], ns = f["nanosecond"]
        if ms != nil || us != nil || ns != nil {
            if let ms, !(0...999).contains(ms) { throw bad("millisecond \(ms) is out of range") }
            if let us, !(0...(ms == nil ? 999_999 : 999)).contains(us) { throw bad("microsecond \(us) is out of range") }
            if let ns, !(0...(ms == nil && us == nil ? 999_999_999 : 999)).contains(ns) { throw bad("nanosecond \(ns) is out of range") }
            if let ns, ms == nil, us == nil, ns > 999 {
                nano = ns
            } else if let us, ms == nil, us > 999 {
                nano = us * 1000 + (ns ?? baseNano % 1000)
            } else {
                nano = (ms ?? baseNano / 1_000_000) * 1_000_000 + (us ?? baseNano / 1000 % 1000) * 1000 + (ns ?? baseNano % 1000)
            }
        }
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else {
            throw bad("\(hour):\(minute):\(second) is not a time of day")
        }
        return (hour * 3600 + minute * 60 + second) * CivilCalendar.nanosPerSecond + nano
    }
}

/// `*.truncate`, `datetime.fromEpoch…`, `duration.between/inMonths/inDays/inSeconds`.
extension ExecutionContext {
    func temporalFunction(_ f: BuiltinFunction, _ args: [Value], _ at: SourceLocation) throws -> Value {
        if args.prefix(2).contains(where: \.isNull) { return .null }
        switch f {
        case .datetimefromepoch, .datetimefromepochmillis:
            let m = f == .datetimefromepoch
                ? ValueMap([("epochSeconds", args[0]), ("nanosecond", args[1])]) : ValueMap([("epochMillis", args[0])])
            return .temporal(try fromEpochMap(m, at))
        case .durationbetween, .durationinmonths, .durationindays, .durationinseconds:
            guard case .temporal(let a) = args[0] else { throw typeError("\(f.displayName)() needs temporal values", args[0], at) }
            guard case .temporal(let b) = args[1] else { throw typeError("\(f.displayName)() needs temporal values", args[1], at) }
            let unit: TemporalArithmetic.Unit =
                f == .durationinmonths ? .months : f == .durationindays ? .days : f == .durationinseconds ? .seconds : .all
            guard let d = TemporalArithmetic.between(a, b, unit) else {
                throw CIQLError(.runtime, .argument(.invalidArgumentValue), "the duration between \(TemporalText.format(a)) and \(TemporalText.format(b)) is out of range", at: at)
            }
            return .duration(d)
        default:
            guard let kind = f.temporalKind else { throw CIQLError(.runtime, .internalError, "internal: \(f.displayName)()", at: at) }
            guard case .string(let unit) = args[0] else { throw typeError("\(f.displayName)() needs a unit name", args[0], at) }
            guard case .temporal(let t) = args[1] else { throw typeError("\(f.displayName)() needs a temporal value", args[1], at) }
            var fields = ValueMap()
            if args.count > 2 {
                switch args[2] {
                case .null: break
                case .map(let m): fields = m
                default: throw typeError("\(f.displayName)() takes a map of fields", args[2], at)
                }
            }
            let dateUnits: Set = ["millennium", "century", "decade", "year", "weekYear", "quarter", "month", "week", "day"]
            if t.day == nil, dateUnits.contains(unit), unit != "day" || kind.hasDate {
                throw CIQLError(.runtime, .argument(.invalidArgumentValue), "cannot truncate a \(t.typeName.lowercased()) to the \(unit)", at: at)
            }
            if !kind.hasTime, !dateUnits.contains(unit) {
                throw CIQLError(.runtime, .argument(.invalidArgumentValue), "\(f.displayName)() cannot truncate to the \(unit): a date has no time", at: at)
            }
            guard let truncated = TemporalArithmetic.truncate(t, unit) else {
                throw CIQLError(.runtime, .argument(.invalidArgumentValue), "'\(unit)' is not a unit to truncate to (year, month, week, day, hour, …)", at: at)
            }
            return .temporal(try build(kind, fields, base: truncated, at))
        }
    }

    private func fromEpochMap(_ m: ValueMap, _ at: SourceLocation) throws -> TemporalValue {
        guard case .temporal(let t) = try constructTemporal(.datetime, [.map(m)], at) else {
            throw CIQLError(.runtime, .internalError, "internal: datetime from epoch", at: at)
        }
        return t
    }
}
