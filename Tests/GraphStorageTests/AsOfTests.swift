import Testing
@testable import GraphStorage

struct AsOfTests {
    @Test("nodes and relations read as of a transaction: before creation, between updates, after deletion")
    func asOf() throws {
        let t = try TestStore()
        let (a, b) = try t.store.write(TestStore.change) { tx in  // tx 1
            (try tx.upsertNode(externalID: "a", label: "X", properties: ["v": .int(1)]).nid,
             try tx.upsertNode(externalID: "b", label: "X", properties: [:]).nid)
        }
        try t.store.write(TestStore.change) { tx in  // tx 2
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(1)])
            try tx.upsertNode(externalID: "a", label: "X", properties: ["v": .int(2)])
        }
        try t.store.write(TestStore.change) { tx in  // tx 3
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(2)])
        }
        try t.store.write(TestStore.change) { tx in  // tx 4
            try tx.deleteRelation(from: a, type: "USES", to: b)
            try tx.deleteNode(a)
        }
        try t.store.read { (tx) throws in
            #expect(try tx.node(a, asOf: 0) == nil)
            #expect(try tx.node(a, asOf: 1)?.properties["v"] == .int(1))
            #expect(try tx.node(a, asOf: 3)?.properties["v"] == .int(2))
            #expect(try tx.node(a, asOf: 4) == nil)
            func relations(_ txn: TransactionNumber) throws -> [PropertyValue?] {
                var found: [PropertyValue?] = []
                try tx.forEachRelation(asOf: txn) { found.append($0.properties["w"]); return true }
                return found
            }
            #expect(try relations(1) == [])
            #expect(try relations(2) == [.int(1)])
            #expect(try relations(3) == [.int(2)])
            #expect(try relations(4) == [])
            var ids: [String] = []
            try tx.forEachNode(asOf: 2) { ids.append($0.externalID); return true }
            #expect(ids == ["a", "b"])
            let changes = try tx.changes()
            #expect(try tx.transaction(atTime: changes[0].time) == 4)
            #expect(try tx.transaction(atTime: changes[3].time - 1) == 0)
        }
    }
}
