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
}
