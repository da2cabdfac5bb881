import Testing
@testable import GraphStorage

/// The traversal reads: both directions of a node with one seek must give exactly what two one-direction scans
/// give, for nodes with relations one way, both ways, none, thousands (duplicates over several pages), and the
/// first and last node ids in the store.
struct AdjacencyCursorTests {
    @Test func bothDirectionsAtOnceEqualTheTwoScans() throws {
        let t = try TestStore()
        var ids: [NodeID] = []
        try t.store.write(TestStore.change) { tx in
            for i in 0..<60 { ids.append(try tx.upsertNode(externalID: "n\(i)", label: "Thing", properties: [:]).nid) }
            var hubs: [NodeID] = []
            for i in 0..<2_500 { hubs.append(try tx.upsertNode(externalID: "h\(i)", label: "Thing", properties: [:]).nid) }
            // n0: nothing. n1: only outgoing. n2: only incoming. n3..: both, two types, self-loops on some.
            _ = try tx.upsertRelation(from: ids[1], type: "USES", to: ids[5])
            _ = try tx.upsertRelation(from: ids[7], type: "USES", to: ids[2])
            for i in 3..<59 {
                _ = try tx.upsertRelation(from: ids[i], type: "USES", to: ids[i + 1])
                _ = try tx.upsertRelation(from: ids[i + 1], type: "RUNS_ON", to: ids[i])
                if i % 5 == 0 { _ = try tx.upsertRelation(from: ids[i], type: "DEPENDS_ON", to: ids[i]) }
            }
            // n10 depends on 2,500 hubs and 2,500 hubs depend on n11: duplicates over many pages both ways.
            for h in hubs {
                _ = try tx.upsertRelation(from: ids[10], type: "DEPENDS_ON", to: h)
                _ = try tx.upsertRelation(from: h, type: "USES", to: ids[11])
            }
            // The last node id: incoming only.
            _ = try tx.upsertRelation(from: ids[12], type: "USES", to: hubs[hubs.count - 1])
            ids += hubs
        }
        try t.store.read { tx in
            try tx.withAdjacencyCursor { cursor in
                for nid in ids + [0, ids.max()! + 1] {
                    var expected: [String] = []
                    for direction in [Direction.outgoing, .incoming] {
                        try cursor.forEach(of: nid, direction: direction) { expected.append("\(direction) \($0) \($1)") }
                    }
                    var got: [String] = []
                    try cursor.forEachInBothDirections(of: nid) { got.append("\($0) \($1) \($2)") }
                    #expect(got == expected, "node \(nid)")
                }
            }
        }
    }

    @Test func aStringPropertyIsComparedInPlace() throws {
        let t = try TestStore()
        var ids: [NodeID] = []
        try t.store.write(TestStore.change) { tx in
            let long = String(repeating: "withdrawn", count: 40)
            let records: [Properties] = [
                ["status": .string("withdrawn")], ["status": .string("live"), "a": .int(3)], ["a": .int(1)],
                ["status": .int(7)], ["name": .string("x"), "status": .string("disposed")], ["status": .string(long)],
                ["status": .string("withdraw")]]
            for (i, p) in records.enumerated() {
                ids.append(try tx.upsertNode(externalID: "n\(i)", label: "Thing", properties: p).nid)
            }
        }
        let candidates = [Array("disposed".utf8), Array("withdrawn".utf8)]
        let got = try t.store.read { tx in
            try tx.withPropertyReader(tx.propertyKey("status")) { reader in
                try (ids + [9_999]).map { try reader.string(of: $0, isOneOf: candidates) }
            }
        }
        #expect(got == [true, false, false, false, true, false, false, false])
        let unknownKey = try t.store.read { tx in
            try tx.withPropertyReader(tx.propertyKey("no-such-key")) { try $0.string(of: ids[0], isOneOf: candidates) }
        }
        #expect(!unknownKey)
    }
}
