import ConfigurationSchema
import GraphStorage
import ImpactAnalysis
import Testing

/// The impact rules of PRODUCT.md, each on a small hand-made graph in a real LMDB store, with the built-in
/// schema's propagation rules (RUNS_ON group, MEMBER_OF reverse quorum, HOSTED_ON/USES/DEPENDS_ON/PROVIDED_BY
/// forward, BACKED_UP_BY none).
struct ImpactAnalyzerTests {
    typealias Item = ImpactOutcome.Item

    @Test("across a type without redundancy a down dependency takes the dependent down, transitively")
    func forwardChain() throws {
        let g = try ImpactTestGraph()
        try g.load(
            g.live("hv1", class: "Hypervisor") + g.live("vm1", class: "VirtualServer")
                + g.live("app1", class: "Application") + g.live("svc1", class: "BusinessService"),
            ["vm1 HOSTED_ON hv1", "app1 RUNS_ON vm1", "svc1 PROVIDED_BY app1"])
        let r = try g.impact(of: ["hv1"])
        #expect(r["vm1"] == Item(level: .down, distance: 1, path: ["hv1", "vm1"]))
        #expect(r["app1"] == Item(level: .down, distance: 2, path: ["hv1", "vm1", "app1"]))
        #expect(r["svc1"] == Item(level: .down, distance: 3, path: ["hv1", "vm1", "app1", "svc1"]))
        #expect(r["hv1"] == nil, "a target is listed as a target, not as impacted")
        #expect(r.order == ["vm1", "app1", "svc1"], "nearest first")
    }

    @Test("a group partly down leaves the dependent degraded; wholly down takes it down")
    func groupPartlyDown() throws {
        let g = try ImpactTestGraph()
        try g.load(
            g.live("vm1", "vm2", class: "VirtualServer") + g.live("app1", class: "Application")
                + g.live("svc1", class: "BusinessService"),
            ["app1 RUNS_ON vm1", "app1 RUNS_ON vm2", "svc1 PROVIDED_BY app1"])
        let partly = try g.impact(of: ["vm1"])
        #expect(partly["app1"] == Item(level: .degraded, distance: 1, path: ["vm1", "app1"]))
        #expect(partly["svc1"] == Item(level: .degraded, distance: 2, path: ["vm1", "app1", "svc1"]),
            "a degraded dependency across a type without redundancy degrades")
        let wholly = try g.impact(of: ["vm1", "vm2"])
        #expect(wholly["app1"] == Item(level: .down, distance: 1, path: ["vm1", "app1"]))
        #expect(wholly["svc1"]?.level == .down)
    }

    @Test("a group member that is degraded degrades the dependent")
    func groupMemberDegraded() throws {
        let g = try ImpactTestGraph()
        // app1 runs on vm1 and vm2; vm1 uses db1, which runs on two VMs of which one goes down.
        try g.load(
            g.live("vm1", "vm2", "vm3", "vm4", class: "VirtualServer") + g.live("db1", class: "Database")
                + g.live("app1", class: "Application"),
            ["db1 RUNS_ON vm3", "db1 RUNS_ON vm4", "app1 RUNS_ON vm1", "app1 RUNS_ON vm2", "app1 USES db1"])
        let r = try g.impact(of: ["vm3"])
        #expect(r["db1"] == Item(level: .degraded, distance: 1, path: ["vm3", "db1"]))
        #expect(r["app1"] == Item(level: .degraded, distance: 2, path: ["vm3", "db1", "app1"]))
        #expect(r["vm1"] == nil && r["vm2"] == nil && r["vm4"] == nil, "dependencies are not dependents")
    }

    @Test("a cluster keeps quorum: degraded; loses it: down; impact runs from members to the cluster only")
    func quorumHeldAndLost() throws {
        let g = try ImpactTestGraph()
        try g.load(
            g.live("h1", "h2", "h3", class: "Hypervisor")
                + [("clu1", "Cluster", "live", ["quorum": .int(2)] as Properties)]
                + g.live("vm1", class: "VirtualServer"),
            ["h1 MEMBER_OF clu1", "h2 MEMBER_OF clu1", "h3 MEMBER_OF clu1", "vm1 HOSTED_ON clu1"])
        let held = try g.impact(of: ["h1"])
        #expect(held["clu1"] == Item(level: .degraded, distance: 1, path: ["h1", "clu1"]))
        #expect(held["vm1"] == Item(level: .degraded, distance: 2, path: ["h1", "clu1", "vm1"]))
        #expect(held["h2"] == nil && held["h3"] == nil, "members do not depend on each other")

        let lost = try g.impact(of: ["h1", "h2"])
        #expect(lost["clu1"]?.level == .down && lost["clu1"]?.distance == 1)
        #expect(lost["vm1"]?.level == .down && lost["vm1"]?.distance == 2)
        #expect(lost["vm1"]?.path.last == "vm1" && lost["vm1"]?.path.dropFirst().first == "clu1")

        let cluster = try g.impact(of: ["clu1"])
        #expect(cluster["vm1"] == Item(level: .down, distance: 1, path: ["clu1", "vm1"]))
        #expect(cluster["h1"] == nil, "a reverse type carries impact from member to cluster, not back")
    }

    @Test("a cluster with fewer live members than its quorum goes down with a degraded member, and is reported")
    func quorumShortBeforeTheChange() throws {
        let g = try ImpactTestGraph()
        // h1 is degraded (one of its two switches down); clu1 needs 3 members up and has only 2: it is down,
        // explained by the degraded member, and so is what it hosts.
        try g.load(
            g.live("sw1", "sw2", class: "Switch") + g.live("h1", "h2", class: "Hypervisor")
                + [("clu1", "Cluster", "live", ["quorum": .int(3)] as Properties)]
                + g.live("vm1", class: "VirtualServer"),
            ["h1 CONNECTS_TO sw1", "h1 CONNECTS_TO sw2", "h1 MEMBER_OF clu1", "h2 MEMBER_OF clu1", "vm1 HOSTED_ON clu1"])
        let r = try g.impact(of: ["sw1"])
        #expect(r["h1"] == Item(level: .degraded, distance: 1, path: ["sw1", "h1"]))
        #expect(r["clu1"] == Item(level: .down, distance: 2, path: ["sw1", "h1", "clu1"]))
        #expect(r["vm1"] == Item(level: .down, distance: 3, path: ["sw1", "h1", "clu1", "vm1"]))
        #expect(r.order == ["h1", "clu1", "vm1"])
    }

    @Test("clusters short of their quorum that take each other down are still reported, each with a path")
    func quorumShortInALoop() throws {
        let g = try ImpactTestGraph()
        // clu1 and clu2 are members of each other, each with quorum 2 and one member: h1 degrades clu1, which
        // takes clu2 down, which takes clu1 down. No path of down CIs leads there from sw1.
        try g.load(
            g.live("sw1", "sw2", class: "Switch") + g.live("h1", class: "Hypervisor")
                + [("clu1", "Cluster", "live", ["quorum": .int(2)] as Properties),
                   ("clu2", "Cluster", "live", ["quorum": .int(2)] as Properties)]
                + g.live("vm1", class: "VirtualServer"),
            ["h1 CONNECTS_TO sw1", "h1 CONNECTS_TO sw2", "h1 MEMBER_OF clu1", "clu2 MEMBER_OF clu1",
             "clu1 MEMBER_OF clu2", "vm1 HOSTED_ON clu2"])
        let r = try g.impact(of: ["sw1"])
        #expect(r["h1"] == Item(level: .degraded, distance: 1, path: ["sw1", "h1"]))
        #expect(r["clu1"] == Item(level: .down, distance: 2, path: ["sw1", "h1", "clu1"]))
        #expect(r["clu2"] == Item(level: .down, distance: 3, path: ["sw1", "h1", "clu1", "clu2"]))
        #expect(r["vm1"] == Item(level: .down, distance: 4, path: ["sw1", "h1", "clu1", "clu2", "vm1"]))
        #expect(r.items.count == 4)
        #expect(try g.levels(of: ["sw1"]) == r.items.mapValues(\.level), "levels() finds the same CIs without paths")
    }

    @Test("clusters that took each other down are listed nearest first too, and a depth limit keeps their paths")
    func quorumShortInALoopWithinADepth() throws {
        let g = try ImpactTestGraph()
        // As above, plus a chain a1…a4 from sw1, so the clusters come after CIs farther away than they are.
        try g.load(
            g.live("sw1", "sw2", class: "Switch") + g.live("h1", class: "Hypervisor")
                + [("clu1", "Cluster", "live", ["quorum": .int(2)] as Properties),
                   ("clu2", "Cluster", "live", ["quorum": .int(2)] as Properties)]
                + g.live("vm1", "a1", "a2", "a3", "a4", class: "VirtualServer"),
            ["h1 CONNECTS_TO sw1", "h1 CONNECTS_TO sw2", "h1 MEMBER_OF clu1", "clu2 MEMBER_OF clu1",
             "clu1 MEMBER_OF clu2", "vm1 HOSTED_ON clu2", "a1 DEPENDS_ON sw1", "a2 DEPENDS_ON a1",
             "a3 DEPENDS_ON a2", "a4 DEPENDS_ON a3"])
        let all = try g.impact(of: ["sw1"])
        #expect(all["clu2"] == Item(level: .down, distance: 3, path: ["sw1", "h1", "clu1", "clu2"]))
        #expect(all["a4"]?.distance == 4)
        let distances = all.order.map { all[$0]?.distance ?? -1 }
        #expect(distances == distances.sorted(), "nearest first: \(all.order)")
        for depth in 1...4 {
            let r = try g.impact(of: ["sw1"], depth: depth)
            #expect(r.order == all.order.filter { (all[$0]?.distance ?? .max) <= depth }, "depth \(depth)")
            for id in r.order { #expect(r[id] == all[id], "\(id) within depth \(depth)") }
        }
    }

    @Test("a cluster without a quorum attribute uses the schema default of 1")
    func quorumDefault() throws {
        let g = try ImpactTestGraph()
        try g.load(g.live("h1", "h2", class: "Hypervisor") + g.live("clu1", class: "Cluster"),
            ["h1 MEMBER_OF clu1", "h2 MEMBER_OF clu1"])
        #expect(try g.impact(of: ["h1"])["clu1"]?.level == .degraded)
        #expect(try g.impact(of: ["h1", "h2"])["clu1"]?.level == .down)
    }

    @Test("cycles reach a fixpoint; each CI once, at its shortest distance")
    func cycle() throws {
        let g = try ImpactTestGraph()
        try g.load(
            g.live("a", "b", "c", "d", class: "Application"),
            ["a DEPENDS_ON b", "b DEPENDS_ON c", "c DEPENDS_ON a", "d DEPENDS_ON c"])
        let r = try g.impact(of: ["a"])
        #expect(r.items.count == 3)
        #expect(r["c"] == Item(level: .down, distance: 1, path: ["a", "c"]))
        #expect(r["b"] == Item(level: .down, distance: 2, path: ["a", "c", "b"]))
        #expect(r["d"] == Item(level: .down, distance: 2, path: ["a", "c", "d"]))
    }

    @Test("a group whose members depend on each other in a cycle still settles")
    func groupInCycle() throws {
        let g = try ImpactTestGraph()
        try g.load(
            g.live("vm1", "vm2", class: "VirtualServer") + g.live("app1", "app2", class: "Application"),
            ["app1 RUNS_ON vm1", "app1 RUNS_ON vm2", "app2 DEPENDS_ON app1", "app1 DEPENDS_ON app2"])
        let partly = try g.impact(of: ["vm1"])
        #expect(partly["app1"] == Item(level: .degraded, distance: 1, path: ["vm1", "app1"]))
        #expect(partly["app2"] == Item(level: .degraded, distance: 2, path: ["vm1", "app1", "app2"]))
        let wholly = try g.impact(of: ["vm1", "vm2"])
        #expect(wholly["app1"]?.level == .down && wholly["app2"]?.level == .down)
    }

    @Test("withdrawn and disposed CIs neither receive nor pass on impact")
    func withdrawnInTheMiddle() throws {
        let g = try ImpactTestGraph()
        try g.load(
            g.live("hv1", class: "Hypervisor")
                + [("vm1", "VirtualServer", "withdrawn", Properties()), ("vm2", "VirtualServer", "disposed", Properties())]
                + g.live("vm3", class: "VirtualServer") + g.live("app1", "app2", class: "Application"),
            ["vm1 HOSTED_ON hv1", "vm2 HOSTED_ON hv1", "vm3 HOSTED_ON hv1", "app1 RUNS_ON vm1", "app2 RUNS_ON vm3",
             "app2 RUNS_ON vm2"])
        let r = try g.impact(of: ["hv1"])
        #expect(r["vm1"] == nil && r["vm2"] == nil, "withdrawn and disposed CIs receive nothing")
        #expect(r["app1"] == nil, "nothing passes through a withdrawn CI")
        #expect(r["vm3"] == Item(level: .down, distance: 1, path: ["hv1", "vm3"]))
        #expect(r["app2"] == Item(level: .down, distance: 2, path: ["hv1", "vm3", "app2"]),
            "a disposed group member does not count: the only live one is down")
        #expect(r.items.count == 2)
    }

    @Test("a withdrawn target is listed but takes nothing down")
    func withdrawnTarget() throws {
        let g = try ImpactTestGraph()
        try g.load([("hv1", "Hypervisor", "withdrawn", Properties())] + g.live("vm1", class: "VirtualServer"),
            ["vm1 HOSTED_ON hv1"])
        let r = try g.impact(of: ["hv1"])
        #expect(r.items.isEmpty)
        #expect(r.inactiveTargets == ["hv1"])
    }

    @Test("types with impact none carry nothing")
    func noneType() throws {
        let g = try ImpactTestGraph()
        try g.load(g.live("app1", class: "Application") + g.live("bk1", class: "Application"), ["app1 BACKED_UP_BY bk1"])
        #expect(try g.impact(of: ["bk1"]).items.isEmpty)
    }

    @Test("a depth limit reports only CIs within reach; their levels stay those of the whole analysis")
    func depthLimit() throws {
        let g = try ImpactTestGraph()
        // app1 runs on vm1 (near hv1) and vm2, which hangs off hv1 through a longer chain: hv1 ← vm3 ← app3
        // ← vm2 is not allowed by classes, so use DEPENDS_ON for the long way.
        try g.load(
            g.live("hv1", class: "Hypervisor") + g.live("vm1", "vm2", "vm3", "vm4", class: "VirtualServer")
                + g.live("app1", class: "Application") + g.live("svc1", class: "BusinessService"),
            ["vm1 HOSTED_ON hv1", "vm3 HOSTED_ON hv1", "vm4 DEPENDS_ON vm3", "vm2 DEPENDS_ON vm4",
             "app1 RUNS_ON vm1", "app1 RUNS_ON vm2", "svc1 PROVIDED_BY app1"])
        let all = try g.impact(of: ["hv1"])
        #expect(all.items.count == 6)
        #expect(all["app1"] == Item(level: .down, distance: 2, path: ["hv1", "vm1", "app1"]))
        let limited = try g.impact(of: ["hv1"], depth: 2)
        #expect(Set(limited.order) == ["vm1", "vm3", "vm4", "app1"])
        #expect(limited["app1"]?.level == .down, "vm2 is 3 steps away and still counts for the group")
        #expect(limited["svc1"] == nil && limited["vm2"] == nil)
        #expect(try g.impact(of: ["hv1"], depth: 0).items.isEmpty)
    }

    @Test("the path of a down CI runs through down CIs, even when a degraded route is shorter")
    func explainingPath() throws {
        let g = try ImpactTestGraph()
        // d depends on e (degraded, one step from x) and on f → g → x (all down): d is down, 3 steps away.
        try g.load(
            g.live("x", "x2", class: "VirtualServer") + g.live("d", "e", "f", "g", class: "Application"),
            ["e RUNS_ON x", "e RUNS_ON x2", "d USES e", "d DEPENDS_ON f", "f DEPENDS_ON g", "g RUNS_ON x"])
        let r = try g.impact(of: ["x"])
        #expect(r["e"] == Item(level: .degraded, distance: 1, path: ["x", "e"]))
        #expect(r["d"] == Item(level: .down, distance: 3, path: ["x", "g", "f", "d"]))
    }

    @Test("the worst level over the relation types wins")
    func worstOverTypes() throws {
        let g = try ImpactTestGraph()
        try g.load(
            g.live("vm1", "vm2", class: "VirtualServer") + g.live("db1", class: "Database")
                + g.live("app1", class: "Application"),
            ["app1 RUNS_ON vm1", "app1 RUNS_ON vm2", "app1 USES db1", "db1 RUNS_ON vm1"])
        let r = try g.impact(of: ["vm1"])
        #expect(r["db1"] == Item(level: .down, distance: 1, path: ["vm1", "db1"]))
        #expect(r["app1"] == Item(level: .down, distance: 2, path: ["vm1", "db1", "app1"]),
            "degraded through RUNS_ON, down through USES: down, explained by db1")
    }

    @Test("an analyzer reused across calls and targets gives the same answers")
    func reuse() throws {
        let g = try ImpactTestGraph()
        try g.load(g.live("hv1", "hv2", class: "Hypervisor") + g.live("vm1", "vm2", class: "VirtualServer"),
            ["vm1 HOSTED_ON hv1", "vm2 HOSTED_ON hv2"])
        let (first, second, again) = try g.store.read { tx in
            let analyzer = ImpactAnalyzer(schema: g.schema)
            let hv1 = try tx.nodeID(forExternalID: "hv1") ?? 0
            let hv2 = try tx.nodeID(forExternalID: "hv2") ?? 0
            return (try analyzer.analyze(targets: [hv1], in: tx).items.map(\.nid),
                    try analyzer.analyze(targets: [hv2], in: tx).items.map(\.nid),
                    try analyzer.analyze(targets: [hv1], in: tx).items.map(\.nid))
        }
        #expect(first == [try g.nid("vm1")])
        #expect(second == [try g.nid("vm2")])
        #expect(again == first)
    }

    struct Stop: Error {}

    @Test("the interrupt hook is asked as the analysis runs; what it throws ends analyze, dependencies, reachable")
    func interrupt() throws {
        let g = try ImpactTestGraph()
        // One hypervisor hosting 2,000 VMs: thousands of steps, so the hook is asked several times.
        let vms = (0..<2_000).map { "vm\($0)" }
        try g.load(
            g.live("hv1", class: "Hypervisor") + vms.map { ($0, "VirtualServer", "live", Properties()) },
            vms.map { "\($0) HOSTED_ON hv1" })
        try g.store.read { tx in
            let analyzer = ImpactAnalyzer(schema: g.schema)
            let hv1 = try tx.nodeID(forExternalID: "hv1") ?? 0
            var asked = 0
            let full = try analyzer.analyze(targets: [hv1], in: tx, interrupt: { asked += 1 })
            #expect(full.items.count == 2_000)
            #expect(asked >= 7, "2,000 dependents read and spread: asked \(asked) times")
            asked = 0
            let reverse = try analyzer.reachable(from: [hv1], direction: .incoming, in: tx, interrupt: { asked += 1 })
            #expect(reverse.items.count == 2_000 && asked >= 7, "asked \(asked) times")
            #expect(throws: Stop.self) {
                try analyzer.reachable(from: [hv1], direction: .incoming, in: tx, interrupt: { throw Stop() })
            }
            let all = try vms.map { try tx.nodeID(forExternalID: $0) ?? 0 }
            #expect(throws: Stop.self) { try analyzer.analyze(targets: [hv1] + all, in: tx, interrupt: { throw Stop() }) }
            #expect(throws: Stop.self) { try analyzer.dependencies(of: all, in: tx, interrupt: { throw Stop() }) }
        }
    }
}
