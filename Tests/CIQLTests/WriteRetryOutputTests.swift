import CIQL
import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import ConfigurationSchema
import Foundation
import GraphStorage
import Testing

/// A writing statement's output reaches its sink once, after the commit, however often the write was retried.
@Suite struct WriteRetryOutputTests {
    /// Counts what reaches it.
    final class CountingSink: ResultSink {
        var begins = 0, rows = 0, ends = 0
        var firstRowIDs: [String] = []
        var summary: StatementSummary?
        var graph: ResultGraph?

        func begin(columns: [String], graph: ResultGraph) throws {
            begins += 1
            self.graph = graph
        }

        func row(_ values: [Value]) throws {
            rows += 1
            if case .node(let nid) = values.first, let id = try graph?.externalID(nid), firstRowIDs.count < 3 {
                firstRowIDs.append(id)
            }
        }

        func end(_ summary: StatementSummary) throws {
            ends += 1
            self.summary = summary
        }
    }

    /// Runs `text` on a fresh schemaless database whose map starts at `mapSize` bytes.
    private func run(_ text: String, mapSize: Int) throws -> (CountingSink, ConfigurationDatabase, String) {
        let directory = NSTemporaryDirectory() + "cmdb-retry-" + UUID().uuidString
        let database = try ConfigurationDatabase.create(
            at: directory, schema: .open, actor: "test", initialMapSize: mapSize)
        let sink = CountingSink()
        let statement = try #require(try CIQLParser.parse(text).first)
        try QueryEngine(database: database).execute(
            statement, parameters: ["pad": .string(String(repeating: "p", count: 100))],
            change: ChangeInfo(actor: "test", changeReference: nil, origin: "test"), into: sink)
        return (sink, database, directory)
    }

    @Test("rows of a write retried after MAP_FULL are delivered once, with the committed transaction")
    func retriedWriteDeliversOnce() throws {
        // Whether the map fills while rows stream or while the commit writes the indexes depends on the
        // map size: every size from 256 KiB to 1.5 MiB in 32 KiB steps, so both happen.
        let text = "UNWIND range(1, 1000) AS i CREATE (a {id: 'a-' + toString(i), pad: $pad})-[:R]->"
            + "(b {id: 'b-' + toString(i)}) RETURN a"
        var retried = 0
        for mapSize in stride(from: 256 << 10, through: 1536 << 10, by: 32 << 10) {
            let (sink, database, directory) = try run(text, mapSize: mapSize)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            if database.store.dataFileSize > mapSize { retried += 1 }
            #expect(sink.begins == 1 && sink.ends == 1, "map \(mapSize): \(sink.begins) begins, \(sink.ends) ends")
            #expect(sink.rows == 1000, "map \(mapSize): \(sink.rows) rows")
            #expect(sink.firstRowIDs == ["a-1", "a-2", "a-3"], "nodes in rows resolve after the commit")
            let committed = try database.store.read { tx in try tx.lastCommittedTransaction }
            #expect(sink.summary?.transaction == committed)
        }
        #expect(retried >= 3, "the map rarely filled: the test proves little")
    }
}
