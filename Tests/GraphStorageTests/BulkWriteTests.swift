import Testing
@testable import GraphStorage

/// The write path of a bulk load: relations appended when their key sorts last and put without a lookup otherwise,
/// CI ids put without a lookup; each must still find what is already there, in the same write or an earlier one.
struct BulkWriteTests {
    @Test("relations in key order, out of order, repeated and changed in one write, and in the next")
    func relationsInAndOutOfKeyOrder() throws {
        let t = try TestStore()
        let n = try t.store.write(TestStore.change) { (tx) throws -> [NodeID] in
            let n = try ["a", "b", "c", "d", "e"].map { try tx.upsertNode(externalID: $0, label: "X", properties: [:]).nid }
            let (a, b, c, d, e) = (n[0], n[1], n[2], n[3], n[4])
            // In key order: each is appended after the greatest key so far.
            #expect(try tx.upsertRelation(from: b, type: "USES", to: a).outcome == .created)
            #expect(try tx.upsertRelation(from: c, type: "USES", to: a).outcome == .created)
            #expect(try tx.upsertRelation(from: e, type: "USES", to: d, properties: ["w": .int(1)]).outcome == .created)
            // Before the greatest key: a put that must not overwrite.
            #expect(try tx.upsertRelation(from: d, type: "USES", to: a).outcome == .created)
            #expect(try tx.upsertRelation(from: a, type: "USES", to: b).outcome == .created)
            // Repeats of an appended and of an inserted relation are no change.
            #expect(try tx.upsertRelation(from: e, type: "USES", to: d, properties: ["w": .int(1)]).outcome == .unchanged)
            #expect(try tx.upsertRelation(from: c, type: "USES", to: a).outcome == .unchanged)
            #expect(try tx.upsertRelation(from: a, type: "USES", to: b).outcome == .unchanged)
            // A different state of a relation written in this same write says so (the importer refuses it).
            let changed = try tx.upsertRelation(from: e, type: "USES", to: d, properties: ["w": .int(2)])
            #expect(changed == RelationWrite(outcome: .updated, previousVersion: tx.number))
            return n
        }
        let (a, b, c, d, e) = (n[0], n[1], n[2], n[3], n[4])
        try t.store.read { (tx) throws in
            #expect(try tx.relationCount() == 5)
            var keys: [[NodeID]] = []
            try tx.forEachRelation { rel in
                keys.append([rel.from, rel.to])
                return true
            }
            #expect(keys == [[a, b], [b, a], [c, a], [d, a], [e, d]], "every relation once, in key order")
            #expect(try tx.relation(from: e, type: "USES", to: d)?.properties["w"] == .int(2))
            #expect(try tx.neighbors(of: a, direction: .incoming).map(\.other) == [b, c, d])
            #expect(try tx.neighbors(of: d, direction: .incoming).map(\.other) == [e])
        }
        // The next write: below and above the greatest key, repeats, a change with history, and a deletion of
        // the greatest relation followed by keys around it.
        try t.store.write(TestStore.change) { (tx) throws in
            #expect(try tx.upsertRelation(from: b, type: "USES", to: a).outcome == .unchanged)
            #expect(try tx.upsertRelation(from: e, type: "USES", to: d, properties: ["w": .int(2)]).outcome == .unchanged)
            let update = try tx.upsertRelation(from: c, type: "USES", to: a, properties: ["w": .int(3)])
            #expect(update == RelationWrite(outcome: .updated, previousVersion: 1))
            #expect(try tx.deleteRelation(from: e, type: "USES", to: d))
            #expect(try tx.upsertRelation(from: e, type: "USES", to: c).outcome == .created)
            #expect(try tx.upsertRelation(from: e, type: "USES", to: d).outcome == .created)
            #expect(try tx.upsertRelation(from: e, type: "USES", to: e).outcome == .created)
            #expect(try tx.upsertRelation(from: e, type: "USES", to: c).outcome == .unchanged)
        }
        try t.store.read { (tx) throws in
            #expect(try tx.relationCount() == 7)
            #expect(try tx.relation(from: c, type: "USES", to: a)?.properties["w"] == .int(3))
            #expect(try tx.relation(from: c, type: "USES", to: a)?.created == 1, "an update keeps its creation")
            #expect(try tx.relation(from: c, type: "USES", to: a, asOf: 1)?.properties["w"] == nil)
            #expect(try tx.relation(from: e, type: "USES", to: d)?.properties["w"] == nil, "re-created, not restored")
            #expect(try tx.relation(from: e, type: "USES", to: d, asOf: 1)?.properties["w"] == .int(2))
            #expect(try tx.neighbors(of: e, direction: .outgoing).map(\.other) == [c, d, e])
        }
    }

    @Test("a CI id is put once: repeats find it, new ids get consecutive node ids, deleted ids keep theirs")
    func nodeIDs() throws {
        let t = try TestStore()
        let (x, y) = try t.store.write(TestStore.change) { (tx) throws in
            let x = try tx.upsertNode(externalID: "x", label: "X", properties: ["v": .int(1)])
            #expect(x.outcome == .created)
            let again = try tx.upsertNode(externalID: "x", label: "X", properties: ["v": .int(1)])
            #expect(again == NodeWrite(nid: x.nid, outcome: .unchanged))
            let changed = try tx.upsertNode(externalID: "x", label: "X", properties: ["v": .int(2)])
            #expect(changed.outcome == .updated && changed.nid == x.nid && changed.previousVersion == tx.number)
            let y = try tx.upsertNode(externalID: "y", label: "X", properties: [:])
            #expect(y.nid == x.nid + 1, "a repeated id took no node id")
            return (x.nid, y.nid)
        }
        try t.store.write(TestStore.change) { (tx) throws in
            #expect(try tx.upsertNode(externalID: "x", label: "X", properties: ["v": .int(2)]).outcome == .unchanged)
            #expect(try tx.deleteNode(y))
            let z = try tx.upsertNode(externalID: "z", label: "X", properties: [:])
            #expect(z == NodeWrite(nid: y + 1, outcome: .created))
            let back = try tx.upsertNode(externalID: "y", label: "X", properties: [:])
            #expect(back.nid == y && back.outcome == .created, "a deleted CI's id keeps its node id")
        }
        try t.store.read { (tx) throws in
            #expect(try tx.nodeCount() == 3)
            #expect(try tx.nodeID(forExternalID: "x") == x)
            #expect(try tx.nodeID(forExternalID: "y") == y)
            #expect(try tx.nodeID(forExternalID: "z") == y + 1)
            #expect(try tx.node(x)?.properties["v"] == .int(2))
        }
    }
}
