/// ISO-8601 date-times for `PropertyValue.datetime`: parsed to UTC microseconds, printed with a `Z`.
public enum ISODateTime {
    /// Parses `2026-11-22`, `2026-11-22T02:00:00Z`, `2026-11-22T02:00:00.5+01:00` and the like.
    ///
    /// Returns nil for anything else, including impossible dates such as February 30.
    public static func parse(_ text: String) -> Int64? {
        var s = Substring(text).utf8[...]
        func digits(_ n: Int) -> Int? {
            guard s.count >= n else { return nil }
            var v = 0
            for b in s.prefix(n) {
                guard b >= 48, b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            s = s.dropFirst(n)
            return v
        }
        func take(_ c: UInt8) -> Bool {
            guard s.first == c else { return false }
            s = s.dropFirst()
            return true
        }
        guard let year = digits(4), take(45), let month = digits(2), take(45), let day = digits(2),
            (1...12).contains(month), day >= 1, day <= daysInMonth(year, month)
        else { return nil }
        var seconds = daysFromCivil(year, month, day) * 86_400
        var micros = 0
        if s.isEmpty { return Int64(seconds) * 1_000_000 }
        guard take(84) || take(116) || take(32), let hour = digits(2), take(58), let minute = digits(2),
            hour < 24, minute < 60
        else { return nil }
        seconds += hour * 3600 + minute * 60
        if take(58) {
            guard let second = digits(2), second < 61 else { return nil }
            seconds += second
            if take(46) || take(44) {
                var scale = 100_000
                var count = 0
                while let b = s.first, b >= 48, b <= 57 {
                    if scale > 0 { micros += Int(b - 48) * scale }
                    scale /= 10
                    count += 1
                    s = s.dropFirst()
                }
                guard count > 0 else { return nil }
            }
        }
        if take(90) || take(122) {
        } else if let sign = s.first, sign == 43 || sign == 45 {
            s = s.dropFirst()
            guard let oh = digits(2), oh < 24 else { return nil }
            _ = take(58)
            guard let om = digits(2), om < 60 else { return nil }
            let offset = oh * 3600 + om * 60
            seconds += sign == 43 ? -offset : offset
        } else if !s.isEmpty {
            return nil
        }
        guard s.isEmpty else { return nil }
        return Int64(seconds) * 1_000_000 + Int64(micros)
    }

    /// Formats as `2026-11-22T02:00:00Z`, with fractional seconds only when there are any.
    public static func format(_ micros: Int64) -> String {
        var seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = Int(micros - seconds * 1_000_000)
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        seconds -= days * 86_400
        let (y, m, d) = civilFromDays(Int(days))
        days = 0
        func pad(_ v: Int, _ width: Int) -> String {
            let t = String(v)
            return t.count >= width ? t : String(repeating: "0", count: width - t.count) + t
        }
        let secs = Int(seconds)
        var text = "\(y < 0 ? "-" : "")\(pad(abs(y), 4))-\(pad(m, 2))-\(pad(d, 2))T"
        text += "\(pad(secs / 3600, 2)):\(pad(secs % 3600 / 60, 2)):\(pad(secs % 60, 2))"
        if fraction != 0 {
            var f = pad(fraction, 6)
            while f.hasSuffix("0") { f.removeLast() }
            text += "." + f
        }
        return text + "Z"
    }

    public static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    public static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
