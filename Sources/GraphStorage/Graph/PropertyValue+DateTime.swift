/// UTC date-times in microseconds, for the places that keep instants (transaction times, stamps, AS OF).
/// Parsing goes through `ISO8601Parser`, the one grammar for dates and times.
public enum ISODateTime {
    /// Parses a date-time (`2026-11-22T02:00:00Z`, `2026-11-22T02:00+01:00`, `2026-11-22T02:00[Europe/Amsterdam]`)
    /// or a date (midnight UTC) to microseconds since the epoch; a date-time without an offset is UTC.
    ///
    /// Returns nil for anything else, including impossible dates such as February 30.
    public static func parse(_ text: String) -> Int64? {
        ISO8601Parser.dateTime(text)?.epochMicros
    }

    /// Formats as `2026-11-22T02:00:00Z`, with fractional seconds only when there are any.
    public static func format(_ micros: Int64) -> String {
        let day = CivilCalendar.floorDiv(micros, 86_400_000_000)
        let inDay = CivilCalendar.floorMod(micros, 86_400_000_000)
        let secs = inDay / 1_000_000, fraction = inDay % 1_000_000
        var text = TemporalText.date(day) + "T"
        text += "\(TemporalText.pad(secs / 3600, 2)):\(TemporalText.pad(secs % 3600 / 60, 2)):\(TemporalText.pad(secs % 60, 2))"
        if fraction != 0 { text += "." + TemporalText.fraction(fraction * 1000, trimmed: true) }
        return text + "Z"
    }
}
