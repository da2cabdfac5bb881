import Testing
@testable import GraphStorage

/// A transaction that writes one CI or relation several times keeps one version of it: the state it commits.
/// The states in between were never committed and are not history; a transaction whose writes cancel out
/// commits nothing.
struct OneVersionPerTransactionTests {
    @Test("two updates of a CI in one transaction: one version, holding the net change; the earlier one stays put")
    func updatesCoalesce() throws {
        let t = try TestStore()
        let nid = try t.store.write(TestStore.change) { tx in
            try tx.upsertNode(externalID: "app-1", label: "A", properties: ["vendor": .string("v0")]).nid
        }
        try t.store.write(TestStore.change) { tx in
            for v in ["v1", "v2", "v3"] {
                try tx.upsertNode(externalID: "app-1", label: "A", properties: ["vendor": .string(v)])
            }
            #expect(tx.record.nodesUpdated == 1)
        }
        let versions = try t.store.read { tx in try tx.history(of: nid) }
        #expect(versions.map(\.transaction) == [1, 2])
        #expect(versions.map { $0.node?.properties["vendor"] } == [.string("v0"), .string("v3")])
        try t.store.read { (tx) throws in
            #expect(try tx.loggedChanges(of: 2) == [.init(operation: .update, entity: .node(nid))])
            #expect(try tx.change(2)?.nodesUpdated == 1)
        }
        // A later write leaves transaction 2's version as it was committed.
        try t.store.write(TestStore.change) { tx in
            try tx.upsertNode(externalID: "app-1", label: "A", properties: ["vendor": .string("v4")])
        }
        let later = try t.store.read { tx in try tx.history(of: nid) }
        #expect(later.map { $0.node?.properties["vendor"] } == [.string("v0"), .string("v3"), .string("v4")])
        #expect(later.map(\.transaction) == [1, 2, 3])
    }

    @Test("a CI created and then changed in one transaction: one version, created with its final state")
    func createThenUpdate() throws {
        let t = try TestStore()
        let nid = try t.store.write(TestStore.change) { tx in
            let nid = try tx.upsertNode(externalID: "app-2", label: "A", properties: ["vendor": .string("x")]).nid
            try tx.upsertNode(externalID: "app-2", label: "A", properties: ["vendor": .string("y")])
            #expect(tx.record.nodesCreated == 1 && tx.record.nodesUpdated == 0)
            return nid
        }
        let versions = try t.store.read { tx in try tx.history(of: nid) }
        #expect(versions.count == 1)
        #expect(versions.first?.node?.properties["vendor"] == .string("y"))
        #expect(versions.first?.node?.created == 1)
        try t.store.read { (tx) throws in
            #expect(try tx.loggedChanges(of: 1) == [.init(operation: .create, entity: .node(nid))])
        }
    }

    @Test("writes that end where the transaction began commit nothing; with other changes, the CI has no version")
    func netNothing() throws {
        let t = try TestStore()
        let (nid, other) = try t.store.write(TestStore.change) { tx in
            (try tx.upsertNode(externalID: "app-1", label: "A", properties: ["status": .string("live")]).nid,
             try tx.upsertNode(externalID: "app-9", label: "A", properties: ["status": .string("live")]).nid)
        }
        let committed = try t.store.write(TestStore.change) { tx in
            try tx.upsertNode(externalID: "app-1", label: "B", properties: ["status": .string("withdrawn")])
            try tx.upsertNode(externalID: "app-1", label: "A", properties: ["status": .string("live")])
            return tx.hasChanges
        }
        #expect(!committed)
        try t.store.read { (tx) throws in
            #expect(try tx.lastCommittedTransaction == 1)
            #expect(try tx.history(of: nid).map(\.transaction) == [1])
            #expect(try Self.counts(tx) == ["A/live: 2"])
        }
        try t.store.write(TestStore.change) { tx in
            try tx.upsertNode(externalID: "app-1", label: "A", properties: ["status": .string("withdrawn")])
            try tx.upsertNode(externalID: "app-9", label: "A", properties: ["status": .string("withdrawn")])
            try tx.upsertNode(externalID: "app-1", label: "A", properties: ["status": .string("live")])
            #expect(tx.record.nodesUpdated == 1)
        }
        try t.store.read { (tx) throws in
            #expect(try tx.lastCommittedTransaction == 2)
            let versions = try tx.history(of: nid)
            #expect(versions.map(\.transaction) == [1])
            #expect(versions.last?.node?.version == 1)
            #expect(try tx.node(nid, asOf: 1)?.properties["status"] == .string("live"))
            #expect(try tx.loggedChanges(of: 2) == [.init(operation: .update, entity: .node(other))])
            #expect(try Self.counts(tx) == ["A/live: 1", "A/withdrawn: 1"])
        }
    }

    static func counts(_ tx: GraphTransaction) throws -> [String] {
        try tx.countsByLabelAndStatus().map { "\($0.label ?? "-")/\($0.status): \($0.count)" }.sorted()
    }

    @Test("a relation changed twice in one transaction, or created and changed: one version each")
    func relationsCoalesce() throws {
        let t = try TestStore()
        let (a, b, c) = try t.store.write(TestStore.change) { tx in
            let a = try tx.upsertNode(externalID: "a", label: "A", properties: [:]).nid
            let b = try tx.upsertNode(externalID: "b", label: "A", properties: [:]).nid
            let c = try tx.upsertNode(externalID: "c", label: "A", properties: [:]).nid
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(0)])
            return (a, b, c)
        }
        try t.store.write(TestStore.change) { tx in
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(1)])
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(2)])
            try tx.upsertRelation(from: a, type: "USES", to: c, properties: ["w": .int(1)])
            try tx.upsertRelation(from: a, type: "USES", to: c, properties: ["w": .int(2)])
            #expect(tx.record.relationsUpdated == 1 && tx.record.relationsCreated == 1)
        }
        try t.store.read { (tx) throws in
            #expect(try tx.relation(from: a, type: "USES", to: b, asOf: 1)?.properties["w"] == .int(0))
            #expect(try tx.relation(from: a, type: "USES", to: b)?.properties["w"] == .int(2))
            #expect(try tx.relation(from: a, type: "USES", to: c)?.created == 2)
            #expect(try tx.loggedChanges(of: 2).count == 2)
        }
        let relhist = try t.store.entries(of: \.relhist) { key, value in "\(key.suffix(8).last ?? 0):\(value.count)" }
        #expect(relhist.count == 1, "only transaction 1's version of a→b is history: \(relhist)")
        // Changed and changed back: nothing to commit.
        let committed = try t.store.write(TestStore.change) { tx in
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(5)])
            try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["w": .int(2)])
            return tx.hasChanges
        }
        #expect(!committed)
        try t.store.read { (tx) throws in #expect(try tx.relation(from: a, type: "USES", to: b)?.version == 2) }
    }

    @Test("a CI deleted and created again in one transaction: one version, the net change, or nothing when it is as before")
    func deleteThenRecreate() throws {
        let t = try TestStore()
        let nid = try t.store.write(TestStore.change) { tx in
            try tx.upsertNode(externalID: "app-1", label: "A", properties: ["status": .string("live")]).nid
        }
        let unchanged = try t.store.write(TestStore.change) { tx in
            #expect(try tx.deleteNode(nid))
            try tx.upsertNode(externalID: "app-1", label: "A", properties: ["status": .string("live")])
            return tx.hasChanges
        }
        #expect(!unchanged)
        try t.store.write(TestStore.change) { tx in
            #expect(try tx.deleteNode(nid))
            try tx.upsertNode(externalID: "app-1", label: "A", properties: ["status": .string("maintenance")])
            #expect(tx.record.nodesDeleted == 0 && tx.record.nodesCreated == 0 && tx.record.nodesUpdated == 1)
        }
        try t.store.read { (tx) throws in
            let versions = try tx.history(of: nid)
            #expect(versions.map(\.transaction) == [1, 2])
            #expect(versions.map { $0.node?.properties["status"] } == [.string("live"), .string("maintenance")])
            #expect(versions.last?.node?.created == 1)
            #expect(try tx.loggedChanges(of: 2) == [.init(operation: .update, entity: .node(nid))])
            #expect(try Self.counts(tx) == ["A/maintenance: 1"])
        }
    }

    @Test("a CI created and deleted in one transaction leaves no version; alone, nothing is committed")
    func createThenDelete() throws {
        let t = try TestStore()
        try t.store.write(TestStore.change) { tx in
            try tx.upsertNode(externalID: "keep", label: "A", properties: [:])
        }
        let alone = try t.store.write(TestStore.change) { tx in
            let nid = try tx.upsertNode(externalID: "gone", label: "A", properties: [:]).nid
            #expect(try tx.deleteNode(nid))
            return tx.hasChanges
        }
        #expect(!alone)
        let (gone, other) = try t.store.write(TestStore.change) { tx in
            let a = try tx.upsertNode(externalID: "a", label: "A", properties: [:]).nid
            let gone = try tx.upsertNode(externalID: "gone2", label: "A", properties: [:]).nid
            let b = try tx.upsertNode(externalID: "b", label: "A", properties: [:]).nid
            #expect(try tx.deleteNode(gone))
            #expect(tx.record.nodesCreated == 2 && tx.record.nodesDeleted == 0)
            return (gone, [a, b])
        }
        try t.store.read { (tx) throws in
            #expect(try tx.history(of: gone).isEmpty)
            #expect(try tx.loggedChanges(of: 2) == other.map { .init(operation: .create, entity: .node($0)) })
            #expect(try Self.counts(tx) == ["A/: 3"])
        }
    }

    @Test("a CI created and deleted again inside a logged run of creations leaves no log entry; later entries still line up")
    func createThenDeleteInsideLoggedRun() throws {
        let t = try TestStore()
        let (x, y) = try t.store.write(TestStore.change) { tx in
            (try tx.upsertNode(externalID: "x", label: "A", properties: ["v": .int(0)]).nid,
             try tx.upsertNode(externalID: "y", label: "A", properties: ["v": .int(0)]).nid)
        }
        let created = try t.store.write(TestStore.change) { tx in
            let run = try (1...6).map { try tx.upsertNode(externalID: "m\($0)", label: "A", properties: [:]).nid }
            // Logged after the run: the run is one entry, then these.
            try tx.upsertNode(externalID: "x", label: "A", properties: ["v": .int(1)])
            try tx.upsertRelation(from: x, type: "USES", to: y)
            try tx.upsertNode(externalID: "y", label: "A", properties: ["v": .int(1)])
            #expect(try tx.deleteNode(run[2]))  // m3, in the middle of the run
            #expect(try tx.deleteNode(run[4]))  // m5
            // Entries after the run moved: taking the update of y back must take out y's entry, not another.
            try tx.upsertNode(externalID: "y", label: "A", properties: ["v": .int(0)])
            #expect(try tx.deleteNode(run[0]))  // m1, at the start of what is left
            // Logged after the moves: at the end, in order.
            let last = try tx.upsertNode(externalID: "m7", label: "A", properties: [:]).nid
            try tx.upsertRelation(from: y, type: "USES", to: x)
            #expect(tx.record.nodesCreated == 4 && tx.record.nodesUpdated == 1)
            return [run[1], run[3], run[5], last]
        }
        try t.store.read { (tx) throws in
            #expect(try tx.loggedChanges(of: 2) == created.dropLast().map { .init(operation: .create, entity: .node($0)) } + [
                .init(operation: .update, entity: .node(x)),
                .init(operation: .create, entity: .relation(from: x, type: "USES", to: y)),
                .init(operation: .create, entity: .node(created[3])),
                .init(operation: .create, entity: .relation(from: y, type: "USES", to: x)),
            ])
            #expect(try tx.change(2)?.nodesCreated == 4)
        }
    }
}
