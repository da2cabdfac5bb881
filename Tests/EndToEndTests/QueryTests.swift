import Foundation
import Testing

/// `cmdb query`, `cmdb history` and `cmdb baseline` through the binary, on the sample CMDB.
struct QueryTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    @Test("json output follows the public contract: columns, rows, nodes as import objects")
    func jsonOutput() throws {
        let result = try harness.succeed(
            "query", "MATCH (s {id: 'srv-dc01'}) RETURN s, s.cpu, 1.0 AS f, s.id AS id", "--format", "json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        #expect(object["columns"] as? [String] == ["s", "s.cpu", "f", "id"])
        let row = try #require((object["rows"] as? [[Any]])?.first)
        let node = try #require(row[0] as? [String: Any])
        #expect(node["id"] as? String == "srv-dc01")
        #expect(node["class"] as? String == "VirtualServer")
        #expect((node["attrs"] as? [String: Any])?["hostname"] as? String == "dc01")
        #expect(result.out.contains(",1.0,"), "a float is written with a '.': \(result.out)")
        #expect(result.err.contains("1 row"))
    }

    @Test("jsonl and csv: one object per row keyed by column; a header and quoted fields")
    func jsonlAndCSV() throws {
        let q = "MATCH (a:Application)-[:RUNS_ON]->(s {id: 'srv-dc01'}) RETURN a.id AS app, 'x, \"y\"' AS text ORDER BY app"
        let jsonl = try harness.succeed("query", q, "--format", "jsonl").out.split(separator: "\n")
        #expect(jsonl == [#"{"app":"app-ad-ds","text":"x, \"y\""}"#])
        let csv = try harness.succeed("query", q, "--format", "csv").out
        #expect(csv == "app,text\napp-ad-ds,\"x, \"\"y\"\"\"\n")
    }

    @Test("a syntax error exits 2 with line:column and a caret; nothing is written")
    func syntaxError() throws {
        let result = try harness.cmdb("query", "MATCH (n)\nWHERE n.id = 'a' RETRN n")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("2:"), "\(result.err)")
        #expect(result.err.contains("^"), "\(result.err)")
        let semantic = try harness.cmdb("query", "MATCH (s:Servr) RETURN s")
        #expect(semantic.exitCode == 2)
        #expect(semantic.err.contains("did you mean 'Server'"), "\(semantic.err)")
    }

    @Test("writes take --change and --param; history shows them; -f reads a file")
    func writesAndHistory() throws {
        let set = try harness.succeed(
            "query", "MATCH (s {id: $id}) SET s.os = $os RETURN s.os", "--param", "id=srv-dc01",
            "--param", "os=Windows Server 2025", "--change", "CHG-77", "--actor", "tester")
        #expect(set.out.contains("Windows Server 2025"))
        let history = try harness.succeed("history", "srv-dc01", "--format", "jsonl").out
        let last = try #require(history.split(separator: "\n").last)
        #expect(last.contains(#""change":"CHG-77""#) && last.contains(#""actor":"tester""#), "\(last)")
        #expect(last.contains("Windows Server 2025"))
        let file = try harness.sandbox.write("q.ciql", "MATCH (n:Server) RETURN count(*) AS n;\nMATCH (n:Switch) RETURN count(*) AS n;\n")
        let twice = try harness.succeed("query", "-f", file, "--format", "csv")
        #expect(twice.out == "n\n20\nn\n28\n")
        let bad = try harness.sandbox.write("bad.ciql", "MATCH (n)\nRETURN m\n")
        let failed = try harness.cmdb("query", "-f", bad)
        #expect(failed.exitCode == 2)
        #expect(failed.err.contains("\(bad):2:8"), "\(failed.err)")
    }

    @Test("baselines: create, list, diff through the binary; AS OF reads the past")
    func baselines() throws {
        try harness.succeed("baseline", "create", "q3", "--description", "before the migration")
        try harness.succeed("query", "MATCH (s {id: 'srv-dc01'}) SET s.cpu = 8")
        let list = try harness.succeed("baseline", "list", "--format", "csv").out
        #expect(list.contains("q3,") && list.contains("before the migration"))
        let diff = try harness.succeed("baseline", "diff", "q3", "--format", "csv").out
        #expect(diff.contains("changed,ci,srv-dc01,cpu,4,8"), "\(diff)")
        let past = try harness.succeed("query", "MATCH (s {id: 'srv-dc01'}) RETURN s.cpu AS OF BASELINE 'q3'", "--format", "csv")
        #expect(past.out == "s.cpu\n4\n")
        let unknown = try harness.cmdb("baseline", "diff", "q4")
        #expect(unknown.exitCode == 2)
        #expect(unknown.err.contains("did you mean 'q3'"), "\(unknown.err)")
    }

    @Test("after a relation is deleted, AS OF, export --as-of and baseline diff see it as it was")
    func asOfAfterRelationDelete() throws {
        try harness.succeed("baseline", "create", "before")
        let list = try harness.succeed("baseline", "list", "--format", "csv").out.split(separator: "\n")
        let txColumn = try #require(list.first?.split(separator: ",").firstIndex(of: "tx"))
        let tx = String(list[1].split(separator: ",")[txColumn])
        let exported = try harness.succeed("export").out
        let q = "MATCH (a:Application)-[:RUNS_ON]->(s {id: 'srv-dc01'}) RETURN a.id AS app ORDER BY app"
        let closure = "MATCH (s {id: 'srv-dc01'})<-[*]-(x) RETURN count(DISTINCT x) AS n"
        let before = try harness.succeed("query", q, "--format", "csv").out
        let closureBefore = try harness.succeed("query", closure, "--format", "csv").out
        let app = try #require(before.split(separator: "\n").dropFirst().first.map(String.init), "srv-dc01 runs nothing")

        try harness.succeed("query", "MATCH (a {id: '\(app)'})-[r:RUNS_ON]->(s {id: 'srv-dc01'}) DELETE r")
        #expect(try !harness.succeed("query", q, "--format", "csv").out.contains(app))
        #expect(try harness.succeed("query", "\(q) AS OF BASELINE 'before'", "--format", "csv").out == before)
        #expect(try harness.succeed("query", "\(q) AS OF TX \(tx)", "--format", "csv").out == before)
        #expect(try harness.succeed("query", "\(closure) AS OF TX \(tx)", "--format", "csv").out == closureBefore)
        #expect(try harness.succeed("export", "--as-of", tx).out == exported)
        let diff = try harness.succeed("baseline", "diff", "before", "--format", "csv").out
        #expect(diff.contains("removed,relation,\(app)-[:RUNS_ON]->srv-dc01"), "\(diff)")
    }

    @Test("CALL impact and dependencies compose with WHERE and aggregation; impact --where takes targets from a query")
    func impactProcedures() throws {
        let levels = try harness.succeed(
            "query", "CALL impact(['srv-dc01', 'srv-dc02']) YIELD ci, level, distance, path "
                + "WHERE distance = 1 RETURN ci.id AS id, level, path ORDER BY id", "--format", "jsonl").out
        #expect(levels.contains(#"{"id":"app-ad-ds","level":"down","path":["srv-dc01","app-ad-ds"]}"#), "\(levels)")
        // Whichever outputs a statement yields (the rows carry only those), they are the values of the full call.
        for (yields, columns) in [("ci", "ci.id AS id"), ("level, ci", "ci.id AS id, level"),
                                  ("distance, ci", "ci.id AS id, distance"), ("path, ci", "ci.id AS id, path")] {
            let full = try harness.succeed(
                "query", "CALL impact(['srv-dc01']) YIELD ci, level, distance, path RETURN \(columns) ORDER BY id",
                "--format", "jsonl").out
            let some = try harness.succeed(
                "query", "CALL impact(['srv-dc01']) YIELD \(yields) RETURN \(columns) ORDER BY id", "--format", "jsonl").out
            #expect(some == full && full.contains("app-ad-ds"), "YIELD \(yields): \(some)")
        }
        // Only counted (no order, distance or path to keep, so without the walk for paths): the same CIs and
        // levels as a call that yields its distances; collected, in the same order, nearest first.
        let targets = "['srv-dc01']"
        let summary = "count(ci) AS n, count(DISTINCT ci) AS d, count(level) AS l"
        let counted = try harness.succeed(
            "query", "CALL impact(\(targets)) YIELD ci, level RETURN \(summary)", "--format", "jsonl").out
        let walked = try harness.succeed(
            "query", "CALL impact(\(targets)) YIELD ci, level, distance RETURN \(summary)", "--format", "jsonl").out
        #expect(counted == walked && !counted.contains(#""n":0"#), "\(counted)")
        for level in ["down", "degraded"] {
            let some = try harness.succeed(
                "query", "CALL impact(\(targets)) YIELD ci, level WHERE level = '\(level)' RETURN count(ci) AS n",
                "--format", "csv").out
            let someWalked = try harness.succeed(
                "query", "CALL impact(\(targets)) YIELD ci, level, distance WHERE level = '\(level)' RETURN count(ci) AS n",
                "--format", "csv").out
            #expect(some == someWalked, "\(level): \(some)")
        }
        let collected = try harness.succeed(
            "query", "CALL impact(\(targets)) YIELD ci RETURN collect(ci.id) AS ids", "--format", "jsonl").out
        let listed = try harness.succeed(
            "query", "CALL impact(\(targets)) YIELD ci, distance RETURN ci.id AS id", "--format", "csv").out
        #expect(collected == #"{"ids":["# + listed.split(separator: "\n").dropFirst().map { "\"\($0)\"" }.joined(separator: ",") + "]}\n")
        let deps = try harness.succeed(
            "query", "CALL dependencies('bs-email-samenwerken') YIELD ci RETURN count(ci) AS n", "--format", "csv").out
        #expect(deps.hasPrefix("n\n") && deps != "n\n0\n", "\(deps)")
        let unknown = try harness.cmdb("query", "CALL impact(['no-such-ci']) YIELD ci RETURN ci")
        #expect(unknown.exitCode == 2)
        #expect(unknown.err.contains("unknown CI 'no-such-ci'"), "\(unknown.err)")
        let viaQuery = try harness.succeed(
            "impact", "--where", "MATCH (s:VirtualServer) WHERE s.hostname IN ['dc01', 'dc02'] RETURN s", "--format", "json")
        let direct = try harness.succeed("impact", "srv-dc01", "srv-dc02", "--format", "json")
        #expect(viaQuery.out == direct.out)
    }

    @Test("n.last_verified_at reads the stamp verify keeps beside the record")
    func verificationStampsInQueries() throws {
        let before = try harness.succeed("query", "MATCH (h {id: 'hv-bb-01'}) RETURN h.last_verified_at IS NULL AS unverified", "--format", "csv")
        #expect(before.out == "unverified\ntrue\n")
        try harness.succeed("verify", Paths.fixture("snapshots/vcenter-bb.jsonl"))
        let after = try harness.succeed("query", "MATCH (h {id: 'hv-bb-01'}) RETURN h.last_verified_at IS NULL AS unverified", "--format", "csv")
        #expect(after.out == "unverified\nfalse\n")
    }
}

/// How `cmdb query -f` writes results out: in blocks to a file or pipe, but never out of order.
struct QueryOutputBatchingTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    private func script(_ count: Int) throws -> String {
        let lines = (0..<count).map { "RETURN \($0) AS n;" } + ["RETURN 1/0 AS bad;"]
        return try harness.sandbox.write("batch.ciql", lines.joined(separator: "\n"))
    }

    @Test("to separate files: every statement's rows and summary arrive, all before the error that stops the script")
    func pipeGetsEverythingInOrder() throws {
        let file = try script(500)
        let result = try harness.run(["--db", harness.db, "query", "-f", file, "--format", "jsonl"])
        #expect(result.exitCode == 2)
        let rows = result.out.split(separator: "\n")
        #expect(rows.count == 501, "500 rows and the error object")
        #expect(rows.first == "{\"n\":0}" && rows[499] == "{\"n\":499}")
        #expect(rows.last?.hasPrefix("{\"error\":{\"code\":\"ArithmeticError.DivisionByZero\"") == true)
        let err = result.err.split(separator: "\n")
        #expect(err.prefix(500).allSatisfy { $0.hasPrefix("1 row (") }, "\(err.prefix(3))")
        #expect(err.count > 500 && err[500].hasPrefix("error[ArithmeticError.DivisionByZero]"))
    }

    @Test("stdout and stderr into one file (2>&1): each summary line follows its statement's rows")
    func oneFileKeepsOrder() throws {
        let file = try script(300)
        let out = harness.sandbox.path("both.txt")
        let command = "'\(Paths.binary)' --db '\(harness.db)' query -f '\(file)' --format jsonl > '\(out)' 2>&1"
        let result = try harness.tool("/bin/sh", ["-c", command])
        #expect(result.exitCode == 2)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        for n in 0..<300 {
            #expect(lines[2 * n] == "{\"n\":\(n)}")
            #expect(lines[2 * n + 1].hasPrefix("1 row ("))
        }
        #expect(lines[600].hasPrefix("{\"error\":"))
        #expect(lines[601].hasPrefix("error[ArithmeticError.DivisionByZero]"))
    }

    @Test("a write's report is written out as soon as it is committed, while a long statement after it still runs")
    func writesAreReportedAtOnce() throws {
        let file = try harness.sandbox.write("writes.ciql", """
            CREATE (:VirtualServer {id: 'w-1', name: 'w1', cpu: 1});
            CREATE (:VirtualServer {id: 'w-2', name: 'w2', cpu: 1});
            UNWIND range(1, 100000) AS i UNWIND range(1, 100000) AS j WITH count(*) AS c RETURN c;
            """)
        let running = try harness.start(["--db", harness.db, "query", "-f", file, "--format", "jsonl", "--timeout", "120"])
        defer {
            running.send(SIGKILL)
            _ = running.wait(timeout: 30)
        }
        let deadline = ContinuousClock.now + .seconds(20)
        var err = running.stderrSoFar
        while err.components(separatedBy: "1 CI created").count < 3, ContinuousClock.now < deadline {
            usleep(20_000)
            err = running.stderrSoFar
        }
        #expect(running.isRunning, "the long statement is still running")
        #expect(err.components(separatedBy: "1 CI created").count == 3, "both writes reported while it runs: \(err)")
    }
}
