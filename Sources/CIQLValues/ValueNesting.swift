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
    package func nesting(upTo limit: Int = Value.maximumNesting) -> Int {
        // Most lists hold no lists or maps: one look at each element, no walk.
        if case .list(let items) = self, limit >= 1, !Self.holdsContainer(items) { return 1 }
        var walk = NestingWalk()
        return walk.depth(of: self, within: limit) ?? limit + 1
    }

    /// The deepest nesting among `items`; `limit + 1` when deeper than `limit`.
    package static func deepest(_ items: [Value], upTo limit: Int) -> Int {
        guard holdsContainer(items) else { return 0 }
        var walk = NestingWalk()
        return walk.deepest(items, within: limit) ?? limit + 1
    }

    /// Whether any of `items` is a list or map.
    private static func holdsContainer(_ items: [Value]) -> Bool {
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

/// One walk over lists and maps, remembering the depth of those it measured by the address of their storage
/// (values share storage; the walked value holds it alive, so no address is reused during the walk). Small values
/// are walked without remembering, so without allocating.
private struct NestingWalk {
    /// Made at the first list or map remembered, so that walks over small values allocate nothing.
    private var known: [UnsafeRawPointer: Int]?
    private var measured = 0
    /// Lists and maps measured before the walk starts remembering them.
    private static let unremembered = 32

    /// The nesting of `value`, or nil when it is deeper than `limit`.
    mutating func depth(of value: Value, within limit: Int) -> Int? {
        switch value {
        case .list(let items):
            guard limit >= 1 else { return nil }
            guard !items.isEmpty else { return 1 }
            let address = remembering ? items.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } : nil
            if let address, let depth = known?[address] { return depth <= limit ? depth : nil }
            guard let inner = deepest(items, within: limit - 1) else { return nil }
            remember(address, 1 + inner)
            return 1 + inner
        case .map(let map):
            guard limit >= 1 else { return nil }
            let entries = map.entries
            guard !entries.isEmpty else { return 1 }
            let address = remembering ? entries.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } : nil
            if let address, let depth = known?[address] { return depth <= limit ? depth : nil }
            var inner = 0
            for entry in entries where entry.value.isContainer {
                guard let d = depth(of: entry.value, within: limit - 1) else { return nil }
                inner = max(inner, d)
            }
            remember(address, 1 + inner)
            return 1 + inner
        default:
            return 0
        }
    }

    /// The deepest nesting among `items`, or nil when deeper than `limit`.
    mutating func deepest(_ items: [Value], within limit: Int) -> Int? {
        var deepest = 0
        for item in items where item.isContainer {
            guard let d = depth(of: item, within: limit) else { return nil }
            deepest = max(deepest, d)
        }
        return deepest
    }

    /// Whether the walk has measured enough to remember what it measures.
    private var remembering: Bool { measured >= Self.unremembered }

    private mutating func remember(_ address: UnsafeRawPointer?, _ depth: Int) {
        measured += 1
        guard let address else { return }
        if known == nil { known = [:] }
        known?[address] = depth
    }
}
