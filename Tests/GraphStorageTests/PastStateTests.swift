import CLMDB
import Testing
@testable import GraphStorage

/// A history with every kind of change, written straight to a store, with a model of what is live after each
/// transaction so the generator only makes valid writes.
struct GeneratedHistory {
    static let labels = ["A", "B", "C"]
    static let types = ["USES", "RUNS_ON"]
    static let ids = (0..<16).map { "n\($0)" }

    private var state: UInt64
    private var live: [String: NodeID] = [:]
    private var relations = Set<[UInt64]>()  // [from, type index, to]
    private(set) var transactions: TransactionNumber = 0

    init(seed: UInt64) { state = seed }

    private mutating func next(_ n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }

    /// Writes `count` transactions of random changes, including the awkward cases: a relation deleted and
    /// created again, deleted twice, created and deleted in one transaction, nodes deleted and re-created, class
    /// changes, a node updated twice in one transaction.
    mutating func write(_ store: GraphStore, transactions count: Int) throws {
        try store.write(ChangeInfo(actor: "gen", changeReference: nil, origin: "gen")) { tx in
            try tx.setIndexedProperties(["v"])
            _ = try tx.upsertNode(externalID: "seed", label: "A", properties: ["v": .int(0)])
        }
        transactions = 1
        for _ in 0..<count {
            var model = self
            let wrote = try store.write(ChangeInfo(actor: "gen", changeReference: nil, origin: "gen")) { tx in
                var attempt = model
                for _ in 0..<(1 + attempt.next(4)) { try attempt.step(tx) }
                model = attempt
                return tx.hasChanges
            }
            self = model
            if wrote { transactions += 1 }
        }
    }

    private func key(_ from: NodeID, _ type: Int, _ to: NodeID) -> [UInt64] { [from, UInt64(type), to] }

    /// A live node, chosen by the generator's own sequence (sets and dictionaries iterate differently per run).
    private mutating func liveNode() -> NodeID? {
        let nids = live.values.sorted()
        return nids.isEmpty ? nil : nids[next(nids.count)]
    }

    private mutating func liveRelation() -> [UInt64]? {
        let keys = relations.sorted { $0.lexicographicallyPrecedes($1) }
        return keys.isEmpty ? nil : keys[next(keys.count)]
    }

    private mutating func step(_ tx: GraphTransaction) throws {
        let id = Self.ids[next(Self.ids.count)]
        switch next(9) {
        case 0, 1:  // create or update (maybe a class change), sometimes twice
            for _ in 0..<(1 + next(2)) {
                let props: Properties = ["v": .int(Int64(next(4))), "status": .string(next(2) == 0 ? "live" : "retired")]
                live[id] = try tx.upsertNode(externalID: id, label: Self.labels[next(3)], properties: props).nid
            }
        case 2, 3, 4:  // create or update a relation
            guard let a = liveNode(), let b = liveNode() else { return }
            let type = next(2)
            try tx.upsertRelation(from: a, type: Self.types[type], to: b, properties: ["w": .int(Int64(next(3)))])
            relations.insert(key(a, type, b))
        case 5, 6:  // delete a relation; sometimes re-create it, or delete it twice, in the same transaction
            guard let k = liveRelation() else { return }
            try tx.deleteRelation(from: k[0], type: Self.types[Int(k[1])], to: k[2])
            relations.remove(k)
            switch next(3) {
            case 0:
                try tx.upsertRelation(from: k[0], type: Self.types[Int(k[1])], to: k[2], properties: ["w": .int(9)])
                relations.insert(k)
            case 1: #expect(try !tx.deleteRelation(from: k[0], type: Self.types[Int(k[1])], to: k[2]))
            default: break
            }
        case 7:  // create a relation and delete it in the same transaction
            guard let a = liveNode(), let b = liveNode() else { return }
            let type = next(2)
            guard !relations.contains(key(a, type, b)) else { return }
            try tx.upsertRelation(from: a, type: Self.types[type], to: b)
            try tx.deleteRelation(from: a, type: Self.types[type], to: b)
        default:  // delete a node with its relations
            guard let nid = live[id] else { return }
            for k in relations where k[0] == nid || k[2] == nid {
                try tx.deleteRelation(from: k[0], type: Self.types[Int(k[1])], to: k[2])
                relations.remove(k)
            }
            try tx.deleteNode(nid)
            live[id] = nil
        }
    }
}

/// The graph at one transaction, read in full from the history: the oracle for `PastState`.
struct MaterialisedState {
    var nodes: [NodeID: StoredNode] = [:]
    var adjacency: [String] = []

    init(_ tx: GraphTransaction, asOf txn: TransactionNumber) throws {
        try tx.forEachNode(asOf: txn) { node in
            nodes[node.nid] = node
            return true
        }
        try tx.forEachRelation(asOf: txn) { rel in
            adjacency.append("\(rel.from) out \(rel.type) \(rel.to)")
            adjacency.append("\(rel.to) in \(rel.type) \(rel.from)")
            return true
        }
        adjacency.sort()
    }
}

struct PastStateTests {
    /// Compares `PastState` with the materialised state at every transaction, reading the changes since up front,
    /// never, and only for the last few transactions.
    static func compareAtEveryTransaction(_ store: GraphStore, upTo last: TransactionNumber) throws {
        try store.read { tx in
            let upper = try tx.nodeIDUpperBound
            for txn in 0...last {
                let oracle = try MaterialisedState(tx, asOf: txn)
                for limit in [PastState.deltaLimit, 0, 6] {
                    let past = try PastState(tx, asOf: txn, deltaLimit: limit)
                    defer { past.close() }
                    let where_ = "at tx \(txn), up-front limit \(limit)"
                    for nid in 1..<upper {
                        #expect(try past.node(nid) == oracle.nodes[nid], "node \(nid) \(where_)")
                    }
                    for id in GeneratedHistory.ids + ["seed", "nope"] {
                        let expected = oracle.nodes.values.first { $0.externalID == id }?.nid
                        #expect(try past.nodeID(externalID: id) == expected, "id \(id) \(where_)")
                    }
                    for label in [nil, "Z"] + GeneratedHistory.labels.map(Optional.some) {
                        var scanned: [NodeID] = []
                        try past.forEachNodeID(label: label) { scanned.append($0); return true }
                        let expected = oracle.nodes.values.filter { label == nil || $0.label == label }.map(\.nid).sorted()
                        #expect(scanned == expected, "scan of \(label ?? "all") \(where_)")
                        #expect(try past.nodeCount(label: label) == expected.count, "count of \(label ?? "all") \(where_)")
                    }
                    var firstTwo: [NodeID] = []
                    try past.forEachNodeID(label: nil) { firstTwo.append($0); return firstTwo.count < 2 }
                    #expect(firstTwo == Array(oracle.nodes.keys.sorted().prefix(2)), "a scan stopped early \(where_)")
                    let counts = try past.countsByLabelAndStatus().map { "\($0.label ?? "-") \($0.status) \($0.count)" }.sorted()
                    var expectedCounts: [String: Int] = [:]
                    for node in oracle.nodes.values {
                        var status = ""
                        if case .string(let s)? = node.properties["status"] { status = s }
                        expectedCounts["\(node.label ?? "-") \(status)", default: 0] += 1
                    }
                    #expect(counts == expectedCounts.map { "\($0.key) \($0.value)" }.sorted(), "counts \(where_)")
                    for v in 0..<5 {
                        let expected = oracle.nodes.values.filter { $0.properties["v"] == .int(Int64(v)) }.map(\.nid).sorted()
                        #expect(try past.nodeIDs(property: "v", equalTo: .int(Int64(v)))?.sorted() == expected, "v = \(v) \(where_)")
                    }
                    #expect(try past.nodeIDs(property: "w", equalTo: .int(1)) == nil, "not indexed \(where_)")
                    var adjacency: [String] = []
                    for nid in 1..<upper {
                        for direction in Direction.allCases {
                            try past.forEachRelation(of: nid, direction: direction) { type, other in
                                adjacency.append("\(nid) \(direction == .outgoing ? "out" : "in") \(try tx.relationTypeName(type)) \(other)")
                            }
                        }
                    }
                    #expect(adjacency.sorted() == oracle.adjacency, "adjacency \(where_)")
                }
            }
        }
    }

    @Test("the lazy past equals the materialised past at every transaction of generated histories", arguments: [1, 2, 3] as [UInt64])
    func equivalence(seed: UInt64) throws {
        let t = try TestStore()
        var history = GeneratedHistory(seed: seed)
        try history.write(t.store, transactions: 40)
        try Self.compareAtEveryTransaction(t.store, upTo: history.transactions + 1)
    }

    /// Every `relgone` entry, as text.
    static func deletionIndex(_ store: GraphStore) throws -> [String] {
        try store.entries(of: \.relgone) { "\($0) \($1)" }
    }

    @Test("a format-1 database: read-only opens derive deletions from relhist; a writable open builds relgone")
    func migration() throws {
        let t = try TestStore()
        var history = GeneratedHistory(seed: 7)
        try history.write(t.store, transactions: 40)
        let written = try Self.deletionIndex(t.store)
        #expect(!written.isEmpty, "the history deleted no relation: the test proves nothing")
        // What a format-1 cmdb wrote: no `relgone`, no `bystatus`.
        try t.store.recordFormat(1, dropping: [t.store.dbs.relgone, t.store.dbs.bystatus])

        let readOnly = try GraphStore.open(at: t.directory, readOnly: true)
        #expect(!readOnly.dbs.hasRelationDeletions)
        #expect(!readOnly.dbs.hasStatusIndex)
        try Self.compareAtEveryTransaction(readOnly, upTo: history.transactions)
        #expect(try readOnly.read { tx in try tx.metadata("format") } == [0, 0, 0, 1], "a read-only open wrote")

        let migrated = try GraphStore.open(at: t.directory)
        #expect(migrated.dbs.hasRelationDeletions)
        #expect(try migrated.read { tx in try tx.metadata("format") } == [0, 0, 0, 3])
        #expect(try StatusIndexTests.entries(migrated) == StatusIndexTests.expected(migrated), "the status index too")
        // The rebuilt index is checked by what it answers (below); its bytes differ from the index written
        // as the deletions happened (not yet explained: see the hand-over report).
        #expect(try !Self.deletionIndex(migrated).isEmpty)
        try Self.compareAtEveryTransaction(migrated, upTo: history.transactions)
        // Opening again changes nothing.
        let rebuilt = try Self.deletionIndex(migrated)
        let again = try GraphStore.open(at: t.directory)
        #expect(try Self.deletionIndex(again) == rebuilt)
    }
}
