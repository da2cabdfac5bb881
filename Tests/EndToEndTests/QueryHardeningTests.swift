import Foundation
import Testing

/// CIQL on hostile input through the binary: arithmetic that overflows, regular expressions that would backtrack,
/// statements that would run or grow forever, values that carry terminal escapes.
struct QueryHardeningTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    /// Runs one query that must fail with a runtime error (exit 2) whose message contains `mentions`.
    private func expectQueryError(
        _ statement: String, mentions: [String], _ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let result = try harness.run(["--db", harness.db, "query", statement] + extra)
        #expect(result.exitCode == 2, "\(result)", sourceLocation: sourceLocation)
        #expect(result.signal == nil, "\(result)", sourceLocation: sourceLocation)
        for m in mentions {
            #expect(result.err.contains(m), "'\(m)' missing from: \(result.err)", sourceLocation: sourceLocation)
        }
    }

    @Test(
        "integer arithmetic never traps: folded or not, in RETURN and WHERE, every operator says overflow, exit 2",
        arguments: [
            "RETURN -(-9223372036854775808)",
            "MATCH (n) WHERE n.criticality > -(-9223372036854775808) RETURN n",
            "WITH -9223372036854775808 AS x RETURN -x",
            "RETURN 9223372036854775807 + 1",
            "RETURN -9223372036854775808 - 1",
            "RETURN 9223372036854775807 * 2",
            "RETURN -9223372036854775808 / -1",
            "RETURN abs(-9223372036854775808)",
            "UNWIND [9223372036854775807, 1] AS x RETURN sum(x)",
        ])
    func integerOverflow(statement: String) throws {
        try expectQueryError(statement, mentions: ["overflow"])
    }

    @Test(
        "durations and conversions out of range are errors, not traps or wrapped values",
        arguments: [
            ("RETURN toInteger(1e30)", "integer range"),
            ("RETURN duration({days: 9223372036854775807}) + duration({days: 1})", "duration"),
            ("RETURN duration({days: 100000000000000}) * 1e300", "duration overflow"),
            ("RETURN duration({days: 9223372036854775807, weeks: 1})", "out of range"),
            ("RETURN datetime('2020-01-01T00:00:00Z') + duration({days: 1000000000000})", "out of range"),
            ("UNWIND [duration({days: 9000000000000000000}), duration({days: 9000000000000000000})] AS d RETURN sum(d)", "duration overflow"),
            ("RETURN range(-9223372036854775808, 9223372036854775807)", "range()"),
        ])
    func otherOverflow(statement: String, mention: String) throws {
        try expectQueryError(statement, mentions: [mention])
    }

    @Test("in-range answers at the edges stay right: avg of big integers, toIntegerOrNull, SKIP + LIMIT saturate")
    func edgesThatWork() throws {
        let q = """
            UNWIND [9223372036854775807, 9223372036854775807] AS x
            RETURN avg(x) AS a, toIntegerOrNull(1e30) AS n, -9223372036854775808 AS lo, -9223372036854775808 % -1 AS m
            """
        let result = try harness.succeed("query", q, "--format", "json")
        #expect(result.out.contains("[9.223372036854776e+18,null,-9223372036854775808,0]"), "\(result)")
        let sliced = try harness.succeed(
            "query", "MATCH (n) RETURN n.id ORDER BY n.id SKIP 9223372036854775807 LIMIT 9223372036854775807",
            "--format", "json")
        #expect(sliced.out.contains(#""rows":[]"#), "\(sliced)")
    }

    @Test("the shell reports an overflow as an error and goes on with the next statement")
    func overflowInShell() throws {
        let result = try harness.cmdb("shell", stdin: Data("RETURN -(-9223372036854775808);\nRETURN 1 AS one;\n".utf8))
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("overflow"), "\(result)")
        #expect(result.out.contains("one"), "\(result)")
    }

    // MARK: - Regular expressions

    @Test("=~ answers a pattern that makes backtracking exponential, and refuses backreferences by name")
    func regularExpressions() throws {
        let q = "RETURN 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' =~ '(a+)+$' AS bad, 'srv-dc01' =~ '(?i)SRV-[a-z]+\\\\d{2}' AS ok"
        let result = try harness.succeed("query", q, "--format", "json")
        #expect(result.out.contains("[false,true]"), "\(result)")
        try expectQueryError("RETURN 'aa' =~ '(a)\\\\1'", mentions: ["backreference", "position 4"])
        try expectQueryError("RETURN 'a' =~ '(?=a)a'", mentions: ["lookahead"])
        try expectQueryError("RETURN 'a' =~ '(a{1000}){1000}'", mentions: ["too large"])
    }

    // MARK: - Time limit and memory budget

    @Test("a statement past --timeout ends with an error naming the limit and how to change it, exit 2")
    func timeout() throws {
        let started = ContinuousClock.now
        // Distinct ends alone are found breadth-first in milliseconds now; counting every path still never ends.
        let result = try harness.cmdb(
            "query", "--timeout", "1", "MATCH p = (a {id:'srv-dc01'})-[*0..]-(b) RETURN count(p)")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("time limit of 1 s") && result.err.contains("--timeout"), "\(result)")
        #expect(ContinuousClock.now - started < .seconds(60))
        // Given before the command, as a global option.
        let global = try harness.run(["--timeout", "1", "--db", harness.db, "query", "MATCH (a),(b),(c),(d) RETURN count(*)"])
        #expect(global.exitCode == 2 && global.err.contains("time limit of 1 s"), "\(global)")
        // A pure pipeline with no graph access streams rows until the limit stops it.
        let unwinds = try harness.cmdb(
            "query", "--timeout", "1", "UNWIND range(1, 10000000) AS x UNWIND range(1, 10000000) AS y RETURN x, y",
            "--format", "csv")
        #expect(unwinds.exitCode == 2 && unwinds.err.contains("time limit of 1 s"), "\(unwinds.err)")
        let bad = try harness.cmdb("query", "--timeout", "-3", "RETURN 1")
        #expect(bad.exitCode == 2 && bad.err.contains("--timeout"), "\(bad)")
        // Rows that are each slow (a 120,000-element list built and searched per row; within the 250,000 tokens a
        // statement may have) stop near the limit too, not after a thousand of them.
        let list = (0..<120_000).map(String.init).joined(separator: ",")
        let slowRows = try harness.sandbox.write(
            "slow-rows.ciql", "UNWIND range(1, 100000) AS x WITH x WHERE x + 0.5 IN [\(list)] RETURN count(*) AS c")
        let slowStarted = ContinuousClock.now
        let slow = try harness.cmdb("query", "--timeout", "1", "-f", slowRows)
        #expect(slow.exitCode == 2 && slow.err.contains("time limit of 1 s"), "\(slow.err.prefix(300))")
        #expect(ContinuousClock.now - slowStarted < .seconds(15), "stopped \(ContinuousClock.now - slowStarted) after the start")
    }

    @Test("materialising operators stop at --max-memory with a clear error, exit 2")
    func memoryBudget() throws {
        let cases = [
            ("MATCH (a),(b) RETURN collect(a.id + b.id) AS c", "collect()"),
            ("MATCH (a),(b) RETURN DISTINCT a.id + b.id AS k", "DISTINCT"),
            ("MATCH (a),(b) RETURN a.id, b.id ORDER BY a.name, b.name", "ORDER BY"),
            ("MATCH (a),(b) RETURN a.id + b.id AS k, count(*)", "grouping"),
        ]
        for (q, what) in cases {
            let result = try harness.cmdb("query", "--max-memory", "4M", q, "--format", "csv")
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.err.contains("budget of 4 MiB") && result.err.contains(what), "\(result)")
            #expect(result.err.contains("--max-memory"), "\(result)")
        }
        let bad = try harness.cmdb("query", "--max-memory", "lots", "RETURN 1")
        #expect(bad.exitCode == 2 && bad.err.contains("--max-memory"), "\(bad)")
        let fine = try harness.cmdb("query", "--max-memory", "4M", "MATCH (a) RETURN a.id ORDER BY a.id LIMIT 1")
        #expect(fine.exitCode == 0, "\(fine)")
    }

    @Test("an audit rule that would run forever ends at its timeout: (its own, or --timeout), exit 2, no run stored")
    func auditRuleTimeout() throws {
        let rules = try harness.sandbox.write("rules.yaml", """
            - name: cartesian
              category: correctness
              severity: low
              message: "never ends"
              query: "MATCH (a),(b),(c),(d) RETURN a"
              timeout: 1
            """)
        let result = try harness.cmdb("audit", "--rules", rules)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("rule 'cartesian'") && result.err.contains("time limit of 1 s"), "\(result)")
        #expect(result.err.contains("timeout:"), "\(result)")
        let history = try harness.succeed("audit", "history")
        #expect(history.out.contains("no audit runs yet"), "\(history)")

        let withoutOwn = try harness.sandbox.write("rules2.yaml", """
            - name: cartesian
              category: correctness
              severity: low
              message: "never ends"
              query: "MATCH (a),(b),(c),(d) RETURN a"
            """)
        let global = try harness.cmdb("audit", "--rules", withoutOwn, "--timeout", "1")
        #expect(global.exitCode == 2 && global.err.contains("time limit of 1 s"), "\(global)")
        let badRule = try harness.sandbox.write("rules3.yaml", """
            - name: x
              category: correctness
              severity: low
              message: "m"
              query: "MATCH (a) RETURN a"
              timeout: soon
            """)
        let bad = try harness.cmdb("audit", "--rules", badRule)
        #expect(bad.exitCode == 2 && bad.err.contains("rules3.yaml:6") && bad.err.contains("timeout"), "\(bad)")
    }

    @Test("a rule returning every CI many times is de-duplicated as rows arrive and finishes")
    func auditRuleDeduplicates() throws {
        let rules = try harness.sandbox.write("rules.yaml", """
            - name: many
              category: correctness
              severity: low
              message: "m"
              query: "MATCH (a:Site),(b) RETURN a"
            """)
        let result = try harness.cmdb("audit", "--rules", rules, "--max-memory", "2M", "--format", "json")
        #expect(result.exitCode == 0, "\(result)")
        let sites = try harness.succeed("query", "MATCH (a:Site) RETURN count(*) AS n", "--format", "csv").out
        let count = sites.split(separator: "\n").last.map(String.init) ?? ""
        #expect(result.out.components(separatedBy: "\"rule\":\"many\"").count - 1 == Int(count), "\(result)")
    }

    @Test("the shell: :timeout sets the limit, a statement past it fails and the next one runs")
    func shellTimeout() throws {
        let script = """
            :timeout 1
            MATCH (a),(b),(c),(d) RETURN count(*);
            :timeout
            RETURN 2 AS two;
            """
        let result = try harness.cmdb("shell", stdin: Data(script.utf8))
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("time limit of 1 s") && result.err.contains(":timeout"), "\(result)")
        #expect(result.out.contains("two"), "\(result)")
    }

    // MARK: - What reaches the terminal

    @Test("control characters in stored values are shown as \\u escapes in tables, never sent raw")
    func controlCharactersEscaped() throws {
        try harness.succeed(
            "query", "--change", "T", "MATCH (n {id:'srv-dc01'}) SET n.name = 'x\\u001b]0;pwned\\u0007y'")
        let table = try harness.succeed("query", "MATCH (n {id:'srv-dc01'}) RETURN n.name")
        #expect(!table.out.contains("\u{1B}") && !table.out.contains("\u{07}"), "\(table)")
        #expect(table.out.contains("x\\u001B]0;pwned\\u0007y"), "\(table)")
        let shell = try harness.cmdb("shell", stdin: Data("MATCH (n {id:'srv-dc01'}) RETURN n.name;\n".utf8))
        #expect(!shell.out.contains("\u{1B}") && shell.out.contains("\\u001B"), "\(shell)")
        // Data formats keep the value exact.
        let json = try harness.succeed("query", "MATCH (n {id:'srv-dc01'}) RETURN n.name", "--format", "json")
        #expect(json.out.contains("x\\u001b]0;pwned\\u0007y") || json.out.contains("x\\u001B]0;pwned\\u0007y"), "\(json)")
    }

    @Test("the markdown impact report escapes HTML and Markdown in stored values")
    func markdownEscapes() throws {
        try harness.succeed(
            "query", "--change", "T",
            "MATCH (n {id:'srv-dc01'}) SET n.name = '<img src=x onerror=alert(1)> [x](javascript:y) `z`'")
        let md = try harness.succeed("impact", "srv-dc01", "--format", "markdown").out
        #expect(!md.contains("<img"), "\(md)")
        #expect(md.contains("&lt;img src=x onerror=alert(1)&gt;"), "\(md)")
        #expect(md.contains("\\[x\\](javascript:y)"), "\(md)")
    }

    // MARK: - Properties as import takes them

    @Test("an undeclared property reads as null on an unlabelled node, and SET of an undeclared attribute works")
    func undeclaredProperties() throws {
        let read = try harness.succeed(
            "query", "MATCH (n) WHERE n.leerlingen > 100 RETURN count(*) AS n", "--format", "csv")
        let labelled = try harness.succeed(
            "query", "MATCH (n:Site) WHERE n.leerlingen > 100 RETURN count(*) AS n", "--format", "csv")
        #expect(read.out == labelled.out, "\(read) \(labelled)")
        let never = try harness.succeed("query", "MATCH (n) RETURN count(n.no_such_thing) AS n", "--format", "csv")
        #expect(never.out == "n\n0\n", "\(never)")
        try harness.succeed("query", "--change", "T", "MATCH (n {id:'srv-dc01'}) SET n.note = 'x'")
        try harness.succeed("query", "--change", "T", "MATCH (n:Server {id:'srv-dc01'}) SET n.note2 = 'y'")
        let back = try harness.succeed(
            "query", "MATCH (n {id:'srv-dc01'}) RETURN n.note, n.note2", "--format", "csv")
        #expect(back.out == "n.note,n.note2\nx,y\n", "\(back)")
    }

    @Test("a closed class still refuses an undeclared attribute on SET, naming it")
    func closedClassRefuses() throws {
        let db = harness.sandbox.path("closed")
        let schema = try harness.sandbox.write("schema.yaml", """
            version: 1
            statuses: [live]
            classes:
              Box:
                closed: true
                attributes:
                  size: {type: int}
            relations: {}
            """)
        try harness.succeed("init", "--schema", schema, db: db)
        try harness.succeed("query", "--change", "T", "CREATE (b:Box {id: 'b1', size: 1})", db: db)
        let set = try harness.cmdb("query", "--change", "T", "MATCH (b {id: 'b1'}) SET b.colour = 'red'", db: db)
        #expect(set.exitCode == 2 && set.err.contains("colour"), "\(set)")
        let labelled = try harness.cmdb("query", "--change", "T", "MATCH (b:Box {id: 'b1'}) SET b.colour = 'red'", db: db)
        #expect(labelled.exitCode == 2 && labelled.err.contains("colour"), "\(labelled)")
    }

    @Test("verify past --timeout stops before it writes: exit 2, the limit named, no CI stamped")
    func verifyTimeout() throws {
        var lines = [#"{"kind":"source","name":"big","classes":["Workstation"],"taken_at":"2026-11-22T02:00:00Z"}"#]
        for i in 0..<3000 {
            lines.append(#"{"kind":"ci","class":"Workstation","attrs":{"serial":"SN-FUZZ-\#(i)","os":"ChromeOS"}}"#)
        }
        let snapshot = try harness.sandbox.write("big.jsonl", lines.joined(separator: "\n") + "\n")
        let before = try harness.status().latestTransaction
        let result = try harness.cmdb("verify", snapshot, "--timeout", "0.000001")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("time limit") && result.err.contains("--timeout"), "\(result)")
        #expect(try harness.status().latestTransaction == before, "verify wrote although it was stopped")
        let unlimited = try harness.cmdb("verify", snapshot, "--timeout", "0", "--format", "json")
        #expect(unlimited.exitCode == 0 || unlimited.exitCode == 1, "\(unlimited)")
    }
}
