import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import ConfigurationSchema
import GraphStorage

/// The CMDB statements that are not queries: baselines and the schema's description.
struct StatusAccounting {
    let database: ConfigurationDatabase
    let parameters: [String: Value]
    /// The transaction `SHOW CLASSES AS OF …` counts at (the only CMDB statement that reads the past).
    var asOf: TransactionNumber?
    /// Ctrl-C and the time limit, for the statements that loop over the history (DIFF BASELINE).
    var cancellation: CancellationFlag?
    var limits = StatementLimits.none

    private var schema: Schema { database.schema }

    func execute(_ statement: Statement, change: ChangeInfo, into sink: any ResultSink, started: Int64) throws {
        if statement.asOf != nil, case .showClasses = statement.body {} else if statement.asOf != nil {
            throw CIQLError(.semantic, .history(.invalidAsOf), "AS OF applies to queries", at: statement.location)
        }
        switch statement.mode {
        case .run: break
        case .explain:
            // The plan of a CMDB statement is the statement itself: shown, never run (EXPLAIN writes nothing).
            try database.store.read { tx in
                try sink.begin(columns: ["operator", "details"], graph: ResultGraph(LiveGraph(tx)))
                try sink.row(Self.operatorRow(statement.body).map(Value.string))
            }
            var summary = StatementSummary()
            summary.microseconds = QueryEngine.microsecondsNow() - started
            try sink.end(summary)
            return
        case .profile:
            // Run, as PROFILE runs a query (writes included), and show the rows it made and the time it took.
            let counter = RowCountingSink()
            var plain = statement
            plain.mode = .run
            try execute(plain, change: change, into: counter, started: started)
            try database.store.read { tx in
                try sink.begin(columns: ["operator", "details", "rows", "ms"], graph: ResultGraph(LiveGraph(tx)))
            }
            let ms = Double(QueryEngine.microsecondsNow() - started) / 1000
            try sink.row(Self.operatorRow(statement.body).map(Value.string) + [.int(Int64(counter.rows)), .float((ms * 100).rounded() / 100)])
            var summary = counter.summary
            summary.rows = 1
            summary.microseconds = QueryEngine.microsecondsNow() - started
            try sink.end(summary)
            return
        }
        var summary = StatementSummary()
        var rowCount = 0
        func emit(_ columns: [String], _ rows: [[Value]], _ tx: GraphTransaction, _ sink: any ResultSink) throws {
            try sink.begin(columns: columns, graph: ResultGraph(LiveGraph(tx)))
            for row in rows { try sink.row(row) }
            rowCount += rows.count
        }
        switch statement.body {
        case .createBaseline(let nameExpression, let descriptionExpression):
            let name = try string(nameExpression, "a baseline name")
            let description = try descriptionExpression.map { try string($0, "a description") }
            var info = change
            info.origin = "CREATE BASELINE '\(name)'"
            // Shown only once committed (see `BufferingSink`), with the transaction that recorded it.
            let (committed, transaction) = try database.store.write(info) { tx in
                let attempt = BufferingSink()
                let baseline: Baseline
                do {
                    baseline = try Baselines.create(name, description: description, actor: change.actor, time: QueryEngine.microsecondsNow(), tx)
                } catch let error as BaselineError {
                    throw error.ciqlError(at: nameExpression.location)
                }
                try emit(["baseline", "tx", "at"], [[.string(baseline.name), .int(Int64(baseline.transaction)), .datetime(baseline.time)]], tx, attempt)
                return (attempt, tx.number)
            }
            try committed.replay(into: sink)
            summary.writes = true
            summary.transaction = transaction
        case .showBaselines:
            try database.store.read { tx in
                let rows: [[Value]] = try Baselines.all(tx).map { b in
                    [.string(b.name), .int(Int64(b.transaction)), .datetime(b.time), .string(b.actor), b.description.map(Value.string) ?? .null]
                }
                try emit(["baseline", "tx", "at", "actor", "description"], rows, tx, sink)
            }
        case .diffBaseline(let a, let b):
            try database.store.read { tx in
                let first = try baseline(try string(a, "a baseline name"), tx, a.location)
                let second: (TransactionNumber, String) = try b.map { e in
                    (try baseline(try string(e, "a baseline name"), tx, e.location), "baseline")
                } ?? (tx.lastCommittedTransaction, "now")
                let (from, to) = first <= second.0 ? (first, second.0) : (second.0, first)
                let deadline = ExecutionContext.deadline(of: limits, from: monotonicNanoseconds())
                var checks = 0
                var rows = try HistoryDiff.rows(from: from, to: to, tx) {
                    checks &+= 1
                    if checks & 1023 == 0 { try ExecutionContext.checkLimits(cancellation, deadline, limits) }
                }
                if first > second.0 {
                    // Asked newest first: show the change from a to b, so swap the sides.
                    rows = rows.map { r in
                        var r = r
                        swap(&r.before, &r.after)
                        if r.change == .added { r.change = .removed } else if r.change == .removed { r.change = .added }
                        return r
                    }
                }
                let values: [[Value]] = rows.map { r in
                    [.string(r.change.rawValue), .string(r.kind), .string(r.id), r.attribute.map(Value.string) ?? .null,
                     r.before.map(Value.init) ?? .null, r.after.map(Value.init) ?? .null]
                }
                try emit(["change", "kind", "id", "attribute", "before", "after"], values, tx, sink)
            }
        case .showClasses:
            try database.store.read { tx in try emit(["class", "parent", "abstract", "cis", "attributes"], try classRows(tx), tx, sink) }
            summary.asOf = asOf
        case .showRelationTypes:
            try database.store.read { tx in
                try emit(["type", "connects", "impact", "redundancy", "relations"], try relationRows(tx), tx, sink)
            }
        case .describeClass(let name):
            guard let definition = schema.classDefinition(name.text) else {
                if schema.isOpen {
                    throw CIQLError(.semantic, .schema(.noSchema), "this database has no schema (it was created with --schema none), so classes have no declared attributes", at: name.location)
                }
                var message = "unknown class '\(name.text)'"
                if let close = closestSpelling(to: name.text, in: schema.classes.map(\.name)) { message += " (did you mean '\(close)'?)" }
                throw CIQLError(.semantic, .schema(.unknownClass), message, at: name.location)
            }
            try database.store.read { tx in try emit(["kind", "name", "type", "details"], describe(definition), tx, sink) }
        case .query:
            throw CIQLError(.semantic, .internalError, "internal: a query reached status accounting", at: statement.location)
        }
        summary.rows = rowCount
        summary.microseconds = QueryEngine.microsecondsNow() - started
        try sink.end(summary)
    }

    /// The one operator EXPLAIN and PROFILE show for a CMDB statement.
    static func operatorRow(_ body: StatementBody) -> [String] {
        func text(_ e: Expression) -> String { ExpressionPrinter.print(e) }
        switch body {
        case .createBaseline(let name, let description):
            return ["CreateBaseline", text(name) + (description.map { " DESCRIPTION " + text($0) } ?? "")]
        case .showBaselines: return ["ShowBaselines", ""]
        case .diffBaseline(let a, let b): return ["DiffBaseline", text(a) + " AND " + (b.map { text($0) } ?? "now")]
        case .showClasses: return ["ShowClasses", ""]
        case .showRelationTypes: return ["ShowRelationTypes", ""]
        case .describeClass(let name): return ["DescribeClass", name.text]
        case .query: return ["Query", ""]
        }
    }

    /// A baseline name or description: a string, a parameter, or an expression without variables evaluated as
    /// `AS OF BASELINE` evaluates its name (`'q' + '4'`, `toUpper($name)`).
    private func string(_ e: Expression, _ what: String) throws -> String {
        switch e.kind {
        case .string(let s): return s
        case .parameter(let p):
            guard case .string(let s)? = parameters[p] else {
                throw CIQLError(.semantic, .type(.invalidArgumentType), "$\(p) must be a string (\(what))", at: e.location)
            }
            return s
        default:
            let value = try database.store.read { tx in
                let ctx = ExecutionContext(
                    source: LiveGraph(tx), writer: nil, live: nil, schema: database.schema, parameters: parameters,
                    statementTime: QueryEngine.microsecondsNow(), cancellation: nil)
                let planner = Planner(schema: database.schema, statistics: .none, procedures: [:])
                let compiled = try planner.compile(e, Scope())
                // As wide as its plan: a pattern comprehension in the name runs a plan of its own.
                var row = Row(repeating: .null, count: planner.layout.width)
                return try ctx.evaluate(compiled, &row)
            }
            guard case .string(let s) = value else {
                throw CIQLError(.semantic, .type(.invalidArgumentType), "expected \(what) as a string", at: e.location)
            }
            return s
        }
    }

    private func baseline(_ name: String, _ tx: GraphTransaction, _ at: SourceLocation) throws -> TransactionNumber {
        guard let b = try Baselines.find(name, tx) else { throw try Baselines.unknown(name, tx).ciqlError(at: at) }
        return b.transaction
    }

    private func classRows(_ tx: GraphTransaction) throws -> [[Value]] {
        // The CIs of exactly one class: now from the live counts, or as they were at `asOf` (read lazily).
        let past = try asOf.map { try PastGraphSource(tx, asOf: $0) }
        let count: (String) throws -> Int = { label in
            if let past { return try past.nodeCount(label: label) }
            return try tx.nodeCount(label: label)
        }
        if schema.isOpen {
            return try tx.labelNames.sorted().map { label in
                [.string(label), .null, .bool(false), .int(Int64(try count(label))), .int(0)]
            }
        }
        var rows: [[Value]] = try schema.classes.map { c in
            let count = try StatusCounts.cis(ofClass: c.name, schema: schema, counting: count)
            return [.string(c.name), c.parent.map(Value.string) ?? .null, .bool(c.isAbstract), .int(Int64(count)),
                    .int(Int64(schema.attributes(of: c.name).count))]
        }
        // In the past: also the classes a later schema dropped, with the CIs they had then.
        if past != nil {
            for label in tx.labelNames.sorted() where schema.classDefinition(label) == nil {
                let n = try count(label)
                if n > 0 { rows.append([.string(label), .null, .bool(false), .int(Int64(n)), .int(0)]) }
            }
        }
        return rows
    }

    private func relationRows(_ tx: GraphTransaction) throws -> [[Value]] {
        let counts = try StatusCounts.relationsByType(tx)
        if schema.isOpen {
            return counts.keys.sorted().map { [.string($0), .null, .null, .null, .int(Int64(counts[$0] ?? 0))] }
        }
        return schema.relations.map { r in
            let connects = r.connects.map { "\($0.from.joined(separator: "|")) -> \($0.to.joined(separator: "|"))" }
            return [.string(r.name), .list(connects.map(Value.string)), .string("\(r.impact)"), .string("\(r.redundancy)"),
                    .int(Int64(counts[r.name] ?? 0))]
        }
    }

    private static func number(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : ValueText.float(d)
    }

    private func describe(_ definition: ClassDefinition) -> [[Value]] {
        var rows: [[Value]] = []
        let own = Set(definition.attributes.map(\.name))
        for a in schema.attributes(of: definition.name) {
            var flags: [String] = []
            if a.isRequired { flags.append("required") }
            if a.isRecommended { flags.append("recommended") }
            if a.isUnique { flags.append("unique") }
            if a.isIndexed { flags.append("indexed") }
            if a.isDiscoverable { flags.append("discoverable") }
            if let lo = a.minimum { flags.append("min \(Self.number(lo))") }
            if let hi = a.maximum { flags.append("max \(Self.number(hi))") }
            if let values = a.allowedValues { flags.append("one of " + values.joined(separator: ", ")) }
            if !own.contains(a.name), let from = schema.ancestry(of: definition.name).first(where: { c in
                schema.classDefinition(c)?.attributes.contains { $0.name == a.name } == true
            }) {
                flags.append("from \(from)")
            }
            rows.append([.string("attribute"), .string(a.name), .string("\(a.type)"), .string(flags.joined(separator: ", "))])
        }
        let lineage = Set(schema.ancestry(of: definition.name))
        for r in schema.relations {
            for pair in r.connects {
                if pair.from.contains(where: lineage.contains) {
                    rows.append([.string("relation"), .string(r.name), .string("outgoing"), .string("to " + pair.to.joined(separator: ", "))])
                }
                if pair.to.contains(where: lineage.contains) {
                    rows.append([.string("relation"), .string(r.name), .string("incoming"), .string("from " + pair.from.joined(separator: ", "))])
                }
            }
        }
        for e in definition.expects {
            rows.append([.string("expects"), .string(e.relation), .string("\(e.direction)"), .string("an orphan without it is flagged by audit")])
        }
        return rows
    }
}

extension BaselineError {
    /// The error as CIQL reports it, at the baseline's name in the statement.
    func ciqlError(at location: SourceLocation?) -> CIQLError {
        switch self {
        case .invalidName(let problem): CIQLError(.semantic, .argument(.invalidArgumentValue), problem, at: location)
        case .exists(let name):
            CIQLError(
                .semantic, .history(.baselineExists), "baseline '\(name)' already exists; baselines are never changed, pick another name",
                at: location)
        case .unknown(_, let message): CIQLError(.semantic, .history(.unknownBaseline), message, at: location)
        }
    }
}

/// Counts the rows of a statement PROFILE runs, keeping its summary.
private final class RowCountingSink: ResultSink {
    var rows = 0
    var summary = StatementSummary()
    func begin(columns: [String], graph: ResultGraph) throws {}
    func row(_ values: [Value]) throws { rows += 1 }
    func end(_ summary: StatementSummary) throws { self.summary = summary }
}
