import CIQL
import CIQLResults
import CMDB
import ConfigurationSchema
import CIQLSyntax
import CIQLValues
import GraphStorage
import Testing

/// Writes validated against the schema, recorded with their change reference, and read back in time.
@Suite struct WriteAndHistoryTests {
    let db: FixtureDatabase

    init() throws { db = try FixtureDatabase() }

    @Test func createValidatesAgainstTheSchema() throws {
        #expect(throws: CIQLError.self) { try db.rows("CREATE (s:CI {id: 'x-1'})") }  // abstract class
        #expect(throws: CIQLError.self) { try db.rows("CREATE (s:VirtualServer {id: 'x-1', cpu: 0})") }  // min 1
        _ = try db.rows("CREATE (s:VirtualServer {id: 'x-1', cpu: 2, name: 'x1'})")
        #expect(try db.rows("MATCH (s {id: 'x-1'}) RETURN s.status, s.cpu") == [["live", 2]])
        #expect(throws: CIQLError.self) { try db.rows("CREATE (s:VirtualServer {id: 'x-1'})") }  // exists
    }

    @Test func mergeIsIdempotentAndSetIsRecordedWithItsChange() throws {
        for _ in 0..<2 {
            _ = try db.rows("MERGE (s:VirtualServer {id: 'x-2'}) ON CREATE SET s.cpu = 1 ON MATCH SET s.cpu = s.cpu + 1")
        }
        #expect(try db.rows("MATCH (s {id: 'x-2'}) RETURN s.cpu") == [[2]])
        _ = try db.rows("USING CHANGE 'CHG-9' MATCH (s {id: 'x-2'}) SET s.os = 'Debian 12'")
        let history = try db.rows("CALL history('x-2') YIELD change, operation RETURN change, operation")
        #expect(history.last == ["CHG-9", "updated"])
    }

    @Test func deleteNeedsDetachWhenRelationsRemain() throws {
        #expect(throws: CIQLError.self) { try db.rows("MATCH (s {id: 'srv-dc01'}) DELETE s") }
        #expect(try db.rows("MATCH (s {id: 'srv-dc01'}) RETURN count(*)") == [[1]])
        #expect(try db.database.store.read { try $0.idIndexHoldsOnlyLiveIDs() })
        // Within one writing statement: deleted, then looked up by id again.
        #expect(try db.rows("CREATE (s:VirtualServer {id: 'x-9', cpu: 1, name: 'x9'})") == [])
        #expect(try db.rows("MATCH (s {id: 'x-9'}) DELETE s WITH count(*) AS n OPTIONAL MATCH (t {id: 'x-9'}) RETURN n, count(t)") == [[1, 0]])
        _ = try db.rows("MATCH (s {id: 'srv-dc01'}) DETACH DELETE s")
        // The id index keeps the deleted CI's id: lookups by id must now check that the CI lives.
        #expect(try !db.database.store.read { try $0.idIndexHoldsOnlyLiveIDs() })
        #expect(try db.rows("MATCH (s {id: 'srv-dc01'}) RETURN count(*)") == [[0]])
        #expect(try db.rows("MATCH (x)-->(s {id: 'srv-dc01'}) RETURN count(*)") == [[0]])
        #expect(try db.rows("MATCH (s {id: 'srv-dc01'}) RETURN s.name") == [])
        _ = try db.rows("CREATE (s:VirtualServer {id: 'srv-dc01', cpu: 2, name: 'again'})")
        #expect(try db.rows("MATCH (s {id: 'srv-dc01'}) RETURN s.name") == [["again"]])
        #expect(try !db.database.store.read { try $0.idIndexHoldsOnlyLiveIDs() }, "x-9 is still deleted")
    }

    /// A process that opened the database before another applied a new schema must not write under the old one:
    /// its write finds the stored schema changed, writes nothing and says to run it again.
    @Test func aWriteUnderASchemaReplacedMeanwhileWritesNothing() throws {
        let extended = BuiltInSchema.yaml.replacingOccurrences(
            of: "classes:\n", with: "classes:\n  Printer:\n    parent: CI\n    attributes:\n      ppm: {type: int, min: 1}\n")
        let newSchema = try Schema.parse(yaml: extended)
        try db.database.applySchema(newSchema, change: ChangeInfo(actor: "other", changeReference: "CHG-S", origin: "test"))
        // `db` is still governed by the built-in schema, as a process that opened the database before the apply.
        do {
            _ = try db.rows("CREATE (s:VirtualServer {id: 'x-7', cpu: 1, name: 'x7'})")
            Issue.record("a write under the replaced schema ran")
        } catch let error as StorageError {
            #expect(error.code == .locked && error.message.contains("run it again"), "\(error)")
        }
        #expect(try db.rows("MATCH (s {id: 'x-7'}) RETURN count(*)") == [[0]])
        // Run again under the schema the database holds now: it writes, and the new class is known.
        let current = QueryEngine(database: db.database.governed(by: newSchema))
        let sink = CollectingSink()
        for statement in try CIQLParser.parse("CREATE (p:Printer {id: 'prn-1', ppm: 20})") {
            try current.execute(statement, change: ChangeInfo(actor: "test", changeReference: "CHG-P", origin: "test"), into: sink)
        }
        let read = try current.query("MATCH (p:Printer) RETURN p.ppm AS ppm")
        #expect(read.rows == [[.int(20)]])
    }

    @Test func asOfAndBaselinesSeeThePast() throws {
        _ = try db.rows("CREATE BASELINE 'before'")
        _ = try db.rows("MATCH (s {id: 'srv-dc01'}) SET s.os = 'Windows Server 2025'")
        #expect(try db.rows("MATCH (s {id: 'srv-dc01'}) RETURN s.os") == [["Windows Server 2025"]])
        #expect(try db.rows("MATCH (s {id: 'srv-dc01'}) RETURN s.os AS OF BASELINE 'before'") == [["Windows Server 2022 Standard"]])
        #expect(try db.rows("AS OF TX 1 MATCH (n) RETURN count(*)") == [[0]])
        let diff = try db.rows("DIFF BASELINE 'before'")
        #expect(diff == [["changed", "ci", "srv-dc01", "os", "Windows Server 2022 Standard", "Windows Server 2025"]])
        #expect(throws: CIQLError.self) { try db.rows("DIFF BASELINE 'befor'") }
    }

    @Test func showClassesAsOfCountsThePast() throws {
        func servers(_ text: String) throws -> Value? {
            try db.rows(text).first { $0.first == .string("VirtualServer") }?[3]
        }
        let before = try #require(try servers("SHOW CLASSES"))
        let loaded = try db.database.store.read { try $0.lastCommittedTransaction }
        _ = try db.rows("CREATE (s:VirtualServer {id: 'x-2', cpu: 2, name: 'x2'})")
        _ = try db.rows("CREATE (s:VirtualServer {id: 'x-3', cpu: 2, name: 'x3'})")
        guard case .int(let then) = before else { Issue.record("SHOW CLASSES counts are integers: \(before)"); return }
        #expect(try servers("SHOW CLASSES") == .int(then + 2))
        #expect(try servers("SHOW CLASSES AS OF TX \(loaded)") == .int(then))
        #expect(try servers("SHOW CLASSES AS OF TX \(loaded + 1)") == .int(then + 1))
        // The abstract parent counts its subclasses at that point too.
        let ciNow = try #require(try db.rows("SHOW CLASSES").first { $0.first == .string("CI") }?[3])
        let ciThen = try #require(try db.rows("SHOW CLASSES AS OF TX \(loaded)").first { $0.first == .string("CI") }?[3])
        guard case .int(let a) = ciNow, case .int(let b) = ciThen else { Issue.record("counts: \(ciNow) \(ciThen)"); return }
        #expect(a == b + 2)
    }

    @Test func schemalessGraphsGenerateIds() throws {
        let open = try FixtureDatabase(sample: false)
        _ = try open.rows("CREATE (a:Thing {name: 'a'})-[:LINKS {w: 1}]->(b {name: 'b'})")
        let rows = try open.rows("MATCH (a)-[r:LINKS]->(b) RETURN a.name, r.w, b.name, keys(a)")
        #expect(rows == [["a", 1, "b", .list(["name"])]])
        #expect(throws: CIQLError.self) { try open.rows("CREATE (x:A:B)") }
    }

    /// Under a schema a CI's id is a string, as import requires: `{id: 7}` says so rather than "a new CI needs an id"
    /// (it had one). A schemaless graph is openCypher's, where `{id: 0}` is a property like any other (the TCK's
    /// graphs use it) and the CI gets a generated id; null means no id given.
    @Test func anIdThatIsNotAStringIsRefusedUnderASchema() throws {
        for text in ["CREATE (s:VirtualServer {id: 7, cpu: 2})", "MERGE (s:VirtualServer {id: 7.5})",
            "CREATE (s:VirtualServer {id: ['a'], cpu: 2})"] {
            let error = try #require(throws: CIQLError.self) { try db.rows(text) }
            #expect(error.code.description == "TypeError.InvalidPropertyType", "\(text)")
            #expect(error.message.contains("a CI id is a string"), "\(text): \(error.message)")
        }
        let open = try FixtureDatabase(sample: false)
        _ = try open.rows("CREATE (n {id: 0}), (m {id: null, name: 'x'})")
        #expect(try open.rows("MATCH (n) WHERE n.id = 0 RETURN count(n)") == [[1]])
        #expect(try open.rows("MATCH (n {name: 'x'}) RETURN n.id STARTS WITH '_'") == [[.bool(true)]])
    }

    /// A CI's id compares by code point, as the id index does: the canonically equivalent spelling is another id,
    /// so SET to it is a change of id, refused, not "nothing changed".
    @Test func settingTheIdToAnEquivalentSpellingIsRefused() throws {
        let open = try FixtureDatabase(sample: false)
        _ = try open.rows("CREATE (:Thing {id: 'caf\u{e9}'})")
        for text in ["MATCH (n {id: 'caf\u{e9}'}) SET n.id = 'cafe\u{301}'", "MATCH (n {id: 'caf\u{e9}'}) SET n += {id: 'cafe\u{301}', w: 1}"] {
            let error = try #require(throws: CIQLError.self) { try open.rows(text) }
            #expect(error.code.description == "GraphError.ImmutableID", "\(text)")
        }
        // The same spelling is no change.
        _ = try open.rows("MATCH (n {id: 'caf\u{e9}'}) SET n.id = 'caf\u{e9}', n.w = 2")
        #expect(try open.rows("MATCH (n {id: 'caf\u{e9}'}) RETURN n.w") == [[2]])
    }
}
