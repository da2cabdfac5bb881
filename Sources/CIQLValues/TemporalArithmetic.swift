package import GraphStorage

/// Adding durations to temporal values, and the durations between them, as java.time and openCypher do it.
package enum TemporalArithmetic {
    package static let nps = CivilCalendar.nanosPerSecond

    /// `t + d`: months first (the day clamped to the month's length), then days, then the time part; a date takes
    /// whole days of the time part, a time ignores months and days and wraps at midnight. Nil when out of range.
    package static func add(_ t: TemporalValue, _ d: TemporalDuration) -> TemporalValue? {
        switch t {
        case .date(let day):
            guard let m = CivilCalendar.addMonths(day, d.months) else { return nil }
            let r = m.addingReportingOverflow(d.days)
            guard !r.overflow, TemporalValue.days.contains(r.partialValue) else { return nil }
            return checkedDate(.date(day: r.partialValue + d.signedTime.seconds / CivilCalendar.secondsPerDay))
        case .localTime(let n): return .localTime(nanos: wrap(n, d))
        case .time(let n, let o): return .time(nanos: wrap(n, d), offset: o)
        case .localDateTime(let day, let n):
            guard let (newDay, newNanos) = addLocal(day, n, d) else { return nil }
            return checkedDate(.localDateTime(day: newDay, nanos: newNanos))
        case .dateTime(let day, let n, let o, let zone):
            guard let m = CivilCalendar.addMonths(day, d.months) else { return nil }
            let r = m.addingReportingOverflow(d.days)
            guard !r.overflow, TemporalValue.days.contains(r.partialValue) else { return nil }
            guard let local = TemporalZone.resolve(day: r.partialValue, nanos: n, offset: o, zone: zone),
                let (s, ns) = local.epochInstant
            else { return nil }
            let total = ns + d.nanos
            let secs = s.addingReportingOverflow(d.seconds)
            guard !secs.overflow, TemporalValue.days.contains(secs.partialValue / CivilCalendar.secondsPerDay) else { return nil }
            let spec: TemporalZone.Spec = zone.map { .named($0) } ?? .offset(o)
            return TemporalZone.atInstant(
                epochSecond: secs.partialValue + total / nps, nano: total % nps, spec
            ).flatMap(checkedDate)
        }
    }

    private static func checkedDate(_ t: TemporalValue) -> TemporalValue? {
        guard let day = t.day else { return t }
        guard TemporalValue.days.contains(day) else { return nil }
        let year = CivilCalendar.civil(day).year
        return CivilCalendar.years.contains(year) ? t : nil
    }

    private static func wrap(_ n: Int64, _ d: TemporalDuration) -> Int64 {
        let secs = CivilCalendar.floorMod(d.seconds, CivilCalendar.secondsPerDay)
        return CivilCalendar.floorMod(n + secs * nps + d.nanos, CivilCalendar.nanosPerDay)
    }

    private static func addLocal(_ day: Int64, _ n: Int64, _ d: TemporalDuration) -> (Int64, Int64)? {
        guard let m = CivilCalendar.addMonths(day, d.months) else { return nil }
        let r = m.addingReportingOverflow(d.days)
        guard !r.overflow, TemporalValue.days.contains(r.partialValue) else { return nil }
        let extraDays = CivilCalendar.floorDiv(d.seconds, CivilCalendar.secondsPerDay)
        let secs = CivilCalendar.floorMod(d.seconds, CivilCalendar.secondsPerDay)
        let total = n + secs * nps + d.nanos
        let (sum, o) = r.partialValue.addingReportingOverflow(extraDays)
        guard !o, TemporalValue.days.contains(sum) else { return nil }
        return (sum + total / CivilCalendar.nanosPerDay, total % CivilCalendar.nanosPerDay)
    }

    package static func subtract(_ t: TemporalValue, _ d: TemporalDuration) -> TemporalValue? {
        guard let n = d.negated else { return nil }
        return add(t, n)
    }

    package enum Unit { case all, months, days, seconds }

    /// A value taken apart for `duration.between`: what it has of a date, a time and a zone.
    private struct Moment {
        var day: Int64?
        var nanos: Int64?
        var offset: Int32?
        var zone: String?

        init(_ t: TemporalValue) {
            day = t.day
            nanos = t.nanosOfDay
            offset = t.offset
            zone = t.zoneName
        }

        /// Seconds and nanoseconds on a common scale: the instant for zoned values, else the local time.
        var scale: (Int64, Int64) {
            let n = nanos ?? 0
            let s = (day ?? 0) &* CivilCalendar.secondsPerDay &+ n / nps &- Int64(offset ?? 0)
            return (s, n % nps)
        }

        /// Re-reads the offset of a named zone for the local date-time.
        mutating func resolveZone() {
            guard let zone, let day,
                let t = TemporalZone.resolve(day: day, nanos: nanos ?? 0, offset: offset, zone: zone)
            else { return }
            self.day = t.day
            self.nanos = t.nanosOfDay
            self.offset = t.offset
        }
    }

    /// The duration from `a` to `b` (negative when `b` is earlier), as `duration.between` and
    /// `duration.inMonths/inDays/inSeconds` give it. A missing date, time or zone on one side is taken from the
    /// other (a date alone is midnight). Nil when the result overflows.
    package static func between(_ a: TemporalValue, _ b: TemporalValue, _ unit: Unit) -> TemporalDuration? {
        var x = Moment(a), y = Moment(b)
        if unit == .seconds {
            if x.nanos == nil { x.nanos = 0 }
            if y.nanos == nil { y.nanos = 0 }
        } else if x.nanos != nil, y.nanos == nil {
            y.nanos = 0
        } else if y.nanos != nil, x.nanos == nil {
            x.nanos = 0
        }
        if x.day != nil, y.day == nil { y.day = x.day } else if y.day != nil, x.day == nil { x.day = y.day }
        if x.offset != nil, y.offset == nil {
            y.offset = x.offset
            y.zone = x.zone
            y.resolveZone()
        } else if y.offset != nil, x.offset == nil {
            x.offset = y.offset
            x.zone = y.zone
            x.resolveZone()
        }
        guard let xDay = x.day, let yDay0 = y.day else {
            // Times of day only: the difference of their times (in UTC when zoned).
            guard unit == .all || unit == .seconds else { return .zero }
            return difference(x.scale, y.scale)
        }
        // Zoned: see the end in the start's zone, so that months and days count local calendar days.
        var yDay = yDay0, yNanos = y.nanos ?? 0
        if let xo = x.offset, y.offset != nil {
            let (s, n) = y.scale
            let target: TemporalZone.Spec = x.zone.map { .named($0) } ?? .offset(xo)
            if let t = TemporalZone.atInstant(epochSecond: s, nano: n, target), let d = t.day, let tn = t.nanosOfDay {
                yDay = d
                yNanos = tn
            }
        }
        let xNanos = x.nanos ?? 0
        var endDay = yDay
        if endDay > xDay && yNanos < xNanos { endDay -= 1 } else if endDay < xDay && yNanos > xNanos { endDay += 1 }
        switch unit {
        case .months: return TemporalDuration(months: monthsUntil(xDay, endDay))
        case .days: return TemporalDuration(days: endDay - xDay)
        case .seconds: return difference(x.scale, y.scale)
        case .all:
            let months = monthsUntil(xDay, endDay)
            guard let afterMonths = CivilCalendar.addMonths(xDay, months) else { return nil }
            let days = endDay - afterMonths
            var mid = x
            mid.day = afterMonths + days
            mid.resolveZone()
            guard let rest = difference(mid.scale, y.scale) else { return nil }
            return TemporalDuration(months: months, days: days, seconds: rest.seconds, nanos: rest.nanos)
        }
    }

    private static func difference(_ a: (Int64, Int64), _ b: (Int64, Int64)) -> TemporalDuration? {
        let (s, o) = b.0.subtractingReportingOverflow(a.0)
        guard !o else { return nil }
        return TemporalDuration(seconds: s, nanos: b.1 - a.1)
    }

    /// Whole months from one date to another, truncated toward zero (java.time's `LocalDate.until`).
    private static func monthsUntil(_ a: Int64, _ b: Int64) -> Int64 {
        let (y1, m1, d1) = CivilCalendar.civil(a), (y2, m2, d2) = CivilCalendar.civil(b)
        let p1 = (y1 * 12 + m1 - 1) * 32 + d1, p2 = (y2 * 12 + m2 - 1) * 32 + d2
        return (p2 - p1) / 32
    }

    /// The value with everything below `unit` reset: `millennium`, `century`, `decade`, `year`, `weekYear`,
    /// `quarter`, `month`, `week`, `day`, `hour`, `minute`, `second`, `millisecond`, `microsecond`.
    package static func truncate(_ t: TemporalValue, _ unit: String) -> TemporalValue? {
        var day = t.day, nanos = t.nanosOfDay
        let timeUnits: [String: Int64] = [
            "hour": 3_600_000_000_000, "minute": 60_000_000_000, "second": 1_000_000_000, "millisecond": 1_000_000,
            "microsecond": 1000, "nanosecond": 1,
        ]
        if let size = timeUnits[unit] {
            nanos = nanos.map { $0 - $0 % size }
        } else {
            guard let d = day ?? (unit == "day" ? 0 : nil) else { return nil }
            let (y, m, _) = CivilCalendar.civil(d)
            let truncated: Int64
            switch unit {
            case "millennium": truncated = CivilCalendar.epochDay(y / 1000 * 1000, 1, 1)
            case "century": truncated = CivilCalendar.epochDay(y / 100 * 100, 1, 1)
            case "decade": truncated = CivilCalendar.epochDay(y / 10 * 10, 1, 1)
            case "year": truncated = CivilCalendar.epochDay(y, 1, 1)
            case "weekYear": truncated = CivilCalendar.firstMondayOfWeekYear(CivilCalendar.weekDate(d).weekYear)
            case "quarter": truncated = CivilCalendar.firstDay(year: y, quarter: CivilCalendar.quarter(ofMonth: m))
            case "month": truncated = CivilCalendar.epochDay(y, m, 1)
            case "week": truncated = d - (CivilCalendar.dayOfWeek(d) - 1)
            case "day": truncated = d
            default: return nil
            }
            if day != nil { day = truncated }
            if nanos != nil { nanos = 0 }
        }
        switch t {
        case .date: return .date(day: day ?? 0)
        case .localTime: return .localTime(nanos: nanos ?? 0)
        case .time(_, let o): return .time(nanos: nanos ?? 0, offset: o)
        case .localDateTime: return .localDateTime(day: day ?? 0, nanos: nanos ?? 0)
        case .dateTime(_, _, let o, let z): return .dateTime(day: day ?? 0, nanos: nanos ?? 0, offset: o, zone: z)
        }
    }
}
