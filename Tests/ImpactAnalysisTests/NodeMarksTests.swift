@testable import ImpactAnalysis
import GraphStorage
import Testing
import TestSupport

/// The impact analysis's scratch: a hash table while it touches few CIs, arrays by node id past a sixteenth of
/// the ids; both must answer the same.
struct NodeMarksTests {
    @Test(arguments: [1_000, 70_000])
    func slotsAndFlagsSurviveGrowthAndTheMoveToArrays(touched: Int) {
        let upperBound: NodeID = 1_000_000
        var marks = NodeMarks(upperBound: upperBound)
        // Spread-out ids (a stride prime to the table sizes), so probing and growth are exercised.
        let ids = (0..<touched).map { NodeID(($0 * 7_919) % Int(upperBound)) }
        for (i, nid) in ids.enumerated() {
            marks.setSlot(nid, UInt32(i))
            if i % 3 == 0 { marks.addFlags(nid, NodeMarks.statusKnown) }
        }
        for (i, nid) in ids.enumerated() {
            #expect(marks.slot(nid) == UInt32(i))
            #expect(marks.flags(nid) == (i % 3 == 0 ? NodeMarks.statusKnown : 0))
        }
        // Ids never touched have no slot and no flags; a flag alone leaves the slot empty.
        #expect(marks.slot(upperBound - 3) == NodeMarks.noSlot)
        #expect(marks.flags(upperBound - 3) == 0)
        marks.addFlags(upperBound - 3, NodeMarks.inactive)
        #expect(marks.slot(upperBound - 3) == NodeMarks.noSlot)
        #expect(marks.flags(upperBound - 3) == NodeMarks.inactive)
        // An id at or past the bound (not expected from one snapshot) is still kept, not a crash.
        marks.setSlot(upperBound + 5, 42)
        #expect(marks.slot(upperBound + 5) == 42)
    }
}

/// The shared level expansion and its visited set.
struct LevelExpansionTests {
    @Test func nodeIDSetHoldsWhatWasInserted() {
        var set = NodeIDSet()
        var allNew = true
        for i in stride(from: 0, to: 200_000, by: 3) where !set.insert(NodeID(i)) { allNew = false }
        #expect(allNew)
        let again = set.insert(3)
        #expect(!again)
        #expect(set.count == 66_667)
        #expect(set.contains(199_998))
        #expect(!set.contains(199_999))
    }

    @Test func nodeIDSetAgreesWithSetThroughTheMoveToABitmap() {
        // Dense ids (a closure over half a database) turn the table into a bitmap; ids far past it, and then ids
        // just past its end, must still be kept exactly once.
        var set = NodeIDSet()
        var reference = Set<NodeID>()
        var ids = (0..<50_000).map { NodeID(($0 * 7_919) % 60_000) }
        ids += [1 << 40, 1 << 40, 70_000, 60_001, 1 << 40 | 5, 200_000, 130_000, 130_001]
        for nid in ids {
            let new = set.insert(nid)
            #expect(new == reference.insert(nid).inserted, "insert \(nid)")
        }
        #expect(set.isBitmap)
        #expect(set.count == reference.count)
        for nid in ids { #expect(set.contains(nid)) }
        for nid: NodeID in [59_999 + 1_000_000, 60_002, 1 << 40 | 6, 129_999] {
            #expect(set.contains(nid) == reference.contains(nid))
        }
        // Few spread-out ids stay a hash table.
        var sparse = NodeIDSet()
        for i in 0..<5_000 { _ = sparse.insert(NodeID(i) * 1_000_003) }
        #expect(!sparse.isBitmap)
        #expect(sparse.count == 5_000 && sparse.contains(4_999 * 1_000_003) && !sparse.contains(7))
    }

    @Test func anEmptiedSetHoldsNothingOfBefore() {
        // A small table is cleared in place; a bitmap is let go: either way nothing of before is left.
        for size in [10, 300, 50_000] {
            var set = NodeIDSet()
            for i in 0..<size { _ = set.insert(NodeID(i * 3)) }
            set.removeAll()
            #expect(set.count == 0 && !set.contains(0) && !set.contains(NodeID(size / 2 * 3)), "size \(size)")
            #expect(set.insert(3) && !set.insert(3) && set.count == 1 && !set.isBitmap)
        }
    }

    @Test func aRestartedExpansionIsANewOne() throws {
        let edges: [NodeID: [NodeID]] = [1: [5, 3], 5: [2, 3], 3: [2, 4], 2: [1], 7: [4, 8]]
        func run(_ expansion: inout LevelExpansion) throws -> [NodeID] {
            while try expansion.advance({ node, _, reach in for other in edges[node] ?? [] { try reach(other) } }) {}
            return expansion.nodes
        }
        var expansion = LevelExpansion(starts: [1], recordsParents: false)
        #expect(try run(&expansion) == [1, 3, 5, 2, 4])
        expansion.restart(from: [7])
        #expect(expansion.depth == 0 && expansion.level == 0..<1)
        #expect(try run(&expansion) == [7, 4, 8], "4 was reached before the restart, and is reached again")
        var fresh = LevelExpansion(starts: [7], recordsParents: false)
        #expect(try run(&fresh) == expansion.nodes)
    }

    @Test func levelsAreDeduplicatedAndSortedByNodeID() throws {
        // 1 → 5, 3; 5 → 2, 3; 3 → 2, 4; 2 → 1 (a cycle back to the start).
        let edges: [NodeID: [NodeID]] = [1: [5, 3], 5: [2, 3], 3: [2, 4], 2: [1]]
        var expansion = LevelExpansion(starts: [1])
        var levels: [[NodeID]] = []
        while try expansion.advance({ node, _, reach in for other in edges[node] ?? [] { try reach(other) } }) {
            levels.append(expansion.level.map { expansion.nodes[$0] })
        }
        #expect(levels == [[3, 5], [2, 4]])
        #expect(expansion.depth == 3)
        // Parents follow their nodes through the sort: 3 and 5 from 1, 2 from 3 (the lower id expanded first).
        #expect(zip(expansion.nodes, expansion.parents).map { [$0, NodeID(expansion.nodes[max(0, Int($1))])] }
            == [[1, 1], [3, 1], [5, 1], [2, 3], [4, 3]])
        var plain = LevelExpansion(starts: [1], recordsParents: false)
        while try plain.advance({ node, _, reach in for other in edges[node] ?? [] { try reach(other) } }) {}
        #expect(plain.nodes == [1, 3, 5, 2, 4] && plain.parents.isEmpty)
    }
}

/// The sort that orders the analysis's rounds by node id (insertion, comparison or radix sort by size).
struct RadixSortTests {
    @Test(arguments: [0, 1, 2, 24, 25, 1_023, 1_024, 5_000, 70_000])
    func sortsByKey(count: Int) {
        var rng = SplitMix64(seed: UInt64(count) + 1)
        // Keys up to 2^48 (node ids), many duplicates; the payload shows nothing is lost or duplicated.
        let keys = (0..<count).map { _ in rng.below(3) == 0 ? UInt64(rng.below(50)) : rng.next() & ((1 << 48) - 1) }
        var items = keys.enumerated().map { (key: $0.element, payload: UInt32($0.offset)) }
        var scratch: [(key: UInt64, payload: UInt32)] = []
        RadixSort.sort(&items, scratch: &scratch) { $0.key }
        #expect(items.map(\.key) == keys.sorted())
        #expect(items.map(\.payload).sorted() == Array(0..<UInt32(count)))
        #expect(zip(items, items.dropFirst()).allSatisfy { $0.key <= $1.key })
        // The scratch is reused by the next, smaller sort.
        var again = Array(items.reversed().prefix(count / 2 + 1))
        let expected = again.map(\.key).sorted()
        RadixSort.sort(&again, scratch: &scratch) { $0.key }
        #expect(again.map(\.key) == expected)
    }
}
