import GraphStorage

/// A date pattern such as `dd-MM-yyyy` or `d-M-yyyy HH:mm`: `yyyy`, `yy`, `MM`, `M`, `dd`, `d`, `HH`, `H`, `mm`,
/// `ss`; every other character is literal. Times are read as UTC.
public struct DateFormat: Sendable, Equatable {
    enum Token: Sendable, Equatable {
        case year4, year2, month2, month, day2, day, hour2, hour, minute2, second2
        case literal(Character)
    }

    let tokens: [Token]
    public let pattern: String

    /// Nil when the pattern has no day, month and year.
    public init?(_ pattern: String) {
        var tokens: [Token] = []
        var chars = Array(pattern)[...]
        let names: [(String, Token)] = [
            ("yyyy", .year4), ("yy", .year2), ("MM", .month2), ("M", .month), ("dd", .day2), ("d", .day),
            ("HH", .hour2), ("H", .hour), ("mm", .minute2), ("ss", .second2),
        ]
        outer: while !chars.isEmpty {
            for (name, token) in names where chars.starts(with: name) {
                tokens.append(token)
                chars = chars.dropFirst(name.count)
                continue outer
            }
            if let c = chars.first, c.isLetter { return nil }
            if let c = chars.first { tokens.append(.literal(c)) }
            chars = chars.dropFirst()
        }
        let hasYear = tokens.contains(.year4) || tokens.contains(.year2)
        let hasMonth = tokens.contains(.month2) || tokens.contains(.month)
        let hasDay = tokens.contains(.day2) || tokens.contains(.day)
        guard hasYear, hasMonth, hasDay else { return nil }
        self.tokens = tokens
        self.pattern = pattern
    }

    /// The instant (µs since the epoch, UTC) `text` stands for, or nil when it does not fit the pattern or names
    /// an impossible date.
    public func parse(_ text: String) -> Int64? {
        var s = Array(text.utf8)[...]
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        func number(min: Int, max: Int) -> Int? {
            var v = 0
            var n = 0
            while n < max, let b = s.first, b >= 48, b <= 57 {
                v = v * 10 + Int(b - 48)
                n += 1
                s = s.dropFirst()
            }
            return n >= min ? v : nil
        }
        for token in tokens {
            switch token {
            case .year4: guard let v = number(min: 4, max: 4) else { return nil }; year = v
            case .year2: guard let v = number(min: 2, max: 2) else { return nil }; year = 2000 + v
            case .month2: guard let v = number(min: 2, max: 2) else { return nil }; month = v
            case .month: guard let v = number(min: 1, max: 2) else { return nil }; month = v
            case .day2: guard let v = number(min: 2, max: 2) else { return nil }; day = v
            case .day: guard let v = number(min: 1, max: 2) else { return nil }; day = v
            case .hour2: guard let v = number(min: 2, max: 2) else { return nil }; hour = v
            case .hour: guard let v = number(min: 1, max: 2) else { return nil }; hour = v
            case .minute2: guard let v = number(min: 2, max: 2) else { return nil }; minute = v
            case .second2: guard let v = number(min: 2, max: 2) else { return nil }; second = v
            case .literal(let c):
                let bytes = Array(String(c).utf8)
                guard s.starts(with: bytes) else { return nil }
                s = s.dropFirst(bytes.count)
            }
        }
        guard s.isEmpty, (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return nil }
        let iso = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(hour, 2) + ":" + pad(minute, 2)
            + ":" + pad(second, 2) + "Z"
        return ISODateTime.parse(iso)
    }

    /// The instant written in this pattern (UTC).
    public func format(_ micros: Int64) -> String {
        // ISODateTime.format gives yyyy-MM-ddTHH:mm:ss[.ffffff]Z; take the fields from it.
        let iso = Array(ISODateTime.format(micros).utf8)
        func field(_ from: Int, _ count: Int) -> Int {
            var v = 0
            for b in iso[from..<min(iso.count, from + count)] where b >= 48 && b <= 57 { v = v * 10 + Int(b - 48) }
            return v
        }
        let year = field(0, 4), month = field(5, 2), day = field(8, 2)
        let hour = field(11, 2), minute = field(14, 2), second = field(17, 2)
        var out = ""
        for token in tokens {
            switch token {
            case .year4: out += pad(year, 4)
            case .year2: out += pad(year % 100, 2)
            case .month2: out += pad(month, 2)
            case .month: out += String(month)
            case .day2: out += pad(day, 2)
            case .day: out += String(day)
            case .hour2: out += pad(hour, 2)
            case .hour: out += String(hour)
            case .minute2: out += pad(minute, 2)
            case .second2: out += pad(second, 2)
            case .literal(let c): out.append(c)
            }
        }
        return out
    }

    /// Whether the pattern keeps the time of day (else an export of a time other than midnight loses it).
    var hasTime: Bool { tokens.contains(.hour2) || tokens.contains(.hour) }

    private func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
