/// The proleptic Gregorian calendar on epoch days (days since 1970-01-01), as ISO 8601 counts them:
/// civil dates, ISO week dates, ordinal days and quarters. Pure integer arithmetic, no time zones.
public enum CivilCalendar {
    public static let nanosPerSecond: Int64 = 1_000_000_000
    public static let secondsPerDay: Int64 = 86_400
    public static let nanosPerDay: Int64 = 86_400_000_000_000
    /// The years a temporal value may hold, as in Neo4j and java.time.
    public static let years: ClosedRange<Int64> = -999_999_999...999_999_999

    /// `a / b` rounded toward negative infinity (`b > 0`).
    @inlinable public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// `a mod b` in `0..<b` (`b > 0`).
    @inlinable public static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        let r = a % b
        return r < 0 ? r + b : r
    }

    public static func isLeapYear(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return isLeapYear(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func daysInYear(_ y: Int64) -> Int64 { isLeapYear(y) ? 366 : 365 }

    /// Whether `y-m-d` is a real date.
    public static func isValid(_ y: Int64, _ m: Int64, _ d: Int64) -> Bool {
        years.contains(y) && (1...12).contains(m) && d >= 1 && d <= daysInMonth(y, m)
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    public static func epochDay(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of an epoch day.
    public static func civil(_ epochDay: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = epochDay + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// ISO day of the week: Monday = 1 … Sunday = 7.
    public static func dayOfWeek(_ epochDay: Int64) -> Int64 { floorMod(epochDay + 3, 7) + 1 }

    /// The day of the year, 1-based.
    public static func ordinalDay(_ epochDay: Int64) -> Int64 {
        epochDay - self.epochDay(civil(epochDay).year, 1, 1) + 1
    }

    /// The epoch day of the Monday of week 1 of ISO week-year `y` (the week holding January 4th).
    public static func firstMondayOfWeekYear(_ y: Int64) -> Int64 {
        let jan4 = epochDay(y, 1, 4)
        return jan4 - (dayOfWeek(jan4) - 1)
    }

    /// 52 or 53.
    public static func weeksInWeekYear(_ y: Int64) -> Int64 {
        (firstMondayOfWeekYear(y + 1) - firstMondayOfWeekYear(y)) / 7
    }

    /// The ISO week date of an epoch day.
    public static func weekDate(_ epochDay: Int64) -> (weekYear: Int64, week: Int64, dayOfWeek: Int64) {
        var y = civil(epochDay).year
        if epochDay >= firstMondayOfWeekYear(y + 1) {
            y += 1
        } else if epochDay < firstMondayOfWeekYear(y) {
            y -= 1
        }
        return (y, (epochDay - firstMondayOfWeekYear(y)) / 7 + 1, dayOfWeek(epochDay))
    }

    /// The epoch day of an ISO week date, or nil when the week does not exist in that week-year.
    public static func epochDay(weekYear: Int64, week: Int64, dayOfWeek: Int64) -> Int64? {
        guard years.contains(weekYear), week >= 1, week <= weeksInWeekYear(weekYear), (1...7).contains(dayOfWeek)
        else { return nil }
        return firstMondayOfWeekYear(weekYear) + (week - 1) * 7 + dayOfWeek - 1
    }

    /// 1…4.
    public static func quarter(ofMonth m: Int64) -> Int64 { (m - 1) / 3 + 1 }

    /// The epoch day of the first day of a quarter.
    public static func firstDay(year: Int64, quarter: Int64) -> Int64 { epochDay(year, (quarter - 1) * 3 + 1, 1) }

    /// `y-m-d` plus `months`, the day clamped to the new month's length (January 31 + 1 month = February 28/29).
    public static func addMonths(_ epochDay: Int64, _ months: Int64) -> Int64? {
        guard months != 0 else { return epochDay }
        let (y, m, d) = civil(epochDay)
        let (total, overflow) = (y * 12 + (m - 1)).addingReportingOverflow(months)
        guard !overflow else { return nil }
        let year = floorDiv(total, 12), month = floorMod(total, 12) + 1
        guard years.contains(year) else { return nil }
        return self.epochDay(year, month, min(d, daysInMonth(year, month)))
    }
}
