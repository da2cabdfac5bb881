/// A date, a time of day or both, with or without a time zone: openCypher's five temporal types.
///
/// Days are epoch days (days since 1970-01-01), times of day nanoseconds since midnight, offsets seconds east
/// of UTC. A datetime keeps its local date and time together with the offset in force there and, for a named
/// zone (`Europe/Amsterdam`), the zone's identifier; its instant is the local time minus the offset.
///
/// Equality here (`Hashable`) is representational, as storage needs it: the same instant in two zones is two
/// values. CIQL's `=` and ordering compare instants (`compareInstants`).
public enum TemporalValue: Hashable, Sendable {
    case date(day: Int64)
    case localTime(nanos: Int64)
    case time(nanos: Int64, offset: Int32)
    case localDateTime(day: Int64, nanos: Int64)
    case dateTime(day: Int64, nanos: Int64, offset: Int32, zone: String?)

    /// The type's name as CIQL spells it (`valueType`, errors).
    public var typeName: String {
        switch self {
        case .date: "DATE"
        case .localTime: "LOCAL TIME"
        case .time: "ZONED TIME"
        case .localDateTime: "LOCAL DATETIME"
        case .dateTime: "ZONED DATETIME"
        }
    }

    /// The type's name as the schema spells it.
    public var schemaTypeName: String {
        switch self {
        case .date: "date"
        case .localTime: "localtime"
        case .time: "time"
        case .localDateTime: "localdatetime"
        case .dateTime: "datetime"
        }
    }

    /// The epoch day, for the types with a date.
    public var day: Int64? {
        switch self {
        case .date(let d), .localDateTime(let d, _), .dateTime(let d, _, _, _): d
        case .localTime, .time: nil
        }
    }

    /// Nanoseconds since midnight (local), for the types with a time; nil for a date.
    public var nanosOfDay: Int64? {
        switch self {
        case .date: nil
        case .localTime(let n), .time(let n, _), .localDateTime(_, let n), .dateTime(_, let n, _, _): n
        }
    }

    /// The offset from UTC in seconds, for the types with a zone.
    public var offset: Int32? {
        switch self {
        case .time(_, let o), .dateTime(_, _, let o, _): o
        default: nil
        }
    }

    /// The named zone's identifier, if any.
    public var zoneName: String? {
        if case .dateTime(_, _, _, let z) = self { return z }
        return nil
    }

    /// A datetime at an instant in UTC (`Z`), from microseconds since 1970-01-01T00:00:00Z: the form in which
    /// transaction times, stamps and the schema's `datetime` attributes are kept.
    public static func instant(micros: Int64) -> TemporalValue {
        let day = CivilCalendar.floorDiv(micros, 86_400_000_000)
        return .dateTime(day: day, nanos: CivilCalendar.floorMod(micros, 86_400_000_000) * 1000, offset: 0, zone: nil)
    }

    /// A datetime at an instant, seen in a zone (named or fixed): `offset` is the zone's offset there.
    public static func dateTime(epochSecond: Int64, nano: Int64, offset: Int32, zone: String?) -> TemporalValue {
        let local = epochSecond &+ Int64(offset)
        let day = CivilCalendar.floorDiv(local, CivilCalendar.secondsPerDay)
        let nanos = (local - day * CivilCalendar.secondsPerDay) * CivilCalendar.nanosPerSecond + nano
        return .dateTime(day: day, nanos: nanos, offset: offset, zone: zone)
    }

    /// The epoch days a temporal value may hold: a little beyond the years ±999,999,999 (which constructors and
    /// arithmetic check), so that calendar arithmetic on them cannot overflow.
    public static let days: ClosedRange<Int64> = -366_000_000_000...366_000_000_000

    /// Whether the value's date, if any, is within the years openCypher allows.
    public var isInRange: Bool {
        guard let day else { return true }
        return Self.days.contains(day)
    }

    /// For a datetime: seconds since 1970-01-01T00:00:00Z and the nanoseconds within that second.
    public var epochInstant: (seconds: Int64, nanos: Int64)? {
        guard case .dateTime(let day, let nanos, let offset, _) = self else { return nil }
        let seconds = day &* CivilCalendar.secondsPerDay &+ nanos / CivilCalendar.nanosPerSecond &- Int64(offset)
        return (seconds, nanos % CivilCalendar.nanosPerSecond)
    }

    /// For a datetime: microseconds since 1970-01-01T00:00:00Z (saturating far outside ±290,000 years).
    public var epochMicros: Int64? {
        guard let (s, n) = epochInstant else { return nil }
        let (m, o) = s.multipliedReportingOverflow(by: 1_000_000)
        if o { return s < 0 ? .min : .max }
        return m.addingReportingOverflow(n / 1000).partialValue
    }

    /// For a time: the time of day in UTC, in nanoseconds (may leave 0..<1 day), which orders times.
    public var utcNanosOfDay: Int64? {
        guard case .time(let n, let o) = self else { return nil }
        return n - Int64(o) * CivilCalendar.nanosPerSecond
    }

    /// How two values of the same type order: dates and local values by their fields, times by their time in
    /// UTC, datetimes by their instant. Nil for values of different types.
    public static func compareInstants(_ a: TemporalValue, _ b: TemporalValue) -> Int? {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case let (.date(x), .date(y)): return cmp(x, y)
        case let (.localTime(x), .localTime(y)): return cmp(x, y)
        case (.time, .time):
            guard let x = a.utcNanosOfDay, let y = b.utcNanosOfDay else { return nil }
            return cmp(x, y)
        case let (.localDateTime(d1, n1), .localDateTime(d2, n2)): return d1 != d2 ? cmp(d1, d2) : cmp(n1, n2)
        case (.dateTime, .dateTime):
            guard let x = a.epochInstant, let y = b.epochInstant else { return nil }
            return x.seconds != y.seconds ? cmp(x.seconds, y.seconds) : cmp(x.nanos, y.nanos)
        default: return nil
        }
    }
}
