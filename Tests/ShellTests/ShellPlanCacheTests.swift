@testable import CIQL
import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import ConfigurationSchema
import Foundation
import GraphStorage
@testable import Shell
import Testing

/// The REPL runs statements through the engine's plan cache, as `cmdb query -f` does: a statement that differs
/// from an earlier one only in its literals is not planned again, and gives the rows of its own literals.
/// A class, so that its `deinit` removes the test's database directory.
@Suite final class ShellPlanCacheTests {
    let directory = NSTemporaryDirectory() + "cmdb-shell-cache-" + UUID().uuidString
    let database: ConfigurationDatabase
    let session: ShellSession

    init() throws {
        database = try ConfigurationDatabase.create(at: directory, schema: try Schema.parse(yaml: BuiltInSchema.yaml), actor: "test")
        var configuration = ShellConfiguration(actor: "test", databasePath: directory, isInteractive: false)
        configuration.historyFile = nil
        session = ShellSession(database: database, configuration: configuration)
        let created = try tables("CREATE (:Server {id: 'srv-1', hostname: 'one'}), (:Server {id: 'srv-2', hostname: 'two'})")
        #expect(created.count == 1)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The tables of the statements of `text`, as the session shows them.
    private func tables(_ text: String) throws -> [[[String]]] {
        var shown: [TableSink] = []
        try session.run(text) { shown.append($0) }
        return shown.map(\.rows)
    }

    @Test func aRepeatedShapeReusesItsPlan() throws {
        let text = { (id: String) in "MATCH (n {id: '\(id)'}) RETURN n.hostname AS h" }
        #expect(try tables(text("srv-1")) == [[["one"]]])
        let before = session.engine.planCache.statistics
        #expect(try tables(text("srv-2")) == [[["two"]]])
        #expect(try tables(text("srv-3")) == [[]])
        let after = session.engine.planCache.statistics
        #expect(after.hits == before.hits + 2)
        #expect(after.count == before.count)
        // Two statements of one text: each gets its own table.
        #expect(try tables(text("srv-2") + "; " + text("srv-1")) == [[["two"]], [["one"]]])
    }

    @Test func aSchemaChangeDropsTheSessionsPlans() throws {
        let text = "MATCH (n) WHERE n.hostname = 'one' RETURN n.id AS id"
        let expected = try tables(text)
        #expect(expected == [[["srv-1"]]])
        _ = try tables(text)
        let hits = session.engine.planCache.statistics.hits
        let schema = try Schema.parse(yaml: BuiltInSchema.yaml.replacingOccurrences(
            of: "indexed: true", with: "indexed: false"))
        try database.applySchema(schema, change: ChangeInfo(actor: "test", changeReference: nil, origin: "test"))
        #expect(try tables(text) == expected)
        #expect(session.engine.planCache.statistics.hits == hits)
    }

    @Test func aFailingStatementShowsNoTable() throws {
        var shown: [TableSink] = []
        #expect(throws: CIQLError.self) {
            try session.run("MATCH (n {id: 'srv-1'}) RETURN n.id AS id; RETURN 1 / 0 AS x") { shown.append($0) }
        }
        #expect(shown.count == 2)
        #expect(shown[0].rows == [["srv-1"]])
    }
}
