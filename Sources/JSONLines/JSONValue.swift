/// A parsed JSON value.
///
/// Integers (numbers written without `.`, `e` or `E`) are kept apart from floats so that
/// `1` and `1.0` survive a round trip unchanged. Floats also cover the non-standard tokens
/// `NaN`, `Infinity` and `-Infinity`.
///
/// Equality compares floats by bit pattern, except that any two NaNs are equal; so `-0.0`
/// differs from `0.0` while `NaN == NaN`, which is what round-trip tests need.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Compares structurally; floats by bit pattern (all NaNs equal), object members in order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case let (.bool(a), .bool(b)):
            return a == b
        case let (.int(a), .int(b)):
            return a == b
        case let (.float(a), .float(b)):
            return a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)):
            return a == b
        case let (.array(a), .array(b)):
            return a == b
        case let (.object(a), .object(b)):
            return a == b
        default:
            return false
        }
    }
}

extension JSONValue {
    /// The string payload, or nil for any other kind.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer payload, or nil for any other kind.
    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The object payload, or nil for any other kind.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The array payload, or nil for any other kind.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

/// A JSON object that keeps its members in the order they were written.
///
/// Lookup by key is a linear scan, which beats hashing for the small objects of a JSON
/// Lines import. The parser rejects duplicate keys; values built by hand may contain them,
/// in which case the subscript returns the first.
public struct JSONObject: Sendable, Equatable {
    /// The members in written order.
    public var members: [(key: String, value: JSONValue)]

    /// Creates an object with the given members, in that order.
    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    /// The value of the first member with that key, or nil.
    public subscript(key: String) -> JSONValue? {
        for member in members where member.key == key {
            return member.value
        }
        return nil
    }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// Equal when both have the same keys and values in the same order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (a, b) in zip(lhs.members, rhs.members) where a.key != b.key || a.value != b.value {
            return false
        }
        return true
    }
}
