@testable import CIQL
import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import ConfigurationSchema
import GraphStorage
import Testing

/// The plan cache behind `QueryEngine.run`: statements that differ only in literals share a plan, and a cached
/// plan gives exactly what a fresh plan of the same text gives.
@Suite struct PlanCacheTests {
    let db: FixtureDatabase

    init() throws { db = try FixtureDatabase() }

    /// What `run` gives for `text`: columns, rows (nodes as ids) or the error with its location.
    private func outcome(_ engine: QueryEngine, _ text: String, _ parameters: [String: Value] = [:]) -> String {
        let sink = CollectingSink()
        do {
            try engine.run(text, parameters: parameters, change: ChangeInfo(actor: "test", changeReference: nil, origin: "test"),
                sinkFor: { _ in sink })
        } catch {
            return "error: \(error)"
        }
        return "\(sink.columns) \(sink.rows.map { $0.map { sink.idsForNodes($0) } })"
    }

    /// What the uncached path (parse, plan, run) gives.
    private func fresh(_ text: String, _ parameters: [String: Value] = [:]) -> String {
        let sink = CollectingSink()
        do {
            for statement in try CIQLParser.parse(text) {
                try db.engine.execute(statement, parameters: parameters,
                    change: ChangeInfo(actor: "test", changeReference: nil, origin: "test"), into: sink)
            }
        } catch {
            return "error: \(error)"
        }
        return "\(sink.columns) \(sink.rows.map { $0.map { sink.idsForNodes($0) } })"
    }

    @Test func aStatementWithOtherLiteralsReusesThePlan() throws {
        let engine = QueryEngine(database: db.database)
        #expect(outcome(engine, "MATCH (c {id: 'srv-dc01'}) RETURN c.hostname AS h").contains("dc01"))
        let before = engine.planCache.statistics
        let second = outcome(engine, "MATCH (c {id: 'srv-dc02'})   RETURN c.hostname AS h")
        let after = engine.planCache.statistics
        #expect(second.contains("dc02"))
        #expect(after.hits == before.hits + 1)
        #expect(after.count == 1)
    }

    @Test func aProcedureCallWithOtherArgumentsReusesThePlan() throws {
        // One row per item of the list argument, as `CALL impact([...])` takes its targets.
        let echo = ProcedureDefinition(name: "echo", parameters: ["items"], outputs: ["v"]) { arguments, _ in
            guard case .list(let items) = arguments[0] else { return [[arguments[0]]] }
            return items.map { [$0] }
        }
        let engine = QueryEngine(database: db.database, procedures: [echo])
        #expect(outcome(engine, "CALL echo(['a', 'b']) YIELD v RETURN v") == #"["v"] [[CIQLValues.Value.string("a")], [CIQLValues.Value.string("b")]]"#)
        let before = engine.planCache.statistics
        #expect(outcome(engine, "CALL echo(['c', 'd']) YIELD v RETURN v") == #"["v"] [[CIQLValues.Value.string("c")], [CIQLValues.Value.string("d")]]"#)
        #expect(engine.planCache.statistics.hits == before.hits + 1)
        #expect(outcome(engine, "CALL echo([7]) YIELD v RETURN v") == #"["v"] [[CIQLValues.Value.int(7)]]"#)
        #expect(outcome(engine, "CALL echo('x') YIELD v RETURN v") == #"["v"] [[CIQLValues.Value.string("x")]]"#)
    }

    @Test func literalTypesArePlannedApart() throws {
        let engine = QueryEngine(database: db.database)
        _ = outcome(engine, "MATCH (c {id: 'srv-dc01'}) RETURN c.id AS id")
        let misses = engine.planCache.statistics.misses
        #expect(outcome(engine, "MATCH (c {id: 1}) RETURN c.id AS id") == fresh("MATCH (c {id: 1}) RETURN c.id AS id"))
        #expect(engine.planCache.statistics.misses == misses + 1)
        #expect(engine.planCache.statistics.count == 2)
    }

    @Test func asOfStatementsReuseThePlanEachAtItsOwnTransaction() throws {
        let engine = QueryEngine(database: db.database)
        // Transactions after the fixture's: the hostname changes twice, so each point in time answers differently.
        _ = outcome(engine, "MATCH (c {id: 'srv-dc01'}) SET c.hostname = 'dc01-renamed'")
        _ = outcome(engine, "MATCH (c {id: 'srv-dc01'}) SET c.hostname = 'dc01-again'")
        let last = try db.database.store.read { tx in try tx.changes(limit: 1).first?.transaction ?? 0 }
        #expect(last >= 3)
        var answers = Set<String>()
        for txn in 1...last {
            for id in ["srv-dc01", "srv-dc02"] {
                let text = "MATCH (c {id: '\(id)'}) RETURN c.hostname AS h AS OF TX \(txn)"
                let cached = outcome(engine, text)
                #expect(cached == fresh(text), "\(text)")
                answers.insert(cached)
            }
        }
        #expect(answers.count >= 4, "the points in time answer differently: \(answers)")
        // One shape per transaction literal (it is never a hidden parameter), the ids shared within each.
        #expect(engine.planCache.statistics.hits >= Int(last))
        // A wrong point in time is still refused, at this statement's place.
        #expect(outcome(engine, "MATCH (c {id: 'srv-dc01'}) RETURN c.hostname AS h AS OF BASELINE 'nope'").contains("error"))
    }

    @Test func writesAndExplainAreNotCached() throws {
        let engine = QueryEngine(database: db.database)
        _ = outcome(engine, "EXPLAIN MATCH (c {id: 'srv-dc01'}) RETURN c.id AS id")
        _ = outcome(engine, "MATCH (c {id: 'srv-dc01'}) SET c.note = 'x'")
        #expect(engine.planCache.statistics.count == 0)
    }

    @Test func theCacheIsBounded() throws {
        let engine = QueryEngine(database: db.database, planCacheSize: 3)
        for i in 0..<6 { _ = outcome(engine, "RETURN \(i) AS x\(i)") }
        #expect(engine.planCache.statistics.count == 3)
    }

    @Test func aSchemaChangeDropsThePlans() throws {
        let engine = QueryEngine(database: db.database)
        let text = "MATCH (n) WHERE n.hostname = 'dc01' RETURN n.id AS id"
        let expected = outcome(engine, text)
        _ = outcome(engine, text)
        let hits = engine.planCache.statistics.hits
        let schema = try Schema.parse(yaml: BuiltInSchema.yaml.replacingOccurrences(
            of: "indexed: true", with: "indexed: false"))
        try db.database.applySchema(schema, change: ChangeInfo(actor: "test", changeReference: nil, origin: "test"))
        #expect(outcome(engine, text) == expected)
        #expect(engine.planCache.statistics.hits == hits)
    }

    @Test func aNewPropertyKeyDropsThePlans() throws {
        let graph = try FixtureDatabase(sample: false)
        _ = try graph.rows("CREATE ({id: 'a'})")
        let engine = QueryEngine(database: graph.database)
        let text = "MATCH (n {id: 'a'}) RETURN n.id AS id"
        _ = outcome(engine, text)
        _ = try graph.rows("MATCH (n {id: 'a'}) SET n.brand_new_key = 1")
        let hits = engine.planCache.statistics.hits
        _ = outcome(engine, text)
        #expect(engine.planCache.statistics.hits == hits)
    }

    /// Pairs of statements of one shape: the first fills the cache, the second must give what a fresh plan gives.
    @Test(arguments: [
        ("MATCH (c {id: 'srv-dc01'}) RETURN c.id AS id", "MATCH (c {id: 'srv-dc02'}) RETURN c.id AS id"),
        ("MATCH (c {id: 'srv-dc01'}) RETURN c.id AS id", "MATCH (c {id: 'nope'}) RETURN c.id AS id"),
        ("MATCH (x)-->(v {id: 'srv-dc01'}) RETURN DISTINCT x.id AS x", "MATCH (x)-->(v {id: 'srv-dc02'}) RETURN DISTINCT x.id AS x"),
        ("MATCH (n:Server) RETURN n.id AS id ORDER BY id LIMIT 2", "MATCH (n:Server) RETURN n.id AS id ORDER BY id LIMIT 3"),
        ("MATCH (n:Server) RETURN n.id AS id ORDER BY id SKIP 1 LIMIT 1", "MATCH (n:Server) RETURN n.id AS id ORDER BY id SKIP 2 LIMIT 1"),
        ("MATCH (n:Server) RETURN n.id AS id, n.criticality % 2 AS k ORDER BY n.criticality % 2, id",
            "MATCH (n:Server) RETURN n.id AS id, n.criticality % 3 AS k ORDER BY n.criticality % 2, id"),
        ("MATCH (n:Server) RETURN n.id AS id, n.criticality % 2 AS k ORDER BY n.criticality % 2, id",
            "MATCH (n:Server) RETURN n.id AS id, n.criticality % 2 AS k ORDER BY n.criticality % 3, id"),
        ("MATCH (n:Server) RETURN n.criticality + 1 AS k, count(*) AS c ORDER BY k",
            "MATCH (n:Server) RETURN n.criticality + 2 AS k, count(*) AS c ORDER BY k"),
        ("RETURN 1 + 2", "RETURN 1 + 3"),
        ("RETURN 1 - 1 AS x", "RETURN 'a' - 1 AS x"),
        ("RETURN -1 AS x", "RETURN -2 AS x"),
        ("RETURN 1.5 AS x", "RETURN 2.5 AS x"),
        ("RETURN 0x10 AS x", "RETURN 16 AS x"),
        ("RETURN 10 / 1 AS x", "RETURN   10  /   0 AS x"),
        ("RETURN 'a' =~ 'a.*' AS x", "RETURN 'a' =~ '(' AS x"),
        ("MATCH (n:Server) WHERE n.id IN ['srv-dc01', 'srv-dc02'] RETURN n.id AS id ORDER BY id",
            "MATCH (n:Server) WHERE n.id IN ['srv-dc02', 'nope'] RETURN n.id AS id ORDER BY id"),
        ("MATCH (n) WHERE n.id STARTS WITH 'srv' RETURN count(*) AS n", "MATCH (n) WHERE n.id STARTS WITH 'app' RETURN count(*) AS n"),
        ("MATCH (n:Server) WITH n, n.criticality AS c WHERE c > 3 RETURN n.id AS id ORDER BY id",
            "MATCH (n:Server) WITH n, n.criticality AS c WHERE c > 4 RETURN n.id AS id ORDER BY id"),
        ("MATCH (a {id: 'srv-dc01'})-[*1..1]-(b) RETURN count(DISTINCT b) AS n",
            "MATCH (a {id: 'srv-dc01'})-[*1..2]-(b) RETURN count(DISTINCT b) AS n"),
        ("UNWIND [1, 2] AS x RETURN x * 10 AS y", "UNWIND [3, 4] AS x RETURN x * 10 AS y"),
        ("MATCH (n:Server {id: 'srv-dc01'}) RETURN n.id AS id", "MATCH (n:Site {id: 'srv-dc01'}) RETURN n.id AS id"),
        ("RETURN toUpper('a') AS x", "RETURN toUpper('b') AS x"),
        ("MATCH (n {id: 'srv-dc01'}) RETURN n.id AS id", "MATCH (n {id: $id}) RETURN n.id AS id"),
    ])
    func aCachedPlanGivesWhatAFreshOneGives(_ warm: String, _ probe: String) throws {
        let engine = QueryEngine(database: db.database)
        #expect(outcome(engine, warm) == fresh(warm))
        #expect(outcome(engine, probe, ["id": .string("srv-dc02")]) == fresh(probe, ["id": .string("srv-dc02")]))
        // And both in one text, as `query -f` runs a script.
        let both = QueryEngine(database: db.database)
        #expect(outcome(both, warm + ";\n  " + probe, ["id": .string("srv-dc02")])
            == fresh(warm + ";\n  " + probe, ["id": .string("srv-dc02")]))
    }

    @Test func aSyntaxErrorAnywhereRunsNothing() throws {
        let engine = QueryEngine(database: db.database)
        let before = try db.rows("MATCH (n {id: 'srv-dc01'}) RETURN n.os")
        let text = "MATCH (n {id: 'srv-dc01'}) SET n.os = 'changed'; MATCH (n {id: 'srv-dc01'}) RETURN n.id AS id; RETURN ("
        #expect(outcome(engine, text) == fresh(text))
        #expect(try db.rows("MATCH (n {id: 'srv-dc01'}) RETURN n.os") == before)
    }

    @Test func theUserCannotReachHiddenParameters() throws {
        let engine = QueryEngine(database: db.database)
        let hidden = PlanCache.parameterName(0)
        _ = outcome(engine, "MATCH (c {id: 'srv-dc01'}) RETURN c.id AS id")
        #expect(outcome(engine, "MATCH (c {id: 'srv-dc02'}) RETURN c.id AS id", [hidden: .string("srv-dc01")])
            == fresh("MATCH (c {id: 'srv-dc02'}) RETURN c.id AS id"))
    }
}
