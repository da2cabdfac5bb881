import CIQLResults
import CIQLValues
import CIQLSyntax
import Glibc

/// The clock deadlines are measured on: monotonic nanoseconds.
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

extension ExecutionContext {
    /// Throws when the statement was cancelled (Ctrl-C) or ran past its deadline.
    func checkLimits() throws {
        try Self.checkLimits(cancellation, deadline, limits)
    }

    /// The deadline of a statement with `limits` that began at `start` (monotonic nanoseconds); `.max` for none.
    static func deadline(of limits: StatementLimits, from start: UInt64) -> UInt64 {
        guard let timeout = limits.timeout, timeout > 0, timeout < 1e9 else { return .max }
        return start &+ UInt64(timeout * 1e9)
    }

    /// Throws when `cancellation` is set or `deadline` passed: `Limit.Cancelled`, `Limit.Timeout`.
    static func checkLimits(_ cancellation: CancellationFlag?, _ deadline: UInt64, _ limits: StatementLimits) throws {
        if let cancellation, cancellation.isCancelled {
            throw CIQLError(.runtime, .limit(.cancelled), "the statement was cancelled")
        }
        if deadline != .max, monotonicNanoseconds() > deadline, let timeout = limits.timeout {
            throw CIQLError(
                .runtime, .limit(.timeout),
                "the statement ran longer than its time limit of \(StatementLimits.describeSeconds(timeout)) and was "
                    + "stopped (change the limit with \(limits.timeoutHint); 0 means no limit)")
        }
    }

    /// Counts `bytes` more held by a materialising operator (`what`: ORDER BY, DISTINCT …) against the budget.
    func charge(_ bytes: Int, for what: String) throws {
        memoryUsed &+= bytes
        if memoryUsed > memoryLimit, let budget = limits.maximumMemory {
            throw memoryExceeded(what, budget)
        }
    }

    func release(_ bytes: Int) { memoryUsed &-= bytes }

    /// A single value (a list built by range() or a comprehension) may not exceed the whole budget.
    func checkValueSize(_ bytes: Int, for what: String) throws {
        if bytes > memoryLimit, let budget = limits.maximumMemory { throw memoryExceeded(what, budget) }
    }

    private func memoryExceeded(_ what: String, _ budget: Int) -> CIQLError {
        CIQLError(
            .runtime, .limit(.memory),
            "the statement needs more memory than its budget of \(StatementLimits.describeBytes(budget)) (for \(what)) "
                + "and was stopped (change the budget with \(limits.memoryHint); 0 means no budget)")
    }
}

/// The memory one operator has charged, so it can give it back when it starts over or finishes.
struct MemoryAccount {
    private(set) var bytes = 0
    /// The statement (`ExecutionContext.serial`) the bytes are charged to. A cached plan's operator runs again for
    /// the next statement of its shape: what it held for the last one is not that statement's to release.
    private var statement: UInt64 = 0

    mutating func charge(_ n: Int, for what: String, _ ctx: ExecutionContext) throws {
        forget(unless: ctx)
        bytes &+= n
        try ctx.charge(n, for: what)
    }

    mutating func release(_ n: Int, _ ctx: ExecutionContext) {
        forget(unless: ctx)
        let m = min(n, bytes)
        bytes -= m
        ctx.release(m)
    }

    private mutating func forget(unless ctx: ExecutionContext) {
        if statement != ctx.serial {
            statement = ctx.serial
            bytes = 0
        }
    }

    mutating func releaseAll(_ ctx: ExecutionContext) { release(bytes, ctx) }
}
