import GraphStorage

/// Per-node scratch state for one impact analysis: a slot and flag bits per node it touched.
///
/// A hash table (open addressing, linear probing) sized by the nodes the analysis touches, not by the
/// database: an analysis that reaches a hundred CIs of a million allocates for a hundred. When it touches more
/// than a sixteenth of the node ids it moves to arrays indexed by node id (5 bytes per id), which by then cost
/// no more than the table and are faster to probe.
struct NodeMarks {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var slots: [UInt32]
    private var flagBits: [UInt8]
    private var shift: UInt64
    private var count = 0
    /// Node ids are below this (dense mode is sized by it).
    private let upperBound: NodeID
    private var dense = false

    static let noSlot = UInt32.max

    /// Flag bits kept per node for the current traversal.
    static let statusKnown: UInt8 = 1
    static let inactive: UInt8 = 2

    init(upperBound: NodeID) {
        self.upperBound = upperBound
        let bits: UInt64 = 6
        keys = [UInt64](repeating: Self.empty, count: 1 << Int(bits))
        slots = [UInt32](repeating: Self.noSlot, count: 1 << Int(bits))
        flagBits = [UInt8](repeating: 0, count: 1 << Int(bits))
        shift = 64 - bits
    }

    @inline(__always) private func home(_ nid: NodeID) -> Int {
        Int(truncatingIfNeeded: (nid &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The table index of `nid`, or of the empty place where it would go.
    @inline(__always) private func find(_ nid: NodeID) -> Int {
        let mask = keys.count - 1
        var i = home(nid)
        while keys[i] != nid && keys[i] != Self.empty { i = (i + 1) & mask }
        return i
    }

    /// The index of `nid`, adding it (no slot, no flags) when absent.
    private mutating func place(_ nid: NodeID) -> Int {
        if dense {
            let i = Int(nid)
            if i >= slots.count {
                slots += [UInt32](repeating: Self.noSlot, count: i + 1 - slots.count)
                flagBits += [UInt8](repeating: 0, count: i + 1 - flagBits.count)
            }
            return i
        }
        if count >= 1 << 16, UInt64(count) * 16 > upperBound {
            becomeDense()
            return place(nid)
        }
        var i = find(nid)
        if keys[i] == nid { return i }
        if (count + 1) * 2 > keys.count {
            grow()
            i = find(nid)
        }
        keys[i] = nid
        slots[i] = Self.noSlot
        flagBits[i] = 0
        count += 1
        return i
    }

    private mutating func grow() {
        let (oldKeys, oldSlots, oldFlags) = (keys, slots, flagBits)
        keys = [UInt64](repeating: Self.empty, count: oldKeys.count * 2)
        slots = [UInt32](repeating: Self.noSlot, count: oldKeys.count * 2)
        flagBits = [UInt8](repeating: 0, count: oldKeys.count * 2)
        shift -= 1
        for j in oldKeys.indices where oldKeys[j] != Self.empty {
            let i = find(oldKeys[j])
            keys[i] = oldKeys[j]
            slots[i] = oldSlots[j]
            flagBits[i] = oldFlags[j]
        }
    }

    private mutating func becomeDense() {
        let size = Int(clamping: upperBound)
        var denseSlots = [UInt32](repeating: Self.noSlot, count: size)
        var denseFlags = [UInt8](repeating: 0, count: size)
        for j in keys.indices where keys[j] != Self.empty {
            let i = Int(keys[j])
            if i >= denseSlots.count {
                denseSlots += [UInt32](repeating: Self.noSlot, count: i + 1 - denseSlots.count)
                denseFlags += [UInt8](repeating: 0, count: i + 1 - denseFlags.count)
            }
            denseSlots[i] = slots[j]
            denseFlags[i] = flagBits[j]
        }
        (slots, flagBits, keys, dense) = (denseSlots, denseFlags, [], true)
    }

    /// The slot recorded for `nid` in this traversal, or `noSlot`.
    func slot(_ nid: NodeID) -> UInt32 {
        if dense { return Int(nid) < slots.count ? slots[Int(nid)] : Self.noSlot }
        let i = find(nid)
        return keys[i] == nid ? slots[i] : Self.noSlot
    }

    /// The flags recorded for `nid` in this traversal (0 when none).
    func flags(_ nid: NodeID) -> UInt8 {
        if dense { return Int(nid) < flagBits.count ? flagBits[Int(nid)] : 0 }
        let i = find(nid)
        return keys[i] == nid ? flagBits[i] : 0
    }

    mutating func setSlot(_ nid: NodeID, _ slot: UInt32) {
        slots[place(nid)] = slot
    }

    mutating func addFlags(_ nid: NodeID, _ bits: UInt8) {
        flagBits[place(nid)] |= bits
    }
}
