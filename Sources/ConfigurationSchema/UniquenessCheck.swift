public import GraphStorage

/// Enforces `unique: true` attributes: within the declaring class and its subclasses, no two live CIs share a value.
///
/// Every writer of CIs uses it (import, CIQL, `verify --apply`, schema changes), so it lives with the schema's other
/// rules; unlike them it reads the store, to find the other CIs holding a value (through the attribute's index,
/// which `unique` implies).
public struct UniquenessCheck: Sendable {
    let schema: Schema
    private let isNeeded: Bool

    public init(schema: Schema) {
        self.schema = schema
        self.isNeeded = !schema.isOpen && schema.hasUniqueAttributes
    }

    /// The unique attributes that apply to a class, with the class that declares each.
    func uniqueAttributes(of className: String) -> [(attribute: String, declaringClass: String)] {
        var result: [(String, String)] = []
        for name in schema.ancestry(of: className) {
            for a in schema.classDefinition(name)?.attributes ?? [] where a.isUnique { result.append((a.name, name)) }
        }
        return result
    }

    /// Throws when another live CI in scope already has one of this CI's unique values.
    public func check(_ tx: GraphTransaction, nid: NodeID, label: String?, properties: Properties) throws {
        try check(tx, nid: nid, label: label, properties: properties, leavingOut: nil)
    }

    /// Throws when another live CI in scope has one of this CI's unique values in its state now (nothing for a CI
    /// deleted since): a write's check found a duplicate that a later write of the same transaction may have removed.
    public func checkAgain(_ tx: GraphTransaction, nid: NodeID) throws {
        guard isNeeded, let node = try tx.node(nid) else { return }
        try check(tx, nid: nid, label: node.label, properties: node.properties, leavingOut: nil)
    }

    /// `checkAgain(_:nid:)` that does not count the other CIs `isLeftOut` names: a writer checking all its writes
    /// on the state it commits leaves out the CIs it wrote after this one, so that a duplicate is reported once, at
    /// the write that made it.
    public func checkAgain(_ tx: GraphTransaction, nid: NodeID, leavingOut isLeftOut: (NodeID) -> Bool) throws {
        guard isNeeded, let node = try tx.node(nid) else { return }
        try withoutActuallyEscaping(isLeftOut) { isLeftOut in
            try check(tx, nid: nid, label: node.label, properties: node.properties, leavingOut: isLeftOut)
        }
    }

    private func check(
        _ tx: GraphTransaction, nid: NodeID, label: String?, properties: Properties,
        leavingOut isLeftOut: ((NodeID) -> Bool)?
    ) throws {
        guard isNeeded, let label else { return }
        for (attribute, declaring) in uniqueAttributes(of: label) {
            guard let value = properties[attribute] else { continue }
            // The first other holder in scope is enough: stop there.
            var holder: NodeID?
            try tx.forEachNodeID(withProperty: attribute, equalTo: value) { other in
                guard other != nid, isLeftOut?(other) != true else { return true }
                guard let otherLabel = try tx.label(of: other) ?? nil, schema.isClass(otherLabel, a: declaring) else {
                    return true
                }
                holder = other
                return false
            }
            if let holder {
                let otherID = try tx.externalID(of: holder) ?? "?"
                throw SchemaError(.uniqueAttribute, "attribute '\(attribute)' must be unique among \(declaring) CIs, "
                    + "and '\(otherID)' already has the same value")
            }
        }
    }

    /// Reports every uniqueness violation in the database: the CI's id and the error.
    package func checkAll(_ tx: GraphTransaction, report: (String, SchemaError) -> Void) throws {
        guard isNeeded else { return }
        try tx.forEachNode { node in
            do {
                try check(tx, nid: node.nid, label: node.label, properties: node.properties)
            } catch let error as SchemaError {
                report(node.externalID, error)
            }
            return true
        }
    }
}
