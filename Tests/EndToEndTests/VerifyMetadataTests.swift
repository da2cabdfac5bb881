import Foundation
import Testing

/// Snapshot metadata that would silently falsify the nightly result is refused: a misspelt scope attribute (missing
/// would drop to nothing and --apply would write the typo into CIs) and a taken_at in the future (its stamps would
/// exempt the CIs from the stale rule for good).
struct VerifyMetadataTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    static func sheet(_ name: String) -> String { Paths.fixture("spreadsheets/" + name) }

    /// The sample's snapshot mdm-orc.jsonl with its header's `old` text replaced.
    func snapshot(replacing old: String, with new: String) throws -> String {
        let text = try String(contentsOfFile: Paths.fixture("snapshots/mdm-orc.jsonl"), encoding: .utf8)
        #expect(text.contains(old))
        return try harness.sandbox.write("snap.jsonl", text.replacingOccurrences(of: old, with: new))
    }

    func stamped() throws -> String {
        try harness.succeed("query", "MATCH (w) WHERE w.last_verified_at IS NOT NULL OR w.ownr IS NOT NULL "
            + "RETURN count(*)", "--format", "csv").out
    }

    @Test("--scope with an attribute no class of the mapping declares: exit 2, the closest spelling, nothing written")
    func scopeTypo() throws {
        try harness.makeDatabase(withSample: true)
        for extra in [[], ["--apply", "--change", "CHG-X"], ["--fail-on", "high"]] {
            let result = try harness.run(["--db", harness.db, "verify", Self.sheet("mdm-orc.csv"), "--map", Self.sheet("mdm-orc.yaml"),
                "--source", "intune", "--scope", "ownr=oude-rijn-college"] + extra)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.err.contains("--scope: unknown attribute 'ownr' (did you mean 'owner'?)"), "\(result)")
        }
        #expect(try stamped() == "count(*)\n0\n", "nothing written")
        // The right spelling, and name and status, are accepted.
        let good = try harness.cmdb("verify", Self.sheet("mdm-orc.csv"), "--map", Self.sheet("mdm-orc.yaml"),
            "--source", "intune", "--scope", "owner=oude-rijn-college", "--scope", "status=live")
        #expect(good.exitCode == 0 || good.exitCode == 1, "\(good)")
    }

    @Test("a snapshot header whose scope names an attribute no class in it declares is refused at its line")
    func headerScopeTypo() throws {
        try harness.makeDatabase(withSample: true)
        let file = try snapshot(replacing: "\"scope\":{\"owner\":", with: "\"scope\":{\"ownr\":")
        let result = try harness.cmdb("verify", file)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("\(file):1: unknown attribute 'ownr' in \"scope\" (did you mean 'owner'?)"),
            "\(result)")
        #expect(try stamped() == "count(*)\n0\n", "nothing written")
    }

    @Test("a snapshot taken in the future is refused; a few minutes of clock skew are allowed")
    func futureTakenAt() throws {
        try harness.makeDatabase(withSample: true)
        let file = try snapshot(replacing: "2026-11-22T02:00:00Z", with: "2999-01-01T00:00:00Z")
        let result = try harness.cmdb("verify", file)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("\(file):1: \"taken_at\" 2999-01-01T00:00:00Z is in the future"), "\(result)")
        #expect(try stamped() == "count(*)\n0\n", "nothing written")
        // Two minutes ahead (a discovery host's clock a little fast) passes.
        let formatter = ISO8601DateFormatter()
        let soon = formatter.string(from: Date().addingTimeInterval(120))
        let skewed = try snapshot(replacing: "2026-11-22T02:00:00Z", with: soon)
        let accepted = try harness.cmdb("verify", skewed)
        #expect(accepted.exitCode == 0 || accepted.exitCode == 1, "\(accepted)")
    }

    /// Two VirtualServers (not a closed class) stored with the undeclared attribute `site`.
    func importSites() throws {
        try harness.makeDatabase()
        let data = try harness.sandbox.write("sites.jsonl", """
            {"kind":"ci","id":"srv-1","class":"VirtualServer","attrs":{"hostname":"srv-1","status":"live","site":"ams"}}
            {"kind":"ci","id":"srv-2","class":"VirtualServer","attrs":{"hostname":"srv-2","status":"live","site":"ams"}}

            """)
        try harness.succeed("import", data, "--change", "CHG-1")
    }

    @Test("a header scope on an attribute the classes don't declare but their CIs hold is accepted; a typo is not")
    func headerScopeOnUndeclaredAttribute() throws {
        try importSites()
        let file = try harness.sandbox.write("scan.jsonl", """
            {"kind":"source","name":"scan-ams","classes":["VirtualServer"],"scope":{"site":"ams"}}
            {"kind":"ci","class":"VirtualServer","attrs":{"hostname":"srv-1"}}

            """)
        let result = try harness.cmdb("verify", file, "--format", "json")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.out.contains("\"srv-2\""), "srv-2 is in scope and missing: \(result)")
        #expect(!result.err.contains("unknown attribute"), "\(result)")
        // No CI holds `sit`: still the typo, with the closest spelling among the declared and held attributes.
        let typo = try harness.sandbox.write("typo.jsonl", """
            {"kind":"source","name":"scan-ams","classes":["VirtualServer"],"scope":{"sit":"ams"}}
            {"kind":"ci","class":"VirtualServer","attrs":{"hostname":"srv-1"}}

            """)
        let refused = try harness.cmdb("verify", typo)
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.err.contains("\(typo):1: unknown attribute 'sit' in \"scope\" (did you mean 'site'?)"),
            "\(refused)")
    }

    @Test("--scope on an attribute the mapped class doesn't declare but its CIs hold is accepted; a typo is not")
    func optionScopeOnUndeclaredAttribute() throws {
        try importSites()
        let map = try harness.sandbox.write("scan.yaml", "class: VirtualServer\nid: \"{host}\"\nattrs:\n  hostname: host\n")
        let sheet = try harness.sandbox.write("scan.csv", "host\nsrv-1\n")
        let result = try harness.cmdb("verify", sheet, "--map", map, "--source", "scan-ams", "--scope", "site=ams",
            "--format", "json")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.out.contains("\"srv-2\""), "srv-2 is in scope and missing: \(result)")
        let refused = try harness.cmdb("verify", sheet, "--map", map, "--source", "scan-ams", "--scope", "sit=ams")
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.err.contains("--scope: unknown attribute 'sit' (did you mean 'site'?)"), "\(refused)")
    }

    @Test("verify --apply refuses a relation from a CI to itself with import's SchemaError.SelfRelation, naming the line")
    func applySelfRelation() throws {
        try harness.makeDatabase()
        try harness.succeed("import", "-", "--change", "C1",
            stdin: Data(#"{"kind":"ci","id":"srv-a","class":"PhysicalServer","attrs":{"hostname":"a","serial":"S1"}}"#.utf8 + [0x0A]))
        let snapshot = try harness.sandbox.write("loop.jsonl", """
            {"kind":"source","name":"scan","classes":["PhysicalServer"],"taken_at":"2026-12-01T02:00:00Z"}
            {"kind":"ci","class":"PhysicalServer","attrs":{"hostname":"a","serial":"S1"}}
            {"kind":"rel","type":"DEPENDS_ON","from":{"hostname":"a"},"to":{"hostname":"a"}}

            """)
        let before = try harness.export()
        let refused = try harness.cmdb("verify", snapshot, "--apply", "--change", "CHG-V")
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.err.contains("error[SchemaError.SelfRelation] \(snapshot):3: cannot apply: a CI cannot depend on itself"),
            "the code import gives the same relation: \(refused.err)")
        #expect(try harness.export() == before, "nothing written")
        let imported = try harness.cmdb("import", "-", stdin: Data(#"{"kind":"rel","type":"DEPENDS_ON","from":"srv-a","to":"srv-a"}"#.utf8 + [0x0A]))
        #expect(imported.exitCode == 2 && imported.err.contains("error[SchemaError.SelfRelation]"), "\(imported)")
        // A schemaless graph, where import and CIQL allow such a relation, has no identification rules to verify by:
        // verify refuses it as a whole before reading a line.
        let open = harness.sandbox.path("open")
        try harness.succeed("init", "--schema", "none", db: open)
        let schemaless = try harness.cmdb("verify", snapshot, "--apply", "--change", "CHG-V", db: open)
        #expect(schemaless.exitCode == 2 && schemaless.err.contains("error[SchemaError.NoSchema]"), "\(schemaless)")
    }
}
