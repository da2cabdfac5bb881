import Foundation
import Testing

/// `cmdb history` through the binary: one version per CI per transaction, holding what was committed; writes
/// that cancel out commit nothing (found by the hostile tester: intermediate states showed as history).
struct HistoryVersionTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase()
        try harness.succeed("query", "CREATE (:Application {id: 'app-1', vendor: 'v0'})")
    }

    /// The `history` rows as `tx operation changes`.
    func history(_ id: String) throws -> [String] {
        let out = try harness.succeed("history", id, "--format", "jsonl").out
        return try out.split(separator: "\n").map { line in
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let changes = (row["changes"] as? [String] ?? []).joined(separator: "; ")
            return "\(row["tx"] as? Int ?? -1) \(row["operation"] as? String ?? "?") \(changes)"
        }
    }

    @Test("a statement whose writes cancel out commits nothing and says 'nothing changed'")
    func netNothing() throws {
        let run = try harness.succeed("query", "MATCH (n {id: 'app-1'}) SET n.vendor = 'tmp', n.vendor = 'v0'")
        #expect(run.err.contains("nothing changed") && !run.err.contains("transaction"), "\(run.err)")
        let status = try harness.succeed("query", "MATCH (n {id: 'app-1'}) SET n.status = 'disposed', n.status = 'live'")
        #expect(status.err.contains("nothing changed"), "\(status.err)")
        #expect(try history("app-1") == ["2 created class: Application; status: 'live'"])
        #expect(try harness.status().latestTransaction == 2)
    }

    @Test("several writes of a CI in one statement: one version with the net change, unchanged by later writes")
    func severalWritesOneVersion() throws {
        try harness.succeed("query", "UNWIND ['v1', 'v2', 'v3', 'v4', 'v5'] AS v MATCH (n {id: 'app-1'}) SET n.vendor = v")
        #expect(try history("app-1") == ["2 created class: Application; status: 'live'", "3 updated vendor: 'v0' → 'v5'"])
        // The status passes through a move the schema forbids (live → disposed) and ends where it began: no
        // version shows it, and the audit sees no illegal transition.
        try harness.succeed("query", "MATCH (n {id: 'app-1'}) SET n.status = 'disposed', n.vendor = 'v6', n.status = 'live'")
        try harness.succeed("query", "MATCH (n {id: 'app-1'}) SET n.vendor = 'v7'")
        #expect(try history("app-1") == ["2 created class: Application; status: 'live'", "3 updated vendor: 'v0' → 'v5'",
            "4 updated vendor: 'v5' → 'v6'", "5 updated vendor: 'v6' → 'v7'"])
        let audit = try harness.cmdb("audit", "--format", "json")
        #expect(audit.exitCode == 0 || audit.exitCode == 1, "\(audit)")
        #expect(!audit.out.contains("illegal-transition\",\"category\""), "\(audit.out)")
        #expect(!audit.out.contains("disposed"), "\(audit.out)")
    }

    @Test("CREATE … SET in one statement: one 'created' version with the final state")
    func createThenSet() throws {
        try harness.succeed("query", "CREATE (n:Application {id: 'app-2', vendor: 'x', name: 'A'}) SET n.name = 'B'")
        #expect(try history("app-2") == ["3 created class: Application; name: 'B'; status: 'live'"])
    }

    @Test("a CI deleted and created again in one statement is one version; one created and deleted again is none")
    func deleteAndCreateInOneStatement() throws {
        try harness.succeed("query", "MATCH (n {id: 'app-1'}) DELETE n CREATE (:Application {id: 'app-1', vendor: 'v9'})")
        #expect(try history("app-1") == ["2 created class: Application; status: 'live'", "3 updated vendor: 'v0' → 'v9'"])
        let same = try harness.succeed("query", "MATCH (n {id: 'app-1'}) DELETE n CREATE (:Application {id: 'app-1', vendor: 'v9'})")
        #expect(same.err.contains("nothing changed"), "\(same.err)")
        let gone = try harness.succeed("query", "CREATE (n:Application {id: 'tmp-1'}) WITH n DELETE n")
        #expect(gone.err.contains("nothing changed"), "\(gone.err)")
        let unknown = try harness.cmdb("history", "tmp-1")
        #expect(unknown.exitCode == 2 && unknown.err.contains("unknown CI 'tmp-1'"), "\(unknown)")
        #expect(try harness.status().latestTransaction == 3)
    }

    /// A CI created and deleted again inside a run of CIs the transaction created is never committed: the audit's
    /// no-change-reference rule lists the CIs that were, not a "node N" that never existed (found in review).
    @Test("the audit lists no CI that was created and deleted again in one transaction")
    func auditSkipsUncommittedCreations() throws {
        try harness.succeed(
            "query", "CREATE (:Application {id: 'm1'}), (:Application {id: 'm2'}), (:Application {id: 'm3'}) "
                + "WITH 1 AS x MATCH (c {id: 'app-1'}) SET c.vendor = 'w' WITH 1 AS y MATCH (d {id: 'm2'}) DELETE d")
        let audit = try harness.cmdb("audit", "--format", "json")
        #expect(audit.exitCode <= 1, "\(audit)")
        let violations = ((try? JSONSerialization.jsonObject(with: audit.stdout)) as? [String: Any])?["violations"] as? [[String: Any]] ?? []
        let listed = violations.filter { $0["rule"] as? String == "no-change-reference" }.compactMap { $0["ci"] as? String }
        #expect(listed.contains("m1") && listed.contains("m3") && listed.contains("app-1"), "\(listed)")
        #expect(!listed.contains { $0.hasPrefix("node ") } && !listed.contains("m2"), "\(listed)")
    }

    @Test("CIs deleted from the middle of a run of creations twice, the run's entry last in the log: the statement commits")
    func twoSplitsOfTheLastRun() throws {
        // Deleting n6 logs n1…n5 as the last entry and keeps n7…n10 pending; deleting n3 then splits that last
        // entry, and the flush of n7…n10 after it must not take the sequence the split's second half took.
        let run = try harness.cmdb(
            "query", "UNWIND range(1, 10) AS i CREATE (n:Application {id: 'n' + toString(i)}) "
                + "WITH collect(n) AS ns UNWIND [ns[5], ns[2]] AS d DELETE d")
        #expect(run.exitCode == 0, "\(run)")
        let ids = try harness.succeed("query", "MATCH (n:Application) WHERE n.id STARTS WITH 'n' RETURN n.id AS id", "--format", "csv").out
        #expect(Set(ids.split(separator: "\n").dropFirst().map(String.init)) == Set(["n1", "n2", "n4", "n5", "n7", "n8", "n9", "n10"]))
        for gone in ["n3", "n6"] { #expect(try harness.cmdb("history", gone).exitCode != 0) }
        #expect(try history("n7").count == 1)
    }
}
