import ConfigurationSchema
import GraphStorage

/// Finds the CIs of a set of classes that have given attribute values.
///
/// Uses the attribute index (`nodeIDs(withProperty:equalTo:)`) when the attribute is indexed; otherwise it builds,
/// once per attribute, a hash map from value to CIs in one pass over the classes. Never a scan per lookup.
final class CIFinder {
    private let tx: GraphTransaction
    private let classSet: Set<String>
    /// For attributes without an index: value → CIs of `classSet`, built on first use.
    private var maps: [String: [PropertyValue: [NodeID]]] = [:]
    /// Whether each class name is in `classSet`, by the class the store returns (cached: labels repeat).
    private var isInClasses: [String: Bool] = [:]

    init(tx: GraphTransaction, classSet: Set<String>) {
        self.tx = tx
        self.classSet = classSet
    }

    /// The CIs of the classes (restricted further to `label` and its subclasses when given) with every value of
    /// `attributes`, in id order.
    func candidates(_ attributes: Properties, within labels: Set<String>? = nil) throws -> [NodeID] {
        guard let first = attributes.first else { return [] }
        var found = try lookup(first.key, first.value)
        if attributes.count > 1 {
            found = try found.filter { (nid) in
                guard let node = try tx.node(nid) else { return false }
                return attributes.dropFirst().allSatisfy { node.properties[$0.key] == $0.value }
            }
        }
        if let labels {
            found = try found.filter { (nid) in
                guard let label = try tx.label(of: nid), let label else { return false }
                return labels.contains(label)
            }
        }
        return found.sorted()
    }

    private func lookup(_ key: String, _ value: PropertyValue) throws -> [NodeID] {
        if let hits = try tx.nodeIDs(withProperty: key, equalTo: value) {
            return try hits.filter { (nid) in try isLiveInClasses(nid) }
        }
        if maps[key] == nil { try buildMap(key) }
        return maps[key]?[value] ?? []
    }

    private func isLiveInClasses(_ nid: NodeID) throws -> Bool {
        guard let label = try tx.label(of: nid), let label else { return false }
        if let known = isInClasses[label] { return known }
        let inside = classSet.contains(label)
        isInClasses[label] = inside
        return inside
    }

    private func buildMap(_ key: String) throws {
        var map: [PropertyValue: [NodeID]] = [:]
        for label in classSet.sorted() {
            try tx.forEachNodeID(label: label) { (nid) in
                if let value = try tx.node(nid)?.properties[key] { map[value, default: []].append(nid) }
                return true
            }
        }
        maps[key] = map
    }
}
