/// The redundancy state of every (CI, group or quorum type) an impact analysis touched: how many of that CI's
/// dependencies of the type are active, and how many of them have passed on impact so far.
///
/// A CI's dependencies of one type are read once, when impact first reaches it across that type; after that each
/// member's impact is counted as the member passes it on, so a group with many members costs one read, not one
/// per member. Members pass their level on at most once per level (degraded, then down), and each pass is counted
/// against the level that member passed before, so the counts are exact at the fixpoint.
struct GroupStates {
    static let none: Int32 = -1

    /// Per slot: the first state of that CI, or `none`; states of one CI are chained through `next`.
    private var head: [Int32] = []
    private var typeID: [UInt16] = []
    private var next: [Int32] = []
    /// Active dependencies of the type (withdrawn and disposed ones do not count).
    private(set) var total: [Int32] = []
    /// Members that have passed on at least degraded / down.
    private var impacted: [Int32] = []
    private var down: [Int32] = []
    /// The quorum for a quorum type, nil for a group type.
    private var quorum: [Int?] = []

    /// Makes room for the state of slots up to `slot`.
    mutating func addSlot(_ slot: UInt32) {
        while head.count <= Int(slot) { head.append(Self.none) }
    }

    /// The state of (`slot`, `type`), or `none`.
    func state(_ slot: UInt32, type: UInt16) -> Int32 {
        var s = Int(slot) < head.count ? head[Int(slot)] : Self.none
        while s != Self.none && typeID[Int(s)] != type { s = next[Int(s)] }
        return s
    }

    /// A new state for (`slot`, `type`) whose members are not counted yet.
    mutating func add(_ slot: UInt32, type: UInt16) -> Int32 {
        addSlot(slot)
        let s = Int32(typeID.count)
        typeID.append(type)
        next.append(head[Int(slot)])
        head[Int(slot)] = s
        total.append(0)
        impacted.append(0)
        down.append(0)
        quorum.append(nil)
        return s
    }

    mutating func setMembers(_ s: Int32, active: Int, quorum q: Int?) {
        total[Int(s)] = Int32(clamping: active)
        quorum[Int(s)] = q
    }

    /// Counts a member passing on `level` that passed on `previous` before (0: nothing yet).
    mutating func count(_ s: Int32, level: UInt8, previous: UInt8) {
        if previous < ImpactFixpoint.degradedLevel && level >= ImpactFixpoint.degradedLevel { impacted[Int(s)] += 1 }
        if previous < ImpactFixpoint.downLevel && level >= ImpactFixpoint.downLevel { down[Int(s)] += 1 }
    }

    /// The level the members give their CI: nothing until one is impacted; for a quorum type down when fewer
    /// than the quorum are left up (a degraded member is still up), for a group type down when all are down;
    /// else degraded.
    func level(_ s: Int32) -> UInt8 {
        let i = Int(s)
        if impacted[i] == 0 { return 0 }
        let lost: Bool
        if let q = quorum[i] { lost = Int(total[i] - down[i]) < q } else { lost = down[i] >= total[i] }
        return lost ? ImpactFixpoint.downLevel : ImpactFixpoint.degradedLevel
    }

    /// Whether some member passed on down (false only for a quorum type whose CI had fewer active members than
    /// its quorum to begin with, which a degraded member takes down).
    func hasDownMember(_ s: Int32) -> Bool { down[Int(s)] > 0 }
}
