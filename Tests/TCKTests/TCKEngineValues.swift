import CIQL
import CIQLResults
import CIQLValues
import GraphStorage

/// Collects a statement's rows as TCK values, resolving nodes and relations while the statement's
/// transaction is open (a node becomes its class and properties, a relation its type and properties).
final class TCKSink: ResultSink {
    private(set) var columns: [String] = []
    private(set) var rows: [[TCKValue]] = []
    private var graph: ResultGraph?

    func begin(columns: [String], graph: ResultGraph) throws {
        self.columns = columns
        self.graph = graph
    }

    func row(_ values: [Value]) throws {
        rows.append(try values.map(convert))
    }

    func end(_ summary: StatementSummary) throws { graph = nil }

    private func convert(_ v: Value) throws -> TCKValue {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .list(let l): return .list(try l.map(convert))
        case .map(let m):
            var out: [String: TCKValue] = [:]
            for (k, e) in m.entries { out[k] = try convert(e) }
            return .map(out)
        case .node(let nid): return try node(nid)
        case .relationship(let r): return try relationship(r)
        case .path(let p):
            guard let first = p.nodes.first else { return .other("empty path") }
            var steps: [TCKValue.PathStep] = []
            for (k, r) in p.relationships.enumerated() where k + 1 < p.nodes.count {
                let forward = r.from == p.nodes[k] && r.to == p.nodes[k + 1]
                steps.append(TCKValue.PathStep(relationship: try relationship(r), forward: forward, node: try node(p.nodes[k + 1])))
            }
            return .path(start: try node(first), steps: steps)
        // The TCK writes temporal values as their ISO strings.
        case .temporal(let t): return .string(TemporalText.format(t))
        case .duration(let d): return .string(d.description)
        }
    }

    private func node(_ nid: NodeID) throws -> TCKValue {
        guard let n = try graph?.node(nid) else { return .other("deleted node") }
        return .node(labels: n.label.map { [$0] } ?? [], properties: TCKGraphState.properties(of: n))
    }

    private func relationship(_ r: RelationshipRef) throws -> TCKValue {
        guard let rel = try graph?.relation(r) else { return .other("deleted relation") }
        var props: [String: TCKValue] = [:]
        for (k, p) in rel.properties { props[k] = TCKValue(p) }
        return .relationship(type: rel.type, properties: props)
    }
}

extension TCKValue {
    init(_ p: PropertyValue) {
        switch p {
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .float(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .temporal(let t): self = .string(TemporalText.format(t))
        case .duration(let d): self = .string(d.description)
        case .list(let l): self = .list(l.map(TCKValue.init))
        }
    }

    /// The engine value for a parameter.
    var engineValue: Value {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .float(let d): .float(d)
        case .string(let s): .string(s)
        case .list(let l): .list(l.map(\.engineValue))
        case .map(let m): .map(ValueMap(m.sorted { $0.key < $1.key }.map { ($0.key, $0.value.engineValue) }))
        case .node, .relationship, .path, .other: .null
        }
    }
}

/// The whole graph, for the TCK's side effects: what a statement added and removed is the difference between
/// the states before and after it (labels count as distinct names in the graph, properties per element).
struct TCKGraphState {
    struct RelationKey: Hashable {
        var from: NodeID
        var type: String
        var to: NodeID
    }

    var nodes: [NodeID: (label: String?, properties: [String: PropertyValue])] = [:]
    var relations: [RelationKey: [String: PropertyValue]] = [:]

    /// The state of `store` now.
    static func read(_ store: GraphStore) throws -> TCKGraphState {
        try store.read { tx in
            var state = TCKGraphState()
            try tx.forEachNode { n in
                var props: [String: PropertyValue] = [:]
                for (k, v) in n.properties { props[k] = v }
                if !isGenerated(n.externalID) { props["id"] = .string(n.externalID) }
                state.nodes[n.nid] = (n.label, props)
                return true
            }
            try tx.forEachRelation { r in
                var props: [String: PropertyValue] = [:]
                for (k, v) in r.properties { props[k] = v }
                state.relations[RelationKey(from: r.from, type: r.type, to: r.to)] = props
                return true
            }
            return state
        }
    }

    /// A node's properties as the TCK sees them: the stored ones, and the `id` the user gave (a generated id is
    /// no property).
    static func properties(of n: StoredNode) -> [String: TCKValue] {
        var props: [String: TCKValue] = [:]
        for (k, v) in n.properties { props[k] = TCKValue(v) }
        if !isGenerated(n.externalID) { props["id"] = .string(n.externalID) }
        return props
    }

    /// Ids a schemaless graph generates look like `_17`.
    static func isGenerated(_ id: String) -> Bool {
        id.hasPrefix("_") && id.count > 1 && id.dropFirst().allSatisfy(\.isNumber)
    }

    private var labels: Set<String> { Set(nodes.values.compactMap(\.label)) }

    /// The side effects from `self` to `after`, keyed as the TCK names them (`+nodes`, `-properties`, …).
    func sideEffects(to after: TCKGraphState) -> [String: Int] {
        var effects: [String: Int] = [:]
        func add(_ key: String, _ n: Int) { if n != 0 { effects[key, default: 0] += n } }
        func diff(_ old: [String: PropertyValue]?, _ new: [String: PropertyValue]?) {
            let old = old ?? [:], new = new ?? [:]
            for (k, v) in new where old[k] != v { add("+properties", 1) }
            for (k, v) in old where new[k] != v { add("-properties", 1) }
        }
        add("+nodes", after.nodes.keys.filter { nodes[$0] == nil }.count)
        add("-nodes", nodes.keys.filter { after.nodes[$0] == nil }.count)
        add("+relationships", after.relations.keys.filter { relations[$0] == nil }.count)
        add("-relationships", relations.keys.filter { after.relations[$0] == nil }.count)
        add("+labels", after.labels.subtracting(labels).count)
        add("-labels", labels.subtracting(after.labels).count)
        for nid in Set(nodes.keys).union(after.nodes.keys) { diff(nodes[nid]?.properties, after.nodes[nid]?.properties) }
        for key in Set(relations.keys).union(after.relations.keys) { diff(relations[key], after.relations[key]) }
        return effects
    }
}
