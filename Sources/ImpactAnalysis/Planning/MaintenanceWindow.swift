public import Foundation

/// A business service's weekly maintenance window, as its `maintenance_window` attribute writes it.
///
/// Accepted: `Sun 02:00-06:00`, `Sat 22:00-Sun 06:00`, `Daily 01:00-05:00`, several joined by `,` or `;`
/// (`Sun 02:00-06:00, Wed 18:00-22:00`). Day names in English, three letters or in full, any case. An end at
/// or before the start on the same day runs past midnight. Times are local wall-clock times in the
/// database's time zone.
public struct MaintenanceWindow: Sendable, Hashable {
    /// Spans as (start minute of the week, length in minutes); the week starts Monday 00:00.
    public var spans: [(start: Int, length: Int)] {
        get { storedSpans.map { ($0.start, $0.length) } }
    }
    private var storedSpans: [Span]
    public let text: String

    private struct Span: Hashable {
        var start: Int
        var length: Int
    }

    static let week = 7 * 24 * 60
    private static let dayNames = [
        ["mon", "monday"], ["tue", "tues", "tuesday"], ["wed", "wednesday"], ["thu", "thur", "thurs", "thursday"],
        ["fri", "friday"], ["sat", "saturday"], ["sun", "sunday"],
    ]

    /// Parses the attribute; nil when it does not follow the forms above.
    public init?(_ text: String) {
        self.text = text
        var spans: [Span] = []
        for part in text.split(whereSeparator: { $0 == "," || $0 == ";" }) {
            let words = part.split(separator: " ").map { $0.lowercased() }
            guard !words.isEmpty else { return nil }
            if words.count == 2, let (from, to) = Self.times(words[1]) {
                // DAY HH:MM-HH:MM or Daily HH:MM-HH:MM
                let days: [Int]
                if words[0] == "daily" || words[0] == "everyday" {
                    days = Array(0..<7)
                } else if let day = Self.day(words[0]) {
                    days = [day]
                } else {
                    return nil
                }
                var length = to - from
                if length <= 0 { length += 24 * 60 }
                for day in days { spans.append(Span(start: day * 1440 + from, length: length)) }
            } else if words.count == 3, let startDay = Self.day(words[0]) {
                // DAY HH:MM-DAY HH:MM
                let middle = words[1].split(separator: "-")
                guard middle.count == 2, let from = Self.minute(String(middle[0])),
                    let endDay = Self.day(String(middle[1])), let to = Self.minute(words[2])
                else { return nil }
                let start = startDay * 1440 + from
                var length = endDay * 1440 + to - start
                if length <= 0 { length += Self.week }
                spans.append(Span(start: start, length: length))
            } else {
                return nil
            }
        }
        guard !spans.isEmpty else { return nil }
        storedSpans = spans
    }

    /// Whether `window` is inside the maintenance window: at every moment of it the clock in `timeZone` shows a
    /// time inside some occurrence of some span. Spans that meet or overlap join (`Sat 00:00-24:00, Sun
    /// 00:00-24:00` holds a change from Saturday 23:00 to Sunday 01:00), and the change may be longer than a week.
    ///
    /// Daylight-saving changes follow from reading the clock at each moment: when clocks go back, both passes
    /// through the repeated hour count (`Sun 02:00-02:30` holds 02:00-02:30 summer time and 02:00-02:30 winter
    /// time, not the half hour of summer time between them); when clocks go forward, the skipped local times
    /// hold no moment (a change from 01:30 to 03:30 across the skip is inside `Sun 01:30-03:30`, and nothing
    /// is inside a span lying wholly in the skipped hour). Instants to the second: a change ending at 06:00:30
    /// is not inside `02:00-06:00`.
    public func contains(_ window: ChangeWindow, timeZone: TimeZone) -> Bool {
        let cover = weekCover()
        if cover.count == 1, cover[0].start == 0, cover[0].end == Self.weekSeconds { return true }
        // Split the change where the zone's offset from UTC changes: within a piece, local time runs with the
        // instants, so the piece is one stretch of local time to look up in the week.
        var t = window.start
        while t < window.end {
            let offset = Self.offset(t, timeZone)
            let pieceEnd = Self.nextOffsetChange(after: t, before: window.end, offset: offset, timeZone)
            guard Self.covers(cover, from: t + offset, to: pieceEnd + offset) else { return false }
            t = pieceEnd
        }
        return true
    }

    private static let weekSeconds = Int64(week) * 60

    /// The union of the spans over one week, as sorted, disjoint, non-adjacent `[start, end)` seconds of the week
    /// (Monday 00:00 = 0); a span running past the end of the week continues at its start.
    private func weekCover() -> [(start: Int64, end: Int64)] {
        var pieces: [(start: Int64, end: Int64)] = []
        for span in storedSpans {
            let start = Int64(span.start) * 60, end = start + Int64(span.length) * 60
            if end <= Self.weekSeconds {
                pieces.append((start, end))
            } else {
                pieces.append((start, Self.weekSeconds))
                pieces.append((0, min(end - Self.weekSeconds, Self.weekSeconds)))
            }
        }
        pieces.sort { $0.start < $1.start }
        var merged: [(start: Int64, end: Int64)] = []
        for piece in pieces {
            if let last = merged.last, piece.start <= last.end {
                merged[merged.count - 1].end = max(last.end, piece.end)
            } else {
                merged.append(piece)
            }
        }
        return merged
    }

    /// Whether the week's cover holds every local second in `[from, to)` (seconds since 1970-01-01 00:00 local).
    /// The cover has a gap every week (a full cover is answered before), so this stops within a week.
    private static func covers(_ cover: [(start: Int64, end: Int64)], from: Int64, to: Int64) -> Bool {
        var at = from
        while at < to {
            // 1970-01-01 was a Thursday, three days after a Monday.
            let secondOfWeek = ((at + 3 * 86_400) % weekSeconds + weekSeconds) % weekSeconds
            guard let piece = cover.first(where: { $0.start <= secondOfWeek && secondOfWeek < $0.end }) else { return false }
            at += piece.end - secondOfWeek
        }
        return true
    }

    private static func offset(_ seconds: Int64, _ zone: TimeZone) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
    }

    /// The first instant after `t` and at most `limit` where the zone's offset differs from `offset`, or `limit`.
    /// Foundation names the daylight-saving transitions; the offset just before the one found is checked too
    /// (bisecting for an earlier change), so a change of standard offset is not missed.
    private static func nextOffsetChange(after t: Int64, before limit: Int64, offset: Int64, _ zone: TimeZone) -> Int64 {
        var end = limit
        if let next = zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: TimeInterval(t))) {
            let seconds = next.timeIntervalSince1970.rounded(.up)
            if seconds > Double(t), seconds < Double(limit) { end = Int64(seconds) }
        }
        guard Self.offset(end - 1, zone) != offset else { return end }
        // The offset changed before `end`: the first second with another offset, between t + 1 and end - 1.
        var low = t + 1, high = end - 1
        while low < high {
            let middle = low + (high - low) / 2
            if Self.offset(middle, zone) != offset { high = middle } else { low = middle + 1 }
        }
        return low
    }

    private static func day(_ word: String) -> Int? {
        dayNames.firstIndex { $0.contains(word) }
    }

    private static func times(_ word: String) -> (Int, Int)? {
        let parts = word.split(separator: "-")
        guard parts.count == 2, let a = minute(String(parts[0])), let b = minute(String(parts[1])) else { return nil }
        return (a, b)
    }

    /// `HH:MM` → minutes after midnight; `24:00` is the end of the day.
    private static func minute(_ word: String) -> Int? {
        let parts = word.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            h >= 0, m >= 0, m < 60, h < 24 || (h == 24 && m == 0)
        else { return nil }
        return h * 60 + m
    }

    public static func == (a: MaintenanceWindow, b: MaintenanceWindow) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}
