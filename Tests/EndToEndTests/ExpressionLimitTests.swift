import Foundation
import Testing

/// The values a statement builds (strings and lists of string functions, comprehensions) count against the memory
/// budget as they are built, and their loops stop at the time limit, through the binary (README "Limits").
@Suite("expression limits", .serialized)
struct ExpressionLimitTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
    }

    /// A string of 2^`doublings` `x`s, built within the budget.
    static func big(_ doublings: Int) -> String { "reduce(s = 'x', i IN range(1, \(doublings)) | s + s)" }

    private func expectMemoryLimit(_ statement: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try harness.cmdb("query", "--max-memory", "2M", statement, "--format", "csv")
        #expect(result.exitCode == 2 && result.signal == nil, "\(result)", sourceLocation: sourceLocation)
        #expect(result.err.contains("Limit.Memory") && result.err.contains("budget of 2 MiB"), "\(result)", sourceLocation: sourceLocation)
        #expect(result.err.contains(what), "'\(what)' missing: \(result)", sourceLocation: sourceLocation)
    }

    @Test("split() and replace() count what they build against --max-memory and stop at it, exit 2")
    func stringFunctionsMemory() throws {
        // 128 Ki characters split into as many strings, and 32 Ki characters each replaced by 128: both past 2 MiB.
        try expectMemoryLimit("WITH \(Self.big(17)) AS big RETURN size(split(big, '')) AS n", "split()")
        try expectMemoryLimit("WITH \(Self.big(17)) AS big RETURN size(split(big, 'x')) AS n", "split()")
        try expectMemoryLimit(
            "WITH \(Self.big(15)) AS big RETURN size(replace(big, 'x', \(Self.big(7)))) AS n", "replace()")
        // Within the budget they still give the right answers.
        let fine = try harness.succeed(
            "query", "--max-memory", "2M", "--format", "csv",
            "WITH \(Self.big(10)) AS big RETURN size(split(big, '')) AS a, size(split(big + 'y' + big, 'y')) AS b, "
                + "size(replace(big, 'xx', 'abc')) AS c, substring(big + 'yz', 1024, 5) AS d, "
                + "split('a,b,,c', ',') AS e, replace('aXbXc', 'X', '--') AS f, reverse('abc') AS g, "
                + "substring('héllo', 1) AS h, substring('héllo', 1, 2) AS i, substring('abc', 5) AS j")
        #expect(fine.out.contains("1024,2,1536,yz,\"['a', 'b', '', 'c']\",a--b--c,cba,éllo,él,\n"), "\(fine)")
    }

    @Test("split() stops at the time limit while it builds")
    func stringFunctionsTime() throws {
        let started = ContinuousClock.now
        let result = try harness.cmdb(
            "query", "--timeout", "0.5", "--max-memory", "0", "--format", "csv",
            "WITH \(Self.big(21)) AS big UNWIND range(1, 3) AS i RETURN size(split(big, '')) AS n")
        #expect(result.exitCode == 2 && result.err.contains("Limit.Timeout"), "\(result)")
        #expect(ContinuousClock.now - started < .seconds(8), "took \(ContinuousClock.now - started)")
    }

    @Test("in a file of statements, the one stopped by its time limit or memory budget is named by its line and column")
    func limitErrorsNameTheStatement() throws {
        let file = try harness.sandbox.write("limits.ciql", """
            RETURN 1 AS a;
              RETURN 2 AS b;
            WITH \(Self.big(17)) AS big RETURN size(split(big, '')) AS n;
            RETURN 3 AS c;

            """)
        let memory = try harness.cmdb("query", "-f", file, "--max-memory", "2M", "--format", "csv")
        #expect(memory.exitCode == 2 && memory.err.contains("error[Limit.Memory] \(file):3:1: "), "\(memory)")
        let slow = try harness.sandbox.write("slow.ciql", "RETURN 1 AS a;\n  UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y WITH x WHERE x < 0 RETURN count(x) AS n;\n")
        let time = try harness.cmdb("query", "-f", slow, "--timeout", "0.3", "--format", "jsonl")
        #expect(time.exitCode == 2 && time.err.contains("error[Limit.Timeout] \(slow):2:3: "), "\(time)")
        // The JSON error line on stdout carries the place too.
        #expect(time.out.contains(#""code":"Limit.Timeout""#) && time.out.contains(#""line":2,"column":3"#), "\(time)")
    }

    @Test("a statement whose plan ran before (the same shape) gets the whole budget, not what the last run held besides")
    func repeatedShapeKeepsItsBudget() throws {
        // Alone, 42,000 distinct values are past 2 MiB; after 22,000 in the statement before, they still are.
        let alone = try harness.cmdb("query", "UNWIND range(1, 42000) AS x RETURN DISTINCT x", "--max-memory", "2M", "--format", "jsonl")
        #expect(alone.exitCode == 2 && alone.err.contains("Limit.Memory"), "\(alone.err)")
        let file = try harness.sandbox.write(
            "repeat.ciql", "UNWIND range(1, 22000) AS x RETURN DISTINCT x;\nUNWIND range(1, 42000) AS x RETURN DISTINCT x;\n")
        let repeated = try harness.cmdb("query", "-f", file, "--max-memory", "2M", "--format", "jsonl")
        #expect(repeated.exitCode == 2 && repeated.err.contains("error[Limit.Memory] \(file):2:1"), "\(repeated.err)")
        #expect(repeated.err.contains("22000 rows"), "\(repeated.err)")
    }

    @Test("a pattern comprehension counts its list against --max-memory as collect() does, exit 2")
    func patternComprehensionMemory() throws {
        let db = harness.sandbox.path("graph")
        try harness.succeed("init", "--schema", "none", db: db)
        try harness.succeed("query", "UNWIND range(1, 8) AS i CREATE (:N {id: 'n' + toString(i)})", db: db)
        try harness.succeed("query", "MATCH (a:N), (b:N) WHERE a <> b CREATE (a)-[:R]->(b)", db: db)
        for statement in [
            "MATCH (a {id: 'n1'}) MATCH p = (a)-[*..6]->(b) RETURN size(collect(p)) AS n",
            "MATCH (a {id: 'n1'}) RETURN size([p = (a)-[*..6]->(b) | p]) AS n",
            "MATCH (a {id: 'n1'}) RETURN size([p = (a)-[*..6]->(b) WHERE length(p) > 0 | nodes(p)]) AS n",
        ] {
            let result = try harness.cmdb("query", "--max-memory", "1M", statement, "--format", "csv", db: db)
            #expect(result.exitCode == 2 && result.err.contains("Limit.Memory"), "\(result)")
        }
        let fine = try harness.succeed(
            "query", "--max-memory", "1M", "--format", "csv",
            "MATCH (a {id: 'n1'}) RETURN size([p = (a)-[*..2]->(b) | p]) AS n", db: db)
        #expect(fine.out == "n\n56\n", "\(fine)")
    }

    @Test("a table of one 2M-character cell is laid out in linear time, well within the time limit")
    func longTableCell() throws {
        let started = ContinuousClock.now
        let result = try harness.cmdb("query", "--timeout", "5", "RETURN reduce(s = '', j IN range(1, 21) | s + s + 'x') AS s")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.out.contains(String(repeating: "x", count: (1 << 21) - 1)), "\(result.stdout.count) bytes")
        #expect(ContinuousClock.now - started < .seconds(8), "took \(ContinuousClock.now - started)")
    }

    @Test("DIFF BASELINE stops at the time limit, exit 2")
    func diffBaselineTimeout() throws {
        let db = harness.sandbox.path("history")
        try harness.succeed("init", db: db)
        for (seed, change) in [("1", "A"), ("7", "B")] {
            let generated = try harness.run(["generate", "--cis", "3000", "--seed", seed])
            try harness.succeed("import", "-", "--change", change, db: db, stdin: generated.stdout)
            if change == "A" { try harness.succeed("query", "CREATE BASELINE 'b0'", db: db) }
        }
        let started = ContinuousClock.now
        let result = try harness.cmdb("query", "--timeout", "0.1", "DIFF BASELINE 'b0'", "--format", "csv", db: db)
        #expect(result.exitCode == 2 && result.err.contains("Limit.Timeout"), "\(result)")
        #expect(ContinuousClock.now - started < .seconds(5), "took \(ContinuousClock.now - started)")
        let all = try harness.succeed("query", "DIFF BASELINE 'b0'", "--format", "csv", db: db)
        #expect(all.out.split(separator: "\n").count > 10_000, "\(all)")
    }

    @Test("--param with an integer beyond 64 bits is refused like the CIQL literal, exit 2; one within is an integer")
    func parameterIntegerOverflow() throws {
        for text in ["9223372036854775808", "-9223372036854775809", "[1, 99999999999999999999]"] {
            let result = try harness.cmdb("query", "RETURN valueType($x) AS t", "--param", "x=\(text)", "--format", "csv")
            #expect(result.exitCode == 2 && result.err.contains("error[SyntaxError.IntegerOverflow]"), "\(result)")
            #expect(result.err.contains("--param x") && result.out.isEmpty, "\(result)")
        }
        let fine = try harness.succeed("query", "RETURN valueType($x) AS t, $x > 5 AS gt", "--param", "x=9223372036854775807", "--format", "csv")
        #expect(fine.out == "t,gt\nINTEGER,true\n", "\(fine)")
        let text = try harness.succeed("query", "RETURN $x AS x", "--param", "x=12abc", "--format", "csv")
        #expect(text.out == "x\n12abc\n", "\(text)")
    }

    @Test("errors inside CALL impact name the value and carry the line and column of the procedure called")
    func callImpactErrors() throws {
        let db = harness.sandbox.path("impact")
        try harness.succeed("init", db: db)
        try harness.succeed("import", "-", "--change", "A", db: db, stdin: try harness.run(["generate", "--cis", "50"]).stdout)
        let id = try harness.succeed("query", "MATCH (n) RETURN n.id AS id ORDER BY id LIMIT 1", "--format", "csv", db: db)
            .out.split(separator: "\n").last.map(String.init) ?? ""
        for (options, says) in [("{depth: -1}", "not -1"), ("{depth: 'x'}", "not 'x'"), ("{deep: 2}", "unknown option 'deep'")] {
            let statement = "WITH 1 AS one\n  CALL impact(['\(id)'], \(options)) YIELD ci RETURN count(*) AS n"
            let json = try harness.cmdb("query", statement, "--format", "json", db: db)
            #expect(json.exitCode == 2 && json.out.contains(says) && json.out.contains("\"line\":2,\"column\":8"), "\(json)")
            let text = try harness.cmdb("query", statement, db: db)
            #expect(text.err.contains(" 2:8: impact(): ") && text.err.contains("\n         ^"), "\(text)")
        }
    }
}
