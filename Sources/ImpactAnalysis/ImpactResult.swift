public import GraphStorage

/// How badly a change leaves a CI.
public enum ImpactLevel: String, Sendable, Hashable, Comparable, CaseIterable {
    /// Still working, with less redundancy or through a dependency that is itself degraded.
    case degraded
    /// Not working.
    case down

    public static func < (a: ImpactLevel, b: ImpactLevel) -> Bool { a == .degraded && b == .down }
}

/// One CI a traversal reached: how far from a start it is, and the CI before it on one shortest path.
public struct ReachedItem: Sendable, Hashable {
    public var nid: NodeID
    /// Steps from the nearest start (1 for a direct neighbour).
    public var distance: Int
    /// The previous CI on the path: a start, or an item listed earlier.
    public var predecessor: NodeID
    /// Where the predecessor is in the result's `items`, or nil when it is a start.
    public var predecessorIndex: Int?
}

/// What a traversal from some start CIs reached, nearest first, each with one shortest path.
public struct TraversalResult: Sendable {
    /// The start CIs, in the order given, without duplicates.
    public var starts: [NodeID]
    /// Every CI reached (the starts themselves are not included), ordered by distance.
    public var items: [ReachedItem]

    /// The node ids from a start to `items[index]`, both ends included.
    public func path(toItemAt index: Int) -> [NodeID] {
        var path: [NodeID] = [items[index].nid]
        var current = items[index]
        // At most one step per item: predecessor indices always lead back to a target, never round.
        while let previous = current.predecessorIndex, previous >= 0, previous < items.count, path.count <= items.count {
            current = items[previous]
            path.append(current.nid)
        }
        path.append(current.predecessor)
        return path.reversed()
    }
}

/// One CI a change impacts.
public struct ImpactedItem: Sendable, Hashable {
    public var nid: NodeID
    public var level: ImpactLevel
    /// Steps from the nearest target along a path that explains the level (1 for a direct dependent).
    public var distance: Int
    /// The previous CI on that path: a target, or an item listed earlier.
    public var predecessor: NodeID
    /// Where the predecessor is in the result's `items`, or nil when it is a target.
    public var predecessorIndex: Int?
}

/// The outcome of an impact analysis: the targets and every CI they impact, nearest first.
public struct ImpactResult: Sendable {
    /// The CIs going down, in the order given, without duplicates.
    public var targets: [NodeID]
    /// Targets that are withdrawn or disposed: listed, but they take nothing down with them.
    public var inactiveTargets: Set<NodeID>
    /// Every impacted CI (targets excluded), ordered by distance, then as the walk met them.
    public var items: [ImpactedItem]

    /// The node ids from a target to `items[index]`, both ends included. Every CI on it is impacted by the
    /// one before; for a CI that is down, every CI on the path is down (save where it enters a cluster that had
    /// fewer active members than its quorum before the change).
    public func path(toItemAt index: Int) -> [NodeID] {
        var path: [NodeID] = [items[index].nid]
        var current = items[index]
        // At most one step per item: predecessor indices always lead back to a target, never round.
        while let previous = current.predecessorIndex, previous >= 0, previous < items.count, path.count <= items.count {
            current = items[previous]
            path.append(current.nid)
        }
        path.append(current.predecessor)
        return path.reversed()
    }

    /// The number of impacted CIs at each level.
    public func count(_ level: ImpactLevel) -> Int { items.reduce(0) { $0 + ($1.level == level ? 1 : 0) } }
}
