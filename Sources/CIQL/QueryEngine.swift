public import CIQLResults
public import CIQLValues
public import CIQLSyntax
public import CMDB
public import GraphStorage
import Glibc

/// Runs CIQL statements against a CMDB: reads in one read transaction (a consistent snapshot), each
/// writing statement in one write transaction recorded with its change reference.
public final class QueryEngine: Sendable {
    public let database: ConfigurationDatabase
    let procedureTable: [String: ProcedureDefinition]
    /// Plans of read-only statements by shape, for `run`.
    let planCache: PlanCache

    public init(database: ConfigurationDatabase, procedures: [ProcedureDefinition] = [], planCacheSize: Int = 256) {
        self.database = database
        var table: [String: ProcedureDefinition] = [:]
        for p in BuiltinProcedures.all + procedures { table[p.name.lowercased()] = p }
        self.procedureTable = table
        self.planCache = PlanCache(capacity: planCacheSize)
    }

    /// Parses and runs every statement of `text` in turn, each into the sink `sinkFor` gives it.
    ///
    /// Nothing runs when any statement has a syntax error. A read-only query whose shape (its text with other
    /// literal values) ran before reuses that plan, without being parsed or planned again (see `PlanCache`);
    /// `sinkFor` is then given the statement that was planned, which differs from this one only in literals.
    public func run(
        _ text: String, parameters: [String: Value] = [:], change: ChangeInfo,
        cancellation: CancellationFlag? = nil, limits: StatementLimits = .none, sinkFor: (Statement) -> any ResultSink
    ) throws {
        try ExecutionContext.checkNesting(ofParameters: parameters)
        // The caller's reference is checked here, reads or not, as each statement's USING CHANGE is by `execute`
        // (a statement with one is never served from the plan cache).
        if let problem = ChangeReference.problem(with: change.changeReference) {
            throw CIQLError(.semantic, .limit(.tooLarge), problem, at: nil)
        }
        let shapes = try StatementShapes(text)
        // One plan-cache key per shape of the text, made when the shape first occurs.
        var keys: [PlanCache.Key] = []
        for shape in shapes.statements {
            if let n = shape.shapeNumber, n == keys.count, let bytes = shape.key { keys.append(PlanCache.Key(bytes)) }
        }
        // Parse each statement of a shape not seen before first, so that a syntax error anywhere runs nothing.
        // Statements of a shape already parsed parse too: the grammar does not look at literal values.
        var parsed: [Int: Statement] = [:]
        var seen = [Bool](repeating: false, count: keys.count)
        for index in shapes.statements.indices {
            if let n = shapes.statements[index].shapeNumber, n < keys.count {
                if seen[n] || planCache.contains(keys[n]) { continue }
                seen[n] = true
            }
            do {
                parsed[index] = try shapes.parse(index)
            } catch {
                // The whole text's parse reports this error together with those found after recovering from it.
                _ = try CIQLParser.parse(text)
                throw error
            }
        }
        let usesHiddenNames = parameters.keys.contains { $0.hasPrefix(PlanCache.hiddenPrefix) }
        for index in shapes.statements.indices {
            do {
                if !usesHiddenNames, let n = shapes.statements[index].shapeNumber, n < keys.count,
                    try runCached(shapes, index, keys[n], parsed[index], parameters, cancellation, limits, sinkFor)
                {
                    continue
                }
                let statement = try parsed[index] ?? shapes.parse(index)
                try execute(
                    statement, parameters: parameters, change: change, cancellation: cancellation, limits: limits,
                    into: sinkFor(statement))
            } catch var error as CIQLError where error.location == nil {
                // An error of the whole statement (its time limit, its memory budget, Ctrl-C) names the statement:
                // in a file of many, the place is how the user finds which one.
                error.location = shapes.statements[index].location
                throw error
            }
        }
    }

    /// Runs statement `index` through the plan cache when it is a read-only query; false when it is not one.
    private func runCached(
        _ shapes: StatementShapes, _ index: Int, _ key: PlanCache.Key, _ parsed: Statement?,
        _ parameters: [String: Value], _ cancellation: CancellationFlag?, _ limits: StatementLimits,
        _ sinkFor: (Statement) -> any ResultSink
    ) throws -> Bool {
        let shape = shapes.statements[index]
        let started = Self.microsecondsNow()
        return try database.store.read { tx in
            try planCache.validate(tx)
            var entry = planCache.take(key, shape.literals)
            if entry == nil {
                let statement = try parsed ?? shapes.parse(index)
                guard case .query(let query) = statement.body, statement.mode == .run, statement.changeReference == nil,
                    !Self.writes(query)
                else { return false }
                entry = try makeEntry(statement, query, shapes, index, tx)
            }
            guard let entry else { return false }
            defer { planCache.put(key, entry) }
            var values = parameters
            if entry.hiddenParameterCount > 0 { values.reserveCapacity(parameters.count + entry.hiddenParameterCount) }
            for (name, literal) in zip(entry.parameterNames, shape.literals) {
                if let name { values[name] = literal.value.value }
            }
            do {
                // A plan does not depend on the source it reads (AS OF plans with the present counts), so an AS OF
                // statement reuses it over the past; the point in time is a literal of the shape, never a hidden
                // parameter, so it is this statement's own.
                var source: any GraphSource = LiveGraph(tx)
                var asOf: TransactionNumber?
                if let point = entry.statement.asOf {
                    let txn = try resolve(point, tx, values)
                    asOf = txn
                    source = try PastGraphSource(tx, asOf: txn)
                }
                try runPlan(entry.plan, entry.statement, source, tx, writer: nil, values, cancellation, limits,
                    sinkFor(entry.statement), started, asOf: asOf)
            } catch var error as CIQLError {
                // The plan's locations are those of the statement it was made from: point at this one's instead.
                if let at = error.location {
                    let position = entry.tokenOffsets.firstIndex(of: at.offset - entry.base)
                    error.location = position.flatMap { shapes.location(ofToken: $0, inStatement: index) } ?? shape.location
                }
                throw error
            }
            return true
        }
    }

    /// Whether a statement of this shape (`StatementShapes`' key) ran before as a read-only query whose plan is
    /// cached: such a statement parses and does not write, so it can run without being parsed first.
    package func hasCachedPlan(forShape key: [UInt8]) -> Bool { planCache.contains(PlanCache.Key(key)) }

    /// Plans `statement` with its parameterisable literals read from hidden parameters (see `PlanCache`).
    private func makeEntry(
        _ statement: Statement, _ query: Query, _ shapes: StatementShapes, _ index: Int, _ tx: GraphTransaction
    ) throws -> PlanCache.Entry {
        let literals = shapes.statements[index].literals
        let regions = LiteralRegions.parameterisable(query)
        let planner = Planner(
            schema: database.schema, statistics: try PlanningStatistics.of(LiveGraph(tx), tx), procedures: procedureTable)
        planner.pastNames = PastNames.of(statement, tx)
        for (i, literal) in literals.enumerated() where regions.contains(literal.offset) {
            planner.literalParameters[literal.offset] = PlanCache.parameterName(i)
        }
        let plan = try planner.plan(query)
        let used = planner.usedLiteralParameters
        let offsets = shapes.tokenOffsets(index)
        return PlanCache.Entry(
            statement: statement, plan: plan,
            parameterNames: literals.enumerated().map { used.contains($1.offset) ? PlanCache.parameterName($0) : nil },
            spellings: literals.map(\.spelling), tokenOffsets: offsets,
            base: shapes.statements[index].location.offset)
    }

    /// Runs one read-only query and returns its rows (for tests, rules and procedures).
    public func query(
        _ text: String, parameters: [String: Value] = [:], limits: StatementLimits = .none
    ) throws -> CollectingSink {
        let sink = CollectingSink(limits: limits)
        let statements = try CIQLParser.parse(text)
        guard statements.count == 1, let statement = statements.first else {
            throw CIQLError(.semantic, .semantic(.invalidQuery), "expected one statement, found \(statements.count)")
        }
        try execute(
            statement, parameters: parameters, change: ChangeInfo(actor: "query", changeReference: nil, origin: "query"),
            limits: limits, into: sink)
        return sink
    }

    /// Runs one read-only query inside a transaction the caller holds (one snapshot shared with other work,
    /// as the nightly audit needs for its CIQL rules).
    public func query(
        _ text: String, parameters: [String: Value] = [:], in tx: GraphTransaction, limits: StatementLimits = .none
    ) throws -> CollectingSink {
        let sink = CollectingSink(limits: limits)
        try query(text, parameters: parameters, in: tx, limits: limits, into: sink)
        return sink
    }

    /// Runs one read-only query inside a transaction the caller holds, into `sink`.
    public func query(
        _ text: String, parameters: [String: Value] = [:], in tx: GraphTransaction, limits: StatementLimits = .none,
        into sink: any ResultSink
    ) throws {
        let statements = try CIQLParser.parse(text)
        guard statements.count == 1, let statement = statements.first, case .query(let query) = statement.body,
            statement.asOf == nil, statement.mode == .run
        else {
            throw CIQLError(.semantic, .semantic(.invalidQuery), "expected one query (no AS OF, EXPLAIN or CMDB statement)")
        }
        guard !Self.writes(query) else {
            throw CIQLError(.semantic, .semantic(.invalidQuery), "this query writes; only reading queries can run here", at: statement.location)
        }
        try ExecutionContext.checkNesting(ofParameters: parameters)
        try runQuery(query, statement, LiveGraph(tx), tx, writer: nil, parameters, nil, limits, sink, Self.microsecondsNow())
    }

    /// Runs one reading query (no AS OF) against `source`, a view of `tx`: how tests compare graph sources.
    func query(_ text: String, source: any GraphSource, in tx: GraphTransaction) throws -> CollectingSink {
        let statements = try CIQLParser.parse(text)
        guard statements.count == 1, let statement = statements.first, case .query(let query) = statement.body,
            statement.asOf == nil, statement.mode == .run, !Self.writes(query)
        else {
            throw CIQLError(.semantic, .semantic(.invalidQuery), "expected one reading query without AS OF")
        }
        let sink = CollectingSink()
        try runQuery(query, statement, source, tx, writer: nil, [:], nil, .none, sink, Self.microsecondsNow())
        return sink
    }

    /// Runs one statement.
    public func execute(
        _ statement: Statement, parameters: [String: Value] = [:], change: ChangeInfo,
        cancellation: CancellationFlag? = nil, limits: StatementLimits = .none, into sink: any ResultSink
    ) throws {
        try ExecutionContext.checkNesting(ofParameters: parameters)
        // The statement's time limit (and Ctrl-C) counts the wait for another writer's lock: past it, nothing is
        // written, so a client that gave up and retries does not write twice.
        let begun = monotonicNanoseconds()
        let deadline = ExecutionContext.deadline(of: limits, from: begun)
        do {
            try WriteLockWait.whileWaiting({ try ExecutionContext.checkLimits(cancellation, deadline, limits) }) {
                try execute(statement, parameters: parameters, change: change, cancellation: cancellation, limits: limits, into: sink, begun: begun)
            }
        } catch var error as CIQLError where error.location == nil {
            // As `run` does: the server's writes come here directly.
            error.location = statement.location
            throw error
        }
    }

    private func execute(
        _ statement: Statement, parameters: [String: Value], change: ChangeInfo, cancellation: CancellationFlag?,
        limits: StatementLimits, into sink: any ResultSink, begun: UInt64
    ) throws {
        let started = Self.microsecondsNow()
        var info = change
        // The statement's USING CHANGE wins over the caller's (the CLI's --change, the REPL's :change); a blank one
        // is none, so it leaves the caller's in force.
        info.changeReference = ChangeReference.given(statement.changeReference) ?? ChangeReference.given(change.changeReference)
        if let problem = ChangeReference.problem(with: info.changeReference) {
            throw CIQLError(.semantic, .limit(.tooLarge), problem, at: statement.location)
        }
        switch statement.body {
        case .query(let query):
            if Self.writes(query) {
                if statement.asOf != nil {
                    throw CIQLError(.semantic, .history(.invalidAsOf), "AS OF reads the past; a statement that writes always changes the present", at: statement.location)
                }
                if statement.mode == .explain {
                    try database.store.read { tx in
                        try runQuery(query, statement, LiveGraph(tx), tx, writer: nil, parameters, cancellation, limits, sink, started)
                    }
                    return
                }
                // Output waits for the commit: an attempt may be rolled back and run again, or fail to commit.
                let committed = try database.write(info) { tx in
                    let attempt = BufferingSink(limits: limits)
                    try runQuery(
                        query, statement, LiveGraph(tx), tx, writer: tx, parameters, cancellation, limits, attempt, started,
                        begun: begun)
                    return attempt
                }
                try committed.replay(into: sink)
            } else {
                try database.store.read { tx in
                    var source: any GraphSource = LiveGraph(tx)
                    var asOf: TransactionNumber?
                    if let point = statement.asOf {
                        let txn = try resolve(point, tx, parameters)
                        asOf = txn
                        source = try PastGraphSource(tx, asOf: txn)
                    }
                    try runQuery(query, statement, source, tx, writer: nil, parameters, cancellation, limits, sink, started, asOf: asOf)
                }
            }
        default:
            var asOf: TransactionNumber?
            if let point = statement.asOf, case .showClasses = statement.body {
                asOf = try database.store.read { tx in try resolve(point, tx, parameters) }
            }
            try StatusAccounting(database: database, parameters: parameters, asOf: asOf, cancellation: cancellation, limits: limits)
                .execute(statement, change: info, into: sink, started: started)
        }
    }

    private func runQuery(
        _ query: Query, _ statement: Statement, _ source: any GraphSource, _ tx: GraphTransaction,
        writer: GraphTransaction?, _ parameters: [String: Value], _ cancellation: CancellationFlag?,
        _ limits: StatementLimits, _ sink: any ResultSink, _ started: Int64, asOf: TransactionNumber? = nil,
        begun: UInt64? = nil
    ) throws {
        let statistics = try PlanningStatistics.of(source, tx)
        let planner = Planner(schema: database.schema, statistics: statistics, procedures: procedureTable)
        planner.pastNames = PastNames.of(statement, tx)
        let plan = try planner.plan(query)
        try runPlan(
            plan, statement, source, tx, writer: writer, parameters, cancellation, limits, sink, started, asOf: asOf,
            begun: begun)
    }

    private func runPlan(
        _ plan: QueryPlan, _ statement: Statement, _ source: any GraphSource, _ tx: GraphTransaction,
        writer: GraphTransaction?, _ parameters: [String: Value], _ cancellation: CancellationFlag?,
        _ limits: StatementLimits, _ sink: any ResultSink, _ started: Int64, asOf: TransactionNumber? = nil,
        begun: UInt64? = nil
    ) throws {
        let graph = ResultGraph(source)
        defer {
            (source as? LiveGraph)?.close()
            (source as? PastGraphSource)?.close()
        }
        var summary = StatementSummary()
        summary.asOf = asOf
        if statement.mode == .explain {
            try PlanPrinter.emit(plan.root, profiled: false, into: sink, graph: graph)
            summary.microseconds = Self.microsecondsNow() - started
            try sink.end(summary)
            return
        }
        let ctx = ExecutionContext(
            source: source, writer: writer, live: source as? LiveGraph, schema: database.schema,
            parameters: parameters, statementTime: Self.microsecondsNow(), cancellation: cancellation, limits: limits,
            startedAt: begun)
        let profiling = statement.mode == .profile
        if profiling { plan.root.setProfiling(true) }
        try plan.root.open(Row(repeating: .null, count: plan.width), ctx)
        if !profiling { try sink.begin(columns: plan.columns, graph: graph) }
        // A statement without RETURN has no result rows, only its side effects.
        let returns = !plan.columns.isEmpty
        while let row = try plan.root.next(ctx) {
            guard returns else { continue }
            summary.rows += 1
            if !profiling { try sink.row(plan.columnSlots.map { row[$0] }) }
        }
        // Rules the writes broke on the way hold for the state that commits, or the statement is refused.
        try ctx.checkDeferredWrites()
        if profiling { try PlanPrinter.emit(plan.root, profiled: true, into: sink, graph: graph) }
        summary.counters = ctx.counters
        // Only a write that changed something is committed (`GraphStore.write`): only then has it a transaction.
        summary.writes = writer != nil
        if writer != nil, tx.hasChanges { summary.transaction = tx.number }
        summary.microseconds = Self.microsecondsNow() - started
        try sink.end(summary)
    }

    /// The transaction an `AS OF` names.
    private func resolve(_ point: AsOf, _ tx: GraphTransaction, _ parameters: [String: Value]) throws -> TransactionNumber {
        // `AS OF TX 42`, as typed: no planner and no evaluation (a planner costs more than the lookup it serves).
        if case .transaction(let e) = point, case .int(let n) = e.kind, n >= 0 {
            return try pastTransaction(TransactionNumber(n), tx, e.location)
        }
        let ctx = ExecutionContext(
            source: LiveGraph(tx), writer: nil, live: nil, schema: database.schema, parameters: parameters,
            statementTime: Self.microsecondsNow(), cancellation: nil)
        let planner = Planner(schema: database.schema, statistics: .none, procedures: [:])
        /// The point's value, in a row as wide as its plan (a pattern comprehension in it runs a plan of its own).
        func value(_ e: Expression) throws -> Value {
            let compiled = try planner.compile(e, Scope())
            var row = Row(repeating: .null, count: planner.layout.width)
            return try ctx.evaluate(compiled, &row)
        }
        switch point {
        case .time(let e):
            // A string or temporal value, as `datetime(…)` reads it: a date is its midnight, a local time UTC.
            let v = try ctx.constructTemporal(.datetime, [try value(e)], e.location)
            guard case .temporal(let t) = v, let micros = t.epochMicros else {
                throw CIQLError(.semantic, .history(.invalidAsOf), "AS OF needs a time", at: e.location)
            }
            return try tx.transaction(atTime: micros)
        case .transaction(let e):
            guard case .int(let n) = try value(e), n >= 0 else {
                throw CIQLError(.semantic, .history(.invalidAsOf), "AS OF TX needs a transaction number (see `cmdb status` or SHOW BASELINES)", at: e.location)
            }
            return try pastTransaction(TransactionNumber(n), tx, e.location)
        case .baseline(let e):
            guard case .string(let name) = try value(e) else {
                throw CIQLError(.semantic, .history(.invalidAsOf), "AS OF BASELINE needs a baseline name", at: e.location)
            }
            guard let baseline = try Baselines.find(name, tx) else {
                throw try Baselines.unknown(name, tx).ciqlError(at: e.location)
            }
            return baseline.transaction
        }
    }

    /// `AS OF TX n` names a transaction that happened.
    private func pastTransaction(_ n: TransactionNumber, _ tx: GraphTransaction, _ at: SourceLocation) throws -> TransactionNumber {
        do {
            return try PastTransactions.checked(n, tx)
        } catch let error as FutureTransactionError {
            throw CIQLError(.semantic, .history(.invalidAsOf), "AS OF TX \(n): " + error.message, at: at)
        }
    }

    package static func writes(_ query: Query) -> Bool {
        query.parts.contains { part in
            part.clauses.contains { clause in
                switch clause.kind {
                case .create, .merge, .set, .remove, .delete: true
                default: false
                }
            }
        }
    }

    static func microsecondsNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}

/// EXPLAIN and PROFILE output: one row per operator, indented by depth.
enum PlanPrinter {
    static func emit(_ root: PlanOperator, profiled: Bool, into sink: any ResultSink, graph: ResultGraph) throws {
        try sink.begin(columns: profiled ? ["operator", "details", "rows", "ms"] : ["operator", "details"], graph: graph)
        var rows: [[Value]] = []
        root.walk { op, depth in
            let name = String(repeating: "  ", count: depth) + op.name
            var row: [Value] = [.string(name), .string(op.detail)]
            if profiled {
                row.append(.int(Int64(op.rowsProduced)))
                row.append(.float((Double(op.nanoseconds) / 1e4).rounded() / 100))
            }
            rows.append(row)
        }
        for row in rows { try sink.row(row) }
    }
}
