import Foundation
import Testing

/// Impact analysis honours the time limit of a statement: `cmdb impact --timeout` and `CALL impact` in a query
/// end with `Limit.Timeout` (exit 2) instead of running on; with the default limit the same analysis finishes.
@Suite(.serialized)
struct ImpactTimeLimitTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase()
        // A generated CMDB: the impact of a datacenter reaches thousands of CIs (far more than 5 ms of work).
        let generated = try harness.run(["generate", "--cis", "20000", "--seed", "5"])
        try #require(generated.exitCode == 0, "\(generated)")
        let path = harness.sandbox.path("generated.jsonl")
        try generated.stdout.write(to: URL(fileURLWithPath: path))
        try harness.succeed("import", path, "--change", "CHG-GEN")
    }

    @Test("cmdb impact and CALL impact past --timeout end with Limit.Timeout, exit 2, and print no result")
    func impactStopsAtTheTimeLimit() throws {
        let report = try harness.cmdb("impact", "dc-ams1", "--timeout", "0.005", "--format", "json")
        #expect(report.exitCode == 2, "\(report)")
        #expect(report.err.contains("error[Limit.Timeout]") && report.err.contains("--timeout"), "\(report.err)")
        #expect(report.out.isEmpty, "no partial report")

        let called = try harness.cmdb(
            "query", "--timeout", "0.005", "CALL impact(['dc-ams1']) YIELD ci RETURN count(ci) AS n", "--format", "jsonl")
        #expect(called.exitCode == 2, "\(called)")
        #expect(called.err.contains("error[Limit.Timeout]") && called.err.contains("time limit"), "\(called.err)")

        let dependencies = try harness.cmdb(
            "query", "--timeout", "0.005", "MATCH (s:BusinessService) CALL dependencies([s]) YIELD ci RETURN count(ci)")
        #expect(dependencies.exitCode == 2 && dependencies.err.contains("error[Limit.Timeout]"), "\(dependencies)")

        // With room, the same analysis finishes, and both ways agree on how many CIs it impacts.
        let whole = try harness.succeed(
            "query", "CALL impact(['dc-ams1']) YIELD ci RETURN count(ci) AS n", "--format", "jsonl")
        let counted = try #require(
            (try JSONSerialization.jsonObject(with: whole.stdout) as? [String: Any])?["n"] as? Int, "\(whole.out)")
        #expect(counted > 1_000)
        let full = try harness.succeed("impact", "dc-ams1", "--format", "json")
        let listed = (try JSONSerialization.jsonObject(with: full.stdout) as? [String: Any])?["impacted"] as? [Any]
        #expect(listed?.count == counted)
    }

    @Test("the server's impact and CALL impact past its --timeout answer 503 Limit.Timeout; with room they finish")
    func serverImpactStopsAtTheTimeLimit() throws {
        let token = try harness.token("rita", role: "reader")
        let tight = try ServerProcess(harness: harness, extra: ["--timeout", "0.005"])
        defer { _ = tight.stop() }
        let client = HTTPClient(baseURL: tight.baseURL, token: token)
        let report = try client.request("POST", "/v1/impact", json: ["targets": ["dc-ams1"]])
        #expect(report.status == 503, "\(report)")
        #expect(((report.json as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "Limit.Timeout", "\(report)")
        let called = try client.request(
            "POST", "/v1/query", json: ["statement": "CALL impact(['dc-ams1']) YIELD ci RETURN count(ci) AS n"])
        #expect(called.status == 503 && ((called.json as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "Limit.Timeout", "\(called)")
        // The server goes on: a quick request right after is answered.
        let quick = try client.request("POST", "/v1/query", json: ["statement": "RETURN 1 AS one"])
        #expect(quick.status == 200, "\(quick)")

        let roomy = try ServerProcess(harness: harness)
        defer { _ = roomy.stop() }
        let finished = try HTTPClient(baseURL: roomy.baseURL, token: token)
            .request("POST", "/v1/impact", json: ["targets": ["dc-ams1"]])
        #expect(finished.status == 200, "\(finished.status)")
    }
}
