/// The properties of a node or relation, in the order they were written.
///
/// Keys are unique. Lookups are linear: records carry a handful of properties, and order matters for
/// round-tripping exports.
public struct Properties: Hashable, Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: PropertyValue)
    public internal(set) var entries: [Element]

    public init() { entries = [] }

    public init(dictionaryLiteral elements: (String, PropertyValue)...) {
        entries = []
        for (k, v) in elements { self[k] = v }
    }

    public init(_ elements: [Element]) {
        entries = []
        entries.reserveCapacity(elements.count)
        for e in elements { self[e.key] = e.value }
    }

    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }
    public subscript(position: Int) -> Element { entries[position] }

    /// The value for `key`; setting `nil` removes it.
    public subscript(key: String) -> PropertyValue? {
        get {
            for e in entries where e.key == key { return e.value }
            return nil
        }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public mutating func reserveCapacity(_ n: Int) { entries.reserveCapacity(n) }

    /// Appends without checking for an existing key; the caller guarantees uniqueness.
    mutating func appendUnchecked(_ key: String, _ value: PropertyValue) {
        entries.append((key, value))
    }

    /// Order-insensitive equality: the same keys with the same values.
    public static func == (lhs: Properties, rhs: Properties) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for e in lhs.entries where rhs[e.key] != e.value { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-insensitive, consistent with ==.
        var combined = 0
        for e in entries {
            var h = Hasher()
            h.combine(e.key)
            h.combine(e.value)
            combined ^= h.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(combined)
    }
}
