import CIQLSyntax
package import GraphStorage
/// Equality, comparison and ordering of values, with Cypher's three-valued logic.
///
/// - `equals` answers `=`: nil when the answer is unknown (a null is involved).
/// - `compare` answers `<`, `>`: nil when the values are not comparable (different types, nulls).
/// - `orderedBefore` is the total order `ORDER BY` uses; null sorts last ascending.
/// - `GroupingKey` is the equivalence `DISTINCT` and grouping use: null equals null, NaN equals NaN.
extension Value {
    public static func equals(_ a: Value, _ b: Value) -> Bool? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.float(x), .float(y)): return x == y
        case let (.int(x), .float(y)), let (.float(y), .int(x)): return numericEqual(x, y)
        case let (.string(x), .string(y)): return sameCodePoints(x, y)
        case let (.temporal(x), .temporal(y)): return TemporalValue.compareInstants(x, y).map { $0 == 0 } ?? false
        case let (.duration(x), .duration(y)): return x == y
        case let (.node(x), .node(y)): return x == y
        case let (.relationship(x), .relationship(y)): return x == y
        case let (.path(x), .path(y)): return x == y
        case let (.list(x), .list(y)):
            guard x.count == y.count else { return false }
            var unknown = false
            for (u, v) in zip(x, y) {
                switch equals(u, v) {
                case .some(false): return false
                case nil: unknown = true
                case .some(true): break
                }
            }
            return unknown ? nil : true
        case let (.map(x), .map(y)):
            guard x.count == y.count else { return false }
            var unknown = false
            for (key, u) in x.entries {
                guard let v = y[key] else { return false }
                switch equals(u, v) {
                case .some(false): return false
                case nil: unknown = true
                case .some(true): break
                }
            }
            return unknown ? nil : true
        default: return false
        }
    }

    private static func numericEqual(_ i: Int64, _ d: Double) -> Bool {
        guard d.isFinite, d.rounded() == d, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else {
            return false
        }
        return Int64(d) == i
    }

    /// `a < b` → `.orderedAscending`; nil when `a` and `b` are not comparable.
    public static func compare(_ a: Value, _ b: Value) -> Comparison? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case let (.int(x), .int(y)): return Comparison(x, y)
        case let (.float(x), .float(y)):
            if x.isNaN || y.isNaN { return nil }
            return Comparison(x, y)
        case let (.int(x), .float(y)):
            if y.isNaN { return nil }
            return compareMixed(x, y)
        case let (.float(x), .int(y)):
            if x.isNaN { return nil }
            return compareMixed(y, x).reversed
        case let (.string(x), .string(y)): return codePointOrder(x, y)
        case let (.bool(x), .bool(y)): return Comparison(x ? 1 : 0, y ? 1 : 0)
        case let (.temporal(x), .temporal(y)): return TemporalValue.compareInstants(x, y).map { Comparison($0, 0) }
        case let (.list(x), .list(y)):
            for (u, v) in zip(x, y) {
                guard let c = compare(u, v) else { return nil }
                if c != .equal { return c }
            }
            return Comparison(x.count, y.count)
        default: return nil
        }
    }

    /// `i` against a `d` that is not NaN, exactly: past 2^53 `Double(i)` rounds, and may round to `d` or past it.
    private static func compareMixed(_ i: Int64, _ d: Double) -> Comparison {
        if d >= 9.223372036854775808e18 { return .ascending }
        if d < -9.223372036854775808e18 { return .descending }
        let whole = d.rounded(.down)
        let floor = Int64(whole)  // in range: -2^63 ≤ whole ≤ d < 2^63
        if i != floor { return i < floor ? .ascending : .descending }
        return whole == d ? .equal : .ascending
    }

    /// The rank of each type in `ORDER BY`'s total order (openCypher's orderability).
    private var orderRank: Int {
        switch self {
        case .map: 0
        case .node: 1
        case .relationship: 2
        case .list: 3
        case .path: 4
        case .temporal: 5
        case .duration: 6
        case .string: 7
        case .bool: 8
        case .int, .float: 9
        case .null: 10
        }
    }

    /// The total order of `ORDER BY`: by type rank, then by value; NaN after every number, null last.
    public static func orderedCompare(_ a: Value, _ b: Value) -> Comparison {
        let ra = a.orderRank, rb = b.orderRank
        if ra != rb { return Comparison(ra, rb) }
        switch (a, b) {
        case let (.float(x), .float(y)) where x.isNaN || y.isNaN:
            return Comparison(x.isNaN ? 1 : 0, y.isNaN ? 1 : 0)
        case let (.float(x), .int(_)) where x.isNaN: return .descending
        case let (.int(_), .float(y)) where y.isNaN: return .ascending
        case let (.list(x), .list(y)):
            for (u, v) in zip(x, y) {
                let c = orderedCompare(u, v)
                if c != .equal { return c }
            }
            return Comparison(x.count, y.count)
        case let (.map(x), .map(y)):
            let kx = x.keys.sorted(), ky = y.keys.sorted()
            for (p, q) in zip(kx, ky) where p != q { return Comparison(p, q) }
            if kx.count != ky.count { return Comparison(kx.count, ky.count) }
            for k in kx {
                let c = orderedCompare(x[k] ?? .null, y[k] ?? .null)
                if c != .equal { return c }
            }
            return .equal
        case let (.node(x), .node(y)): return Comparison(x, y)
        case let (.relationship(x), .relationship(y)):
            if x.from != y.from { return Comparison(x.from, y.from) }
            if x.type != y.type { return Comparison(x.type, y.type) }
            return Comparison(x.to, y.to)
        case let (.path(x), .path(y)):
            return orderedCompare(.list(x.nodes.map(Value.node)), .list(y.nodes.map(Value.node)))
        case let (.temporal(x), .temporal(y)):
            if let c = TemporalValue.compareInstants(x, y) { return Comparison(c, 0) }
            return Comparison(x.orderRank, y.orderRank)
        case let (.duration(x), .duration(y)):
            let a = x.orderingKey, b = y.orderingKey
            return a.0 != b.0 ? Comparison(a.0, b.0) : Comparison(a.1, b.1)
        case (.null, .null): return .equal
        default: return compare(a, b) ?? .equal
        }
    }
}

/// The outcome of comparing two values.
/// Strings are sequences of Unicode code points: two strings are equal when they hold the same code points, and
/// they sort by code point (the order of their UTF-8 bytes, which is the id index's order). Swift's own `==` and
/// `<` take canonically equivalent strings (`"é"` and `"e\u{301}"`) as equal, which made `count(DISTINCT n.id)`
/// merge two CIs the id index keeps apart, and `'cafe\u{301}' STARTS WITH 'cafe'` false.
extension Value {
    package static func sameCodePoints(_ a: String, _ b: String) -> Bool { a.hasSameCodePoints(as: b) }

    package static func codePointOrder(_ a: String, _ b: String) -> Comparison {
        if sameCodePoints(a, b) { return .equal }
        return a.precedesByCodePoint(b) ? .ascending : .descending
    }

    package static func hashCodePoints(_ s: String, into hasher: inout Hasher) { s.hashCodePoints(into: &hasher) }

    /// `STARTS WITH`, `ENDS WITH`, `CONTAINS` by code points.
    package static func codePoints(of s: String, startWith t: String) -> Bool { s.utf8.starts(with: t.utf8) }

    package static func codePoints(of s: String, endWith t: String) -> Bool {
        s.utf8.count >= t.utf8.count && s.utf8.reversed().starts(with: t.utf8.reversed())
    }

    /// Linear in the lengths whatever the strings (Knuth–Morris–Pratt over the UTF-8 bytes).
    package static func codePoints(of s: String, contain t: String) -> Bool {
        let haystack = Array(s.utf8), needle = Array(t.utf8)
        guard !needle.isEmpty else { return true }
        guard needle.count <= haystack.count else { return false }
        // fallback[i]: the length of the longest proper prefix of needle[...i] that is also its suffix.
        var fallback = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in 1..<needle.count {
            while k > 0 && needle[i] != needle[k] { k = fallback[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            fallback[i] = k
        }
        var matched = 0
        for byte in haystack {
            while matched > 0 && byte != needle[matched] { matched = fallback[matched - 1] }
            if byte == needle[matched] { matched += 1 }
            if matched == needle.count { return true }
        }
        return false
    }
}

public enum Comparison: Sendable, Equatable {
    case ascending, equal, descending

    package init<T: Comparable>(_ a: T, _ b: T) {
        self = a < b ? .ascending : (a == b ? .equal : .descending)
    }

    package var reversed: Comparison {
        switch self {
        case .ascending: .descending
        case .equal: .equal
        case .descending: .ascending
        }
    }
}

/// A value wrapped for hashing under `DISTINCT`'s equivalence: null equals null, NaN equals NaN,
/// `1` equals `1.0`, maps compare without regard to key order.
public struct GroupingKey: Hashable, Sendable {
    public var value: Value

    public init(_ value: Value) { self.value = value }

    public static func == (lhs: GroupingKey, rhs: GroupingKey) -> Bool { equivalent(lhs.value, rhs.value) }

    package static func equivalent(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.float(x), .float(y)) where x.isNaN && y.isNaN: return true
        case let (.list(x), .list(y)):
            return x.count == y.count && zip(x, y).allSatisfy { equivalent($0, $1) }
        case let (.map(x), .map(y)):
            return x.count == y.count && x.entries.allSatisfy { e in y[e.key].map { equivalent(e.value, $0) } ?? false }
        default: return Value.equals(a, b) ?? false
        }
    }

    public func hash(into hasher: inout Hasher) { Self.hash(value, into: &hasher) }

    private static func hash(_ v: Value, into hasher: inout Hasher) {
        switch v {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .int(let i): hasher.combine(2); hasher.combine(Double(i))
        case .float(let d):
            hasher.combine(2)
            if d.isNaN { hasher.combine(UInt64.max) } else { hasher.combine(d) }
        case .string(let s): hasher.combine(3); Value.hashCodePoints(s, into: &hasher)
        case .temporal(let t): hasher.combine(4); t.hashByInstant(into: &hasher)
        case .duration(let d): hasher.combine(5); hasher.combine(d)
        case .list(let l):
            hasher.combine(6)
            hasher.combine(l.count)
            for e in l { hash(e, into: &hasher) }
        case .map(let m):
            hasher.combine(7)
            hasher.combine(m.count)
            // Order-independent: combine the entries' hashes commutatively.
            var sum = 0
            for (k, e) in m.entries {
                var h = Hasher()
                h.combine(k)
                hash(e, into: &h)
                sum &+= h.finalize()
            }
            hasher.combine(sum)
        case .node(let n): hasher.combine(8); hasher.combine(n)
        case .relationship(let r): hasher.combine(9); hasher.combine(r)
        case .path(let p): hasher.combine(10); hasher.combine(p)
        }
    }
}

extension TemporalValue {
    /// The order of the temporal types among each other in `ORDER BY`.
    package var orderRank: Int {
        switch self {
        case .dateTime: 0
        case .localDateTime: 1
        case .date: 2
        case .time: 3
        case .localTime: 4
        }
    }

    /// Hashes what CIQL's `=` compares: the instant of a datetime, the UTC time of a time.
    package func hashByInstant(into hasher: inout Hasher) {
        hasher.combine(orderRank)
        switch self {
        case .dateTime:
            if let (s, n) = epochInstant { hasher.combine(s); hasher.combine(n) }
        case .time: hasher.combine(utcNanosOfDay)
        default: hasher.combine(self)
        }
    }
}

extension TemporalDuration {
    /// Durations order by their length with a month of 30.436875 days and a day of 24 hours.
    package var orderingKey: (Double, Int64) {
        (Double(months) * Double(Self.secondsPerMonth) + Double(days) * 86_400 + Double(seconds), nanos)
    }
}
