import CIQL
import CIQLValues
import CIQLSyntax
import CMDB
import Foundation
import GraphStorage
import ImpactAnalysis
import JSONLines
import Verification

/// Who is asking, as the routes hand it to the engine.
struct Caller: Sendable {
    var name: String
    var role: Role
    /// The web session's form token, when the caller signed in to the web view: the hidden field its POST forms
    /// carry (see `FormForgery`). Nil for bearer tokens.
    var formToken: String? = nil
}

/// A query request: `{"statement","parameters","change"}`.
struct QueryRequest: Sendable {
    var statement: String
    var parameters: [String: Value]
    var change: String?
}

/// A parsed statement with what it needs: whether it writes (decided before anything runs).
struct CheckedStatement: @unchecked Sendable {
    var statement: Statement
    var writes: Bool
}

extension ServerEngine {
    /// Parses one statement and decides whether it writes, so a reader's write is refused before it runs.
    func check(_ text: String) throws -> CheckedStatement {
        let statements = try CIQLParser.parse(text)
        guard statements.count == 1, let statement = statements.first else {
            throw APIError.badRequest(
                statements.isEmpty ? "the statement is empty" : "send one statement per request, not \(statements.count)",
                code: "Request.OneStatement")
        }
        let writes: Bool
        switch statement.body {
        case .query(let query): writes = QueryEngine.writes(query) && statement.mode != .explain
        case .createBaseline: writes = statement.mode != .explain
        case .showBaselines, .diffBaseline, .showClasses, .showRelationTypes, .describeClass: writes = false
        }
        return CheckedStatement(statement: statement, writes: writes)
    }

    /// The change reference a write is recorded with: the request's (`"change"`, `?change=`) or the statement's
    /// USING CHANGE. An empty or blank one is none (`ChangeReference.given`); a request and a statement that name
    /// two different changes are refused rather than one of them dropped.
    func changeReference(_ given: String?, _ statement: Statement?) throws -> String? {
        let requested = ChangeReference.given(given)
        let stated = ChangeReference.given(statement?.changeReference)
        if let requested, let stated, requested != stated {
            throw APIError.badRequest(
                "the request's change reference '\(requested)' and the statement's USING CHANGE '\(stated)' differ: "
                    + "give the change once, or the same in both", code: "Request.ChangeConflict")
        }
        let reference = stated ?? requested
        if let problem = ChangeReference.problem(with: reference) { throw APIError.badRequest(problem) }
        if reference == nil && configuration.requireChange {
            throw APIError.badRequest(
                "this server records every write with a change reference: give \"change\" or USING CHANGE 'REF' "
                    + "(?change=REF for import, verify and schema); an empty or blank one is none",
                code: "Request.ChangeRequired")
        }
        return reference
    }

    /// Runs one statement for `caller`; answers `{"columns","rows"}`.
    ///
    /// A statement of a shape that ran before as a read-only query goes straight to its cached plan (see
    /// `PlanCache`): no parse, no plan. Any other is parsed first, so that a reader's write is refused before it
    /// runs.
    func query(_ request: QueryRequest, caller: Caller, keepCells: Bool = false) async throws -> JSONResultSink {
        try Self.checkRequestChange(request)
        if let shapes = try? StatementShapes(request.statement), shapes.statements.count == 1,
            let key = shapes.statements[0].key, queries.hasCachedPlan(forShape: key)
        {
            return try await read { [self] in try runReadOnly(request, caller: caller, keepCells: keepCells) }
        }
        return try await query(request, checked: try check(request.statement), caller: caller, keepCells: keepCells)
    }

    /// Runs a checked statement for `caller`; answers `{"columns","rows"}`.
    func query(_ request: QueryRequest, checked: CheckedStatement, caller: Caller, keepCells: Bool = false) async throws -> JSONResultSink {
        try Self.checkRequestChange(request)
        if checked.writes {
            guard caller.role >= .editor else { throw APIError.forbidden(caller.role, needs: .editor, "a statement that writes") }
        } else if !request.statement.isEmpty {
            // Read-only: through the plan cache, which plans it (once) when it is a query.
            return try await read { [self] in try runReadOnly(request, caller: caller, keepCells: keepCells) }
        }
        let reference = checked.writes ? try changeReference(request.change, checked.statement) : request.change
        let info = ChangeInfo(actor: caller.name, changeReference: reference, origin: "api query")
        let limit = configuration.maximumRows
        let parameters = request.parameters
        // The engine is looked up on the thread that runs the statement, after it adopted any new stored schema.
        let body: @Sendable (Deadline) throws -> JSONResultSink = { [self] deadline in
            let queries = self.queries
            let sink = JSONResultSink(maximumRows: limit)
            sink.keepsCells = keepCells
            try deadline.enforce {
                try queries.execute(checked.statement, parameters: parameters, change: info, cancellation: deadline.flag, into: sink)
            }
            return sink
        }
        // A write's statement runs under the request's deadline, so time queued behind other writes counts.
        return checked.writes ? try await write(limited: body) : try await read { [self] in try body(self.deadline()) }
    }

    /// A request's `"change"` over the length limit is `Request.Invalid` on reads as on writes, as for impact (a
    /// statement's own `USING CHANGE` is the engine's to refuse, with `Limit.TooLarge`).
    private static func checkRequestChange(_ request: QueryRequest) throws {
        if let problem = ChangeReference.problem(with: request.change) { throw APIError.badRequest("\"change\": \(problem)") }
    }

    /// Runs one read-only statement's text (checked, or of a cached read-only shape) on the calling reader thread.
    private func runReadOnly(_ request: QueryRequest, caller: Caller, keepCells: Bool) throws -> JSONResultSink {
        let sink = JSONResultSink(maximumRows: configuration.maximumRows)
        sink.keepsCells = keepCells
        let info = ChangeInfo(actor: caller.name, changeReference: request.change, origin: "api query")
        let deadline = self.deadline()
        try deadline.enforce {
            try queries.run(
                request.statement, parameters: request.parameters, change: info, cancellation: deadline.flag,
                sinkFor: { _ in sink })
        }
        return sink
    }

    /// One CI as node JSON, or nil when there is none with that id.
    func ci(_ id: String) async throws -> [UInt8]? {
        let sink = try await query(
            QueryRequest(statement: "MATCH (n {id: $id}) RETURN n", parameters: ["id": .string(id)], change: nil),
            caller: Caller(name: "api", role: .reader))
        return sink.firstValueJSON.map { $0 + [0x0A] }
    }

    /// Every version of a CI: `{"columns":["tx","at","actor","change","origin","operation","changes"],"rows":…}`.
    func history(_ id: String) async throws -> [UInt8]? {
        let exists = try await read { [database] in try database.store.read { tx in try tx.nodeID(forExternalID: id) != nil } }
        guard exists else { return nil }
        let statement =
            "CALL history($id) YIELD tx, at, actor, change, origin, operation, changes "
            + "RETURN tx, at, actor, change, origin, operation, changes"
        return try await query(
            QueryRequest(statement: statement, parameters: ["id": .string(id)], change: nil),
            caller: Caller(name: "api", role: .reader)
        ).bytes
    }

    /// The impact report of taking `targets` down, held to the statement time limit (`Limit.Timeout`).
    func impactReport(targets: [String], depth: Int?, window: String?, change: String?) async throws -> ImpactReport {
        try await read { [self] in try makeImpactReport(targets: targets, depth: depth, window: window, change: change).report }
    }

    /// The impact report as `cmdb impact --format json` writes it, built on the reader thread.
    func impactJSON(targets: [String], depth: Int?, window: String?, change: String?) async throws -> [UInt8] {
        try await read { [self] in
            let (report, deadline) = try makeImpactReport(targets: targets, depth: depth, window: window, change: change)
            var bytes: [UInt8] = []
            try report.writeJSON { chunk in
                if bytes.isEmpty { bytes.reserveCapacity(chunk.count * 2) }
                bytes += chunk
            }
            if deadline.expired { throw APIError.timeout(deadline.seconds) }
            return bytes
        }
    }

    /// Runs on a reader thread; the analysis stops at the deadline (`Limit.Timeout`). `change` is the change being
    /// assessed: a planned change of that reference is no collision.
    private func makeImpactReport(
        targets: [String], depth: Int?, window: String?, change: String?
    ) throws -> (report: ImpactReport, deadline: Deadline) {
        guard !targets.isEmpty else { throw APIError.badRequest("name at least one CI in \"targets\"") }
        if let depth, depth < 0 { throw APIError.badRequest("\"depth\" must be 0 or more, not \(depth)") }
        if let problem = ChangeReference.problem(with: change) { throw APIError.badRequest("\"change\": \(problem)") }
        let assessed = ChangeReference.given(change)
        let database = self.database
        let deadline = self.deadline()
        defer { deadline.finish() }
        let report = try database.store.read { tx in
            let nodes = try CIReference.resolve(targets, place: "targets", in: tx)
            let zone = try ChangePlanning.timeZone(in: tx)
            let changeWindow = try window.map { try ChangeWindow.parse($0, timeZone: zone) }
            return try ImpactReport.make(
                targets: nodes, depth: depth, window: changeWindow, excluding: assessed,
                analyzer: ImpactAnalyzer(schema: database.schema),
                in: tx, interrupt: { if deadline.expired { throw APIError.timeout(deadline.seconds) } })
        }
        if deadline.expired { throw APIError.timeout(deadline.seconds) }
        return (report, deadline)
    }

    /// The planned changes, as `cmdb change list --format json` writes them.
    func plannedChanges() async throws -> [UInt8] {
        let changes = try await read { [database] in try database.store.read { tx in try ChangePlanning.plannedChanges(in: tx) } }
        var w = JSONWriter()
        w.write(.array(changes.map(Self.json)))
        w.writeByte(0x0A)
        return w.bytes
    }

    static func json(_ c: PlannedChange) -> JSONValue {
        .object(JSONObject([
            ("ref", .string(c.reference)), ("cis", .array(c.cis.map { .string($0) })),
            ("start", .string(ChangeWindow.isoUTC(c.window.start))), ("end", .string(ChangeWindow.isoUTC(c.window.end))),
            ("description", c.description.map { .string($0) } ?? .null), ("actor", .string(c.actor)),
        ]))
    }

    /// Plans (or re-plans) a change; its reference is the change reference of the write.
    func planChange(reference: String, cis: [String], window: String, description: String?, caller: Caller) async throws -> [UInt8] {
        guard caller.role >= .editor else { throw APIError.forbidden(caller.role, needs: .editor, "planning a change") }
        guard ChangeReference.given(reference) != nil, reference.utf8.count <= ChangeReference.maximumBytes else {
            throw APIError.badRequest(
                "\"ref\" must be a change reference of 1 to \(ChangeReference.maximumBytes) bytes, not empty or blank")
        }
        guard !cis.isEmpty else { throw APIError.badRequest("\"cis\" must name the CIs the change takes down") }
        let info = ChangeInfo(actor: caller.name, changeReference: reference, origin: "api change plan \(reference)")
        let change = try await write { [database] in
            try database.store.write(info) { tx in
                _ = try CIReference.resolve(cis, place: "cis", in: tx)
                let zone = try ChangePlanning.timeZone(in: tx)
                let parsed = try ChangeWindow.parse(window, timeZone: zone)
                let change = PlannedChange(
                    reference: reference, cis: cis, window: parsed, description: description, actor: caller.name,
                    plannedAt: Int64(Date().timeIntervalSince1970))
                try ChangePlanning.store(change, in: tx)
                return change
            }
        }
        var w = JSONWriter()
        w.write(Self.json(change))
        w.writeByte(0x0A)
        return w.bytes
    }

    /// Removes a planned change.
    func cancelChange(reference: String, caller: Caller) async throws {
        guard caller.role >= .editor else { throw APIError.forbidden(caller.role, needs: .editor, "cancelling a change") }
        let info = ChangeInfo(actor: caller.name, changeReference: reference, origin: "api change cancel \(reference)")
        let found = try await write { [database] in
            try database.store.write(info) { tx in try ChangePlanning.cancel(reference, in: tx) }
        }
        guard found else { throw APIError.notFound("no planned change '\(reference)'") }
    }

    /// Imports a JSON Lines file (the spooled request body) in one transaction.
    func importLines(path: String, bytes: Int, change: String?, caller: Caller) async throws -> [UInt8] {
        guard caller.role >= .editor else { throw APIError.forbidden(caller.role, needs: .editor, "import") }
        let reference = try changeReference(change, nil)
        let info = ChangeInfo(actor: caller.name, changeReference: reference, origin: "api import")
        let summary = try await write(headroom: max(Self.writeHeadroomForImport, bytes * 4)) { [self] in
            // The database as governed after the writer adopted any schema applied beside the server.
            try JSONLinesImporter(database: self.database).run([.init(path: path, displayName: "body")], change: info)
        }
        var w = JSONWriter()
        w.write(.object(JSONObject([
            ("lines", .int(Int64(summary.lines))),
            ("transaction", summary.transaction.map { .int(Int64($0)) } ?? .null),
            ("cis", .object(JSONObject([
                ("created", .int(Int64(summary.ciCreated))), ("updated", .int(Int64(summary.ciUpdated))),
                ("unchanged", .int(Int64(summary.ciUnchanged))),
            ]))),
            ("relations", .object(JSONObject([
                ("created", .int(Int64(summary.relationsCreated))), ("updated", .int(Int64(summary.relationsUpdated))),
                ("unchanged", .int(Int64(summary.relationsUnchanged))),
            ]))),
        ])))
        w.writeByte(0x0A)
        return w.bytes
    }

    static let writeHeadroomForImport = 256 << 20

    /// The stored audit runs, oldest first, as `cmdb audit history --format json` lists them; one when `run` is given.
    func auditRuns(run: Int?) async throws -> [UInt8]? {
        let runs = try await read { [database] in try database.store.read { tx in try AuditHistory.summaries(tx) } }
        var values = runs.map(Self.json)
        if let run {
            guard let index = runs.firstIndex(where: { $0.run == run }) else { return nil }
            values = [values[index]]
            var w = JSONWriter()
            w.write(values[0])
            w.writeByte(0x0A)
            return w.bytes
        }
        var w = JSONWriter()
        w.write(.array(values))
        w.writeByte(0x0A)
        return w.bytes
    }

    static func json(_ r: AuditRunSummary) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("run", .int(Int64(r.run))), ("at", .string(ISODateTime.format(r.at / 1_000_000 * 1_000_000))),
            ("scores", .object(JSONObject([
                ("completeness", .float(r.scores.completeness)), ("correctness", .float(r.scores.correctness)),
                ("compliance", .float(r.scores.compliance)), ("overall", .float(r.scores.overall)),
            ]))),
            ("violations", .int(Int64(r.violations))),
        ]
        for s in Severity.allCases { members.append((s.rawValue, .int(Int64(r.bySeverity[s] ?? 0)))) }
        members.append(("new", .int(Int64(r.new))))
        members.append(("fixed", .int(Int64(r.fixed))))
        return .object(JSONObject(members))
    }
}

