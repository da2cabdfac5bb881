import Foundation
import Testing

/// An `indexed: true` number attribute answers `=` as CIQL does (2 = 2.0, 0.0 = -0.0) through its index seek,
/// in MATCH, MERGE and uniqueness, as the same predicate evaluated row by row does.
struct IndexSeekNumberTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    static let schema = """
        version: 1
        statuses: [live]
        classes:
          Gadget:
            attributes:
              n: {type: int, indexed: true}
              f: {type: float, indexed: true}
              u: {type: float, unique: true}
        """

    func ids(_ query: String, _ extra: String...) throws -> String {
        let result = try harness.run(["--db", harness.db, "query", query, "--format", "csv"] + extra)
        try #require(result.exitCode == 0, "\(query)\n\(result)")
        let out = result.out
        return out.split(separator: "\n").dropFirst().joined(separator: " ")
    }

    @Test("int and float equality on indexed attributes through seeks, MERGE and unique")
    func numberEqualityThroughTheIndex() throws {
        try harness.succeed("init", "--schema", harness.sandbox.write("gadget.yaml", Self.schema))
        let lines = #"{"kind":"ci","id":"g-1","class":"Gadget","attrs":{"n":2,"f":2.0,"u":1.0}}"# + "\n"
            + #"{"kind":"ci","id":"g-2","class":"Gadget","attrs":{"n":0,"f":-0.0,"u":-0.0}}"# + "\n"
        try harness.succeed("import", harness.sandbox.write("g.jsonl", lines), "--change", "C1")
        let plan = try harness.succeed("query", "EXPLAIN MATCH (g:Gadget) WHERE g.n = 2.0 RETURN g.id").out
        #expect(plan.contains("NodeIndexSeek"), "\(plan)")
        for (predicate, expected) in [
            ("g.n = 2.0", "g-1"), ("g.f = 2", "g-1"), ("g.f = 0.0", "g-2"), ("g.f = 0", "g-2"), ("g.n = -0.0", "g-2"),
            ("g.f = -0.0", "g-2"), ("g.n = 2.5", ""), ("g.f = 0.0 / 0.0", ""), ("g.n > 1.5", "g-1"), ("g.f < 3", "g-1 g-2"),
            ("g.n IN [2.0, -0.0]", "g-1 g-2"), ("g.f IN [2]", "g-1"),
        ] {
            let seek = try ids("MATCH (g:Gadget) WHERE \(predicate) RETURN g.id ORDER BY g.id")
            #expect(seek == expected, "\(predicate)")
            #expect(try ids("MATCH (g:Gadget) WHERE \(predicate) OR false RETURN g.id ORDER BY g.id") == expected,
                "\(predicate)")
        }
        #expect(try ids("MATCH (g {n: 2.0}) RETURN g.id") == "g-1")
        #expect(try ids("MATCH (g:Gadget {f: 2}) RETURN g.id") == "g-1")
        #expect(try ids("MATCH (g:Gadget) WHERE g.n = $v RETURN g.id", "--param", "v=2.0") == "g-1")
        #expect(try ids("MATCH (g:Gadget) WHERE g.f = $v RETURN g.id", "--param", "v=2") == "g-1")

        try harness.succeed("query", "MERGE (g:Gadget {f: 2}) ON CREATE SET g.id = 'g-new' RETURN g.id", "--change", "C2")
        #expect(try ids("MATCH (g:Gadget) RETURN g.id ORDER BY g.id") == "g-1 g-2", "MERGE created a second CI")

        // A unique float: 0.0 is the same value as the -0.0 that g-2 holds, and 1 the same as g-1's 1.0.
        let before = try harness.export()
        for value in ["0.0", "0", "1"] {
            let refused = try harness.cmdb("query", "CREATE (:Gadget {id: 'g-3', u: \(value)})", "--change", "C3")
            #expect(refused.exitCode == 2, "u: \(value)\n\(refused)")
            #expect(refused.err.contains("SchemaError.UniqueAttribute"), "\(refused.err)")
            let line = #"{"kind":"ci","id":"g-3","class":"Gadget","attrs":{"u":"# + value + "}}\n"
            let imported = try harness.cmdb("import", harness.sandbox.write("u.jsonl", line), "--change", "C3")
            #expect(imported.exitCode == 2, "u: \(value)\n\(imported)")
            #expect(imported.err.contains("u.jsonl:1:"), "\(imported.err)")
        }
        #expect(try harness.export() == before, "a refused write changed the database")
    }

    @Test("a seek for a value the index does not file (nanoseconds, lists, local date-times) finds what a scan finds")
    func valuesTheIndexDoesNotFile() throws {
        let schema = """
            version: 1
            statuses: [live]
            classes:
              Probe:
                attributes:
                  t: {type: datetime, indexed: true}
                  l: {type: list, indexed: true}
                  ld: {type: localdatetime, indexed: true}
            """
        try harness.succeed("init", "--schema", harness.sandbox.write("probe.yaml", schema))
        let lines = #"{"kind":"ci","id":"p-1","class":"Probe","attrs":{"t":"2026-11-22T02:00:00.123456789Z","l":["a",1],"ld":"2026-11-22T02:00"}}"#
            + "\n" + #"{"kind":"ci","id":"p-2","class":"Probe","attrs":{"t":"2026-11-22T02:00:00.123456Z"}}"# + "\n"
        try harness.succeed("import", harness.sandbox.write("p.jsonl", lines), "--change", "C1")
        for (predicate, expected) in [
            ("p.t = datetime('2026-11-22T02:00:00.123456789Z')", "p-1"),
            ("p.t = datetime('2026-11-22T03:00:00.123456789+01:00')", "p-1"),
            ("p.t = datetime('2026-11-22T02:00:00.123456Z')", "p-2"),
            ("p.l = ['a', 1.0]", "p-1"), ("p.ld = localdatetime('2026-11-22T02:00')", "p-1"),
        ] {
            #expect(try ids("MATCH (p:Probe) WHERE \(predicate) RETURN p.id ORDER BY p.id") == expected, "\(predicate)")
            #expect(try ids("MATCH (p:Probe) WHERE \(predicate) OR false RETURN p.id ORDER BY p.id") == expected,
                "\(predicate)")
        }
    }
}
