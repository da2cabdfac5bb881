import ConfigurationSchema
import GraphStorage
import ImpactAnalysis
import Testing

/// `dependencies(of:)` and `reachable(from:)`: distances and shortest paths.
struct ClosureTests {
    private func sample() throws -> ImpactTestGraph {
        let g = try ImpactTestGraph()
        try g.load(
            g.live("svc1", class: "BusinessService") + g.live("app1", class: "Application")
                + g.live("vm1", class: "VirtualServer") + g.live("h1", "h2", class: "Hypervisor")
                + g.live("clu1", class: "Cluster") + g.live("bk1", class: "Application")
                + [("vm9", "VirtualServer", "withdrawn", Properties())],
            ["svc1 PROVIDED_BY app1", "app1 RUNS_ON vm1", "app1 RUNS_ON vm9", "vm1 HOSTED_ON clu1",
             "h1 MEMBER_OF clu1", "h2 MEMBER_OF clu1", "app1 BACKED_UP_BY bk1"])
        return g
    }

    @Test("dependencies follow the impact rules backwards: members of a cluster, not backups or withdrawn CIs")
    func dependencies() throws {
        let g = try sample()
        let svc1 = try g.nid("svc1")
        let r = try g.traversal { a, tx in try a.dependencies(of: [svc1], in: tx) }
        #expect(Set(r.keys) == ["app1", "vm1", "clu1", "h1", "h2"])
        #expect(r["app1"]?.distance == 1 && r["app1"]?.path == ["svc1", "app1"])
        #expect(r["h2"]?.distance == 4 && r["h2"]?.path == ["svc1", "app1", "vm1", "clu1", "h2"])
        let shallow = try g.traversal { a, tx in try a.dependencies(of: [svc1], depth: 2, in: tx) }
        #expect(Set(shallow.keys) == ["app1", "vm1"])
    }

    @Test("reachability follows every relation type and status in one direction")
    func reachability() throws {
        let g = try sample()
        let app1 = try g.nid("app1")
        let down = try g.traversal { a, tx in try a.reachable(from: [app1], direction: .outgoing, in: tx) }
        #expect(Set(down.keys) == ["vm1", "vm9", "bk1", "clu1"])
        #expect(down["clu1"]?.path == ["app1", "vm1", "clu1"])
        let h1 = try g.nid("h1")
        let up = try g.traversal { a, tx in try a.reachable(from: [h1], direction: .incoming, in: tx) }
        #expect(up.isEmpty, "nothing points at h1")
        let clu1 = try g.nid("clu1")
        let upCluster = try g.traversal { a, tx in try a.reachable(from: [clu1], direction: .incoming, in: tx) }
        #expect(Set(upCluster.keys) == ["vm1", "h1", "h2", "app1", "svc1"])
        #expect(upCluster["svc1"]?.distance == 3)
    }
}
