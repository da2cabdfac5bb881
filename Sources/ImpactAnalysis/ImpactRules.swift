import ConfigurationSchema
import GraphStorage

/// How impact crosses one relation type, resolved for the type ids of one transaction.
struct ImpactRule {
    var direction: ImpactDirection
    var redundancy: Redundancy
}

/// The schema's impact rules indexed by relation type id, for the tight loops of a traversal.
///
/// A relation type the schema does not declare (a schemaless database, or a type written before a schema
/// change) propagates forward without redundancy: *from depends on to* is what a relation means by default.
struct ImpactRules {
    /// Indexed by relation type id; types not in use in this transaction have no entry.
    private(set) var byTypeID: [ImpactRule]
    /// Whether any type propagates against its direction (a cluster on its members).
    private(set) var hasReverseTypes = false
    /// Whether any type propagates at all.
    private(set) var hasPropagatingTypes = false
    /// Whether any type that propagates has redundancy (group or quorum).
    private(set) var hasRedundancy = false

    init(schema: Schema, transaction tx: GraphTransaction) {
        let names = tx.relationTypeNames
        byTypeID = []
        byTypeID.reserveCapacity(names.count)
        for name in names {
            guard let id = tx.relationTypeID(name) else { continue }
            let definition = schema.relationDefinition(name)
            let rule = ImpactRule(
                direction: definition?.impact ?? .forward, redundancy: definition?.redundancy ?? .none)
            if rule.direction != .none && rule.redundancy != .none { hasRedundancy = true }
            while byTypeID.count <= Int(id) {
                byTypeID.append(ImpactRule(direction: .none, redundancy: .none))
            }
            byTypeID[Int(id)] = rule
            if rule.direction == .reverse { hasReverseTypes = true }
            if rule.direction != .none { hasPropagatingTypes = true }
        }
    }

    @inline(__always) func rule(_ typeID: UInt16) -> ImpactRule {
        Int(typeID) < byTypeID.count ? byTypeID[Int(typeID)] : ImpactRule(direction: .none, redundancy: .none)
    }

    /// The adjacency direction in which a CI finds what depends on it across this rule.
    @inline(__always) static func dependentsDirection(_ direction: ImpactDirection) -> Direction {
        direction == .reverse ? .outgoing : .incoming
    }

    /// The adjacency direction in which a CI finds what it depends on across this rule.
    @inline(__always) static func dependenciesDirection(_ direction: ImpactDirection) -> Direction {
        direction == .reverse ? .incoming : .outgoing
    }
}
