import Testing
@testable import GraphStorage

/// Runs of created nodes are logged as one entry; what `loggedChanges` reads back must be what was written, in order.
struct TransactionLogTests {
    typealias Change = GraphTransaction.LoggedChange

    @Test("runs of created nodes read back one by one, in the order of the writes, between updates, relations and deletes")
    func runsReadBackInOrder() throws {
        let t = try TestStore()
        var expected: [Change] = []
        let (old, gone) = try t.store.write(TestStore.change) { tx in  // tx 1: nodes to update and delete later
            (try tx.upsertNode(externalID: "old", label: "X", properties: ["v": .int(1)]).nid,
             try tx.upsertNode(externalID: "gone", label: "X", properties: [:]).nid)
        }
        try t.store.write(TestStore.change) { tx in  // tx 2
            var created: [NodeID] = []
            for i in 0..<5 {
                let nid = try tx.upsertNode(externalID: "a\(i)", label: "X", properties: ["i": .int(Int64(i))]).nid
                created.append(nid)
                expected.append(Change(operation: .create, entity: .node(nid)))
            }
            #expect(created == Array(created[0]...created[0] + 4), "consecutive ids: one run")
            try tx.upsertNode(externalID: "old", label: "X", properties: ["v": .int(2)])
            expected.append(Change(operation: .update, entity: .node(old)))
            let single = try tx.upsertNode(externalID: "single", label: "X", properties: [:]).nid
            expected.append(Change(operation: .create, entity: .node(single)))
            try tx.upsertRelation(from: created[0], type: "USES", to: single)
            expected.append(Change(operation: .create, entity: .relation(from: created[0], type: "USES", to: single)))
            for i in 0..<3 {
                let nid = try tx.upsertNode(externalID: "b\(i)", label: "Y", properties: [:]).nid
                expected.append(Change(operation: .create, entity: .node(nid)))
            }
            #expect(try tx.deleteNode(gone))
            expected.append(Change(operation: .delete, entity: .node(gone)))
            // A run that ends the transaction is logged at commit.
            for i in 0..<4 {
                let nid = try tx.upsertNode(externalID: "c\(i)", label: "Y", properties: [:]).nid
                expected.append(Change(operation: .create, entity: .node(nid)))
            }
        }
        try t.store.read { (tx) throws in
            #expect(try tx.loggedChanges(of: 2) == expected)
            // A limit that ends inside a run, at its end, and beyond everything.
            #expect(try tx.loggedChanges(of: 2, limit: 3) == Array(expected.prefix(3)))
            #expect(try tx.loggedChanges(of: 2, limit: 5) == Array(expected.prefix(5)))
            #expect(try tx.loggedChanges(of: 2, limit: 100) == expected)
            #expect(try tx.loggedChanges(of: 1).count == 2)
            #expect(try tx.loggedChanges(of: 3) == [])
            // History of a CI created inside a run is found through the log like any other.
            let a3 = try #require(try tx.node(externalID: "a3"))
            let versions = try tx.history(of: a3.nid)
            #expect(versions.map(\.transaction) == [2])
        }
    }

    @Test("a large run of created nodes reads back completely and its count matches the change record")
    func largeRun() throws {
        let t = try TestStore()
        let n = 10_000
        let first = try t.store.write(TestStore.change) { tx in
            var first: NodeID = 0
            for i in 0..<n {
                let nid = try tx.upsertNode(externalID: "n\(i)", label: "X", properties: [:]).nid
                if i == 0 { first = nid }
            }
            return first
        }
        try t.store.read { (tx) throws in
            let logged = try tx.loggedChanges(of: 1)
            #expect(logged.count == n)
            #expect(logged.first == Change(operation: .create, entity: .node(first)))
            #expect(logged.last == Change(operation: .create, entity: .node(first + NodeID(n - 1))))
            #expect(try tx.changes().first?.nodesCreated == n)
        }
    }
}
