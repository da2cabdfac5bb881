import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The nightly job through the binary, on the sample CMDB and its discovery snapshots (fixtures/README.md,
/// "Discovery snapshots" and "Deliberate data-quality problems").
struct VerifyAuditTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    private var snapshots: String { Paths.fixture("snapshots") }

    /// `verify --format json` parsed: source name → the per-source object.
    private func verifyJSON(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws
        -> [String: [String: Any]]
    {
        let result = try harness.run(["--db", harness.db] + arguments)
        try #require(result.exitCode == 0, "\(result)", sourceLocation: sourceLocation)
        let list = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
        var bySource: [String: [String: Any]] = [:]
        for s in list { bySource[s["source"] as? String ?? ""] = s }
        return bySource
    }

    private func auditJSON(_ arguments: [String] = []) throws -> (violations: [String: [String]], object: [String: Any]) {
        let result = try harness.run(["--db", harness.db, "audit", "--format", "json"] + arguments)
        try #require(result.exitCode == 0, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        var byRule: [String: [String]] = [:]
        for v in object["violations"] as? [[String: String]] ?? [] { byRule[v["rule"] ?? "", default: []].append(v["ci"] ?? "") }
        for k in byRule.keys { byRule[k]?.sort() }
        return (byRule, object)
    }

    private func ids(_ list: Any?) -> [String] { (list as? [String]) ?? [] }

    private func pairs(_ list: Any?, _ a: String, _ b: String) -> [String] {
        ((list as? [[String: Any]]) ?? []).map { "\($0[a].map { "\($0)" } ?? "-") \($0[b].map { "\($0)" } ?? "-")" }.sorted()
    }

    @Test("verify and audit on the sample find every planted problem; a second run after fixes shows them fixed")
    func nightlyRunOnTheSample() throws {
        try harness.makeDatabase(withSample: true)
        let first = try verifyJSON("verify", snapshots, "--format", "json")
        #expect(Set(first.keys) == ["vcenter-bb", "unifi-controller", "mdm-orc"])

        let vcenter = try #require(first["vcenter-bb"])
        #expect(vcenter["matched"] as? Int == 15)
        #expect(ids(vcenter["missing"]) == ["srv-jump01"])
        #expect(pairs(vcenter["unregistered"], "class", "attrs").count == 2)
        #expect(pairs(vcenter["drift"], "id", "attr") == ["hv-bb-03 os", "srv-mon01 os", "srv-radius01 os",
            "srv-sql01 memory_gb"])
        let sql = (vcenter["drift"] as? [[String: Any]])?.first { $0["id"] as? String == "srv-sql01" }
        #expect(sql?["cmdb"] as? Int == 16 && sql?["discovered"] as? Int == 32)
        let vRelations = try #require(vcenter["relations"] as? [String: Any])
        #expect(pairs(vRelations["missing"], "from", "to") == ["srv-mon01 hv-bb-00"])
        #expect(pairs(vRelations["unregistered"], "from", "to") == ["srv-mon01 hv-bb-02"])

        let unifi = try #require(first["unifi-controller"])
        #expect(ids(unifi["missing"]) == ["sw-klimop-core"])
        #expect(pairs(unifi["drift"], "id", "attr") == ["ap-regenboog-hal mgmt_ip", "sw-klimop-core-2 mgmt_ip"])
        let ambiguous = try #require((unifi["ambiguous"] as? [[String: Any]])?.first)
        #expect(ids(ambiguous["candidates"]) == ["ap-vlinderboom-hal", "ap-vlinderboom-hal-1"])
        let uRelations = try #require(unifi["relations"] as? [String: Any])
        #expect(pairs(uRelations["missing"], "from", "to") == ["ap-regenboog-gym sw-regenboog-edge-02",
            "sw-klimop-edge-01 sw-klimop-core"])
        #expect((uRelations["unregistered"] as? [Any])?.count == 3)

        let mdm = try #require(first["mdm-orc"])
        #expect(ids(mdm["missing"]) == ["lap-orc-doc-14"])
        #expect(pairs(mdm["drift"], "id", "attr") == ["lap-orc-doc-03 os", "ws-orc-adm-02 hostname"])
        #expect((mdm["unregistered"] as? [Any])?.count == 1)

        // Verify stamped the 65 matched CIs: stamps write no CI versions and are no change without a reference.
        let audit1 = try auditJSON()
        let v1 = audit1.violations
        #expect(audit1.object["run"] as? Int == 1)
        #expect(v1["missing-recommended"]?.count == 20)
        #expect(v1["duplicate"] == ["ap-vlinderboom-hal", "ap-vlinderboom-hal-1", "dgb-orc-b12", "dgb-orc-b14",
            "lap-hetpalet-doc-03", "lap-hetpalet-doc-08", "sw-klimop-core", "sw-klimop-core-2"])
        #expect(v1["orphan"] == ["app-boom-lvs", "app-zermelo", "bs-oudercommunicatie", "bs-toetsing", "srv-jump01",
            "srv-test01"])
        #expect(v1["depends-on-retired"] == ["app-esis-archief", "bs-printen", "dgb-regenboog-groep5", "srv-mon01"])
        #expect(v1["id-naming"] == ["Chromebookkar_3B", "Laptop_Docent_12", "PRN_Klimop_Kopieer", "ap-ORC-gym-01"])
        #expect(v1["illegal-transition"] == nil && v1["no-change-reference"] == nil && v1["relation-not-allowed"] == nil)
        #expect(v1["stale"]?.contains("srv-jump01") == true && v1["stale"]?.contains("srv-dc01") == false)
        #expect(v1["stale"]?.count == 225)

        // The fixes: the later changes (imported without a change reference), then verify --apply.
        try harness.succeed("import", Paths.sampleChanges)
        let report = harness.sandbox.path("verify.json")
        let applied = try harness.cmdb("verify", snapshots, "--apply", "--change", "CHG-VERIFY-1", "--report", report)
        #expect(applied.exitCode == 0, "\(applied)")
        let second = try verifyJSON("verify", snapshots, "--format", "json")
        let mdmMissing = ids(second["mdm-orc"]?["missing"])
        #expect(mdmMissing == [], "lap-orc-doc-14 is withdrawn now")
        for (name, s) in second {
            #expect((s["unregistered"] as? [Any])?.isEmpty == true, "\(name)")
            #expect((s["drift"] as? [Any])?.isEmpty == true, "\(name)")
            #expect(((s["relations"] as? [String: Any])?["unregistered"] as? [Any])?.isEmpty == true, "\(name)")
        }
        #expect(ids(second["vcenter-bb"]?["missing"]) == ["srv-jump01"], "missing CIs are not changed by --apply")

        let auditReport = harness.sandbox.path("audit.md")
        try harness.succeed("audit", "--report", auditReport)
        let markdown = try String(contentsOfFile: auditReport, encoding: .utf8)
        #expect(markdown.contains("# CMDB audit, run 2"))
        let fixedSection = try #require(markdown.components(separatedBy: "## Fixed since run 1").last?
            .components(separatedBy: "## Violations").first)
        #expect(fixedSection.contains("| missing-recommended | hv-bb-03 | os |"), "os filled in by verify --apply")
        #expect(fixedSection.contains("| missing-recommended | srv-radius01 | os |"), "os filled in by the changes")
        let newSection = try #require(markdown.components(separatedBy: "## New since run 1").last?
            .components(separatedBy: "## Fixed since").first)
        #expect(newSection.contains("| medium | illegal-transition | compliance | ap-orc-nieuwbouw-01 |"))
        #expect(newSection.contains("| medium | illegal-transition | compliance | dgb-dewaaier-groep8b |"))
        #expect(newSection.contains("| high | depends-on-retired | correctness | app-intranet |"))
        let noReference = newSection.split(separator: "\n").filter { $0.contains("| no-change-reference |") }
        #expect(noReference.count == 18, "17 changed CIs and srv-print02; verify --apply had a reference")

        let history = try harness.succeed("audit", "history")
        #expect(history.out.split(separator: "\n").filter { $0.first == " " || $0.first?.isNumber == true }.count == 2,
            "\(history.out)")
    }

    @Test("--fail-on sets exit 1 for findings at or above the severity, 0 below; --quiet prints nothing")
    func failOn() throws {
        try harness.makeDatabase(withSample: true)
        let high = try harness.cmdb("verify", snapshots, "--fail-on", "high", "--quiet")
        #expect(high.exitCode == 1, "\(high)")
        #expect(high.out.isEmpty && high.err.contains("at or above high"), "\(high)")
        let critical = try harness.cmdb("verify", snapshots, "--fail-on", "critical", "--quiet")
        #expect(critical.exitCode == 0 && critical.out.isEmpty && critical.err.isEmpty, "\(critical)")
        #expect(try harness.cmdb("audit", "--fail-on", "high", "--quiet").exitCode == 1)
        #expect(try harness.cmdb("audit", "--fail-on", "critical", "--quiet").exitCode == 0)
        let bogus = try harness.cmdb("audit", "--fail-on", "urgent")
        #expect(bogus.exitCode == 2 && bogus.err.contains("unknown severity 'urgent'"), "\(bogus)")
    }

    @Test("a second run of the same job while one holds the lock is refused and changes nothing")
    func overlapRefused() throws {
        try harness.makeDatabase(withSample: true)
        let before = try harness.status()
        for job in ["verify", "audit"] {
            let fd = open(harness.db + "/\(job).lock", O_RDWR | O_CREAT, 0o600)
            try #require(fd >= 0)
            #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
            let refused = job == "verify" ? try harness.cmdb("verify", snapshots) : try harness.cmdb("audit")
            #expect(refused.exitCode == 3, "\(refused)")
            #expect(refused.err.contains("another 'cmdb \(job)' is running on this database"), "\(refused.err)")
            close(fd)
        }
        #expect(try harness.status().changes == before.changes, "a refused run recorded a transaction")
        try harness.succeed("audit", "--quiet")
    }

    @Test("reports are replaced atomically; a failed run leaves the old report and the database untouched")
    func atomicReports() throws {
        try harness.makeDatabase(withSample: true)
        let report = harness.sandbox.path("reports/nightly.xml")
        try FileManager.default.createDirectory(atPath: harness.sandbox.path("reports"), withIntermediateDirectories: true)
        try harness.succeed("verify", snapshots, "--report", report)
        let first = try fileBytes(report)
        let xml = XMLCheck.parse(first)
        #expect(xml.error == nil && xml.rootName == "testsuites", "\(xml)")
        #expect(xml.count(of: "failure") == 23, "9 vcenter-bb + 10 unifi-controller + 4 mdm-orc findings")
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.sandbox.path("reports")) == ["nightly.xml"])

        let bad = try harness.sandbox.write("bad.jsonl", """
            {"kind":"source","name":"x","classes":["VirtualSrever"]}

            """)
        let before = try harness.status()
        let failed = try harness.cmdb("verify", snapshots, bad, "--report", report)
        #expect(failed.exitCode == 2, "\(failed)")
        #expect(failed.err.contains("\(bad):1: unknown class 'VirtualSrever' in \"classes\" (did you mean 'VirtualServer'?)"),
            "\(failed.err)")
        #expect(try fileBytes(report) == first)
        #expect(try harness.status().changes == before.changes)

        let html = harness.sandbox.path("reports/audit.html")
        try harness.succeed("audit", "--report", html)
        #expect(XMLCheck.parse(try fileBytes(html)).error == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.sandbox.path("reports")).sorted()
            == ["audit.html", "nightly.xml"])
    }

    @Test("bad input: a snapshot line, a rules file, CIQL rules with an error (exit 2)")
    func badInput() throws {
        try harness.makeDatabase(withSample: true)
        let snapshot = try harness.sandbox.write("snap.jsonl", """
            {"kind":"source","name":"x","classes":["Server"]}
            {"kind":"ci","class":"VirtualServer","attrs":{"hostname":"dc01"}}
            {"kind":"ci","class":"VirtualServer","attrs":{"hostname":"x","memory_gb":"lots"}}

            """)
        let line = try harness.cmdb("verify", snapshot)
        #expect(line.exitCode == 2 && line.err.contains("\(snapshot):3: attribute 'memory_gb'"), "\(line)")
        let rules = try harness.sandbox.write("rules.yaml", """
            - name: app-without-vendor
              category: completeness
              severity: lowish
              message: "application has no vendor"
              query: "MATCH (a:Application) WHERE a.vendor IS NULL RETURN a"

            """)
        let badRules = try harness.cmdb("audit", "--rules", rules)
        #expect(badRules.exitCode == 2 && badRules.err.contains("\(rules):3:13: unknown severity 'lowish'"), "\(badRules)")
        let typo = try harness.sandbox.write("typo.yaml", """
            - name: app-without-vendor
              category: completeness
              severity: low
              message: "application has no vendor"
              query: "MATCH (a:Application) WHERE a.vendr IS NULL RETURN a"

            """)
        let broken = try harness.cmdb("audit", "--rules", typo)
        #expect(broken.exitCode == 2, "\(broken)")
        #expect(broken.err.contains("\(typo):1: rule 'app-without-vendor'") && broken.err.contains("did you mean 'vendor'"),
            "\(broken.err)")
        // The code is shown once, before the rule's place; the query's own line and column follow.
        #expect(broken.err.components(separatedBy: "error[").count == 2, "\(broken.err)")
        #expect(broken.err.contains("rule 'app-without-vendor': query 1:"), "\(broken.err)")
        let history = try harness.succeed("audit", "history")
        #expect(history.out.contains("no audit runs yet"), "failed audits store no run")
    }

    @Test("the user's CIQL rules run in the audit's snapshot: each CI the query returns is a violation")
    func ciqlRules() throws {
        try harness.makeDatabase(withSample: true)
        let rule = "MATCH (w:Workstation) WHERE w.os STARTS WITH 'Android' RETURN w"
        let listed = try harness.succeed(
            "query", "MATCH (w:Workstation) WHERE w.os STARTS WITH 'Android' RETURN w.id ORDER BY w.id", "--format", "csv")
        let expected = listed.out.split(separator: "\n").dropFirst().map(String.init)
        #expect(!expected.isEmpty, "the sample has Android boards")
        let rules = try harness.sandbox.write("rules.yaml", """
            - name: android-boards-unmanaged
              category: compliance
              severity: medium
              message: "Android boards are not under endpoint management"
              query: "\(rule)"

            """)
        let result = try harness.cmdb("audit", "--rules", rules, "--format", "json")
        #expect(result.exitCode == 0, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        let violations = (object["violations"] as? [[String: Any]] ?? []).filter { $0["rule"] as? String == "android-boards-unmanaged" }
        #expect(violations.compactMap { $0["ci"] as? String }.sorted() == expected)
        #expect(violations.allSatisfy { $0["severity"] as? String == "medium" && $0["category"] as? String == "compliance" })
    }
}
