@testable import CIQL
import GraphStorage
import Testing
import TestSupport

/// The level-by-level step's set of node ids: sorted, each once, whether the ids are dense (bitmap) or sparse
/// (sort).
@Suite struct FrontierExpandTests {
    @Test(arguments: [
        [UInt64](), [7], [5, 5, 5], [3, 1, 2, 3, 1], [64, 63, 0, 127, 128, 64],
        [1, UInt64.max - 1, 1, 40], [UInt64.max - 2, UInt64.max - 70, UInt64.max - 2],
    ])
    func distinctSorted(_ ids: [UInt64]) {
        var got = ids
        FrontierExpandOperator.sortUnique(&got)
        #expect(got == Array(Set(ids)).sorted())
    }

    @Test func manyRandomIds() {
        var rng = SplitMix64(seed: 99)
        for spread in [UInt64(500), 100_000, 1 << 40] {
            let ids = (0..<5000).map { _ in 1000 + rng.next() % spread }
            var got = ids
            FrontierExpandOperator.sortUnique(&got)
            #expect(got == Array(Set(ids)).sorted(), "spread \(spread)")
        }
    }
}
