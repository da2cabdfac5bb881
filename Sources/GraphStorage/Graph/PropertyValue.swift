/// A stored property value: what a CI attribute or relation attribute can hold.
///
/// Absent properties are not stored, so there is no null case.
public enum PropertyValue: Hashable, Sendable {
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    /// An instant in UTC, in microseconds since 1970-01-01T00:00:00Z.
    case datetime(Int64)
    case list([PropertyValue])

    public static func == (lhs: PropertyValue, rhs: PropertyValue) -> Bool {
        switch (lhs, rhs) {
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        // Bit equality, so that NaN equals itself and an unchanged NaN is not reported as a change.
        case let (.float(a), .float(b)): return a.bitPattern == b.bitPattern
        case let (.string(a), .string(b)): return a == b
        case let (.datetime(a), .datetime(b)): return a == b
        case let (.list(a), .list(b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .bool(let b): hasher.combine(0); hasher.combine(b)
        case .int(let i): hasher.combine(1); hasher.combine(i)
        case .float(let d): hasher.combine(2); hasher.combine(d.bitPattern)
        case .string(let s): hasher.combine(3); hasher.combine(s)
        case .datetime(let t): hasher.combine(4); hasher.combine(t)
        case .list(let l): hasher.combine(5); hasher.combine(l)
        }
    }

    /// The type's name as the schema spells it.
    public var typeName: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "string"
        case .datetime: "datetime"
        case .list: "list"
        }
    }
}
