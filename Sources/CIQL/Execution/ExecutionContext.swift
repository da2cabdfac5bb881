import CIQLResults
import CIQLValues
import CIQLSyntax
import ConfigurationSchema
import GraphStorage
import LinearRegex
import Synchronization

/// A row flowing between operators: one value per slot the planner allocated for the query.
typealias Row = [Value]

/// Everything operators and expressions need while a statement runs.
final class ExecutionContext {
    let source: any GraphSource
    /// The write transaction when the statement writes; nil for reads.
    let writer: GraphTransaction?
    let live: LiveGraph?
    let schema: Schema
    let parameters: [String: Value]
    /// `datetime()` without arguments: one instant for the whole statement, as Cypher requires.
    let statementTime: Int64
    let cancellation: CancellationFlag?
    let limits: StatementLimits
    /// When the statement must end (monotonic nanoseconds); `.max` for no time limit.
    let deadline: UInt64
    /// The memory budget in bytes (`Int.max` for none), and what materialising operators hold now.
    let memoryLimit: Int
    var memoryUsed = 0
    var counters = UpdateCounters()
    /// The CIs this statement created (a SET on one that leaves out `status` gives it the default again).
    var createdNodes = Set<NodeID>()
    /// Schema rules this statement's writes broke on the way, checked again before it commits.
    var deferredChecks = DeferredChecks()
    /// Compiled regular expressions by pattern, so `=~` in a filter compiles once.
    var regexCache: [String: LinearRegex] = [:]
    private var checks = 0
    /// This statement's number in the process, so an operator of a cached plan tells its statements apart (see
    /// `MemoryAccount`); a context's address can be reused by the next one.
    let serial = ExecutionContext.serials.add(1, ordering: .relaxed).newValue
    private static let serials = Atomic<UInt64>(0)

    init(
        source: any GraphSource, writer: GraphTransaction?, live: LiveGraph?, schema: Schema,
        parameters: [String: Value], statementTime: Int64, cancellation: CancellationFlag?,
        limits: StatementLimits = .none, startedAt: UInt64? = nil
    ) {
        self.limits = limits
        // A write's time counts from before it waited for the write lock (`startedAt`).
        deadline = Self.deadline(of: limits, from: startedAt ?? monotonicNanoseconds())
        memoryLimit = limits.maximumMemory ?? .max
        self.source = source
        self.writer = writer
        self.live = live
        self.schema = schema
        self.parameters = parameters
        self.statementTime = statementTime
        self.cancellation = cancellation
    }

    /// Throws when the user cancelled the statement (Ctrl-C in the REPL) or it ran past its time limit; cheap
    /// enough for inner loops (the clock is read every 1024 calls).
    @inline(__always)
    func checkCancelled() throws {
        checks &+= 1
        if checks & 1023 == 0 { try checkLimits() }
    }

    func node(_ nid: NodeID) throws -> StoredNode? { try source.node(nid) }
}

/// Set from another thread (a signal handler's helper) to stop a running statement at the next check.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public func reset() { flag.store(false, ordering: .relaxed) }
}
