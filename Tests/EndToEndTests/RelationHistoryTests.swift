import Foundation
import Testing

/// Relations keep one version per transaction through the binary, as CIs do: one deleted and created again in a
/// statement is the net change (or nothing), one created and deleted again leaves no trace in the status, the
/// audit or the past (found in review: they showed as a deletion plus a creation, and the audit counted a relation
/// that never existed).
struct RelationHistoryTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase()
        try harness.succeed(
            "query", "CREATE (a:Application {id: 'app-1', vendor: 'v0'}), (:VirtualServer {id: 'srv-1', cpu: 1, name: 'S1'}), "
                + "(:VirtualServer {id: 'srv-2', cpu: 1, name: 'S2'})", "--change", "CHG-1")
        try harness.succeed(
            "query", "MATCH (a {id: 'app-1'}), (s {id: 'srv-1'}) CREATE (a)-[:RUNS_ON {w: 1}]->(s)", "--change", "CHG-2")
    }

    /// The audit's no-change-reference findings as "ci: message", and the rule's (checked, failing) counts, from
    /// one run's table.
    func changeReferenceFindings() throws -> (listed: [String], checked: Int, failing: Int) {
        let audit = try harness.cmdb("audit")
        #expect(audit.exitCode <= 1, "\(audit)")
        let lines = audit.out.split(separator: "\n").map(String.init)
        let listed = lines.compactMap { line in
            line.firstMatch(of: /^  medium no-change-reference (.*)$/).map { String($0.1) }
        }
        let row = lines.first { $0.hasPrefix("no-change-reference ") }?.split(separator: " ").map(String.init) ?? []
        let counts = row.count >= 5 ? (Int(row[3]) ?? -1, Int(row[4]) ?? -1) : (-1, -1)
        return (listed, counts.0, counts.1)
    }

    @Test("a relation deleted and created again as it was commits nothing; with another value, one change, as of before intact")
    func deleteAndCreateAgain() throws {
        let same = try harness.succeed(
            "query", "MATCH (a {id: 'app-1'})-[r:RUNS_ON]->(b {id: 'srv-1'}) DELETE r WITH a, b CREATE (a)-[:RUNS_ON {w: 1}]->(b)")
        #expect(same.err.contains("nothing changed"), "\(same.err)")
        #expect(try harness.status().latestTransaction == 3)
        try harness.succeed(
            "query", "MATCH (a {id: 'app-1'})-[r:RUNS_ON]->(b {id: 'srv-1'}) DELETE r WITH a, b CREATE (a)-[:RUNS_ON {w: 2}]->(b)",
            "--change", "CHG-3")
        let status = try harness.status()
        #expect(status.changes.first == Status.Change(
            transaction: 4, actor: status.changes.first?.actor ?? "", changeReference: "CHG-3", what: "relations +0 ~1 -0"),
            "\(status.text)")
        #expect(status.relationCount == 1)
        let before = try harness.succeed(
            "query", "MATCH (:Application)-[r:RUNS_ON]->(s) RETURN s.id AS s, r.w AS w AS OF TX 3", "--format", "csv").out
        #expect(before == "s,w\nsrv-1,1\n", "\(before)")
        let now = try harness.succeed("query", "MATCH (:Application)-[r:RUNS_ON]->(s) RETURN s.id AS s, r.w AS w", "--format", "csv").out
        #expect(now == "s,w\nsrv-1,2\n", "\(now)")
        let exported = try harness.succeed("export", "--as-of", "3", "--format", "jsonl").out
        #expect(exported.contains(#""type":"RUNS_ON""#) && exported.contains(#""w":1"#), "\(exported)")
    }

    @Test("a relation created and deleted again in a statement leaves no trace: nothing changed, or no count and no audit finding")
    func createAndDeleteAgain() throws {
        let alone = try harness.succeed(
            "query", "MATCH (a {id: 'app-1'}), (s {id: 'srv-2'}) CREATE (a)-[r:RUNS_ON]->(s) DELETE r")
        #expect(alone.err.contains("nothing changed"), "\(alone.err)")
        #expect(try harness.status().latestTransaction == 3)
        // With another change and no change reference: the change is the CI's only.
        try harness.succeed(
            "query", "MATCH (a {id: 'app-1'}), (s {id: 'srv-2'}) CREATE (a)-[r:RUNS_ON]->(s) DELETE r WITH a SET a.vendor = 'v1'")
        let status = try harness.status()
        #expect(status.changes.first?.transaction == 4 && status.changes.first?.what == "CIs +0 ~1 -0", "\(status.text)")
        let audit = try changeReferenceFindings()
        #expect(audit.listed.count == 1 && audit.listed.first?.hasPrefix("app-1: changed in transaction 4") == true,
            "\(audit.listed)")
        // Checked: the 3 CIs and the relation created under CHG-1 and CHG-2, and the CI changed in transaction 4.
        #expect(audit.checked == 5 && audit.failing == 1, "\(audit)")
        let past = try harness.succeed(
            "query", "MATCH (:Application)-[:RUNS_ON]->(s) RETURN s.id AS s ORDER BY s AS OF TX 4", "--format", "csv").out
        #expect(past == "s\nsrv-1\n", "\(past)")
    }

    @Test("DIFF BASELINE: a relation deleted and created again is the change of its properties; one created and deleted again, nothing")
    func diffBaseline() throws {
        try harness.succeed("baseline", "create", "b0")
        try harness.succeed(
            "query", "MATCH (a {id: 'app-1'})-[r:RUNS_ON]->(b {id: 'srv-1'}) DELETE r WITH a, b CREATE (a)-[:RUNS_ON {w: 2}]->(b)")
        try harness.succeed(
            "query", "MATCH (a {id: 'app-1'}), (s {id: 'srv-2'}) CREATE (a)-[r:RUNS_ON]->(s) DELETE r WITH a SET a.vendor = 'v1'")
        let diff = try harness.succeed("baseline", "diff", "b0", "--format", "csv").out
        #expect(diff == "change,kind,id,attribute,before,after\nchanged,ci,app-1,vendor,v0,v1\n"
            + "changed,relation,app-1-[:RUNS_ON]->srv-1,w,1,2\n", "\(diff)")
    }
}
