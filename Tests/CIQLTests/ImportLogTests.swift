import CIQL
import CIQLValues
import CMDB
import Foundation
import GraphStorage
import Testing

/// A bulk import logs its created CIs as runs; DIFF BASELINE, history() and a re-import must not notice.
struct ImportLogTests {
    private static func write(_ lines: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "cmdb-import-log-" + UUID().uuidString + ".jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private static func rack(_ id: String, name: String) -> String {
        #"{"kind":"ci","id":"\#(id)","class":"Rack","name":"\#(name)","status":"live","attrs":{}}"#
    }

    private static func locatedIn(_ from: String, _ to: String) -> String {
        #"{"kind":"rel","type":"LOCATED_IN","from":"\#(from)","to":"\#(to)","attrs":{}}"#
    }

    @Test("DIFF BASELINE and history() see every CI of an import's runs, its relations and its updates; a re-import changes nothing")
    func importedRunsReadBack() throws {
        let db = try FixtureDatabase()
        _ = try db.rows("CREATE BASELINE 'before'")
        // New racks (a run of created ids), an update of an existing CI between them (ends the run), and relations
        // from new CIs (no existing relation to find) and from an existing one.
        let lines = [
            Self.rack("rack-new-1", name: "New 1"), Self.rack("rack-new-2", name: "New 2"), Self.rack("rack-new-3", name: "New 3"),
            Self.rack("rack-bb-a01", name: "Rack A01 renamed"),
            Self.rack("rack-new-4", name: "New 4"), Self.rack("rack-new-5", name: "New 5"),
            Self.locatedIn("rack-new-1", "dc-bb-serverruimte"), Self.locatedIn("rack-new-5", "dc-bb-serverruimte"),
        ]
        let path = try Self.write(lines)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let importer = JSONLinesImporter(database: db.database)
        let summary = try importer.run([.init(path: path)], change: ChangeInfo(actor: "test", changeReference: nil, origin: "import"))
        #expect(summary.ciCreated == 5)
        #expect(summary.ciUpdated == 1)
        #expect(summary.relationsCreated == 2)

        let diff = try db.rows("DIFF BASELINE 'before'")
        func text(_ v: Value) -> String { if case .string(let s) = v { s } else { "?" } }
        let added = diff.filter { $0[0] == "added" && $0[1] == "ci" }.map { text($0[2]) }
        #expect(added.sorted() == ["rack-new-1", "rack-new-2", "rack-new-3", "rack-new-4", "rack-new-5"])
        #expect(diff.contains(["changed", "ci", "rack-bb-a01", "name", "Rack A01", "Rack A01 renamed"]))
        let relations = diff.filter { $0[1] == "relation" }.map { text($0[2]) }
        #expect(relations.sorted() == [
            "rack-new-1-[:LOCATED_IN]->dc-bb-serverruimte", "rack-new-5-[:LOCATED_IN]->dc-bb-serverruimte",
        ])
        // The update gives no attrs, so its five attributes are removed: the name and those five are changes.
        #expect(diff.count == 5 + 6 + 2)
        for id in ["rack-new-1", "rack-new-3", "rack-new-5"] {
            let history = try db.rows("CALL history('\(id)') YIELD operation RETURN operation")
            #expect(history == [["created"]], "history of \(id)")
        }

        // The same file again: every CI and relation exists now, so each is found (probed) and unchanged.
        let again = try JSONLinesImporter(database: db.database).run([.init(path: path)], change: ChangeInfo(actor: "test", changeReference: nil, origin: "import"))
        #expect(again.ciCreated == 0 && again.ciUpdated == 0 && again.ciUnchanged == 6)
        #expect(again.relationsCreated == 0 && again.relationsUnchanged == 2)
        #expect(again.transaction == nil)
        #expect(try db.rows("DIFF BASELINE 'before'").count == diff.count)
    }
}
