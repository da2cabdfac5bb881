/// A set of node ids whose memory grows with what it holds, not with the database: traversals that touch a
/// hundred CIs of a million pay for a hundred (open addressing, linear probing, doubling at 50% load). When the
/// ids it holds are dense enough that a bitmap up to the largest of them is no bigger than the table would
/// grow to, it becomes that bitmap (a closure of half the database probes 128 KiB that stay in cache instead
/// of a table of megabytes); ids far beyond the bitmap go to a small side set.
package struct NodeIDSet {
    @usableFromInline static let empty = UInt64.max
    /// Hash slots, or the words of the bitmap when `isBitmap`.
    @usableFromInline var keys: [UInt64]
    @usableFromInline var shift: UInt64
    @usableFromInline package private(set) var count = 0
    @usableFromInline package private(set) var isBitmap = false
    /// The largest id in the table (hash mode): how big a bitmap would be.
    @usableFromInline var largest: UInt64 = 0
    /// Bitmap mode: ids far past the bitmap's end (not expected from one snapshot, but never a huge bitmap).
    @usableFromInline var far: Set<UInt64> = []

    /// An empty set with room for `capacity` ids before it grows.
    package init(capacity: Int = 8) {
        var bits: UInt64 = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        keys = [UInt64](repeating: Self.empty, count: 1 << Int(bits))
        shift = 64 - bits
    }

    /// Empties the set. A table of up to `keptCapacity` slots is cleared in place and used again (a traversal
    /// per statement then allocates nothing); a bigger one, or a bitmap, is let go for a small table.
    package mutating func removeAll(keptCapacity: Int = 1024) {
        if !isBitmap, keys.count <= keptCapacity {
            if count > 0 {
                for i in keys.indices { keys[i] = Self.empty }
            }
        } else {
            self = NodeIDSet()
            return
        }
        count = 0
        largest = 0
        far = []
    }

    @inlinable @inline(__always) func home(_ nid: NodeID) -> Int {
        Int(truncatingIfNeeded: (nid &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Whether `nid` is in the set.
    @inlinable package func contains(_ nid: NodeID) -> Bool {
        if isBitmap {
            let word = Int(truncatingIfNeeded: nid >> 6)
            if nid >> 6 >= UInt64(keys.count) { return far.contains(nid) }
            return keys[word] & (1 << (nid & 63)) != 0
        }
        let mask = keys.count - 1
        var i = home(nid)
        while true {
            let k = keys[i]
            if k == nid { return true }
            if k == Self.empty { return false }
            i = (i + 1) & mask
        }
    }

    /// Adds `nid`; returns whether it was new.
    @inlinable package mutating func insert(_ nid: NodeID) -> Bool {
        if isBitmap {
            if nid >> 6 >= UInt64(keys.count) { return insertPastBitmap(nid) }
            let word = Int(truncatingIfNeeded: nid >> 6)
            let bit: UInt64 = 1 << (nid & 63)
            if keys[word] & bit != 0 { return false }
            keys[word] |= bit
            count += 1
            return true
        }
        if (count + 1) * 2 > keys.count {
            grow()
            if isBitmap { return insert(nid) }
        }
        let mask = keys.count - 1
        var i = home(nid)
        while true {
            let k = keys[i]
            if k == nid { return false }
            if k == Self.empty {
                keys[i] = nid
                count += 1
                if nid > largest { largest = nid }
                return true
            }
            i = (i + 1) & mask
        }
    }

    @usableFromInline mutating func grow() {
        // A bitmap up to the largest id no bigger than the doubled table (and not tiny): use it instead.
        if count >= 1024, largest >> 6 < UInt64(keys.count * 2) {
            becomeBitmap()
            return
        }
        let old = keys
        keys = [UInt64](repeating: Self.empty, count: old.count * 2)
        shift -= 1
        let mask = keys.count - 1
        for k in old where k != Self.empty {
            var i = home(k)
            while keys[i] != Self.empty { i = (i + 1) & mask }
            keys[i] = k
        }
    }

    @usableFromInline mutating func becomeBitmap() {
        let old = keys
        keys = [UInt64](repeating: 0, count: Int(largest >> 6) + 1)
        isBitmap = true
        for k in old where k != Self.empty { keys[Int(k >> 6)] |= 1 << (k & 63) }
    }

    /// Bitmap mode, an id past its end: the bitmap doubles when the id is near, else the id goes to `far`.
    @usableFromInline mutating func insertPastBitmap(_ nid: NodeID) -> Bool {
        let word = nid >> 6
        if word < UInt64(keys.count) * 2 {
            let grown = Int(word) + 1
            keys += [UInt64](repeating: 0, count: max(grown, keys.count * 2) - keys.count)
            // Ids kept in `far` that the bitmap now covers move into it.
            for k in far where k >> 6 < UInt64(keys.count) {
                keys[Int(k >> 6)] |= 1 << (k & 63)
                far.remove(k)
            }
            return insert(nid)
        }
        guard far.insert(nid).inserted else { return false }
        count += 1
        return true
    }
}

/// Breadth-first expansion a level at a time, each level de-duplicated against everything reached before and
/// sorted by node id before it is expanded, so successive adjacency seeks run in key order and mostly stay on
/// the cursor's current page (the C floor's trick). Shared by impact closures and CIQL's pruning
/// variable-length expansion.
///
/// Memory is proportional to the nodes reached: a visited set and one entry per reached node (two with parents).
package struct LevelExpansion {
    /// Every reached node in discovery order, starts first, each level sorted by node id.
    package private(set) var nodes: [NodeID] = []
    /// For each of `nodes`, the index in `nodes` of the node it was reached from (-1 for a start); empty when
    /// the expansion was made without parents.
    package private(set) var parents: [Int32] = []
    /// The indices in `nodes` of the level expanded next (sorted by node id).
    package private(set) var level: Range<Int> = 0..<0
    /// The distance of `level` from the starts.
    package private(set) var depth = 0
    package private(set) var visited = NodeIDSet()
    /// Whether `parents` is kept (for paths); without it a level sorts as plain integers.
    package let recordsParents: Bool

    /// Starts at `starts` in the order given (duplicates dropped), depth 0; the levels after it are sorted.
    package init(starts: some Sequence<NodeID>, recordsParents: Bool = true) {
        self.recordsParents = recordsParents
        for nid in starts where visited.insert(nid) {
            nodes.append(nid)
            if recordsParents { parents.append(-1) }
        }
        level = 0..<nodes.count
    }

    /// Starts again at `starts`, as `init(starts:recordsParents:)` would, keeping the memory of a small expansion.
    package mutating func restart(from starts: some Sequence<NodeID>) {
        nodes.removeAll(keepingCapacity: nodes.count <= 4096)
        parents.removeAll(keepingCapacity: parents.count <= 4096)
        visited.removeAll()
        depth = 0
        for nid in starts where visited.insert(nid) {
            nodes.append(nid)
            if recordsParents { parents.append(-1) }
        }
        level = 0..<nodes.count
    }

    /// Marks `nid` reached without making it part of a level (e.g. a start to be found again by a cycle).
    package mutating func markVisited(_ nid: NodeID) -> Bool { visited.insert(nid) }

    private mutating func sortLevel() {
        guard level.count > 1 else { return }
        guard recordsParents else {
            nodes[level].sort()
            return
        }
        var pairs = zip(nodes[level], parents[level]).map { (node: $0, parent: $1) }
        pairs.sort { $0.node < $1.node }
        for (i, pair) in zip(level, pairs) {
            nodes[i] = pair.node
            parents[i] = pair.parent
        }
    }

    /// Expands the current level: `neighbours(node, index, reach)` is called for each node of the level in id
    /// order (`index` is its place in `nodes`) and calls `reach(other)` for each node one step away; nodes
    /// not reached before (and admitted by `admits`, asked once per node) form the next level.
    /// - Returns: whether the next level has any node.
    package mutating func advance(
        admits: ((NodeID) throws -> Bool)? = nil,
        _ neighbours: (_ node: NodeID, _ index: Int, _ reach: (NodeID) throws -> Void) throws -> Void
    ) throws -> Bool {
        let current = level
        let levelStart = nodes.count
        let records = recordsParents
        for index in current {
            let parent = Int32(truncatingIfNeeded: index)
            try neighbours(nodes[index], index) { other in
                guard visited.insert(other) else { return }
                if let admits, try !admits(other) { return }
                nodes.append(other)
                if records { parents.append(parent) }
            }
        }
        level = levelStart..<nodes.count
        depth += 1
        sortLevel()
        return !level.isEmpty
    }
}
