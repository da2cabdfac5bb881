import Foundation
import Testing

/// An empty or blank change reference is no change reference on the command line too: `--change`, a statement's
/// USING CHANGE, the shell's `--change`; where one is required (`verify --apply`, `change plan REF`) it is refused.
struct ChangeReferenceTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    /// The change reference of each version of `id`, from `cmdb history --format jsonl` (NSNull for none).
    func changes(_ id: String) throws -> [Any] {
        let history = try harness.succeed("history", id, "--format", "jsonl").out
        return history.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["change"] ?? nil
        }
    }

    @Test("blank --change and USING CHANGE in query, import and shell record no change reference")
    func blankIsNone() throws {
        try harness.succeed("query", "CREATE (:Application {id: 'app-q1'})", "--change", "   ")
        try harness.succeed("query", "USING CHANGE ' \t' CREATE (:Application {id: 'app-q2'})")
        try harness.succeed("query", "USING CHANGE '' CREATE (:Application {id: 'app-q3'})", "--change", "CHG-KEPT")
        let line = try harness.sandbox.write("one.jsonl", "{\"kind\":\"ci\",\"id\":\"app-i1\",\"class\":\"Application\"}\n")
        try harness.succeed("import", line, "--change", "\n")
        let shell = try harness.cmdb("shell", "--change", "  ", stdin: Data(":change\nCREATE (:Application {id: 'app-s1'});\n".utf8))
        #expect(shell.exitCode == 0, "\(shell)")
        for id in ["app-q1", "app-q2", "app-i1", "app-s1"] {
            let recorded = try changes(id)
            #expect(recorded.count == 1 && recorded.first is NSNull, "\(id): \(recorded)")
        }
        #expect(try changes("app-q3").map { $0 as? String } == ["CHG-KEPT"], "a blank USING CHANGE leaves --change in force")
    }

    @Test("verify --apply and change plan refuse a blank reference (exit 2) and change nothing")
    func blankIsRefusedWhereRequired() throws {
        let before = try harness.status()
        let snapshot = Paths.fixture("snapshots/vcenter-bb.jsonl")
        for blank in ["", "  ", "\n", "\t\u{3000}"] {
            let verify = try harness.cmdb("verify", snapshot, "--apply", "--change", blank)
            #expect(verify.exitCode == 2 && verify.err.contains("--change"), "verify --change '\(blank)': \(verify)")
            let plan = try harness.cmdb("change", "plan", blank, "--ci", "srv-sql01", "--window", "2026-11-22T01:00Z/2026-11-22T03:00Z")
            #expect(plan.exitCode == 2 && plan.err.contains("change reference"), "change plan '\(blank)': \(plan)")
        }
        #expect(try harness.status().latestTransaction == before.latestTransaction)
        let list = try harness.succeed("change", "list", "--format", "json").out
        #expect(list.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(list)")
    }

    @Test("a change reference over 200 bytes is refused by every way in, as the server refuses it (exit 2), and nothing is written")
    func overlongIsRefused() throws {
        let before = try harness.status()
        let long = String(repeating: "X", count: 201)
        let line = try harness.sandbox.write("one.jsonl", "{\"kind\":\"ci\",\"id\":\"app-l1\",\"class\":\"Application\"}\n")
        let snapshot = Paths.fixture("snapshots/vcenter-bb.jsonl")
        let attempts: [[String]] = [
            ["query", "CREATE (:Application {id: 'app-l2'})", "--change", long],
            ["query", "USING CHANGE '\(long)' CREATE (:Application {id: 'app-l3'})"],
            ["import", line, "--change", long],
            ["verify", snapshot, "--apply", "--change", long],
            ["change", "plan", long, "--ci", "srv-sql01", "--window", "2026-11-22T01:00Z/2026-11-22T03:00Z"],
            // Reads too: one rule for every statement, whichever way the reference comes.
            ["query", "MATCH (n) RETURN count(n) AS n", "--change", long],
            ["query", "USING CHANGE '\(long)' MATCH (n) RETURN count(n) AS n"],
            ["query", "MATCH (n) RETURN count(n) AS n; USING CHANGE '\(long)' MATCH (n) RETURN count(n) AS n"],
        ]
        for arguments in attempts {
            let result = try harness.run(["--db", harness.db] + arguments)
            #expect(result.exitCode == 2 && result.err.contains("longer than 200 bytes"), "\(arguments.prefix(2)): \(result)")
        }
        let shell = try harness.cmdb("shell", stdin: Data(":change \(long)\nCREATE (:Application {id: 'app-l4'});\n".utf8))
        #expect(shell.err.contains("longer than 200 bytes"), "\(shell)")
        #expect(try harness.status().ciCount == before.ciCount + 1, "only the shell's CREATE, without the refused change, is written")
        // 200 bytes is taken.
        try harness.succeed("query", "CREATE (:Application {id: 'app-l5'})", "--change", String(repeating: "Y", count: 200))
    }
}

