/// A duration as openCypher keeps it: months, days, and seconds with nanoseconds, each kept apart because a
/// month and a day have no fixed length (`P1M` after January 31 is February 28/29; `P1D` across a daylight
/// saving change is 23 or 25 hours).
///
/// `nanos` is always in `0..<1_000_000_000`; the time part is `seconds + nanos / 10⁹` (so −0.5 s is
/// `seconds: -1, nanos: 500_000_000`).
public struct TemporalDuration: Hashable, Sendable, CustomStringConvertible {
    public private(set) var months: Int64
    public private(set) var days: Int64
    public private(set) var seconds: Int64
    public private(set) var nanos: Int64

    /// Nil when a component overflows.
    public init?(months: Int64 = 0, days: Int64 = 0, seconds: Int64 = 0, nanos: Int64 = 0) {
        let carry = CivilCalendar.floorDiv(nanos, CivilCalendar.nanosPerSecond)
        let (s, o) = seconds.addingReportingOverflow(carry)
        guard !o else { return nil }
        self.months = months
        self.days = days
        self.seconds = s
        self.nanos = nanos - carry * CivilCalendar.nanosPerSecond
    }

    private init(normalizedMonths months: Int64, days: Int64, seconds: Int64, nanos: Int64) {
        self.months = months
        self.days = days
        self.seconds = seconds
        self.nanos = nanos
    }

    public static let zero = TemporalDuration(normalizedMonths: 0, days: 0, seconds: 0, nanos: 0)

    /// A month's average length, 30.436875 days (the Gregorian cycle's), as openCypher uses for fractions
    /// of months and for ordering durations.
    public static let secondsPerMonth: Int64 = 2_629_746

    /// The seconds of the time part, truncated toward zero, and the nanoseconds with the same sign.
    public var signedTime: (seconds: Int64, nanos: Int64) {
        if seconds < 0 && nanos > 0 { return (seconds + 1, nanos - CivilCalendar.nanosPerSecond) }
        return (seconds, nanos)
    }

    public var negated: TemporalDuration? {
        guard months != .min, days != .min, seconds != .min else { return nil }
        return TemporalDuration(months: -months, days: -days, seconds: -seconds, nanos: -nanos)
    }

    public static func + (a: TemporalDuration, b: TemporalDuration) -> TemporalDuration? {
        let m = a.months.addingReportingOverflow(b.months), d = a.days.addingReportingOverflow(b.days)
        let s = a.seconds.addingReportingOverflow(b.seconds)
        guard !m.overflow, !d.overflow, !s.overflow else { return nil }
        return TemporalDuration(months: m.partialValue, days: d.partialValue, seconds: s.partialValue, nanos: a.nanos + b.nanos)
    }

    /// Every component multiplied by an integer.
    public func multiplied(by k: Int64) -> TemporalDuration? {
        let m = months.multipliedReportingOverflow(by: k), d = days.multipliedReportingOverflow(by: k)
        let s = seconds.multipliedReportingOverflow(by: k), n = nanos.multipliedReportingOverflow(by: k)
        guard !m.overflow, !d.overflow, !s.overflow, !n.overflow else { return nil }
        let carry = n.partialValue / CivilCalendar.nanosPerSecond
        let total = s.partialValue.addingReportingOverflow(carry)
        guard !total.overflow else { return nil }
        return TemporalDuration(
            months: m.partialValue, days: d.partialValue, seconds: total.partialValue,
            nanos: n.partialValue - carry * CivilCalendar.nanosPerSecond)
    }

    /// Every component scaled by a factor; fractions of months flow into days (at the average month length) and
    /// fractions of days into seconds, as openCypher does for `duration * 0.5` and `duration / 2`.
    public func scaled(by factor: Double) -> TemporalDuration? {
        var b = Builder()
        b.add(months: Double(months) * factor)
        b.add(days: Double(days) * factor)
        b.add(seconds: Double(seconds) * factor)
        b.add(nanos: Double(nanos) * factor)
        return b.duration
    }

    /// Accumulates a duration from whole and fractional components: whole ones exactly, fractions cascading down.
    public struct Builder: Sendable {
        var months: Int64 = 0
        var days: Int64 = 0
        var seconds: Int64 = 0
        var nanos: Int64 = 0
        var nanoFraction: Double = 0
        public private(set) var overflow = false

        public init() {}

        private mutating func add(_ field: WritableKeyPath<Builder, Int64>, _ x: Int64) {
            let (r, o) = self[keyPath: field].addingReportingOverflow(x)
            if o { overflow = true } else { self[keyPath: field] = r }
        }

        private func whole(_ x: Double) -> Int64? {
            guard x.isFinite, abs(x) < 9.2e18 else { return nil }
            return Int64(x.rounded(.towardZero))
        }

        public mutating func add(months k: Int64, scale: Int64 = 1) {
            let (r, o) = k.multipliedReportingOverflow(by: scale)
            if o { overflow = true } else { add(\.months, r) }
        }

        public mutating func add(days k: Int64, scale: Int64 = 1) {
            let (r, o) = k.multipliedReportingOverflow(by: scale)
            if o { overflow = true } else { add(\.days, r) }
        }

        /// `k` units of `unitNanos` nanoseconds (an hour, a minute, a second, …).
        public mutating func add(time k: Int64, unitNanos: Int64) {
            if unitNanos >= CivilCalendar.nanosPerSecond {
                let (r, o) = k.multipliedReportingOverflow(by: unitNanos / CivilCalendar.nanosPerSecond)
                if o { overflow = true } else { add(\.seconds, r) }
            } else {
                let per = CivilCalendar.nanosPerSecond / unitNanos
                add(\.seconds, k / per)
                add(\.nanos, (k % per) * unitNanos)
            }
        }

        public mutating func add(months x: Double) {
            guard let w = whole(x) else { overflow = true; return }
            add(\.months, w)
            let rest = x - Double(w)
            if rest != 0 { add(days: rest * Double(TemporalDuration.secondsPerMonth) / 86_400) }
        }

        public mutating func add(days x: Double) {
            guard let w = whole(x) else { overflow = true; return }
            add(\.days, w)
            let rest = x - Double(w)
            if rest != 0 { add(seconds: rest * 86_400) }
        }

        public mutating func add(seconds x: Double) {
            guard let w = whole(x) else { overflow = true; return }
            add(\.seconds, w)
            let rest = x - Double(w)
            if rest != 0 { add(nanos: rest * 1e9) }
        }

        public mutating func add(nanos x: Double) {
            guard let w = whole(x) else { overflow = true; return }
            add(\.nanos, w)
            nanoFraction += x - Double(w)
        }

        public var duration: TemporalDuration? {
            guard !overflow else { return nil }
            // Fractions of a nanosecond are cut off (as openCypher does), except float noise near a whole one.
            let nearest = nanoFraction.rounded()
            let whole = abs(nanoFraction - nearest) < 1e-4 ? nearest : nanoFraction.rounded(.towardZero)
            let n = nanos.addingReportingOverflow(Int64(whole))
            guard !n.overflow else { return nil }
            return TemporalDuration(months: months, days: days, seconds: seconds, nanos: n.partialValue)
        }
    }

    /// ISO 8601 as openCypher writes it: `P1Y2M3DT4H5M6.5S`, each part with its own sign (`PT-1.999S`),
    /// `PT0S` for zero.
    public var description: String {
        var s = "P"
        let years = months / 12, restMonths = months % 12
        if years != 0 { s += "\(years)Y" }
        if restMonths != 0 { s += "\(restMonths)M" }
        if days != 0 { s += "\(days)D" }
        let (secs, n) = signedTime
        if secs != 0 || n != 0 {
            s += "T"
            let hours = secs / 3600, minutes = secs % 3600 / 60, rest = secs % 60
            if hours != 0 { s += "\(hours)H" }
            if minutes != 0 { s += "\(minutes)M" }
            if rest != 0 || n != 0 {
                if rest == 0 && n < 0 { s += "-" }
                s += "\(rest)"
                if n != 0 { s += "." + TemporalText.fraction(abs(n), trimmed: true) }
                s += "S"
            }
        }
        return s == "P" ? "PT0S" : s
    }
}
