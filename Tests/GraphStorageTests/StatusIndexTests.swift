import CLMDB
import Testing
@testable import GraphStorage

/// `bystatus`, the live nodes of each status: kept in step with every write, rebuilt by the migration from an
/// older format, and absent (nil) in an older database opened read-only.
struct StatusIndexTests {
    /// Every (status, node) pair in the index, as "status nid", sorted.
    static func entries(_ store: GraphStore) throws -> [String] {
        try store.entries(of: \.bystatus) { (key, value) in
            "\(String(decoding: key, as: UTF8.self)) \(value.reduce(0) { $0 << 8 | UInt64($1) })"
        }.sorted()
    }

    /// What the index must hold: every live node whose `status` is a string that can be a key, as "status nid".
    static func expected(_ store: GraphStore) throws -> [String] {
        try store.read { tx in
            var expected: [String] = []
            try tx.forEachNode { node in
                if case .string(let s)? = node.properties["status"], !s.isEmpty, s.utf8.count <= KeyLayout.maxIndexedValueBytes {
                    expected.append("\(s) \(node.nid)")
                }
                return true
            }
            return expected.sorted()
        }
    }

    @Test("the index follows creates, status changes, deletes and re-creates", arguments: [3, 11, 29] as [UInt64])
    func followsEveryWrite(seed: UInt64) throws {
        let t = try TestStore()
        var history = GeneratedHistory(seed: seed)
        try history.write(t.store, transactions: 60)
        let expected = try Self.expected(t.store)
        #expect(expected.contains { $0.hasPrefix("retired ") } && expected.contains { $0.hasPrefix("live ") })
        #expect(try Self.entries(t.store) == expected)
        // What `contains` answers, for every node ever made and both statuses.
        try t.store.read { tx in
            try tx.withStatusIndex { index in
                let index = try #require(index)
                for status in ["live", "retired", "absent"] {
                    var listed: [String] = []
                    try index.forEachNode(status: Array(status.utf8)) { listed.append("\(status) \($0)") }
                    #expect(listed == expected.filter { $0.hasPrefix(status + " ") }.sorted {
                        UInt64($0.split(separator: " ")[1]) ?? 0 < UInt64($1.split(separator: " ")[1]) ?? 0
                    }, "\(status): in node id order")
                    #expect(try index.count(status: Array(status.utf8)) == listed.count)
                }
                for nid in NodeID(1)..<(try tx.nodeIDUpperBound) {
                    for status in ["live", "retired"] {
                        let has = try tx.storedNode(nid)?.properties["status"] == .string(status)
                        #expect(try index.contains(nid, status: Array(status.utf8)) == has, "node \(nid) \(status)")
                    }
                }
            }
        }
    }

    @Test("statuses that cannot be keys are not filed, and asking for them is a plain no")
    func unusualStatuses() throws {
        let t = try TestStore()
        let long = String(repeating: "x", count: KeyLayout.maxIndexedValueBytes + 1)
        let nids = try t.store.write(TestStore.change) { tx in
            let properties: [Properties] = [
                ["status": .string("")], ["status": .string(long)], ["status": .int(3)], [:], ["status": .string("withdrawn")],
            ]
            return try properties
                .enumerated().map { try tx.upsertNode(externalID: "n\($0.offset)", label: "A", properties: $0.element).nid }
        }
        #expect(try Self.entries(t.store) == ["withdrawn \(nids[4])"])
        try t.store.read { tx in
            try tx.withStatusIndex { index in
                let index = try #require(index)
                #expect(try !index.contains(nids[0], status: []))
                #expect(try !index.contains(nids[1], status: Array(long.utf8)))
                #expect(try index.contains(nids[4], status: Array("withdrawn".utf8)))
                #expect(try !index.contains(nids[3], status: Array("withdrawn".utf8)))
            }
        }
        // A change that leaves the status alone keeps the entry; one to a long status drops it.
        try t.store.write(TestStore.change) { tx in
            _ = try tx.upsertNode(externalID: "n4", label: "B", properties: ["status": .string("withdrawn"), "v": .int(1)])
        }
        #expect(try Self.entries(t.store) == ["withdrawn \(nids[4])"])
        try t.store.write(TestStore.change) { tx in
            _ = try tx.upsertNode(externalID: "n4", label: "B", properties: ["status": .string(long)])
        }
        #expect(try Self.entries(t.store) == [])
    }

    @Test("a format-2 database: a read-only open has no status index; a writable open builds it")
    func migration() throws {
        let t = try TestStore()
        var history = GeneratedHistory(seed: 5)
        try history.write(t.store, transactions: 40)
        let written = try Self.entries(t.store)
        #expect(!written.isEmpty)
        try t.store.recordFormat(2, dropping: [t.store.dbs.bystatus])

        let readOnly = try GraphStore.open(at: t.directory, readOnly: true)
        #expect(!readOnly.dbs.hasStatusIndex)
        #expect(readOnly.dbs.hasRelationDeletions, "format 2 has relgone")
        #expect(try readOnly.read { tx in try tx.withStatusIndex { $0 == nil } })
        #expect(try readOnly.read { tx in try tx.metadata("format") } == [0, 0, 0, 2], "a read-only open wrote")

        let migrated = try GraphStore.open(at: t.directory)
        #expect(migrated.dbs.hasStatusIndex)
        #expect(try migrated.read { tx in try tx.metadata("format") } == [0, 0, 0, 3])
        #expect(try Self.entries(migrated) == written, "the rebuilt index is the one written as the nodes changed")
        let again = try GraphStore.open(at: t.directory)
        #expect(try Self.entries(again) == written)
    }
}
