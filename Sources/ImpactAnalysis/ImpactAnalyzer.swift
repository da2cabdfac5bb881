public import ConfigurationSchema
public import GraphStorage

/// Impact analysis and dependency closures over one transaction's snapshot of the CMDB.
///
/// Every method takes the caller's `GraphTransaction`, so a query engine can call it inside the snapshot it
/// already reads (`CALL impact(…)`); results hold node ids, valid in that snapshot. Scratch memory is
/// proportional to the CIs an analysis touches, not to the database; an analyzer is not thread-safe.
///
/// The rules (see PRODUCT.md, "Impact analysis") are applied to a fixpoint:
/// - impact crosses a relation type as the schema declares: `forward` (the `from` CI depends on the `to` CI),
///   `reverse` (the `to` CI depends on the `from` CI, as a cluster on its members) or `none`;
/// - across a type without redundancy a dependency that is down makes the dependent down, a degraded one
///   makes it degraded; across a `group` type the dependent is down only when every dependency of that type
///   is down, else degraded; across a `quorum` type (a cluster) it is down when fewer than its `quorum`
///   attribute (default: the schema's default, else 1) of its members are left up, else degraded;
/// - a CI's level is the worst over its relation types;
/// - withdrawn and disposed CIs neither receive nor pass on impact, and do not count as members or
///   dependencies of a group or cluster;
/// - the targets are down by definition and are not reported as impacted.
///
/// Each impacted CI comes with its distance and one shortest path from a target that explains its level:
/// every CI on the path impacts the next one, and for a CI that is down every CI on its path is down (save
/// where the path enters a cluster that had fewer active members than its quorum to begin with: a degraded
/// member takes it down).
public final class ImpactAnalyzer {
    public let schema: Schema

    /// Statuses whose CIs neither receive nor pass on impact.
    public static let inactiveStatuses: Set<String> = ["withdrawn", "disposed"]

    public init(schema: Schema) {
        self.schema = schema
    }

    /// The CIs impacted when `targets` go down.
    ///
    /// - Parameters:
    ///   - targets: the CIs going down; unknown or deleted node ids are ignored.
    ///   - depth: report only CIs at most this many steps from a target (nil: all). The levels are those of
    ///     the whole analysis: a CI near the targets whose redundancy is lost further away is still down.
    ///   - tx: the snapshot to read.
    ///   - interrupt: called every few hundred CIs; what it throws (a time limit, a cancellation) ends the
    ///     analysis with that error.
    /// - Returns: the targets and the impacted CIs, nearest first.
    /// - Throws: `StorageError` when the store cannot be read, or what `interrupt` throws.
    /// - Complexity: O(impacted CIs × their degree), plus the members of each group or cluster they touch.
    public func analyze(
        targets: [NodeID], depth: Int? = nil, in tx: GraphTransaction, interrupt: (() throws -> Void)? = nil
    ) throws -> ImpactResult {
        let (run, starts, inactiveTargets) = try fixpoint(targets: targets, in: tx, interrupt: interrupt)
        let items = run.explainingPaths(startSlots: starts.indices.filter { !inactiveTargets.contains(starts[$0]) })
        let limited = depth.map { Self.items(items, within: $0) } ?? items
        return ImpactResult(targets: starts, inactiveTargets: inactiveTargets, items: limited)
    }

    /// The CIs impacted when `targets` go down and their levels, as `analyze` finds them but without distances or
    /// explaining paths, in no particular order: for callers that only count or filter the impacted CIs (a
    /// datacenter's impact is hundreds of thousands of CIs, and finding their paths is a second walk over them).
    ///
    /// - Returns: every impacted CI (targets excluded) once, with its level.
    /// - Throws: `StorageError` when the store cannot be read, or what `interrupt` throws.
    public func levels(
        targets: [NodeID], in tx: GraphTransaction, interrupt: (() throws -> Void)? = nil
    ) throws -> [(nid: NodeID, level: ImpactLevel)] {
        try fixpoint(targets: targets, in: tx, interrupt: interrupt).run.impactedLevels()
    }

    /// Runs the rules to their fixpoint from `targets`: the run, the known targets in the order given (without
    /// duplicates) and those of them that are withdrawn or disposed.
    private func fixpoint(
        targets: [NodeID], in tx: GraphTransaction, interrupt: (() throws -> Void)?
    ) throws -> (run: ImpactFixpoint, starts: [NodeID], inactiveTargets: Set<NodeID>) {
        var marks = NodeMarks(upperBound: try tx.nodeIDUpperBound)
        var run = ImpactFixpoint(
            rules: ImpactRules(schema: schema, transaction: tx), schema: schema, tx: tx,
            statusKey: tx.propertyKey("status"), quorumKey: tx.propertyKey("quorum"), interrupt: interrupt)
        var starts: [NodeID] = []
        var inactiveTargets = Set<NodeID>()
        for nid in targets where marks.slot(nid) == NodeMarks.noSlot {
            guard try tx.label(of: nid) != nil else { continue }
            starts.append(nid)
            let slot = run.addSlot(nid, level: ImpactFixpoint.targetLevel, marks: &marks)
            if try run.isInactive(nid, marks: &marks) {
                inactiveTargets.insert(nid)
            } else {
                run.enqueue(slot)
            }
        }
        try tx.withAdjacencyCursor { (scan) in
            try tx.withPropertyReader(run.statusKey) { (status) in
                try tx.withStatusIndex { (index) in
                    var check = StatusCheck(index: index, records: status)
                    try run.propagate(scan: scan, status: &check, marks: &marks)
                }
            }
        }
        return (run, starts, inactiveTargets)
    }

    /// The items at most `depth` away: a prefix, since they are nearest first and a predecessor comes before its
    /// item, so the predecessor indices stay as they are.
    static func items(_ items: [ImpactedItem], within depth: Int) -> [ImpactedItem] {
        Array(items.prefix { $0.distance <= depth })
    }
}

