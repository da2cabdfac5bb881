import CIQLSyntax
import ConfigurationSchema
import GraphStorage
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
    var counters = UpdateCounters()
    /// Compiled regular expressions by pattern, so `=~` in a filter compiles once.
    var regexCache: [String: Regex<AnyRegexOutput>] = [:]
    private var checks = 0

    init(
        source: any GraphSource, writer: GraphTransaction?, live: LiveGraph?, schema: Schema,
        parameters: [String: Value], statementTime: Int64, cancellation: CancellationFlag?
    ) {
        self.source = source
        self.writer = writer
        self.live = live
        self.schema = schema
        self.parameters = parameters
        self.statementTime = statementTime
        self.cancellation = cancellation
    }

    /// Throws when the user cancelled the statement (Ctrl-C in the REPL); cheap enough for inner loops.
    @inline(__always)
    func checkCancelled() throws {
        checks &+= 1
        if checks & 1023 == 0, let cancellation, cancellation.isCancelled {
            throw CIQLError(.runtime, .limit(.cancelled), "the statement was cancelled")
        }
    }

    func node(_ nid: NodeID) throws -> StoredNode? { try source.node(nid) }
}

/// What a writing statement changed, as Cypher tools report it.
public struct UpdateCounters: Sendable, Equatable {
    public var nodesCreated = 0
    public var nodesDeleted = 0
    public var relationshipsCreated = 0
    public var relationshipsDeleted = 0
    public var propertiesSet = 0
    public var labelsAdded = 0
    public var labelsRemoved = 0

    public init() {}

    public var isEmpty: Bool { self == UpdateCounters() }
}

/// Set from another thread (a signal handler's helper) to stop a running statement at the next check.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public func reset() { flag.store(false, ordering: .relaxed) }
}
