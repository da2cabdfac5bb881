import ConfigurationSchema
import Foundation
import GraphStorage
import Testing

@testable import CMDB

/// An import's unique values and relation end classes are checked on the state it commits, not line by line.
final class CommitStateImportTests {
    let directory = NSTemporaryDirectory() + "cmdb-commit-state-" + UUID().uuidString
    let database: ConfigurationDatabase

    init() throws {
        let schema = try Schema.parse(yaml: """
            version: 1
            statuses: [live]
            classes:
              Server: {attributes: {hostname: {type: string, unique: true}}}
              PhysicalMachine: {}
              VirtualMachine: {}
              Application: {}
            relations:
              RUNS_ON: {from: [Application], to: [VirtualMachine]}
            """)
        database = try ConfigurationDatabase.create(at: directory, schema: schema, actor: "test")
        try importLines(
            #"{"kind":"ci","id":"s1","class":"Server","attrs":{"hostname":"h1"}}"#,
            #"{"kind":"ci","id":"s2","class":"Server","attrs":{"hostname":"h2"}}"#,
            #"{"kind":"ci","id":"app","class":"Application"}"#,
            #"{"kind":"ci","id":"m1","class":"PhysicalMachine"}"#)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    @discardableResult
    private func importLines(_ lines: String...) throws -> ImportSummary {
        let path = directory + "/" + UUID().uuidString + ".jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try JSONLinesImporter(database: database).run(
            [.init(path: path, displayName: "in.jsonl")], change: ChangeInfo(actor: "test", changeReference: nil, origin: "import"))
    }

    private func hostname(_ id: String) throws -> PropertyValue? {
        try database.store.read { tx in try tx.node(externalID: id)?.properties["hostname"] }
    }

    @Test func swappingUniqueValuesCommits() throws {
        try importLines(
            #"{"kind":"ci","id":"s1","class":"Server","attrs":{"hostname":"h2"}}"#,
            #"{"kind":"ci","id":"s2","class":"Server","attrs":{"hostname":"h1"}}"#)
        #expect(try hostname("s1") == .string("h2"))
        #expect(try hostname("s2") == .string("h1"))
    }

    @Test func aDuplicateAtCommitIsRefusedAtItsLine() throws {
        #expect {
            try importLines(
                #"{"kind":"ci","id":"s1","class":"Server","attrs":{"hostname":"h2"}}"#,
                #"{"kind":"ci","id":"s3","class":"Server","attrs":{"hostname":"h3"}}"#)
        } throws: { error in
            guard let error = error as? ImportError else { return false }
            return error.line == 1 && error.schemaReason == .uniqueAttribute
                && error.message == "attribute 'hostname' must be unique among Server CIs, and 's2' already has the same value"
        }
        #expect(try hostname("s1") == .string("h1"))
        #expect(try database.store.read { tx in try tx.node(externalID: "s3") } == nil)
    }

    @Test func aRelationIsCheckedAgainstItsEndsClassAtCommit() throws {
        let summary = try importLines(
            #"{"kind":"rel","type":"RUNS_ON","from":"app","to":"m1"}"#,
            #"{"kind":"ci","id":"m1","class":"VirtualMachine"}"#)
        #expect(summary.relationsCreated == 1 && summary.ciUpdated == 1)
        #expect {
            try importLines(
                #"{"kind":"ci","id":"m2","class":"PhysicalMachine"}"#,
                #"{"kind":"rel","type":"RUNS_ON","from":"app","to":"m2"}"#)
        } throws: { error in
            guard let error = error as? ImportError else { return false }
            return error.line == 2 && error.schemaReason == .relationNotAllowed
        }
    }
}
