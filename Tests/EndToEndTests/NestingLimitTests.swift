import Foundation
import Testing

/// Deeply nested lists through the binary: a stored attribute nests lists at most 64 deep (what the record reader
/// reads), and every write path refuses a deeper one before anything is written; a value a statement builds or is
/// given nests lists and maps at most 100 deep, so that no recursive walk over a value (release, output, comparison,
/// hashing) can exhaust a thread's stack.
@Suite("nesting limits", .serialized)
struct NestingLimitTests {
    let harness: Harness
    static let storedLimit = 64
    static let valueLimit = 100

    init() throws {
        harness = try Harness()
    }

    /// JSON text of `1` inside `depth` lists.
    static func nestedJSON(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
    }

    /// CIQL for a list nested `depth` deep, built at run time.
    static func nestedCIQL(_ depth: Int) -> String { "reduce(l = [1], i IN range(1, \(depth - 1)) | [l])" }

    private func expectNestingError(
        _ result: CommandResult, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.exitCode == 2 && result.signal == nil, "\(result)", sourceLocation: sourceLocation)
        #expect(result.err.contains("error[Limit.NestingDepth]"), "\(result)", sourceLocation: sourceLocation)
        for m in mentions {
            #expect(result.err.contains(m), "'\(m)' missing from: \(result.err)", sourceLocation: sourceLocation)
        }
    }

    /// Every CI's id in the default database, from an export (which reads every record).
    private func exportedIDs(_ db: String? = nil) throws -> [String] {
        let export = try harness.succeed("export", db: db)
        return export.out.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
        }
    }

    // MARK: - Stored attributes

    @Test("import: an attribute nested 64 deep is stored and reads back; 65 deep is refused naming line, attribute and limit")
    func importLimit() throws {
        try harness.makeDatabase()
        let ok = try harness.sandbox.write(
            "ok.jsonl", #"{"kind":"ci","id":"app-1","class":"Application","attrs":{"x":"# + Self.nestedJSON(64) + "}}\n")
        try harness.succeed("import", ok, "--change", "C1")
        let export = try harness.succeed("export")
        #expect(export.out.contains(Self.nestedJSON(64)), "\(export)")
        try harness.succeed("history", "app-1")

        let deep = try harness.sandbox.write(
            "deep.jsonl",
            #"{"kind":"ci","id":"app-2","class":"Application","name":"two"}"# + "\n"
                + #"{"kind":"ci","id":"app-3","class":"Application","attrs":{"x":"# + Self.nestedJSON(65) + "}}\n")
        let refused = try harness.cmdb("import", deep, "--change", "C2")
        expectNestingError(refused, mentions: ["deep.jsonl:2", "'x'", "64", "nothing was imported"])
        #expect(try exportedIDs() == ["app-1"], "nothing of the refused import was written")

        let relation = try harness.sandbox.write(
            "rel.jsonl",
            #"{"kind":"ci","id":"srv-1","class":"Server","name":"s"}"# + "\n"
                + #"{"kind":"rel","type":"RUNS_ON","from":"app-1","to":"srv-1","attrs":{"y":"# + Self.nestedJSON(70) + "}}\n")
        expectNestingError(try harness.cmdb("import", relation, "--change", "C3"), mentions: ["rel.jsonl:2", "'y'", "64"])
        #expect(try exportedIDs() == ["app-1"])
        // The stored CI is still an ordinary one: it can be deleted.
        try harness.succeed("query", "MATCH (a {id: 'app-1'}) DETACH DELETE a", "--change", "C4")
        #expect(try exportedIDs() == [])
    }

    @Test("CSV import: a list cell nested 65 deep is refused naming the line and the attribute; nothing is written")
    func csvImportLimit() throws {
        try harness.makeDatabase()
        let map = try harness.sandbox.write(
            "map.yaml", "class: Application\nid: \"{id}\"\nname: \"{name}\"\nattrs:\n  x: {column: x, type: list}\n")
        func sheet(_ depth: Int) -> String {
            "id,name,x\napp-1,one,\"[1]\"\napp-2,two,\"" + Self.nestedJSON(depth) + "\"\n"
        }
        let deep = try harness.sandbox.write("deep.csv", sheet(65))
        expectNestingError(try harness.cmdb("import", deep, "--map", map, "--change", "C1"), mentions: ["deep.csv:3", "'x'", "64"])
        #expect(try exportedIDs() == [])
        let ok = try harness.sandbox.write("ok.csv", sheet(64))
        try harness.succeed("import", ok, "--map", map, "--change", "C1")
        #expect(try exportedIDs().sorted() == ["app-1", "app-2"])
    }

    @Test(
        "CIQL CREATE, SET and MERGE of a property nested 65 deep are refused at their place; nothing is written",
        arguments: [
            "CREATE (:X {id: 'p', x: \(nestedCIQL(65))})",
            "MATCH (a {id: 'a'}) SET a.x = \(nestedCIQL(65))",
            "MATCH (a {id: 'a'}) SET a += {x: \(nestedCIQL(65))}",
            "MATCH (a {id: 'a'}) SET a = {x: \(nestedCIQL(66))}",
            "MERGE (p:X {id: 'p'}) ON CREATE SET p.x = \(nestedCIQL(65))",
            "MATCH (a {id: 'a'}) CREATE (a)-[:USES {x: \(nestedCIQL(65))}]->(:X {id: 'q'})",
            "MATCH (a {id: 'a'})-[r:USES]->() SET r.x = [\(nestedCIQL(64))]",
        ])
    func ciqlWriteLimit(statement: String) throws {
        try harness.succeed("init", "--schema", "none")
        try harness.succeed("query", "CREATE (a:X {id: 'a'})-[:USES]->(:X {id: 'b'})")
        let before = try harness.succeed("query", "MATCH (n) RETURN n.id, properties(n) ORDER BY n.id", "--format", "json")
        expectNestingError(try harness.cmdb("query", statement), mentions: ["'x'", "64", "] 1:"])
        let after = try harness.succeed("query", "MATCH (n) RETURN n.id, properties(n) ORDER BY n.id", "--format", "json")
        #expect(after.out == before.out, "nothing was written")
        try harness.succeed("export")
    }

    @Test("CIQL at the stored limit: a property nested 64 deep is written, read, exported and deleted")
    func ciqlAtLimit() throws {
        try harness.succeed("init", "--schema", "none")
        try harness.succeed("query", "CREATE (:X {id: 'p', x: \(Self.nestedCIQL(64))})")
        let read = try harness.succeed("query", "MATCH (p {id: 'p'}) RETURN p.x AS x, properties(p) AS all", "--format", "json")
        #expect(read.out.contains(Self.nestedJSON(64)), "\(read)")
        #expect(try harness.succeed("export").out.contains(Self.nestedJSON(64)))
        try harness.succeed("query", "MATCH (p {id: 'p'}) REMOVE p.x")
        try harness.succeed("query", "MATCH (p {id: 'p'}) DETACH DELETE p")
    }

    @Test("verify --apply of a snapshot attribute nested 65 deep is refused; nothing is changed")
    func verifyApplyLimit() throws {
        try harness.makeDatabase()
        let snapshot = try harness.sandbox.write(
            "snap.jsonl",
            #"{"kind":"source","name":"probe","classes":["Server"]}"# + "\n"
                + #"{"kind":"ci","class":"Server","attrs":{"hostname":"srv-9","serial":"S9","extra":"# + Self.nestedJSON(65)
                + "}}\n")
        let result = try harness.cmdb("verify", snapshot, "--apply", "--change", "C1")
        expectNestingError(result, mentions: ["'extra'", "srv-9", "64"])
        #expect(try exportedIDs() == [])
    }

    // MARK: - Values built at run time

    @Test(
        "a value nested deeper than 100 is an error at its place, never a crash",
        arguments: [
            "WITH reduce(l = [], x IN range(1, 100000) | [l]) AS d RETURN size(d) AS n",
            "WITH reduce(l = [], x IN range(1, 60000) | [l]) AS d RETURN size(d) AS n",
            "WITH reduce(l = [], x IN range(1, 5000) | [l]) AS d RETURN d",
            "RETURN reduce(m = {}, x IN range(1, 200) | {a: m}) AS d",
            "RETURN reduce(l = [], x IN range(1, 200) | [] + [l]) AS d",
            "WITH {k: \(nestedCIQL(99))} AS m RETURN [1] + m AS c",
            "WITH {k: \(nestedCIQL(99))} AS m RETURN m + [1] AS c",
            "RETURN reduce(l = [], x IN range(1, 200) | [y IN [l] | y]) AS d",
            "MATCH (n {id: 'a'}) RETURN reduce(l = [], x IN range(1, 200) | [(n)-->(m) | l]) AS d",
            "WITH \(nestedCIQL(100)) AS d UNWIND [1] AS i RETURN collect(d) AS c",
            "WITH \(nestedCIQL(100)) AS d RETURN [d] AS c",
            "WITH \(nestedCIQL(100)) AS d RETURN {k: d} AS c",
            "WITH \(nestedCIQL(100)) AS d RETURN [1] + [d] AS c",
            "WITH \(nestedCIQL(100)) AS d RETURN [x IN [1] | d] AS c",
            "WITH {k: 1} AS m, \(nestedCIQL(100)) AS d RETURN m {.k, d} AS c",
            "MATCH (n {id: 'a'}) WITH n, \(nestedCIQL(100)) AS d RETURN [(n)-->(m) | d] AS c",
        ])
    func runtimeLimit(statement: String) throws {
        try harness.succeed("init", "--schema", "none")
        try harness.succeed("query", "CREATE (:X {id: 'a'})-[:R]->(:X {id: 'b'})")
        let result = try harness.cmdb("query", statement, "--format", "json")
        expectNestingError(result, mentions: ["100", "] 1:"])
        #expect(!result.out.contains("\"rows\":[["), "no partial answer: \(result)")
    }

    @Test(
        "a value that holds one list in itself over and over (2^60 paths, shallow) is refused as it is built",
        arguments: [
            "RETURN reduce(l = [], x IN range(1, 60) | [l, l]) AS d",
            "RETURN reduce(l = [], x IN range(1, 60) | [l, l]) = reduce(l = [], x IN range(1, 60) | [l, l]) AS same",
            "UNWIND [1, 2] AS i WITH DISTINCT reduce(m = {}, x IN range(1, 60) | {a: m, b: m}) AS d RETURN count(*) AS n",
            "WITH reduce(l = [], x IN range(1, 60) | [l, l]) AS d RETURN d ORDER BY d",
            // Each part under the bound, the whole over it: + of shared lists, a comprehension, collect(), a map.
            "WITH reduce(l = [1], x IN range(1, 21) | [l, l]) AS l WITH reduce(a = [l], x IN range(1, 10) | a + a) AS a RETURN a = a AS same",
            "WITH reduce(l = [1], x IN range(1, 21) | [l, l]) AS l RETURN size(reduce(acc = [], x IN range(1, 8) | acc + [l])) AS n",
            "WITH reduce(l = [1], x IN range(1, 21) | [l, l]) AS l RETURN size([x IN range(1, 5) | l]) AS n",
            "WITH reduce(l = [1], x IN range(1, 18) | [l, l]) AS l UNWIND range(1, 30) AS i RETURN size(collect(l)) AS n",
            "WITH reduce(l = [1], x IN range(1, 21) | [l, l]) AS l RETURN size(keys({a: l, b: l, c: l})) AS n",
        ])
    func repeatedListsAreBounded(statement: String) throws {
        try harness.succeed("init", "--schema", "none")
        let result = try harness.run(["--db", harness.db, "query", statement, "--format", "json"], timeout: 60)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("error[Limit.TooLarge]") && result.err.contains("10000000") && result.err.contains("] 1:"), "\(result.err)")
        // Shared lists below the bound are still built and printed.
        let small = try harness.succeed("query", "RETURN size(reduce(l = [1], x IN range(1, 10) | [l, l])) AS n", "--format", "csv")
        #expect(small.out == "n\n2\n")
        // Many small lists, shared or not, are counted where they stand and taken.
        let many = try harness.succeed(
            "query", "WITH [1, 2, 3] AS t UNWIND range(1, 20000) AS i WITH collect(t) + collect([i, i, i]) AS c RETURN size([c]) AS n",
            "--format", "csv")
        #expect(many.out == "n\n1\n")
    }

    @Test("a value nested exactly 100 deep goes through every output format, ORDER BY, DISTINCT, equality and grouping")
    func runtimeAtLimit() throws {
        try harness.succeed("init", "--schema", "none")
        let d = Self.nestedCIQL(Self.valueLimit)
        for format in ["json", "jsonl", "csv", "table"] {
            let out = try harness.succeed("query", "WITH \(d) AS d RETURN d", "--format", format)
            #expect(out.out.contains(Self.nestedJSON(Self.valueLimit)) || format == "table" || format == "csv", "\(out)")
        }
        let mixed = """
            UNWIND [1, 2, 2] AS i WITH i, \(d) AS d
            WITH DISTINCT i, d ORDER BY d, i
            WITH d, collect(i) AS ids, d = d AS same, d < [d[0]] AS less
            RETURN ids, same, less
            """
        let result = try harness.succeed("query", mixed, "--format", "json")
        #expect(result.out.contains(#""rows":[[[1,2],true,false]]"#), "\(result)")
        let params = try harness.succeed(
            "query", "RETURN size($p) AS n", "--param", "p=" + Self.nestedJSON(Self.valueLimit), "--format", "json")
        #expect(params.out.contains("[1]"), "\(params)")
    }

    @Test("a parameter nested deeper than 100 is refused naming it; the shell's :param too")
    func parameterLimit() throws {
        try harness.succeed("init", "--schema", "none")
        let deep = Self.nestedJSON(Self.valueLimit + 1)
        expectNestingError(
            try harness.cmdb("query", "RETURN $p AS p", "--param", "p=" + deep, "--format", "json"), mentions: ["$p", "100"])
        let shell = try harness.cmdb(
            "shell",
            stdin: Data(":param deep => \(Self.nestedCIQL(Self.valueLimit + 1))\nRETURN 1 AS one;\n".utf8))
        #expect(shell.signal == nil && shell.err.contains("Limit.NestingDepth") && shell.out.contains("one"), "\(shell)")
    }

    @Test("through the server: deep values and deep attributes are refused with Limit.NestingDepth; the server keeps answering")
    func serverLimits() throws {
        try harness.makeDatabase()
        let reader = try harness.token("rita", role: "reader")
        let editor = try harness.token("eddie", role: "editor")
        let server = try ServerProcess(harness: harness)
        let asReader = HTTPClient(baseURL: server.baseURL, token: reader)
        let asEditor = HTTPClient(baseURL: server.baseURL, token: editor)

        for statement in [
            "WITH reduce(l = [], x IN range(1, 100000) | [l]) AS d RETURN size(d) AS n",
            "WITH reduce(l = [], x IN range(1, 5000) | [l]) AS d RETURN d",
        ] {
            let answer = try asReader.query(statement)
            #expect(answer.status == 400 && answer.errorCode == "Limit.NestingDepth", "\(answer)")
        }
        let param = try asReader.request(
            "POST", "/v1/query",
            body: Data((#"{"statement":"RETURN $p AS p","parameters":{"p":"# + Self.nestedJSON(101) + "}}").utf8),
            contentType: "application/json")
        #expect(param.status == 400 && param.errorCode == "Limit.NestingDepth", "\(param)")
        let atLimit = try asReader.query("WITH \(Self.nestedCIQL(Self.valueLimit)) AS d RETURN d")
        #expect(atLimit.status == 200 && atLimit.text.contains(Self.nestedJSON(Self.valueLimit)), "\(atLimit)")

        let write = try asEditor.query(
            "CREATE (:Application {id: 'app-9', name: 'x', x: \(Self.nestedCIQL(65))})", change: "C1")
        #expect(write.status == 400 && write.errorCode == "Limit.NestingDepth", "\(write)")
        let line = #"{"kind":"ci","id":"app-8","class":"Application","attrs":{"x":"# + Self.nestedJSON(65) + "}}\n"
        let imported = try asEditor.request("POST", "/v1/import?change=C2", body: Data(line.utf8))
        #expect(imported.status == 400 && imported.errorCode == "Limit.NestingDepth", "\(imported)")

        let alive = try asReader.query("MATCH (n) RETURN count(n) AS n")
        #expect(alive.status == 200 && alive.text.contains("[0]"), "the server still answers, nothing written: \(alive)")
        #expect(server.stop() == 0)
    }
}
