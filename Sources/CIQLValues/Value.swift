import CIQLSyntax
public import GraphStorage

/// A CIQL value: what expressions evaluate to and result rows hold.
public enum Value: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    /// A date, time of day, or both, with or without a zone.
    // Boxed, so that the other cases (and arrays of values) stay as small as before temporal values came.
    indirect case temporal(TemporalValue)
    indirect case duration(TemporalDuration)
    case list([Value])
    case map(ValueMap)
    case node(NodeID)
    case relationship(RelationshipRef)
    case path(PathValue)

    /// A UTC datetime from microseconds since the epoch (transaction times, stamps).
    public static func datetime(_ micros: Int64) -> Value { .temporal(.instant(micros: micros)) }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The type's name as error messages and `valueType` spell it.
    public var typeName: String {
        switch self {
        case .null: "NULL"
        case .bool: "BOOLEAN"
        case .int: "INTEGER"
        case .float: "FLOAT"
        case .string: "STRING"
        case .temporal(let t): t.typeName
        case .duration: "DURATION"
        case .list: "LIST"
        case .map: "MAP"
        case .node: "NODE"
        case .relationship: "RELATIONSHIP"
        case .path: "PATH"
        }
    }

    /// The value of a stored property.
    public init(_ property: PropertyValue) {
        switch property {
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .float(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .temporal(let t): self = .temporal(t)
        case .duration(let d): self = .duration(d)
        case .list(let l): self = .list(l.map(Value.init))
        }
    }

    /// The stored form, or nil for values a property cannot hold (null, maps, graph elements, lists holding
    /// those).
    public var propertyValue: PropertyValue? {
        switch self {
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .temporal(let t): return .temporal(t)
        case .duration(let d): return .duration(d)
        case .list(let l):
            var out: [PropertyValue] = []
            out.reserveCapacity(l.count)
            for v in l {
                guard let p = v.propertyValue else { return nil }
                out.append(p)
            }
            return .list(out)
        case .null, .map, .node, .relationship, .path: return nil
        }
    }
}

/// A relation as a value: its identity is (from, type, to), which the store keeps unique.
public struct RelationshipRef: Hashable, Sendable {
    public var from: NodeID
    public var type: String
    public var to: NodeID

    public init(from: NodeID, type: String, to: NodeID) {
        self.from = from
        self.type = type
        self.to = to
    }

    /// The relation seen from `nid` in `direction` to `other`.
    public init(at nid: NodeID, _ direction: Direction, type: String, other: NodeID) {
        self = direction == .outgoing
            ? RelationshipRef(from: nid, type: type, to: other) : RelationshipRef(from: other, type: type, to: nid)
    }

    /// The node at the other end from `nid`.
    public func otherEnd(from nid: NodeID) -> NodeID { nid == from ? to : from }
}

/// A path: nodes and the relations between them, `relationships.count == nodes.count - 1`.
public struct PathValue: Hashable, Sendable {
    public var nodes: [NodeID]
    public var relationships: [RelationshipRef]

    public init(nodes: [NodeID], relationships: [RelationshipRef]) {
        self.nodes = nodes
        self.relationships = relationships
    }
}

/// A map value: keys in the order they were written (output keeps it), compared as an unordered map.
public struct ValueMap: Sendable {
    public private(set) var entries: [(key: String, value: Value)]

    public init() { entries = [] }

    /// The map of `entries` in their order; a key given again keeps its first place and takes the later value.
    /// Linear in the number of entries (a big map literal or parameter is not searched once per key).
    public init(_ entries: [(key: String, value: Value)]) {
        self.entries = []
        guard entries.count > 16 else {
            for (k, v) in entries { self[k] = v }
            return
        }
        var position: [String: Int] = [:]
        position.reserveCapacity(entries.count)
        self.entries.reserveCapacity(entries.count)
        for (k, v) in entries {
            if let i = position[k] {
                self.entries[i].value = v
            } else {
                position[k] = self.entries.count
                self.entries.append((k, v))
            }
        }
    }

    public subscript(key: String) -> Value? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }
}

extension Value {
    /// About how many bytes the value holds (for the memory budget, not exact).
    package var estimatedBytes: Int {
        switch self {
        case .string(let s): return 40 + s.utf8.count
        case .list(let l): return l.reduce(32) { $0 &+ $1.estimatedBytes }
        case .map(let m): return m.entries.reduce(48) { $0 &+ 40 &+ $1.key.utf8.count &+ $1.value.estimatedBytes }
        case .path(let p): return 48 + 16 * (p.nodes.count + p.relationships.count)
        default: return 24
        }
    }
}

extension Array where Element == Value {
    /// About how many bytes a row holds.
    package var estimatedBytes: Int { reduce(32) { $0 &+ $1.estimatedBytes } }
}
