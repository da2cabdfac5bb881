import CIQLSyntax
import CMDB
import ConfigurationSchema
import Foundation
import GraphStorage
import HTTPTypes
import JSONLines
import Verification

/// `POST /v1/verify` (a discovery snapshot in the body, as `cmdb verify [--apply]`) and `POST /v1/schema` (a
/// schema in the body, as `cmdb schema apply`): the CLI's jobs with the body in place of a file, the token's name
/// as actor and the server's change-reference rule.
extension ServerEngine {
    /// Reconciles the snapshot spooled at `path` with the CMDB and stamps `last_verified_at` on the CIs it
    /// matched; with `apply`, also registers unregistered items, corrects drift and registers discovered relations,
    /// in one transaction. Answers the report as `cmdb verify --format json` writes it.
    func verify(path: String, apply: Bool, change: String?, caller: Caller) async throws -> [UInt8] {
        guard caller.role >= .editor else {
            throw APIError.forbidden(caller.role, needs: .editor, apply ? "verify with apply" : "verify (it stamps last_verified_at)")
        }
        let reference = try changeReference(change, nil)
        if apply && reference == nil {
            throw APIError.badRequest(
                "applying corrections needs a change reference: give ?change=REF", code: "Request.ChangeRequired")
        }
        followStoredSchema()
        let database = self.database
        if database.schema.isOpen {
            throw APIError.badRequest(
                "this database has no schema; verify needs classes with identification rules ('identify')",
                code: "\(CIQLError.Code.schema(.noSchema))")
        }
        let info = ChangeInfo(actor: caller.name, changeReference: reference, origin: apply ? "api verify --apply" : "api verify")
        let seconds = configuration.statementTimeoutSeconds
        let results: [Reconciliation] = try await write { [self] in
            let database = self.database  // after the writer adopted any schema applied beside the server
            let deadline = JobDeadline(seconds: seconds, hint: "the server's --timeout")
            let now = Self.microsecondsNow()
            func reconciler(_ tx: GraphTransaction, _ reader: SnapshotReader) -> Reconciler {
                let reconciler = Reconciler(tx: tx, schema: database.schema, reader: reader)
                reconciler.deadline = deadline
                return reconciler
            }
            if apply {
                return try database.write(info) { tx in
                    let reader = try SnapshotReader(path: path, displayName: "body", schema: database.schema, tx: tx)
                    defer { reader.close() }
                    let job = reconciler(tx, reader)
                    _ = try job.reconcile()
                    let r = try job.apply()
                    try tx.stampVerified(r.matched + r.registered, at: r.source.takenAt ?? now)
                    return [r]
                }
            }
            let found = try database.store.read { tx in
                let reader = try SnapshotReader(path: path, displayName: "body", schema: database.schema, tx: tx)
                defer { reader.close() }
                return try reconciler(tx, reader).reconcile()
            }
            try database.store.write(info) { tx in try tx.stampVerified(found.matched, at: found.source.takenAt ?? now) }
            return [found]
        }
        var bytes: [UInt8] = []
        let out = ReportWriter { bytes += $0 }
        try VerifyReport(sources: results).write(.json, to: out)
        try out.flush()
        return bytes
    }

    /// Replaces the schema with `yaml` after checking every CI and relation against it (nothing changes when one
    /// breaks it); the server then plans and validates with the new schema. Answers the classes and relation
    /// types now in force.
    func applySchema(yaml: String, change: String?, caller: Caller) async throws -> [UInt8] {
        guard caller.role >= .admin else { throw APIError.forbidden(caller.role, needs: .admin, "applying a schema") }
        let reference = try changeReference(change, nil)
        let schema = try Self.parseSchema(yaml)
        let info = ChangeInfo(actor: caller.name, changeReference: reference, origin: "api schema apply")
        try await write { [self] in
            try database.applySchema(schema, change: info)
            // Still on the writer thread: adopted before the writer runs anything else.
            adopt(schema)
        }
        var w = JSONWriter()
        w.write(.object(JSONObject([
            ("classes", .array(schema.classes.map { .string($0.name) })),
            ("relation_types", .array(schema.relations.map { .string($0.name) })),
        ])))
        w.writeByte(0x0A)
        return w.bytes
    }

    /// The schema in a request body; a bad one is 400 `SchemaError.InvalidSchemaFile` with its line and column.
    static func parseSchema(_ yaml: String) throws(APIError) -> Schema {
        switch Result(catching: { () throws(SchemaError) -> Schema in try Schema.parse(yaml: yaml) }) {
        case .success(let schema): return schema
        case .failure(let error):
            throw APIError(
                .badRequest, "\(CIQLError.Code.schema(.invalidSchemaFile))", "the schema in the body: \(error.description)",
                line: error.line, column: error.column)
        }
    }

    static func microsecondsNow() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }
}
