import Glibc

/// A time limit for a whole job (verify): checked as the job reads and compares, it ends the job with an error that
/// names the limit and how to change it, before anything is written.
public struct JobDeadline: Sendable {
    public let seconds: Double
    /// How the user changes the limit, e.g. `--timeout SECONDS`.
    public let hint: String
    private let end: UInt64

    /// Nil when `seconds` is nil or 0 (no limit).
    public init?(seconds: Double?, hint: String = "--timeout SECONDS") {
        guard let seconds, seconds > 0, seconds < 1e9 else { return nil }
        self.seconds = seconds
        self.hint = hint
        end = Self.now() &+ UInt64(seconds * 1e9)
    }

    public func check() throws(JobTimeoutError) {
        if Self.now() > end { throw JobTimeoutError(seconds: seconds, hint: hint) }
    }

    private static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// A job ran past its time limit (exit 2; nothing was written).
public struct JobTimeoutError: Error, Sendable, CustomStringConvertible {
    public var seconds: Double
    public var hint: String
    /// What the job was doing when its time ran out ("applying 'cis.jsonl', after line 10240"), when it says.
    public var stage: String?

    public init(seconds: Double, hint: String, stage: String? = nil) {
        self.seconds = seconds
        self.hint = hint
        self.stage = stage
    }

    public var description: String {
        let shown = seconds == seconds.rounded() ? String(Int64(seconds)) : String(seconds)
        return "the job ran longer than its time limit of \(shown) s and was stopped"
            + (stage.map { " while \($0)" } ?? "") + "; nothing was written "
            + "(change the limit with \(hint); 0 means no limit)"
    }
}
