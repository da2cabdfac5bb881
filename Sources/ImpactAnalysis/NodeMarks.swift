import GraphStorage

/// Dense per-node scratch state for traversals, indexed by node id and reused from one traversal to the next.
///
/// A generation stamp says which entries belong to the current traversal, so nothing is cleared between
/// traversals (the C floor of the benchmark does the same); the arrays grow with the database's node ids.
/// Memory: 9 bytes per node id ever assigned (9 MiB at a million CIs).
struct NodeMarks {
    private var stamps: [UInt32] = []
    private var slots: [UInt32] = []
    private var flags: [UInt8] = []
    private var generation: UInt32 = 0

    static let noSlot = UInt32.max

    /// Flag bits kept per node for the current traversal.
    static let statusKnown: UInt8 = 1
    static let inactive: UInt8 = 2

    /// Starts a traversal over node ids below `upperBound`: every node is unmarked afterwards.
    mutating func begin(upperBound: NodeID) {
        let needed = Int(clamping: upperBound)
        if stamps.count < needed {
            let size = max(needed, stamps.count * 2)
            stamps = [UInt32](repeating: 0, count: size)
            slots = [UInt32](repeating: 0, count: size)
            flags = [UInt8](repeating: 0, count: size)
            generation = 0
        }
        if generation == UInt32.max {
            for i in stamps.indices { stamps[i] = 0 }
            generation = 0
        }
        generation += 1
    }

    /// Whether `nid` is a node id the arrays cover (ids from a newer snapshot may not be).
    @inline(__always) func covers(_ nid: NodeID) -> Bool { nid < NodeID(stamps.count) }

    /// The slot recorded for `nid` in this traversal, or `noSlot`.
    @inline(__always) func slot(_ nid: NodeID) -> UInt32 {
        let i = Int(nid)
        return stamps[i] == generation ? slots[i] : Self.noSlot
    }

    /// The flags recorded for `nid` in this traversal (0 when none).
    @inline(__always) func flags(_ nid: NodeID) -> UInt8 {
        let i = Int(nid)
        return stamps[i] == generation ? flags[i] : 0
    }

    @inline(__always) mutating func setSlot(_ nid: NodeID, _ slot: UInt32) {
        let i = Int(nid)
        if stamps[i] != generation {
            stamps[i] = generation
            flags[i] = 0
        }
        slots[i] = slot
    }

    @inline(__always) mutating func addFlags(_ nid: NodeID, _ bits: UInt8) {
        let i = Int(nid)
        if stamps[i] != generation {
            stamps[i] = generation
            slots[i] = Self.noSlot
            flags[i] = 0
        }
        flags[i] |= bits
    }

    /// Marks `nid` with `slot` when it is not marked yet; returns whether it was new.
    @inline(__always) mutating func insert(_ nid: NodeID, slot: UInt32) -> Bool {
        let i = Int(nid)
        if stamps[i] == generation && slots[i] != Self.noSlot { return false }
        if stamps[i] != generation {
            stamps[i] = generation
            flags[i] = 0
        }
        slots[i] = slot
        return true
    }
}
