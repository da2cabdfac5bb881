import CIQL
import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import ConfigurationSchema
import Foundation
import GraphStorage

/// A fresh database in a temporary directory: the sample school board CMDB, or an empty schemaless graph.
final class FixtureDatabase {
    let directory: String
    let database: ConfigurationDatabase
    let engine: QueryEngine

    init(sample: Bool = true, schema: Schema? = nil) throws {
        directory = NSTemporaryDirectory() + "cmdb-ciql-" + UUID().uuidString
        let chosen = try schema ?? (sample ? Schema.parse(yaml: BuiltInSchema.yaml) : .open)
        database = try ConfigurationDatabase.create(at: directory, schema: chosen, actor: "test")
        if sample {
            let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("fixtures/schoolbestuur.jsonl").path
            _ = try JSONLinesImporter(database: database).run(
                [.init(path: fixture)], change: ChangeInfo(actor: "test", changeReference: "CHG-LOAD", origin: "import"))
        }
        engine = QueryEngine(database: database)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs a statement and returns its rows with nodes as CI ids (for easy comparison).
    func rows(_ text: String, _ parameters: [String: Value] = [:], change: String? = nil) throws -> [[Value]] {
        let sink = CollectingSink()
        for statement in try CIQLParser.parse(text) {
            try engine.execute(
                statement, parameters: parameters, change: ChangeInfo(actor: "test", changeReference: change, origin: "test"),
                into: sink)
        }
        return sink.rows.map { $0.map { v in sink.idsForNodes(v) } }
    }

    func columns(_ text: String) throws -> [String] {
        try engine.query(text).columns
    }
}

extension CollectingSink {
    /// Nodes replaced by their CI ids as strings, recursively.
    func idsForNodes(_ v: Value) -> Value {
        switch v {
        case .node(let nid): return .string(externalIDs[nid] ?? "#\(nid)")
        case .list(let l): return .list(l.map(idsForNodes))
        default: return v
        }
    }
}

extension Value: Equatable {
    public static func == (a: Value, b: Value) -> Bool { GroupingKey(a) == GroupingKey(b) }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral s: String) { self = .string(s) }
    public init(integerLiteral i: Int64) { self = .int(i) }
}
