/// How deep lists and maps nest in a value, and how deep they may.
///
/// Releasing, printing, comparing, hashing and encoding a value all recurse through its lists and maps, so a value
/// nested deep enough (a `reduce` that wraps its accumulator 100,000 times) would exhaust a thread's stack in any of
/// them. Every expression that puts a value inside a list or map (literals, comprehensions, `collect()`, `+`, map
/// projections) and every parameter is held to `maximumNesting` instead, so no walk over a value goes deeper.
extension Value {
    /// The deepest nesting of lists and maps a value may have (`[[1]]` nests 2 deep). Far above what any
    /// statement needs (a stored attribute nests lists at most 64 deep, a map of its CI's attributes 65), and far
    /// below what the deepest-recursing walk (a table or CSV cell, about 5 KiB of stack per level in a debug
    /// build) needs of the smallest thread stack cmdb runs statements on (see README, Limits).
    public static let maximumNesting = 100

    /// How deep lists and maps nest in this value: 0 for anything else, 1 for a list or map of such (an empty one
    /// too); `limit + 1` when deeper than `limit`, found without walking deeper than that.
    ///
    /// - Complexity: O(lists, maps and their elements), each list or map counted once however many times the value
    ///   holds it (`[l, l]` holds `l` twice; 90 such steps hold 2^90 paths through 90 lists).
    package func nesting(upTo limit: Int = Value.maximumNesting) -> Int { measureNesting(upTo: limit).depth }

    /// How many elements a value may hold again through lists and maps it holds more than once (`[l, l]` holds the
    /// elements of `l` again), beyond the elements of its distinct lists and maps. Printing, comparing and hashing
    /// walk every element every time it is held, so `reduce(l = [], x IN range(1, 60) | [l, l])` (60 small lists,
    /// 2^60 elements held) would keep any of them busy for ever; the bound is the one `range()` has.
    public static let maximumRepeatedElements = 10_000_000

    /// A value's nesting (as `nesting(upTo:)`), and whether it holds lists or maps again more than
    /// `maximumRepeatedElements` elements' worth (then the depth is `limit + 1` when the walk stopped early).
    package struct NestingMeasure {
        package var depth: Int
        package var repeatsTooMuch: Bool
    }

    package func measureNesting(upTo limit: Int = Value.maximumNesting) -> NestingMeasure {
        // Most lists hold no lists or maps: one look at each element, no walk.
        if case .list(let items) = self, limit >= 1, !Self.holdsContainer(items) {
            return NestingMeasure(depth: 1, repeatsTooMuch: false)
        }
        var walk = NestingWalk()
        let depth = walk.depth(of: self, within: limit) ?? limit + 1
        return NestingMeasure(depth: depth, repeatsTooMuch: walk.repeatsTooMuch)
    }

    /// Whether any of `items` is a list or map.
    fileprivate static func holdsContainer(_ items: [Value]) -> Bool {
        // An index loop: the iterator is not specialised in a debug build, and this runs for every list built.
        var i = 0
        while i < items.count {
            switch items[i] {
            case .list, .map: return true
            default: i += 1
            }
        }
        return false
    }

    /// A list or a map: the values that nest.
    package var isContainer: Bool {
        switch self {
        case .list, .map: return true
        default: return false
        }
    }
}

/// One walk over lists and maps, remembering the depth and the number of elements held (counting a list held twice
/// twice) of those it measured by the address of their storage (values share storage; the walked value holds it
/// alive, so no address is reused during the walk). Small values are walked without remembering, so without
/// allocating. It stops early (nil) when the value nests deeper than the limit or holds too many elements again.
private struct NestingWalk {
    private struct Measured {
        var depth: Int
        var elements: Int
    }

    /// Made at the first list or map remembered, so that walks over small values allocate nothing.
    private var known: [UnsafeRawPointer: Measured]?
    private var measured = 0
    /// Lists and maps measured before the walk starts remembering them.
    private static let unremembered = 32
    /// Elements gone through, each list or map counted every time it is held (saturating), and those of the lists
    /// and maps walked (not found remembered).
    private var elements = 0
    private var walkedElements = 0
    private(set) var repeatsTooMuch = false

    /// The nesting of `value`, or nil when it is deeper than `limit` or holds too many elements again.
    mutating func depth(of value: Value, within limit: Int) -> Int? {
        switch value {
        case .list(let items):
            guard limit >= 1 else { return nil }
            guard !items.isEmpty else { return 1 }
            // A small list of plain values is counted where it stands, held once or many times: looking at it again
            // costs no more than remembering it would.
            if items.count <= Self.smallLeaf, !Value.holdsContainer(items) { return leaf(items.count) }
            let address = remembering ? items.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } : nil
            if let address, let seen = known?[address] { return again(seen, within: limit) }
            let start = elements
            count(items.count)
            guard !repeatsTooMuch, let inner = deepest(items, within: limit - 1) else { return nil }
            remember(address, Measured(depth: 1 + inner, elements: elements &- start))
            return 1 + inner
        case .map(let map):
            guard limit >= 1 else { return nil }
            let entries = map.entries
            guard !entries.isEmpty else { return 1 }
            if entries.count <= Self.smallLeaf, !entries.contains(where: { $0.value.isContainer }) {
                return leaf(entries.count)
            }
            let address = remembering ? entries.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } : nil
            if let address, let seen = known?[address] { return again(seen, within: limit) }
            let start = elements
            count(entries.count)
            guard !repeatsTooMuch else { return nil }
            var inner = 0
            for entry in entries where entry.value.isContainer {
                guard let d = depth(of: entry.value, within: limit - 1) else { return nil }
                inner = max(inner, d)
            }
            remember(address, Measured(depth: 1 + inner, elements: elements &- start))
            return 1 + inner
        default:
            return 0
        }
    }

    /// The deepest nesting among `items`, or nil when deeper than `limit` or holding too many elements again.
    mutating func deepest(_ items: [Value], within limit: Int) -> Int? {
        var deepest = 0
        for item in items where item.isContainer {
            guard let d = depth(of: item, within: limit) else { return nil }
            deepest = max(deepest, d)
        }
        return deepest
    }

    /// Lists and maps of plain values up to this many elements are counted, not remembered.
    private static let smallLeaf = 16

    /// A small list or map of plain values.
    private mutating func leaf(_ count: Int) -> Int? {
        self.count(count)
        return repeatsTooMuch ? nil : 1
    }

    /// A list or map met again: its elements are held again.
    private mutating func again(_ seen: Measured, within limit: Int) -> Int? {
        let (sum, overflow) = elements.addingReportingOverflow(seen.elements)
        elements = overflow ? .max : sum
        if elements - walkedElements > Value.maximumRepeatedElements { repeatsTooMuch = true }
        return seen.depth <= limit && !repeatsTooMuch ? seen.depth : nil
    }

    /// The elements of a list or map walked.
    private mutating func count(_ n: Int) {
        let (sum, overflow) = elements.addingReportingOverflow(n)
        elements = overflow ? .max : sum
        let (walked, walkedOverflow) = walkedElements.addingReportingOverflow(n)
        walkedElements = walkedOverflow ? .max : walked
        if elements - walkedElements > Value.maximumRepeatedElements { repeatsTooMuch = true }
    }

    /// Whether the walk has measured enough to remember what it measures.
    private var remembering: Bool { measured >= Self.unremembered }

    private mutating func remember(_ address: UnsafeRawPointer?, _ value: Measured) {
        measured += 1
        guard let address else { return }
        if known == nil { known = [:] }
        known?[address] = value
    }
}
