import CIQLSyntax

/// How long one statement may run and how much memory its materialising operators (ORDER BY, aggregation,
/// DISTINCT, collect(), Eager, path searches, collected results) may hold; exceeding either ends the statement
/// with an error that names the limit, its value and how to change it.
public struct StatementLimits: Sendable, Equatable {
    /// Seconds; nil for no limit.
    public var timeout: Double?
    /// Bytes (estimated); nil for no limit.
    public var maximumMemory: Int?
    /// How the user changes the time limit where the statement came from (`--timeout SECONDS`, `:timeout SECONDS`).
    public var timeoutHint: String
    /// How the user changes the memory budget.
    public var memoryHint: String

    public init(
        timeout: Double? = nil, maximumMemory: Int? = nil, timeoutHint: String = "--timeout SECONDS",
        memoryHint: String = "--max-memory SIZE"
    ) {
        self.timeout = timeout
        self.maximumMemory = maximumMemory
        self.timeoutHint = timeoutHint
        self.memoryHint = memoryHint
    }

    /// No time limit and no memory budget (tests, prepared queries).
    public static let none = StatementLimits()

    /// The default time limit of `query`, `impact` and each statement of the shell: 5 minutes.
    public static let defaultTimeout = 300.0
    /// The default time limit of one audit rule: 1 minute (the nightly audit must end).
    public static let defaultRuleTimeout = 60.0
    /// The default memory budget per statement: 1 GiB.
    public static let defaultMaximumMemory = 1 << 30

    /// The defaults for a command-line statement.
    public static let standard = StatementLimits(timeout: defaultTimeout, maximumMemory: defaultMaximumMemory)

    /// `--timeout` as given: 0 means no limit.
    public static func timeout(seconds: Double) -> Double? { seconds > 0 ? seconds : nil }

    /// A size like `512M`, `2G`, `1048576` or `0` (no budget): bytes, or nil when the text is not a size.
    public static func parseSize(_ text: String) -> Int?? {
        var digits = Substring(text.trimmingCharacters())
        // 512M, 512MB, 512MiB all mean 512 × 2^20 bytes.
        if digits.uppercased().hasSuffix("IB") {
            digits = digits.dropLast(2)
        } else if digits.count > 1, digits.uppercased().hasSuffix("B"), let before = digits.dropLast().last, before.isLetter {
            digits = digits.dropLast()
        }
        var scale = 1
        if let last = digits.last?.uppercased() {
            switch last {
            case "K": scale = 1 << 10
            case "M": scale = 1 << 20
            case "G": scale = 1 << 30
            case "T": scale = 1 << 40
            default: break
            }
            if scale > 1 { digits = digits.dropLast() }
        }
        if digits.last == "i" || digits.last == "I" { return nil }
        guard let n = Int(digits), n >= 0 else { return nil }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        return .some(bytes == 0 ? nil : bytes)
    }

    /// `300 s`, `1.5 s`.
    public static func describeSeconds(_ s: Double) -> String {
        s == s.rounded() && s < 1e15 ? "\(Int64(s)) s" : "\(s) s"
    }

    /// `1 GiB`, `512 MiB`, `1000 bytes`.
    public static func describeBytes(_ b: Int) -> String {
        for (unit, size) in [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where b >= size {
            return b % size == 0 ? "\(b / size) \(unit)" : "\((Double(b) / Double(size) * 10).rounded() / 10) \(unit)"
        }
        return "\(b) bytes"
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
