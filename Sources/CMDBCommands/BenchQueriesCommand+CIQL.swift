import CIQL
import CIQLResults
import CIQLValues
import CMDB
import GraphStorage
import JSONLines

/// The benchmark's CIQL queries: Q1 point lookups, Q2 one hop, Q6 the filtered 4-hop pattern, Q7 the
/// group-by, and the cold start. Each is planned once and run through the CIQL engine like any query.
extension BenchQueriesCommand {
    static let q1Text = "MATCH (n {id: $id}) RETURN n"
    static let q2Text = "MATCH (x)-->(v {id: $id}) RETURN DISTINCT x.id"
    static let q6Text = """
        MATCH (a:Application)-[:RUNS_ON]->(v)-[:HOSTED_ON]->(h)-[:LOCATED_IN]->(r)-[:LOCATED_IN]->(dc {id: $dc})
        WHERE a.criticality >= 4 RETURN count(DISTINCT a)
        """
    static let q7Text = "MATCH (n) RETURN class(n) AS class, n.status AS status, count(*) AS n"

    /// Q1: 10,000 full records by id, each in its own read transaction; check [found, Σ criticality].
    func q1(_ c: BenchContext) throws -> BenchQuery {
        let ids = try c.idList("q1")
        let query = try c.engine.prepare(Self.q1Text)
        return BenchQuery(name: "Q1", ops: ids.count) { () throws -> JSONValue in
            var found: Int64 = 0, criticality: Int64 = 0
            for id in ids {
                try query.run(parameters: ["id": .string(id)]) { row, graph in
                    guard case .node(let nid) = row[0], let node = try graph.node(nid) else { return }
                    found += 1
                    if case .int(let k)? = node.properties["criticality"] { criticality += k }
                }
            }
            return .array([.int(found), .int(criticality)])
        }
    }

    /// Q2: for 1,000 VMs, the distinct CIs with a relation to it; check Σ set sizes.
    func q2(_ c: BenchContext) throws -> BenchQuery {
        let ids = try c.idList("q2")
        let query = try c.engine.prepare(Self.q2Text)
        return BenchQuery(name: "Q2", ops: ids.count) { () throws -> JSONValue in
            var total: Int64 = 0
            for id in ids { try query.run(parameters: ["id": .string(id)]) { _, _ in total += 1 } }
            return .int(total)
        }
    }

    /// Q6: the critical applications running in one datacenter, through four hops.
    func q6(_ c: BenchContext) throws -> BenchQuery {
        let dc = try c.id("q6")
        let query = try c.engine.prepare(Self.q6Text)
        return BenchQuery(name: "Q6", ops: 1) { () throws -> JSONValue in
            var count: Int64 = 0
            try query.run(parameters: ["dc": .string(dc)]) { row, _ in
                if case .int(let n) = row[0] { count = n }
            }
            return .int(count)
        }
    }

    /// Q7: CIs counted by (class, status); check [groups, total], plus the groups.
    func q7(_ c: BenchContext) throws -> BenchQuery {
        let query = try c.engine.prepare(Self.q7Text)
        let groups = GroupsBox()
        return BenchQuery(
            name: "Q7", ops: 1,
            run: { () throws -> JSONValue in
                var rows: [(String, String, Int64)] = []
                try query.run { row, _ in
                    guard case .string(let cls) = row[0], case .int(let n) = row[2] else { return }
                    var status = ""
                    if case .string(let s) = row[1] { status = s }
                    rows.append((cls, status, n))
                }
                groups.rows = rows.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
                return .array([.int(Int64(rows.count)), .int(rows.reduce(0) { $0 + $1.2 })])
            },
            extraJSON: {
                var w = JSONWriter(capacity: 4096)
                w.writeRaw(",\"groups\":[")
                for (i, g) in groups.rows.enumerated() {
                    if i > 0 { w.writeRaw(",") }
                    w.writeRaw("[")
                    w.writeString(g.0)
                    w.writeRaw(",")
                    w.writeString(g.1)
                    w.writeRaw(",\(g.2)]")
                }
                w.writeRaw("]")
                return String(decoding: w.bytes, as: UTF8.self)
            })
    }

    /// Cold start: open the database and answer one Q1, timed inside this fresh process.
    func runColdStart(_ id: String) throws {
        let clock = ContinuousClock()
        var found = false
        let elapsed = try clock.measure {
            let db = try ConfigurationDatabase.open(at: database.path)
            let query = try QueryEngine(database: db).prepare(Self.q1Text)
            try query.run(parameters: ["id": .string(id)]) { row, graph in
                if case .node(let nid) = row[0], try graph.node(nid) != nil { found = true }
            }
        }
        guard found else { throw CommandFailure.badInput("--coldstart: no CI with id '\(id)'") }
        Console.out("{\"peer\":\"swift\",\"query\":\"coldstart\",\"seconds\":\(elapsed.milliseconds / 1000)}")
    }
}

/// Q7's groups, kept from the last run for the result line.
final class GroupsBox {
    var rows: [(String, String, Int64)] = []
}

extension BenchContext {
    var engine: QueryEngine { QueryEngine(database: database) }
}
