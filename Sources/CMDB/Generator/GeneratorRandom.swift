// The generator's own pseudo-random numbers: SplitMix64 seeds xoshiro256**.
// Everything here is integer arithmetic, so a (seed, stream) pair gives the same
// sequence on every platform and every run.

extension CMDBGenerator {
    /// xoshiro256** seeded through SplitMix64. Each `stream` is an independent sequence
    /// for the same seed (structure and attributes are drawn from separate streams).
    struct Random {
        private var s0: UInt64
        private var s1: UInt64
        private var s2: UInt64
        private var s3: UInt64

        init(seed: UInt64, stream: UInt64) {
            var state = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
            s0 = Random.splitMix(&state)
            s1 = Random.splitMix(&state)
            s2 = Random.splitMix(&state)
            s3 = Random.splitMix(&state)
            if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
        }

        private static func splitMix(_ state: inout UInt64) -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        @inline(__always)
        private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
            (x << k) | (x >> (64 &- k))
        }

        @inline(__always)
        mutating func next() -> UInt64 {
            let result = Random.rotl(s1 &* 5, 7) &* 9
            let t = s1 << 17
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = Random.rotl(s3, 45)
            return result
        }

        /// A number in `0..<n` (`n` > 0), by multiply-high (Lemire, without rejection;
        /// the bias is below 2^-40 for the sizes used here and the result is deterministic).
        @inline(__always)
        mutating func below(_ n: Int) -> Int {
            Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(truncatingIfNeeded: n)).high)
        }

        /// A number in `low...high`.
        @inline(__always)
        mutating func inRange(_ low: Int, _ high: Int) -> Int {
            low + below(high - low + 1)
        }

        /// True with probability `perMille`/1000.
        @inline(__always)
        mutating func chance(perMille: Int) -> Bool {
            below(1000) < perMille
        }

        /// An index into `weights`, drawn with probability proportional to its weight.
        @inline(__always)
        mutating func weighted(_ weights: [Int]) -> Int {
            var total = 0
            for w in weights { total += w }
            var r = below(total)
            for (i, w) in weights.enumerated() {
                if r < w { return i }
                r -= w
            }
            return weights.count - 1
        }

        /// An element of a non-empty array.
        @inline(__always)
        mutating func pick<T>(_ items: [T]) -> T {
            items[below(items.count)]
        }

        /// Fisher–Yates shuffle.
        mutating func shuffle(_ items: inout [Int32]) {
            var i = items.count - 1
            while i > 0 {
                let j = below(i + 1)
                items.swapAt(i, j)
                i -= 1
            }
        }
    }
}
