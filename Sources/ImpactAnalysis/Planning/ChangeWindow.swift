public import Foundation
import GraphStorage

/// When a change happens: a span of time `START/END`, both instants.
public struct ChangeWindow: Sendable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// Parses `START/END`: ISO-8601 date-times such as `2026-11-22T02:00/2026-11-22T04:30`; a time without
    /// `Z` or an offset is local time in `timeZone`. Seconds are optional.
    ///
    /// - Throws: `PlanningError` saying what is wrong and what would be right.
    public static func parse(_ text: String, timeZone: TimeZone) throws -> ChangeWindow {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw PlanningError.badWindow(text, "expected START/END", zone: timeZone)
        }
        guard let start = parseInstant(String(parts[0]), timeZone: timeZone) else {
            throw PlanningError.badWindow(text, "cannot read the start '\(parts[0])'", zone: timeZone)
        }
        guard let end = parseInstant(String(parts[1]), timeZone: timeZone) else {
            throw PlanningError.badWindow(text, "cannot read the end '\(parts[1])'", zone: timeZone)
        }
        guard end > start else { throw PlanningError.badWindow(text, "the end is not after the start", zone: timeZone) }
        return ChangeWindow(start: start, end: end)
    }

    /// Whether the two windows share any instant.
    public func overlaps(_ other: ChangeWindow) -> Bool { start < other.end && other.start < end }

    /// `2026-11-22 02:00–04:30 Europe/Amsterdam`, in `timeZone`.
    public func formatted(in timeZone: TimeZone) -> String {
        let a = Self.localParts(start, timeZone), b = Self.localParts(end, timeZone)
        let endText = a.date == b.date ? b.time : "\(b.date) \(b.time)"
        return "\(a.date) \(a.time)–\(endText) \(timeZone.planningName)"
    }

    /// ISO-8601 in UTC, for JSON: `2026-11-22T01:00:00Z`.
    public static func isoUTC(_ seconds: Int64) -> String {
        let p = localParts(seconds, TimeZone(secondsFromGMT: 0) ?? .current)
        return "\(p.date)T\(p.time):\(pad2(Int(((seconds % 60) + 60) % 60)))Z"
    }

    /// The local date (`yyyy-MM-dd`, proleptic Gregorian, 4-digit years as CIQL writes them) and time (`HH:mm`)
    /// of an instant in `zone`.
    static func localParts(_ seconds: Int64, _ zone: TimeZone) -> (date: String, time: String) {
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        let local = seconds + offset
        let day = CivilCalendar.floorDiv(local, 86_400)
        let second = local - day * 86_400
        return (TemporalText.date(day), "\(pad2(Int(second / 3600))):\(pad2(Int(second % 3600 / 60)))")
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// An ISO-8601 date-time in any form `ISO8601Parser` reads (`2026-11-22T02:00`, `2026-11-22 02:00:00+01:00`,
    /// `20261122T0200Z`, `2026-11-22T02:00[Europe/Amsterdam]`, a date alone for its midnight); without an offset or
    /// zone it is local time in `timeZone`. Seconds since the epoch, fractions dropped.
    static func parseInstant(_ text: String, timeZone: TimeZone) -> Int64? {
        guard let p = ISO8601Parser.dateTimeParts(text) else { return nil }
        let resolved: TemporalValue?
        if p.offset != nil || p.zone != nil {
            resolved = TemporalZone.resolve(day: p.day, nanos: p.nanos, offset: p.offset, zone: p.zone)
        } else if TimeZoneRules.isKnown(timeZone.identifier) {
            resolved = TemporalZone.resolve(day: p.day, nanos: p.nanos, offset: nil, zone: timeZone.identifier)
        } else {
            resolved = TemporalZone.resolve(day: p.day, nanos: p.nanos, offset: Int32(timeZone.secondsFromGMT()), zone: nil)
        }
        return resolved?.epochInstant?.seconds
    }
}
