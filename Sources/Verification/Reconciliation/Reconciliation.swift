public import GraphStorage

/// What verify found for one discovery source.
public struct Reconciliation: Sendable {
    public var source: SnapshotSource
    /// The CIs discovery matched (each once), in the order first seen.
    public var matched: [NodeID] = []
    /// Ids of CIs in the source's classes and scope, live or in maintenance, that discovery did not see.
    public var missing: [String] = []
    /// Discovered items no CI matches.
    public var unregistered: [DiscoveredItem] = []
    /// Ids under which `--apply` registered the unregistered items, by snapshot line.
    public var registeredIDs: [Int: String] = [:]
    /// The CIs `--apply` registered (stamped as verified along with the matched ones).
    public var registered: [NodeID] = []
    /// Differences on discoverable attributes between matched CIs and what discovery saw.
    public var drift: [Drift] = []
    /// Discovered items that several CIs match.
    public var ambiguous: [Ambiguity] = []
    /// Recorded relations of the types the snapshot reports that discovery did not see.
    public var missingRelations: [RecordedRelation] = []
    /// Discovered relations the CMDB does not have.
    public var unregisteredRelations: [UnregisteredRelation] = []
    /// Whether `--apply` changed the CMDB to match.
    public var isApplied = false

    public init(source: SnapshotSource) { self.source = source }

    /// Every finding with its severity (for `--fail-on` and the reports).
    public var severities: [Severity] {
        Array(repeating: .high, count: missing.count)
            + Array(repeating: .medium, count: unregistered.count + ambiguous.count)
            + Array(repeating: .low, count: drift.count + missingRelations.count + unregisteredRelations.count)
    }

    /// Whether there is a finding at or above `severity`.
    public func hasFindings(atOrAbove severity: Severity) -> Bool {
        severities.contains { $0 >= severity }
    }

    public var findingCount: Int {
        missing.count + unregistered.count + ambiguous.count + drift.count + missingRelations.count
            + unregisteredRelations.count
    }
}

/// The default severities of verify's findings (PRODUCT.md).
public enum VerifyFinding: String, Sendable, CaseIterable {
    case missing, unregistered, ambiguous, drift, relationMissing = "relation-missing"
    case relationUnregistered = "relation-unregistered"

    public var severity: Severity {
        switch self {
        case .missing: .high
        case .unregistered, .ambiguous: .medium
        case .drift, .relationMissing, .relationUnregistered: .low
        }
    }
}

/// An attribute whose recorded value differs from the discovered one.
public struct Drift: Sendable, Hashable {
    public var nid: NodeID
    public var id: String
    public var attribute: String
    /// The recorded value; nil when the CI has none.
    public var recorded: PropertyValue?
    public var discovered: PropertyValue
    /// The snapshot line of the item.
    public var line: Int
}

/// A discovered item that several CIs match by the identifier set that decides.
public struct Ambiguity: Sendable, Hashable {
    public var item: DiscoveredItem
    /// The identifier set and the item's values for it.
    public var identifiedBy: Properties
    /// The ids of the CIs it matches, sorted.
    public var candidates: [String]
}

/// A recorded relation, by CI ids.
public struct RecordedRelation: Sendable, Hashable {
    public var type: String
    public var from: String
    public var to: String

    public init(type: String, from: String, to: String) {
        self.type = type
        self.from = from
        self.to = to
    }
}

/// One end of a discovered relation the CMDB does not have: a CI when the end was identified, else what
/// discovery named it by.
public enum RelationEndReference: Sendable, Hashable {
    case ci(String)
    case discovered(DiscoveredEnd)
}

/// A discovered relation the CMDB does not have.
public struct UnregisteredRelation: Sendable, Hashable {
    public var relation: DiscoveredRelation
    public var from: RelationEndReference
    public var to: RelationEndReference
    /// Whether `--apply` registered it.
    public var isApplied = false
}
