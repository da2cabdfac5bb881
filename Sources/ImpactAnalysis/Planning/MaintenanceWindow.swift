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

    /// Whether every instant of `window` falls inside one occurrence of one span.
    public func contains(_ window: ChangeWindow, timeZone: TimeZone) -> Bool {
        let start = Self.localMinutes(window.start, timeZone)
        // Round the end up to a whole minute so that a window ending at 06:00:30 is not inside 02:00-06:00.
        let end = Self.localMinutes(window.end + 59, timeZone)
        let duration = end - start
        guard duration <= Self.week else { return false }
        let minuteOfWeek = Self.minuteOfWeek(start)
        for span in storedSpans {
            let offset = ((minuteOfWeek - span.start) % Self.week + Self.week) % Self.week
            if offset + duration <= span.length { return true }
        }
        return false
    }

    /// Wall-clock minutes since 1970-01-01 00:00 local time, for an instant in seconds.
    static func localMinutes(_ seconds: Int64, _ zone: TimeZone) -> Int {
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let local = seconds + Int64(offset)
        return Int((local - ((local % 60) + 60) % 60) / 60)
    }

    /// The minute of the week (Monday 00:00 = 0) of local minutes since the epoch (a Thursday).
    static func minuteOfWeek(_ localMinutes: Int) -> Int {
        let days = localMinutes >= 0 ? localMinutes / 1440 : (localMinutes - 1439) / 1440
        let weekday = ((days + 3) % 7 + 7) % 7
        return weekday * 1440 + (localMinutes - days * 1440)
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
