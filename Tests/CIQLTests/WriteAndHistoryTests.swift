import CIQL
import CIQLSyntax
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
        _ = try db.rows("MATCH (s {id: 'srv-dc01'}) DETACH DELETE s")
        #expect(try db.rows("MATCH (s {id: 'srv-dc01'}) RETURN count(*)") == [[0]])
        #expect(try db.rows("MATCH (x)-->(s {id: 'srv-dc01'}) RETURN count(*)") == [[0]])
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

    @Test func schemalessGraphsGenerateIds() throws {
        let open = try FixtureDatabase(sample: false)
        _ = try open.rows("CREATE (a:Thing {name: 'a'})-[:LINKS {w: 1}]->(b {name: 'b'})")
        let rows = try open.rows("MATCH (a)-[r:LINKS]->(b) RETURN a.name, r.w, b.name, keys(a)")
        #expect(rows == [["a", 1, "b", .list(["name"])]])
        #expect(throws: CIQLError.self) { try open.rows("CREATE (x:A:B)") }
    }
}
