/// A set of Unicode scalars as sorted, disjoint, closed ranges of scalar values, optionally complemented and
/// compared ignoring case: what a character class `[a-z\d]` or an escape `\w` stands for.
struct ScalarSet: Sendable {
    private(set) var ranges: [ClosedRange<UInt32>] = []
    var isNegated = false
    var ignoresCase = false

    init(ranges: [ClosedRange<UInt32>] = [], isNegated: Bool = false) {
        self.isNegated = isNegated
        for r in ranges { insert(r) }
    }

    static let digits = ScalarSet(ranges: [0x30...0x39])
    static let wordCharacters = ScalarSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    /// `\s`: space, `\t`, `\n`, `\v`, `\f`, `\r`.
    static let whitespace = ScalarSet(ranges: [0x09...0x0D, 0x20...0x20])

    /// Adds a range, keeping the ranges sorted and merged.
    mutating func insert(_ range: ClosedRange<UInt32>) {
        var lower = range.lowerBound, upper = range.upperBound
        var kept: [ClosedRange<UInt32>] = []
        kept.reserveCapacity(ranges.count + 1)
        var placed = false
        for r in ranges {
            if r.upperBound &+ 1 < lower {
                kept.append(r)
            } else if upper &+ 1 < r.lowerBound {
                if !placed {
                    kept.append(lower...upper)
                    placed = true
                }
                kept.append(r)
            } else {
                lower = min(lower, r.lowerBound)
                upper = max(upper, r.upperBound)
            }
        }
        if !placed { kept.append(lower...upper) }
        ranges = kept
    }

    /// Adds every scalar of `other` (a plain set; a negated one is added as its complement).
    mutating func formUnion(_ other: ScalarSet) {
        for r in other.isNegated ? other.complementRanges : other.ranges { insert(r) }
    }

    /// The ranges of every scalar value not in `ranges` (up to U+10FFFF).
    private var complementRanges: [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in ranges {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = r.upperBound &+ 1
        }
        if next <= 0x10FFFF { out.append(next...0x10FFFF) }
        return out
    }

    /// With `ignoresCase`, a small set takes in the case variants of its scalars once, so that matching needs no
    /// case mapping (a large one maps each scalar it tests instead).
    mutating func closeOverCase() {
        guard ignoresCase else { return }
        let total = ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 }
        guard total <= 4096 else { return }
        for r in ranges {
            for value in r {
                guard let scalar = Unicode.Scalar(value) else { continue }
                for v in scalar.simpleCaseVariants { insert(v.value...v.value) }
            }
        }
        ignoresCase = false
    }

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        var found = rangesContain(scalar.value)
        if !found, ignoresCase {
            found = scalar.simpleCaseVariants.contains { rangesContain($0.value) }
        }
        return found != isNegated
    }

    private func rangesContain(_ value: UInt32) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < value {
                lo = mid + 1
            } else if ranges[mid].lowerBound > value {
                hi = mid
            } else {
                return true
            }
        }
        return false
    }
}

extension Unicode.Scalar {
    /// The scalar's single-scalar lower, upper and title case forms other than itself (`k` → `K`, U+212A KELVIN
    /// SIGN → `k`), for case-insensitive matching.
    var simpleCaseVariants: [Unicode.Scalar] {
        if value < 0x80 {
            switch value {
            case 0x41...0x5A: return [Unicode.Scalar(value + 0x20)].compactMap { $0 }
            case 0x61...0x7A: return [Unicode.Scalar(value - 0x20)].compactMap { $0 }
            default: return []
            }
        }
        var out: [Unicode.Scalar] = []
        for mapping in [properties.lowercaseMapping, properties.uppercaseMapping, properties.titlecaseMapping] {
            let scalars = mapping.unicodeScalars
            if scalars.count == 1, let s = scalars.first, s != self, !out.contains(s) { out.append(s) }
        }
        return out
    }
}
