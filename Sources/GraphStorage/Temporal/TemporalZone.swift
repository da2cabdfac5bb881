/// Resolving a local date-time against a zone.
public enum TemporalZone {
    /// A zone as written in a map or string: `Z`, `+01:00`, `-0530`, `Europe/Amsterdam`.
    public enum Spec: Sendable, Equatable {
        case offset(Int32)
        case named(String)

        public static func parse(_ text: String) -> Spec? {
            if let o = ISO8601Parser.offsetOnly(text) { return .offset(o) }
            return TimeZoneRules.isKnown(text) ? .named(text) : nil
        }
    }

    /// The datetime at a local date-time in a zone. With a zone name the name decides the offset (`offset`,
    /// when valid there, picks between the two of an overlap); without one `offset` is used.
    public static func resolve(day: Int64, nanos: Int64, offset: Int32?, zone: String?) -> TemporalValue? {
        guard let zone else {
            guard let offset else { return nil }
            return .dateTime(day: day, nanos: nanos, offset: offset, zone: nil)
        }
        let local = day &* CivilCalendar.secondsPerDay &+ nanos / CivilCalendar.nanosPerSecond
        if let offset, TimeZoneRules.offset(zone, atEpochSecond: local &- Int64(offset)) == offset {
            return .dateTime(day: day, nanos: nanos, offset: offset, zone: zone)
        }
        guard let r = TimeZoneRules.resolve(zone, localEpochSecond: local) else { return nil }
        return .dateTime(
            epochSecond: r.local &- Int64(r.offset), nano: nanos % CivilCalendar.nanosPerSecond, offset: r.offset,
            zone: zone)
    }

    /// The datetime at an instant, seen in a zone.
    public static func atInstant(epochSecond: Int64, nano: Int64, _ spec: Spec) -> TemporalValue? {
        switch spec {
        case .offset(let o): return .dateTime(epochSecond: epochSecond, nano: nano, offset: o, zone: nil)
        case .named(let name):
            guard let o = TimeZoneRules.offset(name, atEpochSecond: epochSecond) else { return nil }
            return .dateTime(epochSecond: epochSecond, nano: nano, offset: o, zone: name)
        }
    }
}
