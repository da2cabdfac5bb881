import GraphStorage

/// Least-significant-digit radix sorts by node id, for the big rounds of an impact analysis: a round of a
/// datacenter's impact holds hundreds of thousands of CIs, and a comparison sort of them cost more than the
/// reads they put in order. Only the digits below the largest id are sorted (two passes for a million CIs).
/// Stable; small arrays go to the standard library's sort.
enum RadixSort {
    private static let digitBits = 11
    private static let smallCount = 256

    /// Sorts `items` by `key(item)` (ascending; equal keys keep their order).
    static func sort<T>(_ items: inout [T], scratch: inout [T], key: (T) -> UInt64) {
        let n = items.count
        if n < smallCount {
            // Stable for equal keys: the index breaks ties.
            let sorted = items.indices.sorted { (key(items[$0]), $0) < (key(items[$1]), $1) }.map { items[$0] }
            items = sorted
            return
        }
        var maxKey: UInt64 = 0
        for item in items { maxKey |= key(item) }
        let bits = UInt64.bitWidth - maxKey.leadingZeroBitCount
        guard bits > 0 else { return }
        let buckets = 1 << digitBits
        let mask = UInt64(buckets - 1)
        var counts = [Int](repeating: 0, count: buckets)
        if scratch.count != n { scratch = items }
        var shift = 0
        while shift < bits {
            for i in 0..<buckets { counts[i] = 0 }
            for item in items { counts[Int((key(item) >> UInt64(shift)) & mask)] += 1 }
            var total = 0
            for i in 0..<buckets {
                let c = counts[i]
                counts[i] = total
                total += c
            }
            for item in items {
                let d = Int((key(item) >> UInt64(shift)) & mask)
                scratch[counts[d]] = item
                counts[d] += 1
            }
            swap(&items, &scratch)
            shift += digitBits
        }
    }
}
