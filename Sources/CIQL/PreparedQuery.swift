public import CIQLResults
public import CIQLValues
import CIQLSyntax
import CMDB
import GraphStorage

/// A read query parsed and planned once, run many times with different parameters, each run in its own
/// read transaction (a snapshot): what applications and the benchmark do for repeated lookups.
public final class PreparedQuery {
    private let engine: QueryEngine
    private let plan: QueryPlan
    public let columns: [String]

    init(engine: QueryEngine, plan: QueryPlan) {
        self.engine = engine
        self.plan = plan
        self.columns = plan.columns
    }

    /// Runs the query; `body` sees each row while the snapshot is open (nodes resolve through `graph`).
    public func run(parameters: [String: Value] = [:], _ body: (_ row: [Value], _ graph: ResultGraph) throws -> Void) throws {
        try ExecutionContext.checkNesting(ofParameters: parameters)
        try engine.database.store.read { tx in
            let source = LiveGraph(tx)
            defer { source.close() }
            let ctx = ExecutionContext(
                source: source, writer: nil, live: source, schema: engine.database.schema, parameters: parameters,
                statementTime: QueryEngine.microsecondsNow(), cancellation: nil)
            let graph = ResultGraph(source)
            try plan.root.open(Row(repeating: .null, count: plan.width), ctx)
            while let row = try plan.root.next(ctx) { try body(plan.columnSlots.map { row[$0] }, graph) }
        }
    }
}

extension QueryEngine {
    /// Parses and plans one read-only query for repeated runs.
    public func prepare(_ text: String) throws -> PreparedQuery {
        let statements = try CIQLParser.parse(text)
        guard statements.count == 1, let statement = statements.first, case .query(let query) = statement.body,
            statement.asOf == nil, statement.mode == .run, !Self.writes(query)
        else {
            throw CIQLError(.semantic, .semantic(.invalidQuery), "only one read-only query (no AS OF, EXPLAIN or writes) can be prepared")
        }
        let plan = try database.store.read { tx in
            let source = LiveGraph(tx)
            let statistics = try PlanningStatistics.of(source, tx)
            return try Planner(schema: database.schema, statistics: statistics, procedures: procedureTable).plan(query)
        }
        return PreparedQuery(engine: self, plan: plan)
    }
}
