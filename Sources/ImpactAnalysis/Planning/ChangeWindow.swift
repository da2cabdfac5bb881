public import Foundation

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

    static func localParts(_ seconds: Int64, _ zone: TimeZone) -> (date: String, time: String) {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let y = c.year ?? 1970
        return ("\(y)-\(pad2(c.month ?? 1))-\(pad2(c.day ?? 1))", "\(pad2(c.hour ?? 0)):\(pad2(c.minute ?? 0))")
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// `YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]`, also with a space instead of `T`.
    static func parseInstant(_ text: String, timeZone: TimeZone) -> Int64? {
        let s = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= s.count else { return nil }
            var n = 0
            for b in s[from..<(from + count)] {
                guard b >= 48 && b <= 57 else { return nil }
                n = n * 10 + Int(b - 48)
            }
            return n
        }
        guard s.count >= 16, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"),
            s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: " "), s[13] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60
        else { return nil }
        var i = 16
        var second = 0
        if i < s.count && s[i] == UInt8(ascii: ":") {
            guard let sec = number(i + 1, 2), sec < 60 else { return nil }
            second = sec
            i += 3
        }
        var offset: Int?
        if i < s.count {
            if s[i] == UInt8(ascii: "Z") && i + 1 == s.count {
                offset = 0
            } else if (s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-")) && i + 6 == s.count,
                s[i + 3] == UInt8(ascii: ":"), let h = number(i + 1, 2), let m = number(i + 4, 2), h < 24, m < 60
            {
                offset = (h * 3600 + m * 60) * (s[i] == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = offset.flatMap { TimeZone(secondsFromGMT: $0) } ?? timeZone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { return nil }
        // Reject dates the calendar had to roll over (February 30 becomes March 2).
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        return Int64(date.timeIntervalSince1970.rounded())
    }
}
