import Foundation
import Testing
@testable import GraphStorage

struct GraphStoreTests {
    @Test("upsert creates, updates and leaves unchanged, keeping the previous version")
    func upsertAndHistory() throws {
        let t = try TestStore()
        let first = try t.store.write(TestStore.change) { (tx) throws in
            try tx.upsertNode(externalID: "srv-1", label: "Server", properties: ["status": .string("live"), "cpu": .int(4)])
        }
        #expect(first.outcome == .created)
        let again = try t.store.write(TestStore.change) { (tx) throws in
            try tx.upsertNode(externalID: "srv-1", label: "Server", properties: ["cpu": .int(4), "status": .string("live")])
        }
        #expect(again.outcome == .unchanged, "the same properties in another order are no change")
        let changed = try t.store.write(ChangeInfo(actor: "bob", changeReference: nil, origin: "test")) { (tx) throws in
            try tx.upsertNode(externalID: "srv-1", label: "Server", properties: ["status": .string("live"), "cpu": .int(8)])
        }
        #expect(changed.outcome == .updated)
        try t.store.read { (tx) throws in
            let history = try tx.history(of: first.nid)
            #expect(history.map(\.transaction) == [1, 2])
            #expect(history.first?.node?.properties["cpu"] == .int(4))
            #expect(history.last?.node?.properties["cpu"] == .int(8))
            #expect(try tx.node(externalID: "srv-1")?.created == 1)
            let changes = try tx.changes()
            #expect(changes.map(\.transaction) == [2, 1], "the unchanged write left no record")
            #expect(changes.first?.info.actor == "bob" && changes.first?.info.changeReference == nil)
            #expect(changes.last?.info.changeReference == "CHG1")
            #expect(try tx.loggedChanges(of: 2) == [.init(operation: .update, entity: .node(first.nid))])
        }
    }

    @Test("relations keep adjacency in both directions, by type")
    func adjacency() throws {
        let t = try TestStore()
        try t.store.write(TestStore.change) { (tx) throws in
            let app = try tx.upsertNode(externalID: "app", label: "Application", properties: [:]).nid
            let vm1 = try tx.upsertNode(externalID: "vm1", label: "VirtualServer", properties: [:]).nid
            let vm2 = try tx.upsertNode(externalID: "vm2", label: "VirtualServer", properties: [:]).nid
            #expect(try tx.upsertRelation(from: app, type: "RUNS_ON", to: vm1).outcome == .created)
            #expect(try tx.upsertRelation(from: app, type: "RUNS_ON", to: vm2, properties: ["weight": .int(2)]).outcome == .created)
            #expect(try tx.upsertRelation(from: vm2, type: "DEPENDS_ON", to: vm1).outcome == .created)
            #expect(try tx.upsertRelation(from: app, type: "RUNS_ON", to: vm1).outcome == .unchanged)
        }
        try t.store.read { (tx) throws in
            let app = try #require(try tx.nodeID(forExternalID: "app"))
            let vm1 = try #require(try tx.nodeID(forExternalID: "vm1"))
            let vm2 = try #require(try tx.nodeID(forExternalID: "vm2"))
            #expect(try tx.neighbors(of: app, direction: .outgoing).map(\.other) == [vm1, vm2])
            #expect(try tx.neighbors(of: vm1, direction: .incoming).map(\.type).sorted() == ["DEPENDS_ON", "RUNS_ON"])
            #expect(try tx.neighbors(of: vm1, direction: .incoming, types: ["RUNS_ON"]).map(\.other) == [app])
            #expect(try tx.relation(from: app, type: "RUNS_ON", to: vm2)?.properties["weight"] == .int(2))
            #expect(try tx.relationCount() == 3)
            #expect(try tx.relationCountsByType() == ["RUNS_ON": 2, "DEPENDS_ON": 1])
        }
    }

    @Test("deleting a relation, then a node, keeps tombstones in the history")
    func deletes() throws {
        let t = try TestStore()
        let (a, b) = try t.store.write(TestStore.change) { (tx) throws in
            (try tx.upsertNode(externalID: "a", label: "X", properties: ["status": .string("live")]).nid,
             try tx.upsertNode(externalID: "b", label: "X", properties: [:]).nid)
        }
        try t.store.write(TestStore.change) { tx in try tx.upsertRelation(from: a, type: "USES", to: b) }
        try t.store.write(TestStore.change) { (tx) throws in
            #expect(throws: StorageError.self) { try tx.deleteNode(a) }
            #expect(try tx.deleteRelation(from: a, type: "USES", to: b))
            #expect(try tx.deleteNode(a))
        }
        try t.store.read { (tx) throws in
            #expect(try tx.node(a) == nil)
            #expect(try tx.nodeID(forExternalID: "a") == a, "ids are never reused")
            #expect(try tx.neighbors(of: b, direction: .incoming).isEmpty)
            let history = try tx.history(of: a)
            #expect(history.last?.node == nil && history.last?.transaction == 3)
            #expect(try tx.nodeCount() == 1)
            #expect(try tx.countsByLabelAndStatus().map(\.count) == [1])
        }
    }

    @Test("class index and per-status counts follow every write")
    func classIndexAndCounts() throws {
        let t = try TestStore()
        try t.store.write(TestStore.change) { (tx) throws in
            for i in 0..<5 {
                try tx.upsertNode(externalID: "s\(i)", label: "Server", properties: ["status": .string(i < 3 ? "live" : "planned")])
            }
            try tx.upsertNode(externalID: "s0", label: "Switch", properties: ["status": .string("live")])
        }
        try t.store.read { (tx) throws in
            #expect(try tx.nodeCount(label: "Server") == 4)
            #expect(try tx.nodeCount(label: "Switch") == 1)
            var ids: [NodeID] = []
            try tx.forEachNodeID(label: "Server") { ids.append($0); return true }
            #expect(ids.count == 4 && ids == ids.sorted())
            let counts = Dictionary(uniqueKeysWithValues: try tx.countsByLabelAndStatus().map { ("\($0.label ?? "")/\($0.status)", $0.count) })
            #expect(counts == ["Server/live": 2, "Server/planned": 2, "Switch/live": 1])
        }
    }

    @Test("a property index finds nodes by value and follows updates")
    func propertyIndex() throws {
        let t = try TestStore()
        try t.store.write(TestStore.change) { (tx) throws in
            try tx.upsertNode(externalID: "a", label: "Server", properties: ["hostname": .string("web01")])
            try tx.setIndexedProperties(["hostname"])
            try tx.upsertNode(externalID: "b", label: "Server", properties: ["hostname": .string("web02")])
        }
        try t.store.write(TestStore.change) { (tx) throws in
            try tx.upsertNode(externalID: "a", label: "Server", properties: ["hostname": .string("web03")])
        }
        try t.store.read { (tx) throws in
            #expect(try tx.nodeIDs(withProperty: "hostname", equalTo: .string("web01")) == [])
            #expect(try tx.nodeIDs(withProperty: "hostname", equalTo: .string("web03"))?.count == 1)
            #expect(try tx.nodeIDs(withProperty: "hostname", equalTo: .string("web02"))?.count == 1)
            #expect(try tx.nodeIDs(withProperty: "os", equalTo: .string("x")) == nil, "not indexed")
        }
    }

    @Test("a throw in the write closure rolls everything back")
    func rollback() throws {
        struct Boom: Error {}
        let t = try TestStore()
        #expect(throws: Boom.self) {
            try t.store.write(TestStore.change) { (tx) throws in
                try tx.upsertNode(externalID: "a", label: "X", properties: [:])
                throw Boom()
            }
        }
        let (nodes, changes, last) = try t.store.read { (tx) throws in
            (try tx.nodeCount(), try tx.changes().count, try tx.lastCommittedTransaction)
        }
        #expect(nodes == 0 && changes == 0 && last == 0)
    }

    @Test("the map grows by itself when a write does not fit")
    func mapGrowth() throws {
        let t = try TestStore(initialMapSize: 65536)
        var runs = 0
        try t.store.write(TestStore.change) { (tx) throws in
            runs += 1
            for i in 0..<20_000 {
                try tx.upsertNode(externalID: "ci-\(i)", label: "X", properties: ["payload": .string(String(repeating: "x", count: 100))])
            }
        }
        #expect(runs > 1, "the first attempt hit the full map and was retried")
        #expect(try t.store.read { tx in try tx.nodeCount() } == 20_000)
    }

    @Test("reopening sees committed data and names")
    func reopen() throws {
        let t = try TestStore()
        try t.store.write(TestStore.change) { (tx) throws in
            try tx.upsertNode(externalID: "a", label: "Server", properties: ["os": .string("Debian")])
        }
        let again = try GraphStore.open(at: t.directory)
        try again.read { (tx) throws in
            #expect(try tx.node(externalID: "a")?.properties["os"] == .string("Debian"))
            #expect(tx.labelNames == ["Server"])
        }
    }

    @Test("opening a directory without a database says so")
    func missingDatabase() {
        #expect {
            _ = try GraphStore.open(at: "/nonexistent/cmdb-\(UUID().uuidString)")
        } throws: { ($0 as? StorageError)?.code == .notADatabase }
    }
}
