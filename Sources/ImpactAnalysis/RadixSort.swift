import GraphStorage

/// Sorts by node id for the rounds of an impact analysis: a round of a datacenter's impact holds hundreds of
/// thousands of CIs, and a comparison sort of them cost more than the reads they put in order, so big arrays go
/// through a least-significant-digit radix sort of the digits below the largest id (two passes for a million
/// CIs); a hypervisor's rounds hold a few CIs, sorted in place without allocating.
enum RadixSort {
    private static let digitBits = 11
    private static let radixCount = 1_024
    private static let insertionCount = 24

    /// Sorts `items` by `key(item)`, ascending; equal keys may come out in any order.
    static func sort<T>(_ items: inout [T], scratch: inout [T], key: (T) -> UInt64) {
        let n = items.count
        if n <= insertionCount {
            var i = 1
            while i < n {
                let item = items[i]
                let k = key(item)
                var j = i
                while j > 0 && key(items[j - 1]) > k {
                    items[j] = items[j - 1]
                    j -= 1
                }
                items[j] = item
                i += 1
            }
            return
        }
        if n < radixCount {
            items.sort { key($0) < key($1) }
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
