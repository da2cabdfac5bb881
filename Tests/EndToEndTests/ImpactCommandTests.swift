import Foundation
import Testing

/// `cmdb impact` in every format, through the binary, on the sample CMDB. In the sample, the vSphere cluster
/// clu-bb-vsphere (quorum 2) has members hv-bb-01..03; srv-dc01 is hosted on it, app-ad-ds runs on srv-dc01
/// and bs-identiteit-toegang (criticality 5, SLA 99.9%, window Sun 02:00-06:00) is provided by app-ad-ds.
struct ImpactCommandTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    private func json(_ arguments: String...) throws -> [String: Any] {
        let result = try harness.run(["--db", harness.db] + arguments)
        try #require(result.exitCode == 0, "\(result)")
        let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        return try #require(object, "not a JSON object: \(result.out.prefix(300))")
    }

    private func impacted(_ report: [String: Any]) -> [String: [String: Any]] {
        var byID: [String: [String: Any]] = [:]
        for item in report["impacted"] as? [[String: Any]] ?? [] { byID[item["id"] as? String ?? "?"] = item }
        return byID
    }

    @Test("json: levels, distances and explaining paths; the cluster keeps quorum with one host down")
    func jsonOneHost() throws {
        let report = try json("impact", "hv-bb-01", "--format", "json")
        #expect(report["targets"] as? [String] == ["hv-bb-01"])
        let items = impacted(report)
        #expect(items["clu-bb-vsphere"]?["level"] as? String == "degraded")
        #expect(items["clu-bb-vsphere"]?["distance"] as? Int == 1)
        #expect(items["clu-bb-vsphere"]?["class"] as? String == "Cluster")
        #expect(items["srv-dc01"]?["level"] as? String == "degraded")
        #expect(items["srv-dc01"]?["path"] as? [String] == ["hv-bb-01", "clu-bb-vsphere", "srv-dc01"])
        #expect(items["hv-bb-02"] == nil, "members do not depend on each other")
        #expect(items["hv-bb-01"] == nil, "the target is not listed as impacted")
        #expect(report["window"] is NSNull)
        #expect((report["collisions"] as? [Any])?.isEmpty == true)
    }

    @Test("json: two hosts down take the cluster below quorum; services, owners and risk roll up")
    func jsonTwoHosts() throws {
        let report = try json("impact", "hv-bb-01", "hv-bb-02", "--format", "json")
        let items = impacted(report)
        #expect(items["clu-bb-vsphere"]?["level"] as? String == "down")
        #expect(items["app-ad-ds"]?["level"] as? String == "down")
        #expect(items["app-ad-ds"]?["distance"] as? Int == 3)
        #expect(items["app-ad-ds"]?["path"] as? [String] == ["hv-bb-01", "clu-bb-vsphere", "srv-dc01", "app-ad-ds"])
        let services = report["services"] as? [[String: Any]] ?? []
        let identity = services.first { $0["id"] as? String == "bs-identiteit-toegang" }
        #expect(identity?["level"] as? String == "down")
        #expect(identity?["criticality"] as? Int == 5)
        #expect(services.first?["criticality"] as? Int == 5, "most critical first")
        let owners = report["owners"] as? [[String: Any]] ?? []
        #expect(owners.first?["owner"] as? String == "ict-beheer")
        #expect(owners.first?["targets"] as? Int == 2)
        let risk = report["risk"] as? [String: Any]
        #expect((risk?["score"] as? Int ?? 0) > 0)
        #expect(risk?["band"] as? String == "high")
        // Every path starts at a target and ends at its CI, one step per distance.
        for item in report["impacted"] as? [[String: Any]] ?? [] {
            let path = item["path"] as? [String] ?? []
            #expect(path.count == (item["distance"] as? Int ?? -1) + 1)
            #expect(["hv-bb-01", "hv-bb-02"].contains(path.first ?? ""))
            #expect(path.last == item["id"] as? String)
        }
    }

    @Test("--depth lists only nearby CIs")
    func depth() throws {
        let all = try json("impact", "hv-bb-01", "hv-bb-02", "--format", "json")
        let near = try json("impact", "hv-bb-01", "hv-bb-02", "--depth", "1", "--format", "json")
        let nearItems = near["impacted"] as? [[String: Any]] ?? []
        #expect(nearItems.map { $0["id"] as? String } == ["clu-bb-vsphere"])
        #expect((all["impacted"] as? [Any])?.count ?? 0 > nearItems.count)
        #expect((near["services"] as? [Any])?.count == (all["services"] as? [Any])?.count,
            "roll-ups use the whole impact")
    }

    @Test("tree and table read well in a terminal")
    func treeAndTable() throws {
        let tree = try harness.succeed("impact", "hv-bb-01", "hv-bb-02").out
        #expect(tree.hasPrefix("impact of taking down hv-bb-01 (Hypervisor), hv-bb-02 (Hypervisor)\n"))
        #expect(tree.contains("hv-bb-01  Hypervisor  [target]\n└── clu-bb-vsphere  Cluster  DOWN\n"), "\(tree)")
        #expect(tree.contains("    ├── srv-dc01  VirtualServer  DOWN\n    │   ├── app-ad-ds  Application  DOWN\n"))
        #expect(tree.contains("business services: 9\n  bs-identiteit-toegang  criticality 5  down  SLA 99.9%"))
        #expect(tree.contains("owners to notify: "))
        #expect(tree.contains("risk: "))
        let table = try harness.succeed("impact", "hv-bb-01", "--format", "table").out
        let lines = table.split(separator: "\n")
        #expect(lines.first?.hasSuffix("degraded") == true || lines.first?.contains("CIs impacted") == true)
        #expect(lines.dropFirst().first?.hasPrefix("id ") == true)
        #expect(lines.contains { $0.hasPrefix("clu-bb-vsphere ") && $0.contains("degraded") && $0.hasSuffix("hv-bb-01 → clu-bb-vsphere") })
    }

    @Test("dot and mermaid graphs colour CIs by level")
    func graphs() throws {
        let dot = try harness.succeed("impact", "hv-bb-01", "hv-bb-02", "--format", "dot").out
        #expect(dot.hasPrefix("digraph impact {\n"))
        #expect(dot.hasSuffix("}\n"))
        #expect(dot.contains("\"hv-bb-01\" -> \"clu-bb-vsphere\";"))
        #expect(dot.contains("\"clu-bb-vsphere\" [label=\"clu-bb-vsphere\\nCluster\\ndown\", fillcolor=\"#d32f2f\""))
        #expect(dot.contains("\"hv-bb-01\" [label=\"hv-bb-01\\nHypervisor\\ntarget\", fillcolor=\"#616161\""))
        let degraded = try harness.succeed("impact", "hv-bb-01", "--format", "dot").out
        #expect(degraded.contains("\"clu-bb-vsphere\" [label=\"clu-bb-vsphere\\nCluster\\ndegraded\", fillcolor=\"#ffa000\""))

        let mermaid = try harness.succeed("impact", "hv-bb-01", "--format", "mermaid").out
        #expect(mermaid.hasPrefix("flowchart LR\n"))
        #expect(mermaid.contains("  n0[\"hv-bb-01<br/>Hypervisor<br/>target\"]:::target\n"))
        #expect(mermaid.contains("  n1[\"clu-bb-vsphere<br/>Cluster<br/>degraded\"]:::degraded\n"))
        #expect(mermaid.contains("  n0 --> n1\n"))
        #expect(mermaid.contains("classDef degraded fill:#ffa000"))
        #expect(mermaid.contains("classDef down fill:#d32f2f"))
    }

    @Test("markdown: a CAB report with services, owners, risk, window and collisions")
    func markdown() throws {
        try harness.succeed("change", "timezone", "Europe/Amsterdam")
        try harness.succeed("change", "plan", "CHG-SQL", "--ci", "srv-sql01", "--window",
            "2026-11-22T01:00/2026-11-22T05:00", "--description", "SQL Server patches")
        let md = try harness.succeed("impact", "hv-bb-01", "hv-bb-02", "--window", "2026-11-22T02:00/2026-11-22T04:00",
            "--format", "markdown").out
        #expect(md.hasPrefix("# Impact analysis: `hv-bb-01`, `hv-bb-02`\n"))
        #expect(md.contains("| Collisions | CHG-SQL |"))
        #expect(md.contains("## Impacted business services\n"))
        #expect(md.contains("| `bs-identiteit-toegang` | Identiteit en toegang | down | 5 | 99.9% | Sun 02:00-06:00 | ict-beheer |"))
        #expect(md.contains("## Owners to notify\n"))
        #expect(md.contains("| ict-beheer | 2 |"))
        #expect(md.contains("## Risk\n"))
        #expect(md.contains("risk = Σ over affected business services of criticality"))
        #expect(md.contains("## Change window\n\n2026-11-22 02:00–04:00 Europe/Amsterdam"))
        #expect(md.contains("- bs-onderwijs-elo: outside its maintenance window Wed 18:00-22:00"))
        #expect(!md.contains("- bs-identiteit-toegang: outside"), "Sunday 02:00-04:00 is inside Sun 02:00-06:00")
        #expect(md.contains("| CHG-SQL | 2026-11-22 01:00–05:00 Europe/Amsterdam | SQL Server patches | "))
        #expect(md.contains("`srv-sql01`"))
        #expect(md.contains("## All impacted CIs\n"))
        #expect(md.contains("| `app-ad-ds` | Application | down | 3 | hv-bb-01 → clu-bb-vsphere → srv-dc01 → app-ad-ds |"))
    }

    @Test("window check in json: services outside their maintenance window, time zone from the database")
    func windowJSON() throws {
        try harness.succeed("change", "timezone", "Europe/Amsterdam")
        // Wednesday 19:00-21:00 local is inside 'Wed 18:00-22:00' and outside 'Sun 02:00-06:00'.
        let report = try json("impact", "hv-bb-01", "hv-bb-02", "--window", "2026-11-25T19:00/2026-11-25T21:00",
            "--format", "json")
        let window = report["window"] as? [String: Any]
        #expect(window?["start"] as? String == "2026-11-25T18:00:00Z")
        #expect(window?["time_zone"] as? String == "Europe/Amsterdam")
        let outside = (window?["outside"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
            $0[$1["service"] as? String ?? "?"] = $1["reason"] as? String
        }
        #expect(outside["bs-identiteit-toegang"] == "outside")
        #expect(outside["bs-onderwijs-elo"] == nil)
        #expect(outside["bs-bestandsopslag"] == "missing")
    }
}
