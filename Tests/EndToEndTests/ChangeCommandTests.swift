import Foundation
import Testing

/// `cmdb change plan|list|cancel|timezone`, collisions, and bad input to impact and change.
struct ChangeCommandTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    private func plannedReferences() throws -> [String] {
        let out = try harness.succeed("change", "list", "--format", "json").stdout
        let list = try JSONSerialization.jsonObject(with: out) as? [[String: Any]] ?? []
        return list.compactMap { $0["ref"] as? String }
    }

    @Test("plan, list, collide, re-plan, cancel")
    func lifecycle() throws {
        let planned = try harness.succeed("change", "plan", "CHG-1", "--ci", "srv-sql01,srv-file01", "--window",
            "2026-11-22T01:00Z/2026-11-22T03:00Z", "--description", "patches")
        #expect(planned.out == "planned CHG-1: 2 CIs, 2026-11-22 01:00–03:00 UTC\n")
        try harness.succeed("change", "plan", "CHG-2", "--ci", "srv-web01", "--window", "2026-12-01T01:00/2026-12-01T02:00")
        #expect(try plannedReferences() == ["CHG-1", "CHG-2"])
        let table = try harness.succeed("change", "list").out
        #expect(table.contains("CHG-1   2026-11-22 01:00–03:00  srv-sql01,srv-file01  patches"), "\(table)")

        // Overlapping window, meeting impact: a collision naming where they meet. CHG-2 is another day.
        let report = try harness.succeed("impact", "app-papercut", "--window", "2026-11-22T02:30Z/2026-11-22T04:00Z",
            "--format", "json").stdout
        let object = try JSONSerialization.jsonObject(with: report) as? [String: Any]
        let collisions = object?["collisions"] as? [[String: Any]] ?? []
        #expect(collisions.count == 1)
        #expect(collisions.first?["change"] as? String == "CHG-1")
        #expect(collisions.first?["cis"] as? [String] == ["app-papercut", "bs-printen"])
        // Not overlapping: no collision.
        let later = try harness.succeed("impact", "app-papercut", "--window", "2026-11-22T03:00Z/2026-11-22T04:00Z",
            "--format", "json").stdout
        #expect(((try JSONSerialization.jsonObject(with: later) as? [String: Any])?["collisions"] as? [Any])?.isEmpty == true)

        let again = try harness.succeed("change", "plan", "CHG-1", "--ci", "srv-web01", "--window",
            "2026-11-22T01:00Z/2026-11-22T02:00Z")
        #expect(again.out.hasPrefix("re-planned CHG-1: 1 CI"))
        #expect(try harness.succeed("change", "cancel", "CHG-1").out == "cancelled CHG-1\n")
        #expect(try plannedReferences() == ["CHG-2"])
    }

    @Test("bad input exits 2, says what and where, and changes nothing")
    func badInput() throws {
        try harness.succeed("change", "plan", "CHG-1", "--ci", "srv-sql01", "--window", "2026-11-22T01:00/2026-11-22T02:00")
        let cases: [([String], String)] = [
            (["impact", "srv-sql1"], "unknown CI 'srv-sql1' (argument, 1st of 1); did you mean 'srv-sql01'?"),
            (["impact", "srv-sql01", "nope-xyz-123"], "unknown CI 'nope-xyz-123' (argument, 2nd of 2)"),
            (["impact", "srv-sql01", "--window", "2026-11-22T04:00/2026-11-22T02:00"], "the end is not after the start"),
            (["impact", "srv-sql01", "--window", "tomorrow"], "window 'tomorrow': expected START/END"),
            (["impact", "srv-sql01", "--window", "2026-02-30T01:00/2026-03-01T01:00"], "cannot read the start '2026-02-30T01:00'"),
            (["impact", "srv-sql01", "--depth=-1"], "--depth must be 0 or more, not -1"),
            (["impact", "srv-sql01", "--depth", "two"], "--depth"),
            (["impact", "srv-sql01", "--format", "pdf"], "pdf"),
            (["change", "plan", "CHG-9", "--ci", "srv-sql01,srv-nope", "--window", "2026-11-22T01:00/2026-11-22T02:00"],
             "unknown CI 'srv-nope' (--ci, 2nd of 2)"),
            (["change", "plan", "CHG-9", "--ci", "srv-sql01", "--window", "2026-11-22T01:00"], "expected START/END"),
            (["change", "plan", "CHG-9", "--window", "2026-11-22T01:00/2026-11-22T02:00"], "--ci"),
            (["change", "cancel", "CHG-2"], "no planned change 'CHG-2'; did you mean 'CHG-1'?"),
            (["change", "timezone", "Europe/Amsterdan"], "unknown time zone 'Europe/Amsterdan'; did you mean 'Europe/Amsterdam'?"),
        ]
        for (arguments, message) in cases {
            let result = try harness.run(["--db", harness.db] + arguments)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.err.contains(message), "\(arguments): \(result.err)")
            #expect(result.stdout.isEmpty, "\(arguments) wrote to stdout")
        }
        #expect(try plannedReferences() == ["CHG-1"], "nothing was planned or cancelled")
        #expect(try harness.succeed("change", "timezone").out == "UTC\n", "the time zone is unchanged")
    }

    @Test("a missing database is a storage error: exit 3")
    func missingDatabase() throws {
        let result = try harness.run(["--db", harness.sandbox.path("none"), "impact", "srv-sql01"])
        #expect(result.exitCode == 3, "\(result)")
        #expect(result.err.contains("no database at"))
        let list = try harness.run(["--db", harness.sandbox.path("none"), "change", "list"])
        #expect(list.exitCode == 3, "\(list)")
    }

    @Test("bench-queries is hidden from --help, has its own help, and prints one result line per query")
    func benchQueries() throws {
        let help = try harness.run(["--help"]).out
        #expect(!help.contains("bench-queries"))
        #expect(try harness.run(["bench-queries", "--help"]).out.contains("--params"))
        let params = try harness.sandbox.write("params.json",
            #"{"q1":["srv-dc01","app-ad-ds"],"q2":["srv-dc01"],"q3":["clu-bb-vsphere","sw-bb-core-01"],"q4":"dc-bb-serverruimte","q5":["bs-printen"],"q6":"dc-bb-serverruimte"}"#)
        let all = try harness.succeed("bench-queries", "--params", params).out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(all.map { $0["query"] as? String } == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"])
        #expect((all.first?["check"] as? [Int])?.first == 2, "both Q1 ids are found: \(all.first ?? [:])")
        #expect((all.last?["groups"] as? [[Any]])?.isEmpty == false, "Q7 lists its groups")
        let result = try harness.succeed("bench-queries", "--params", params, "--only", "Q3,Q4,Q5")
        let lines = result.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(lines.map { $0["query"] as? String } == ["Q3", "Q4", "Q5"])
        for line in lines {
            #expect(line["peer"] as? String == "swift")
            #expect(line["reps"] as? Int == 5)
            #expect((line["check"] as? Int ?? 0) > 0, "\(line)")
            #expect(line["median_ms"] is Double && line["cold_ms"] is Double && line["per_op_us"] is Double)
        }
        #expect(lines.first?["ops"] as? Int == 2)
        let impact = try harness.succeed("bench-queries", "--params", params, "--semantics", "impact", "--only", "Q3")
        #expect(impact.out.hasPrefix("{\"peer\":\"swift-impact\",\"query\":\"Q3\""))
        let bad = try harness.cmdb("bench-queries", "--params", harness.sandbox.path("missing.json"))
        #expect(bad.exitCode == 2 && bad.err.contains("missing.json"), "\(bad)")
    }
}
