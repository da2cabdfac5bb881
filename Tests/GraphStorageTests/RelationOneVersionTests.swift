import Testing
@testable import GraphStorage

/// One version of a relation per transaction, as for CIs: a relation deleted and created again in one transaction
/// is the net change (or nothing), and one created and deleted again leaves no trace (found in review: they were a
/// deletion plus a creation with `created` reset, and a deletion of a relation that never existed).
struct RelationOneVersionTests {
    /// Three CIs and the relation a -USES-> b {w: 0}, in transaction 1.
    static func threeCIs(_ t: TestStore) throws -> (a: NodeID, b: NodeID, c: NodeID) {
        try t.store.write(TestStore.change) { tx in
            let a = try tx.upsertNode(externalID: "a", label: "A", properties: [:]).nid
            let b = try tx.upsertNode(externalID: "b", label: "A", properties: [:]).nid
            let c = try tx.upsertNode(externalID: "c", label: "A", properties: [:]).nid
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(0)])
            return (a, b, c)
        }
    }

    /// The entries of `relhist` as "transaction:bytes" (0 bytes: a deletion marker).
    static func relationHistory(_ t: TestStore) throws -> [String] {
        try t.store.entries(of: \.relhist) { key, value in
            "\(key.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }):\(value.count)"
        }
    }

    static func relationDeletions(_ t: TestStore) throws -> Int {
        try t.store.entries(of: \.relgone) { _, _ in "" }.count
    }

    @Test("a relation deleted and created again as it was, in one transaction: nothing to commit")
    func deleteThenRecreateSame() throws {
        let t = try TestStore()
        let (a, b, _) = try Self.threeCIs(t)
        let committed = try t.store.write(TestStore.change) { tx in
            #expect(try tx.deleteRelation(from: a, type: "USES", to: b))
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(0)])
            return tx.hasChanges
        }
        #expect(!committed)
        // Changed, deleted, and created again as it was: nothing either.
        let changedBack = try t.store.write(TestStore.change) { tx in
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(3)])
            #expect(try tx.deleteRelation(from: a, type: "USES", to: b))
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(0)])
            return tx.hasChanges
        }
        #expect(!changedBack)
        try t.store.read { (tx) throws in
            #expect(try tx.lastCommittedTransaction == 1)
            let relation = try tx.relation(from: a, type: "USES", to: b)
            #expect(relation?.version == 1 && relation?.created == 1)
            #expect(try tx.neighbors(of: a, direction: .outgoing).map(\.other) == [b])
        }
        #expect(try Self.relationHistory(t).isEmpty)
        #expect(try Self.relationDeletions(t) == 0)
    }

    @Test("a relation deleted and created again with other properties: one update, its creation kept")
    func deleteThenRecreateChanged() throws {
        let t = try TestStore()
        let (a, b, c) = try Self.threeCIs(t)
        try t.store.write(TestStore.change) { tx in
            #expect(try tx.deleteRelation(from: a, type: "USES", to: b))
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(1)])
            try tx.upsertNode(externalID: "c", label: "A", properties: ["v": .int(1)])
            #expect(tx.record.relationsDeleted == 0 && tx.record.relationsCreated == 0)
            #expect(tx.record.relationsUpdated == 1)
        }
        try t.store.read { (tx) throws in
            let relation = try tx.relation(from: a, type: "USES", to: b)
            #expect(relation?.properties["w"] == .int(1) && relation?.created == 1 && relation?.version == 2)
            #expect(try tx.relation(from: a, type: "USES", to: b, asOf: 1)?.properties["w"] == .int(0))
            #expect(try tx.loggedChanges(of: 2) == [
                .init(operation: .update, entity: .relation(from: a, type: "USES", to: b)),
                .init(operation: .update, entity: .node(c)),
            ])
            #expect(try tx.change(2)?.relationsUpdated == 1)
            for asOf: TransactionNumber in [1, 2] {
                let past = try PastState(tx, asOf: asOf)
                defer { past.close() }
                var out: [NodeID] = []
                try past.forEachRelation(of: a, direction: .outgoing) { _, other in out.append(other) }
                #expect(out == [b], "as of \(asOf)")
            }
        }
        #expect(try Self.relationHistory(t).map { $0.prefix(2) } == ["1:"])
        #expect(try Self.relationDeletions(t) == 0)
        // Deleted and created again after an update in the same transaction: still one update from transaction 2.
        try t.store.write(TestStore.change) { tx in
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(7)])
            #expect(try tx.deleteRelation(from: a, type: "USES", to: b))
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(8)])
            #expect(tx.record.relationsUpdated == 1 && tx.record.relationsDeleted == 0 && tx.record.relationsCreated == 0)
        }
        try t.store.read { (tx) throws in
            #expect(try tx.relation(from: a, type: "USES", to: b)?.created == 1)
            #expect(try tx.relation(from: a, type: "USES", to: b, asOf: 2)?.properties["w"] == .int(1))
            #expect(try tx.loggedChanges(of: 3) == [.init(operation: .update, entity: .relation(from: a, type: "USES", to: b))])
        }
        #expect(try Self.relationHistory(t).count == 2)
    }

    @Test("a relation created and deleted in one transaction leaves no history, deletion entry, log entry or count")
    func createThenDelete() throws {
        let t = try TestStore()
        let (a, b, c) = try Self.threeCIs(t)
        let alone = try t.store.write(TestStore.change) { tx in
            try tx.upsertRelation(from: a, type: "USES", to: c)
            #expect(try tx.deleteRelation(from: a, type: "USES", to: c))
            return tx.hasChanges
        }
        #expect(!alone)
        try t.store.write(TestStore.change) { tx in
            try tx.upsertRelation(from: b, type: "USES", to: c)
            try tx.upsertRelation(from: a, type: "USES", to: c, properties: ["w": .int(1)])
            try tx.upsertRelation(from: a, type: "USES", to: c, properties: ["w": .int(2)])
            try tx.upsertRelation(from: c, type: "USES", to: a)
            #expect(try tx.deleteRelation(from: a, type: "USES", to: c))
            #expect(tx.record.relationsCreated == 2 && tx.record.relationsDeleted == 0)
        }
        try t.store.read { (tx) throws in
            #expect(try tx.lastCommittedTransaction == 2)
            #expect(try tx.loggedChanges(of: 2) == [
                .init(operation: .create, entity: .relation(from: b, type: "USES", to: c)),
                .init(operation: .create, entity: .relation(from: c, type: "USES", to: a)),
            ])
            #expect(try tx.relation(from: a, type: "USES", to: c, asOf: 2) == nil)
        }
        #expect(try Self.relationHistory(t).isEmpty)
        #expect(try Self.relationDeletions(t) == 0)
    }

    @Test("a relation deleted in an earlier transaction, created and deleted again in one: still deleted, no new trace")
    func createThenDeleteAfterEarlierDeletion() throws {
        let t = try TestStore()
        let (a, b, c) = try Self.threeCIs(t)
        try t.store.write(TestStore.change) { (tx) throws in #expect(try tx.deleteRelation(from: a, type: "USES", to: b)) }
        let before = try Self.relationHistory(t)
        try t.store.write(TestStore.change) { tx in
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(5)])
            #expect(try tx.deleteRelation(from: a, type: "USES", to: b))
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(6)])
            try tx.upsertNode(externalID: "c", label: "A", properties: ["v": .int(1)])
        }
        try t.store.read { (tx) throws in
            // Created anew in transaction 3 (it did not exist at 2): a creation, not an update of the one deleted.
            #expect(try tx.relation(from: a, type: "USES", to: b)?.created == 3)
            #expect(try tx.relation(from: a, type: "USES", to: b, asOf: 2) == nil)
            #expect(try tx.relation(from: a, type: "USES", to: b, asOf: 1)?.properties["w"] == .int(0))
            #expect(try tx.loggedChanges(of: 3) == [
                .init(operation: .create, entity: .relation(from: a, type: "USES", to: b)),
                .init(operation: .update, entity: .node(c)),
            ])
        }
        #expect(try Self.relationHistory(t) == before)
        #expect(try Self.relationDeletions(t) == 2)
    }

    @Test("many relations created, then deleted in the same transaction, far apart in its log: no trace")
    func createManyThenDelete() throws {
        let t = try TestStore()
        let (a, _, _) = try Self.threeCIs(t)
        let targets = try t.store.write(TestStore.change) { tx in
            try (0..<300).map { try tx.upsertNode(externalID: "t\($0)", label: "A", properties: [:]).nid }
        }
        try t.store.write(TestStore.change) { tx in
            for to in targets { try tx.upsertRelation(from: a, type: "RUNS_ON", to: to) }
            for to in targets where to % 2 == 0 { #expect(try tx.deleteRelation(from: a, type: "RUNS_ON", to: to)) }
            #expect(tx.record.relationsCreated == targets.count / 2 && tx.record.relationsDeleted == 0)
        }
        try t.store.read { (tx) throws in
            let logged = try tx.loggedChanges(of: 3)
            #expect(logged == targets.filter { $0 % 2 == 1 }.map {
                .init(operation: .create, entity: .relation(from: a, type: "RUNS_ON", to: $0))
            })
        }
        #expect(try Self.relationHistory(t).isEmpty)
        #expect(try Self.relationDeletions(t) == 0)
    }
}
