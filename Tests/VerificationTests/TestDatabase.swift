import CMDB
import ConfigurationSchema
import Foundation
import GraphStorage
import Verification

/// A fresh CMDB with the built-in schema in its own temporary directory, removed when the test is done.
final class TestDatabase {
    let directory: String
    let database: ConfigurationDatabase

    init(schema: Schema? = nil) throws {
        directory = NSTemporaryDirectory() + "cmdb-verify-test-" + UUID().uuidString
        database = try ConfigurationDatabase.create(
            at: directory, schema: schema ?? Schema.parse(yaml: BuiltInSchema.yaml), actor: "tester")
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    var schema: Schema { database.schema }
    var store: GraphStore { database.store }

    /// Writes `text` to a file in the test's directory and returns its path.
    @discardableResult
    func file(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Imports JSON Lines (one object per element) under change `change`.
    func load(_ lines: [String], change: String? = "CHG-TEST") throws {
        let path = try file("load-\(UUID().uuidString.prefix(6)).jsonl", lines.joined(separator: "\n") + "\n")
        _ = try JSONLinesImporter(database: database).run(
            [.init(path: path)], change: ChangeInfo(actor: "tester", changeReference: change, origin: "test"))
    }

    /// Reconciles one snapshot (lines after the header) in a read transaction.
    func verify(_ header: String, _ lines: [String]) throws -> Reconciliation {
        let path = try file("snap-\(UUID().uuidString.prefix(6)).jsonl", ([header] + lines).joined(separator: "\n"))
        return try store.read { tx in
            let reader = try SnapshotReader(path: path, displayName: "snap.jsonl", schema: schema, tx: tx)
            defer { reader.close() }
            return try Reconciler(tx: tx, schema: schema, reader: reader).reconcile()
        }
    }

    /// Reconciles and applies in one write transaction.
    func verifyAndApply(_ header: String, _ lines: [String], change: String = "CHG-APPLY") throws -> Reconciliation {
        let path = try file("snap-\(UUID().uuidString.prefix(6)).jsonl", ([header] + lines).joined(separator: "\n"))
        return try store.write(ChangeInfo(actor: "tester", changeReference: change, origin: "verify")) { tx in
            let reader = try SnapshotReader(path: path, displayName: "snap.jsonl", schema: schema, tx: tx)
            defer { reader.close() }
            let reconciler = Reconciler(tx: tx, schema: schema, reader: reader)
            _ = try reconciler.reconcile()
            return try reconciler.apply()
        }
    }

    /// Runs the audit on a read transaction.
    func audit(now: Int64 = 1_800_000_000_000_000, staleDays: Int = 30, since: UInt64 = 0,
        rules: [AuditRuleDefinition] = [], runner: AuditQueryRunner? = nil) throws -> AuditResult
    {
        try store.read { tx in
            try AuditEngine(tx: tx, schema: schema, options: AuditOptions(now: now, staleDays: staleDays,
                sinceTransaction: since), rules: rules, queryRunner: runner).run()
        }
    }
}

/// A CI line.
func ci(_ id: String, _ cls: String, status: String = "live", _ attrs: [String: Any] = [:]) -> String {
    json(["kind": "ci", "id": id, "class": cls, "status": status, "attrs": attrs])
}

/// A relation line.
func rel(_ type: String, _ from: String, _ to: String) -> String {
    json(["kind": "rel", "type": type, "from": from, "to": to])
}

/// A snapshot item line.
func item(_ cls: String, _ attrs: [String: Any]) -> String {
    json(["kind": "ci", "class": cls, "attrs": attrs])
}

func header(_ classes: [String], scope: [String: Any] = [:], name: String = "scanner") -> String {
    json(["kind": "source", "name": name, "classes": classes, "scope": scope, "taken_at": "2026-11-22T02:00:00Z"])
}

func json(_ object: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "" }
    return String(decoding: data, as: UTF8.self)
}
