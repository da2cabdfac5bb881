import CIQL
import CIQLSyntax
import GraphStorage
import Testing

/// Queries on the sample school board CMDB: each asserts the rows the statement must give.
@Suite struct ExecutionTests {
    let db: FixtureDatabase

    init() throws { db = try FixtureDatabase() }

    @Test func lookupByIdReturnsTheRecord() throws {
        let rows = try db.rows("MATCH (s {id: 'srv-dc01'}) RETURN s.id, class(s), s.hostname, s.criticality")
        #expect(rows == [["srv-dc01", "VirtualServer", "dc01", 5]])
    }

    @Test func aClassMatchesItsSubclasses() throws {
        let servers = try db.rows("MATCH (s:Server) RETURN count(*)")
        let parts = try db.rows("MATCH (v:VirtualServer) RETURN count(*) AS n UNION ALL MATCH (p:PhysicalServer) RETURN count(*) AS n")
        #expect(servers == [[20]])
        #expect(parts.map { $0[0] } == [15, 5])
    }

    @Test func expandsByTypeAndDirection() throws {
        let rows = try db.rows("MATCH (a:Application {id: 'app-ad-ds'})-[r]->(x) RETURN type(r), x.id ORDER BY x.id")
        #expect(rows == [["RUNS_ON", "srv-dc01"], ["RUNS_ON", "srv-dc02"], ["USES", "ts-dns-dhcp"]])
        let incoming = try db.rows("MATCH (x)-[:RUNS_ON|USES]->(s {id: 'srv-dc01'}) RETURN x.id ORDER BY x.id")
        #expect(incoming == [["app-ad-ds"], ["ts-dns-dhcp"]])
    }

    @Test func threeValuedLogic() throws {
        let rows = try db.rows("RETURN null = null, null OR true, null AND false, NOT null, 1 IN [null, 1], 2 IN [null, 1], null IS NULL")
        #expect(rows == [[.null, .bool(true), .bool(false), .null, .bool(true), .null, .bool(true)]])
    }

    @Test func groupsImplicitlyAndOrders() throws {
        let rows = try db.rows("""
            MATCH (s:Server) RETURN class(s) AS class, count(*) AS n, max(s.criticality) AS worst ORDER BY n DESC, class
            """)
        #expect(rows.first?[0] == "VirtualServer")
        #expect(rows.first?[1] == 15)
        #expect(rows.reduce(Int64(0)) { if case .int(let n) = $1[1] { return $0 + n } else { return $0 } } == 20)
    }

    @Test func optionalMatchGivesNulls() throws {
        let rows = try db.rows("""
            MATCH (s {id: 'srv-dc01'}) OPTIONAL MATCH (s)-[:NO_SUCH_TYPE_HERE]->(x) RETURN s.id, x
            """.replacingOccurrences(of: "NO_SUCH_TYPE_HERE", with: "HOSTED_ON") + " LIMIT 1")
        #expect(rows.count == 1)
        let none = try db.rows("MATCH (s {id: 'app-ad-ds'}) OPTIONAL MATCH (s)<-[:RUNS_ON]-(x) RETURN s.id, x")
        #expect(none == [["app-ad-ds", .null]])
    }

    @Test func variableLengthAndShortestPath() throws {
        let rows = try db.rows("MATCH (a {id: 'app-ad-ds'})-[*1..2]->(x) RETURN DISTINCT x.id ORDER BY x.id")
        #expect(rows.contains(["srv-dc01"]) && rows.contains(["ts-dns-dhcp"]))
        let path = try db.rows("""
            MATCH p = shortestPath((a {id: 'app-ad-ds'})-[*]-(b {id: 'srv-dc02'})) RETURN length(p), [n IN nodes(p) | n.id]
            """)
        #expect(path == [[1, .list(["app-ad-ds", "srv-dc02"])]])
    }

    @Test func unwindWithAndListFunctions() throws {
        let rows = try db.rows("UNWIND [3, 1, 2] AS x WITH x WHERE x > 1 RETURN collect(x) AS xs, size(collect(x)) AS n")
        #expect(rows == [[.list([3, 2]), 2]])
        let text = try db.rows("RETURN toUpper('ab') + toString(1), coalesce(null, 'x'), [1,2,3][1..], toInteger('42')")
        #expect(text == [["AB1", "x", .list([2, 3]), 42]])
    }

    @Test func limitStopsTheScanEarly() throws {
        let sink = try db.engine.query("PROFILE MATCH (n) RETURN n.id LIMIT 3")
        let scan = sink.rows.first { if case .string(let s) = $0[0] { return s.contains("AllNodesScan") } else { return false } }
        #expect(scan?[2] == 3)
    }

    @Test func plansUseTheIdIndexAndCounts() throws {
        let seek = try db.engine.query("EXPLAIN MATCH (a)-[:RUNS_ON]->(s) WHERE s.id = 'srv-dc01' RETURN a")
        #expect(seek.rows.contains { if case .string(let s) = $0[0] { return s.contains("NodeByIdSeek") } else { return false } })
        let counted = try db.engine.query("EXPLAIN MATCH (n) RETURN class(n), n.status, count(*)")
        #expect(counted.rows.contains { $0[0] == "CountStore" })
        let fromCounts = try db.rows("MATCH (n:Server) RETURN count(*)")
        #expect(fromCounts == [[20]])
    }

    @Test func semanticErrorsNameTheClosestSpelling() throws {
        #expect(throws: CIQLError.self) { try db.rows("MATCH (s:Servr) RETURN s") }
        do {
            _ = try db.rows("MATCH (s:Server) RETURN t.id")
            Issue.record("an unknown variable must be refused")
        } catch let error as CIQLError {
            #expect(error.message.contains("unknown variable 't'"))
            #expect(error.location?.column == 25)
        }
        do {
            _ = try db.rows("RETURN toLowr('A')")
            Issue.record("an unknown function must be refused")
        } catch let error as CIQLError {
            #expect(error.message.contains("did you mean 'toLower'"))
        }
    }
}
