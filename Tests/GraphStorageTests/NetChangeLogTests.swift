import Testing
@testable import GraphStorage

/// Whatever a transaction does to its CIs and relations (creates in runs, updates, deletes, writes that are taken
/// back, things created and deleted again, deleted and created again), its log and change record hold exactly its
/// net changes: the difference between the state before and after it.
struct NetChangeLogTests {
    /// The live CIs (id → properties) and relations ("from type to" → properties).
    static func state(_ store: GraphStore) throws -> (nodes: [NodeID: Properties], relations: [String: Properties]) {
        try store.read { tx in
            var nodes: [NodeID: Properties] = [:]
            var relations: [String: Properties] = [:]
            try tx.forEachNode { node in
                nodes[node.nid] = node.properties
                return true
            }
            try tx.forEachRelation { r in
                relations["\(r.from) \(r.type) \(r.to)"] = r.properties
                return true
            }
            return (nodes, relations)
        }
    }

    /// The changes from `before` to `after` as the log names them, sorted.
    static func netChanges(
        _ before: (nodes: [NodeID: Properties], relations: [String: Properties]),
        _ after: (nodes: [NodeID: Properties], relations: [String: Properties])
    ) -> [String] {
        var changes: [String] = []
        for nid in Set(before.nodes.keys).union(after.nodes.keys) {
            switch (before.nodes[nid], after.nodes[nid]) {
            case (nil, _?): changes.append("create node \(nid)")
            case (_?, nil): changes.append("delete node \(nid)")
            case (let a?, let b?) where a != b: changes.append("update node \(nid)")
            default: break
            }
        }
        for key in Set(before.relations.keys).union(after.relations.keys) {
            switch (before.relations[key], after.relations[key]) {
            case (nil, _?): changes.append("create relation \(key)")
            case (_?, nil): changes.append("delete relation \(key)")
            case (let a?, let b?) where a != b: changes.append("update relation \(key)")
            default: break
            }
        }
        return changes.sorted()
    }

    static func describe(_ change: GraphTransaction.LoggedChange) -> String {
        let op = change.operation == .create ? "create" : change.operation == .update ? "update" : "delete"
        switch change.entity {
        case .node(let nid): return "\(op) node \(nid)"
        case .relation(let from, let type, let to): return "\(op) relation \(from) \(type) \(to)"
        }
    }

    @Test("random transactions: the log and the counts are the net change", arguments: [1, 7, 42, 99, 2026] as [UInt64])
    func logIsNetChange(seed: UInt64) throws {
        let t = try TestStore()
        var random = seed
        func next(_ n: Int) -> Int {
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return Int((random >> 33) % UInt64(n))
        }
        try t.store.write(TestStore.change) { tx in
            for i in 0..<12 { try tx.upsertNode(externalID: "c\(i)", label: "A", properties: ["v": .int(0)]) }
        }
        var fresh = 0
        for _ in 0..<60 {
            let before = try Self.state(t.store)
            let (committed, number) = try t.store.write(TestStore.change) { tx in
                var live = Set(before.nodes.keys)
                var relations = Set(before.relations.keys)
                for _ in 0..<(5 + next(30)) {
                    let nodes = live.sorted()
                    switch next(10) {
                    case 0, 1:  // new CIs, one after the other (a run)
                        for _ in 0..<(1 + next(4)) {
                            fresh += 1
                            live.insert(try tx.upsertNode(externalID: "n\(fresh)", label: "A", properties: [:]).nid)
                        }
                    case 2, 3:  // update a CI (maybe back to what it was)
                        guard let nid = nodes.isEmpty ? nil : nodes[next(nodes.count)],
                            let id = try tx.externalID(of: nid) else { break }
                        try tx.upsertNode(externalID: id, label: "A", properties: ["v": .int(Int64(next(3)))])
                    case 4:  // delete a CI with its relations, and maybe create it again
                        guard let nid = nodes.isEmpty ? nil : nodes[next(nodes.count)],
                            let id = try tx.externalID(of: nid) else { break }
                        for key in relations.sorted() {
                            let parts = key.split(separator: " ")
                            guard parts.count == 3, let from = NodeID(parts[0]), let to = NodeID(parts[2]),
                                from == nid || to == nid else { continue }
                            #expect(try tx.deleteRelation(from: from, type: String(parts[1]), to: to))
                            relations.remove(key)
                        }
                        #expect(try tx.deleteNode(nid))
                        live.remove(nid)
                        if next(2) == 0 {
                            live.insert(try tx.upsertNode(externalID: id, label: "A", properties: ["v": .int(Int64(next(2)))]).nid)
                        }
                    case 5, 6, 7:  // create or update a relation
                        guard nodes.count >= 2 else { break }
                        let from = nodes[next(nodes.count)], to = nodes[next(nodes.count)]
                        let type = next(2) == 0 ? "USES" : "RUNS_ON"
                        try tx.upsertRelation(from: from, type: type, to: to, properties: ["w": .int(Int64(next(2)))])
                        relations.insert("\(from) \(type) \(to)")
                    default:  // delete a relation, and maybe create it again
                        let keys = relations.sorted()
                        guard !keys.isEmpty else { break }
                        let key = keys[next(keys.count)]
                        let parts = key.split(separator: " ")
                        guard parts.count == 3, let from = NodeID(parts[0]), let to = NodeID(parts[2]) else { break }
                        #expect(try tx.deleteRelation(from: from, type: String(parts[1]), to: to))
                        relations.remove(key)
                        if next(2) == 0 {
                            try tx.upsertRelation(from: from, type: String(parts[1]), to: to, properties: ["w": .int(Int64(next(2)))])
                            relations.insert(key)
                        }
                    }
                }
                return (tx.hasChanges, tx.number)
            }
            let after = try Self.state(t.store)
            let expected = Self.netChanges(before, after)
            #expect(committed == !expected.isEmpty, "transaction \(number): \(expected)")
            guard committed else { continue }
            try t.store.read { (tx) throws in
                let logged = try tx.loggedChanges(of: number).map(Self.describe)
                #expect(logged.sorted() == expected, "transaction \(number)")
                let record = try #require(try tx.change(number))
                let counted = [
                    ("create node", record.nodesCreated), ("update node", record.nodesUpdated),
                    ("delete node", record.nodesDeleted), ("create relation", record.relationsCreated),
                    ("update relation", record.relationsUpdated), ("delete relation", record.relationsDeleted),
                ]
                for (kind, n) in counted {
                    #expect(expected.filter { $0.hasPrefix(kind + " ") }.count == n, "\(kind) in transaction \(number)")
                }
            }
        }
    }
}
