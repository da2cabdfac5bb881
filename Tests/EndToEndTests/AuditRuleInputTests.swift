import Foundation
import Testing

/// `cmdb audit --rules FILE`: a rule whose query returns ids of no CI is a broken rule, refused naming it; a
/// broken rules file is `InputError.InvalidAuditRule` (not the snapshot code). Nothing is stored either way.
struct AuditRuleInputTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
        let lines = """
            {"kind":"ci","id":"app-1","class":"Application","attrs":{"owner":"x","criticality":2}}
            {"kind":"ci","id":"app-2","class":"Application","attrs":{"owner":"y","criticality":3}}

            """
        try harness.succeed("import", "-", "--change", "C1", stdin: Data(lines.utf8))
    }

    func rules(_ query: String, name: String = "typo-ids") throws -> String {
        try harness.sandbox.write("rules-\(name).yaml", """
            - name: fine
              category: correctness
              severity: low
              message: "every application"
              query: "MATCH (a:Application) RETURN a"
            - name: \(name)
              category: correctness
              severity: high
              message: "listed"
              query: "\(query)"

            """)
    }

    func storedRuns() throws -> Int {
        let out = try harness.succeed("audit", "history", "--format", "json").stdout
        return (try JSONSerialization.jsonObject(with: out) as? [Any])?.count ?? -1
    }

    @Test("a rule returning ids of no CI is refused, naming the rule, its line and the ids; nothing is stored")
    func phantomIDs() throws {
        let file = try rules("UNWIND ['app-1', 'app-does-not-exist', 'srv-ghost', 'app-does-not-exist'] AS id RETURN id")
        let result = try harness.cmdb("audit", "--rules", file, "--format", "json")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("error[InputError.InvalidAuditRule]"), "\(result.err)")
        #expect(result.err.contains("\(file):6"), "the rule's place: \(result.err)")
        #expect(result.err.contains("rule 'typo-ids'") && result.err.contains("'app-does-not-exist', 'srv-ghost'"), "\(result.err)")
        #expect(!result.err.contains("'app-1'"), "app-1 is a CI: \(result.err)")
        #expect(result.stdout.isEmpty)
        #expect(try storedRuns() == 0, "no audit run was stored")

        // Many phantoms: the first few are named, with how many more.
        let many = try rules("UNWIND range(1, 30) AS i RETURN 'ghost-' + toString(i)", name: "many")
        let manyResult = try harness.cmdb("audit", "--rules", many)
        #expect(manyResult.exitCode == 2 && manyResult.err.contains("and 25 more"), "\(manyResult)")

        // Ids and nodes of CIs that exist are violations as before.
        let good = try rules("UNWIND ['app-1', 'app-2', 'app-1'] AS id RETURN id")
        let report = try harness.succeed("audit", "--rules", good, "--format", "json")
        let object = try JSONSerialization.jsonObject(with: report.stdout) as? [String: Any]
        let listed = (object?["violations"] as? [[String: Any]] ?? []).filter { $0["rule"] as? String == "typo-ids" }
        #expect(listed.compactMap { $0["ci"] as? String }.sorted() == ["app-1", "app-2"], "\(listed)")
        #expect(try storedRuns() == 1)
    }

    @Test("a broken rules file is InputError.InvalidAuditRule with its place; nothing is stored")
    func brokenFiles() throws {
        let cases: [(String, String, String)] = [
            ("bad-yaml", "- name: [unclosed\n", "invalid YAML"),
            ("not-a-list", "name: x\nquery: y\n", "must be a list of rules"),
            ("empty", "", "the rules file is empty"),
            ("comment-only", "# nothing here\n", "the rules file is empty"),
            ("unknown-key", "- name: x\n  category: correctness\n  severity: low\n  message: m\n  querry: q\n", "unknown key 'querry'"),
        ]
        for (name, text, message) in cases {
            let file = try harness.sandbox.write("\(name).yaml", text)
            let result = try harness.cmdb("audit", "--rules", file)
            #expect(result.exitCode == 2, "\(name): \(result)")
            #expect(result.err.contains("error[InputError.InvalidAuditRule]") && !result.err.contains("InvalidSnapshot"), "\(name): \(result.err)")
            #expect(result.err.contains(file) && result.err.contains(message), "\(name): \(result.err)")
        }
        #expect(try storedRuns() == 0)
        // A snapshot line verify cannot read keeps its own code.
        let snapshot = try harness.sandbox.write("snap.jsonl", "{\"kind\":\"source\",\"name\":\"x\"}\nnot json\n")
        let verify = try harness.cmdb("verify", snapshot)
        #expect(verify.exitCode == 2 && verify.err.contains("error[InputError.InvalidSnapshot]"), "\(verify)")
    }
}
