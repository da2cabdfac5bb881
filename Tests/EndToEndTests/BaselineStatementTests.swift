import Foundation
import Testing

/// Baseline statements through the binary and the server (defects found by the hostile tester).
@Suite(.serialized)
struct BaselineStatementTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase()
        try harness.succeed("query", "CREATE (:Application {id: 'app-1', name: 'One'})")
    }

    func baselineNames() throws -> [String] {
        let out = try harness.succeed("query", "SHOW BASELINES", "--format", "jsonl").out
        return try out.split(separator: "\n").map { line in
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(row["baseline"] as? String)
        }
    }

    @Test("EXPLAIN of a CMDB statement shows its plan and does nothing; PROFILE runs it, as PROFILE CREATE does")
    func explainCreatesNoBaseline() throws {
        let before = try harness.status().latestTransaction
        let explained = try harness.succeed("query", "EXPLAIN CREATE BASELINE 'only-explained' DESCRIPTION 'd'", "--format", "csv")
        #expect(explained.out == "operator,details\nCreateBaseline,'only-explained' DESCRIPTION 'd'\n", "\(explained)")
        #expect(try baselineNames() == [])
        #expect(try harness.status().latestTransaction == before)
        try harness.succeed("baseline", "create", "only-explained")
        let diff = try harness.succeed("query", "EXPLAIN DIFF BASELINE 'only-explained'", "--format", "csv")
        #expect(diff.out == "operator,details\nDiffBaseline,'only-explained' AND now\n", "\(diff)")
        let profiled = try harness.succeed("query", "PROFILE CREATE BASELINE 'profiled'", "--format", "csv")
        #expect(profiled.out.hasPrefix("operator,details,rows,ms\nCreateBaseline,'profiled',1,"), "\(profiled)")
        #expect(try baselineNames() == ["only-explained", "profiled"])
    }

    @Test("CREATE BASELINE's summary names the transaction that recorded it; SHOW CLASSES AS OF names the one it shows")
    func summariesNameTheirTransactions() throws {
        let created = try harness.succeed("query", "CREATE BASELINE 'named'")
        let recorded = try #require(try harness.status().latestTransaction)
        #expect(created.err.hasPrefix("1 row in transaction \(recorded) ("), "\(created)")
        let classes = try harness.succeed("query", "SHOW CLASSES AS OF TX 1", "--format", "csv")
        #expect(classes.err.contains(" rows as of transaction 1 ("), "\(classes)")
        let now = try harness.succeed("query", "SHOW CLASSES", "--format", "csv")
        #expect(!now.err.contains("as of"), "\(now)")
    }

    @Test("a reader may EXPLAIN CREATE BASELINE (it writes nothing) but not create one")
    func serverReaderExplains() throws {
        let reader = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness, extra: [])
        let client = HTTPClient(baseURL: server.baseURL, token: reader)
        let explained = try client.query("EXPLAIN CREATE BASELINE 'x'")
        #expect(explained.status == 200, "\(explained)")
        let created = try client.query("CREATE BASELINE 'x'")
        #expect(created.status == 403 && created.errorCode == "Auth.Forbidden", "\(created)")
        let profiled = try client.query("PROFILE CREATE BASELINE 'x'")
        #expect(profiled.status == 403 && profiled.errorCode == "Auth.Forbidden", "\(profiled)")
        _ = server.stop()
        #expect(try baselineNames() == [])
    }

    @Test("DIFF BASELINE names a relation by the ids its ends had in the snapshots, after a CI is deleted too")
    func diffNamesDeletedEnds() throws {
        try harness.succeed("query", "CREATE (:VirtualServer {id: 'srv-1', cpu: 1, name: 'S'})")
        try harness.succeed("query", "MATCH (a {id: 'app-1'}), (s {id: 'srv-1'}) CREATE (a)-[:RUNS_ON {w: 1}]->(s)")
        try harness.succeed("baseline", "create", "q1")
        try harness.succeed("query", "MATCH (:Application)-[r:RUNS_ON]->() SET r.w = 2")
        try harness.succeed("baseline", "create", "q2")
        try harness.succeed("query", "MATCH (a {id: 'app-1'}) DETACH DELETE a")
        let between = try harness.succeed("baseline", "diff", "q1", "q2", "--format", "csv").out
        #expect(between == "change,kind,id,attribute,before,after\nchanged,relation,app-1-[:RUNS_ON]->srv-1,w,1,2\n",
            "\(between)")
        let toNow = try harness.succeed("query", "DIFF BASELINE 'q2'", "--format", "json").out
        #expect(toNow.contains(#""app-1-[:RUNS_ON]->srv-1""#) && !toNow.contains("?"), "\(toNow)")
    }

    @Test("a baseline name is refused blank, with control characters or too long, the same way everywhere; an expression is evaluated as AS OF BASELINE does")
    func names() throws {
        for bad in ["", "   ", "a\tb", "a\nc", String(repeating: "n", count: 201)] {
            let cli = try harness.cmdb("baseline", "create", bad)
            #expect(cli.exitCode == 2 && cli.err.contains("ArgumentError.InvalidArgumentValue"), "\(bad.debugDescription): \(cli)")
            let ciql = try harness.cmdb("query", "CREATE BASELINE $n", "--param", "n=\(bad)")
            #expect(ciql.exitCode == 2 && ciql.err.contains("ArgumentError.InvalidArgumentValue"), "\(bad.debugDescription): \(ciql)")
        }
        let blank = try harness.cmdb("query", "CREATE BASELINE '  ' + ' '")
        #expect(blank.exitCode == 2 && blank.err.contains("blank"), "\(blank)")
        #expect(try baselineNames() == [])
        try harness.succeed("query", "CREATE BASELINE 'q' + '4'")
        try harness.succeed("query", "CREATE BASELINE toUpper('q5') DESCRIPTION 'made ' + 'here'")
        #expect(try baselineNames() == ["q4", "Q5"])
        let asOf = try harness.succeed("query", "MATCH (n) RETURN count(*) AS n AS OF BASELINE 'q' + '4'", "--format", "csv")
        #expect(asOf.out == "n\n1\n")
        let diff = try harness.succeed("query", "DIFF BASELINE 'q' + '4' AND toUpper('q5')", "--format", "csv")
        #expect(diff.out == "change,kind,id,attribute,before,after\n", "\(diff)")
        let variable = try harness.cmdb("query", "CREATE BASELINE x")
        #expect(variable.exitCode == 2 && variable.err.contains("x"), "\(variable)")
        let number = try harness.cmdb("query", "CREATE BASELINE 1 + 2")
        #expect(number.exitCode == 2 && number.err.contains("a baseline name as a string"), "\(number)")
    }
}
