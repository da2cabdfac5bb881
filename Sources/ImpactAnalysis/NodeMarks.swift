import GraphStorage

/// Per-node scratch state for one impact analysis: a slot and flag bits per node it touched.
///
/// A hash table (open addressing, linear probing) sized by the nodes the analysis touches, not by the
/// database: an analysis that reaches a hundred CIs of a million allocates for a hundred. When it touches more
/// than a sixteenth of the node ids it moves to an array indexed by node id (8 bytes per id), which by then
/// costs no more than the table and is faster to probe. A node's slot and flags share one word, next to its key
/// in the table, so a lookup touches one cache line.
struct NodeMarks {
    private static let empty = UInt64.max
    /// The word of a node with no slot and no flags.
    private static let blank = UInt64(noSlot)
    /// Hash mode: key, word, key, word… Dense mode: the word of each node id.
    private var table: [UInt64]
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
        table = Self.emptyTable(1 << Int(bits))
        shift = 64 - bits
    }

    private static func emptyTable(_ capacity: Int) -> [UInt64] {
        var t = [UInt64](repeating: blank, count: capacity * 2)
        for i in stride(from: 0, to: t.count, by: 2) { t[i] = empty }
        return t
    }

    @inline(__always) private func home(_ nid: NodeID) -> Int {
        Int(truncatingIfNeeded: (nid &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Hash mode: the entry index of `nid`, or of the empty place where it would go.
    @inline(__always) private func find(_ nid: NodeID) -> Int {
        let mask = table.count / 2 - 1
        var i = home(nid)
        while true {
            let k = table[2 * i]
            if k == nid || k == Self.empty { return i }
            i = (i + 1) & mask
        }
    }

    /// The word of `nid` (`blank` when untouched).
    @inline(__always) private func word(_ nid: NodeID) -> UInt64 {
        if dense { return Int(nid) < table.count ? table[Int(nid)] : Self.blank }
        let i = find(nid)
        return table[2 * i] == nid ? table[2 * i + 1] : Self.blank
    }

    /// The index in `table` of the word of `nid`, adding it (no slot, no flags) when absent.
    private mutating func place(_ nid: NodeID) -> Int {
        if dense {
            let i = Int(nid)
            if i >= table.count { table += [UInt64](repeating: Self.blank, count: i + 1 - table.count) }
            return i
        }
        if count >= 1 << 16, UInt64(count) * 16 > upperBound {
            becomeDense()
            return place(nid)
        }
        var i = find(nid)
        if table[2 * i] == nid { return 2 * i + 1 }
        if (count + 1) * 2 > table.count / 2 {
            grow()
            i = find(nid)
        }
        table[2 * i] = nid
        table[2 * i + 1] = Self.blank
        count += 1
        return 2 * i + 1
    }

    private mutating func grow() {
        let old = table
        table = Self.emptyTable(old.count)
        shift -= 1
        for j in stride(from: 0, to: old.count, by: 2) where old[j] != Self.empty {
            let i = find(old[j])
            table[2 * i] = old[j]
            table[2 * i + 1] = old[j + 1]
        }
    }

    private mutating func becomeDense() {
        var words = [UInt64](repeating: Self.blank, count: Int(clamping: upperBound))
        for j in stride(from: 0, to: table.count, by: 2) where table[j] != Self.empty {
            let i = Int(table[j])
            if i >= words.count { words += [UInt64](repeating: Self.blank, count: i + 1 - words.count) }
            words[i] = table[j + 1]
        }
        (table, dense) = (words, true)
    }

    /// The slot recorded for `nid` in this traversal (or `noSlot`) and its flags (0 when none), in one probe.
    @inline(__always) func lookup(_ nid: NodeID) -> (slot: UInt32, flags: UInt8) {
        let w = word(nid)
        return (UInt32(truncatingIfNeeded: w), UInt8(truncatingIfNeeded: w >> 32))
    }

    /// The slot recorded for `nid` in this traversal, or `noSlot`.
    func slot(_ nid: NodeID) -> UInt32 { lookup(nid).slot }

    /// The flags recorded for `nid` in this traversal (0 when none).
    func flags(_ nid: NodeID) -> UInt8 { lookup(nid).flags }

    mutating func setSlot(_ nid: NodeID, _ slot: UInt32) {
        let i = place(nid)
        table[i] = table[i] & ~UInt64(UInt32.max) | UInt64(slot)
    }

    mutating func addFlags(_ nid: NodeID, _ bits: UInt8) {
        table[place(nid)] |= UInt64(bits) << 32
    }
}
