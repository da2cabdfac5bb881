/// A stored property value: what a CI attribute or relation attribute can hold.
///
/// Absent properties are not stored, so there is no null case.
public enum PropertyValue: Hashable, Sendable {
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    /// A date, time, or date-time, with or without a zone (a `datetime` keeps the offset or zone it was given).
    // Boxed, so that the other cases (and arrays of values) stay as small as before temporal values came.
    indirect case temporal(TemporalValue)
    indirect case duration(TemporalDuration)
    case list([PropertyValue])

    public static func == (lhs: PropertyValue, rhs: PropertyValue) -> Bool {
        switch (lhs, rhs) {
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        // Bit equality, so that NaN equals itself and an unchanged NaN is not reported as a change; every NaN is the
        // same value (its sign and payload depend on how it was computed, and the export writes them all as NaN).
        case let (.float(a), .float(b)): return a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        // Code points, not Swift's canonical equivalence: writing 'cafe\u{301}' over 'caf\u{e9}' is a change (the
        // strings differ for CIQL's `=` and for the id index).
        case let (.string(a), .string(b)): return a.hasSameCodePoints(as: b)
        case let (.temporal(a), .temporal(b)): return a == b
        case let (.duration(a), .duration(b)): return a == b
        case let (.list(a), .list(b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .bool(let b): hasher.combine(0); hasher.combine(b)
        case .int(let i): hasher.combine(1); hasher.combine(i)
        case .float(let d): hasher.combine(2); hasher.combine(d.isNaN ? Double.nan.bitPattern : d.bitPattern)
        case .string(let s):
            hasher.combine(3)
            s.hashCodePoints(into: &hasher)
        case .temporal(let t): hasher.combine(4); hasher.combine(t)
        case .list(let l): hasher.combine(5); hasher.combine(l)
        case .duration(let d): hasher.combine(6); hasher.combine(d)
        }
    }

    /// The type's name as the schema spells it.
    public var typeName: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "string"
        case .temporal(let t): t.schemaTypeName
        case .duration: "duration"
        case .list: "list"
        }
    }
}

extension PropertyValue {
    /// A UTC datetime from microseconds since 1970-01-01T00:00:00Z (transaction times, verify stamps).
    public static func datetime(micros: Int64) -> PropertyValue { .temporal(.instant(micros: micros)) }

    public var isString: Bool {
        if case .string = self { return true }
        return false
    }

    public var isTemporal: Bool {
        if case .temporal = self { return true }
        return false
    }

    /// The instant of a datetime value in microseconds since the epoch; nil for anything else.
    public var datetimeMicros: Int64? {
        if case .temporal(let t) = self { return t.epochMicros }
        return nil
    }
}

extension PropertyValue {
    /// The deepest nesting of lists a stored value may have (`[[1]]` nests 2 deep). The record reader has read no
    /// deeper since the first format, so every write is held to it: a deeper value is refused with
    /// `StorageError.Code.nestingTooDeep` rather than stored where it could not be read again.
    public static let maximumListNesting = 64

    /// How deep lists nest in this value: 0 for a scalar, 1 for a list of scalars (an empty one too). Counts no
    /// further than `limit + 1`, so it never walks deeper than that.
    public func listNesting(upTo limit: Int = PropertyValue.maximumListNesting) -> Int {
        guard case .list(let items) = self else { return 0 }
        guard limit > 0 else { return 1 }
        var deepest = 0
        for item in items {
            guard case .list = item else { continue }
            deepest = max(deepest, item.listNesting(upTo: limit - 1))
            if deepest > limit - 1 { break }
        }
        return 1 + deepest
    }
}
