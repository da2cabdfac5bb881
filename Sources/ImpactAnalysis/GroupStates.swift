/// The redundancy state of every (CI, group or quorum type) an impact analysis touched: how many of that CI's
/// dependencies of the type are active, and how many of them have passed on impact so far.
///
/// Each member's impact is counted as the member passes it on, so a group with many members costs one read of its
/// members, not one per member. Members pass their level on at most once per level (degraded, then down), and
/// each pass is counted against the level that member passed before, so the counts are exact at the fixpoint.
/// A state is created pending when impact first reaches its CI across the type, and resolved (its active members
/// counted) when that CI's own relations are read in its next round; until then it gives degraded, which is no
/// more than it will give (a member passed impact on), so the fixpoint is the same.
struct GroupStates {
    static let none: Int32 = -1

    private struct State {
        var typeID: UInt16
        /// Whether the type has quorum redundancy (else group).
        var isQuorum = false
        /// The next state of the same CI, or `none`.
        var next: Int32
        /// Active dependencies of the type (withdrawn and disposed ones do not count); -1 while pending.
        var total: Int32 = -1
        /// Members that have passed on at least degraded / down.
        var impacted: Int32 = 0
        var down: Int32 = 0
        var quorum = 0
    }

    /// Per slot: the first state of that CI, or `none`; states of one CI are chained through `next`.
    private var head: [Int32] = []
    private var states: [State] = []

    /// The state of (`slot`, `type`), or `none`.
    func state(_ slot: UInt32, type: UInt16) -> Int32 {
        var s = Int(slot) < head.count ? head[Int(slot)] : Self.none
        while s != Self.none {
            let state = states[Int(s)]
            if state.typeID == type { return s }
            s = state.next
        }
        return s
    }

    /// A new, pending state for (`slot`, `type`).
    mutating func add(_ slot: UInt32, type: UInt16, isQuorum: Bool) -> Int32 {
        if head.count <= Int(slot) { head += repeatElement(Self.none, count: Int(slot) + 1 - head.count) }
        let s = Int32(states.count)
        states.append(State(typeID: type, isQuorum: isQuorum, next: head[Int(slot)]))
        head[Int(slot)] = s
        return s
    }

    func isPending(_ s: Int32) -> Bool { states[Int(s)].total < 0 }

    /// Whether a state of `slot` is pending.
    func hasPending(_ slot: UInt32) -> Bool {
        var s = Int(slot) < head.count ? head[Int(slot)] : Self.none
        while s != Self.none {
            if states[Int(s)].total < 0 { return true }
            s = states[Int(s)].next
        }
        return false
    }

    /// Calls `body` with every pending state of `slot`, its type, and whether it is a quorum type.
    func forEachPending(_ slot: UInt32, _ body: (Int32, UInt16, Bool) throws -> Void) rethrows {
        var s = Int(slot) < head.count ? head[Int(slot)] : Self.none
        while s != Self.none {
            let state = states[Int(s)]
            if state.total < 0 { try body(s, state.typeID, state.isQuorum) }
            s = state.next
        }
    }

    /// Starts counting the active members of a pending state (`addActiveMember` counts them).
    mutating func resolve(_ s: Int32, quorum: Int) {
        states[Int(s)].total = 0
        states[Int(s)].quorum = quorum
    }

    mutating func addActiveMember(_ s: Int32) { states[Int(s)].total += 1 }

    /// Counts a member passing on `level` that passed on `previous` before (0: nothing yet); returns the level
    /// the members now give their CI.
    mutating func pass(_ s: Int32, level: UInt8, previous: UInt8) -> UInt8 {
        let i = Int(s)
        if previous < ImpactFixpoint.degradedLevel && level >= ImpactFixpoint.degradedLevel { states[i].impacted += 1 }
        if previous < ImpactFixpoint.downLevel && level >= ImpactFixpoint.downLevel { states[i].down += 1 }
        return self.level(s)
    }

    /// The level the members give their CI: nothing until one is impacted; for a quorum type down when fewer
    /// than the quorum are left up (a degraded member is still up), for a group type down when all are down;
    /// else degraded.
    func level(_ s: Int32) -> UInt8 {
        let state = states[Int(s)]
        if state.impacted == 0 { return 0 }
        if state.total < 0 { return ImpactFixpoint.degradedLevel }
        let lost = state.isQuorum ? Int(state.total - state.down) < state.quorum : state.down >= state.total
        return lost ? ImpactFixpoint.downLevel : ImpactFixpoint.degradedLevel
    }

    /// Whether some member passed on down (false only for a quorum type whose CI had fewer active members than
    /// its quorum to begin with, which a degraded member takes down).
    func hasDownMember(_ s: Int32) -> Bool { states[Int(s)].down > 0 }
}
