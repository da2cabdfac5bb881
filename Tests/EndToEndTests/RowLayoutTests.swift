import Foundation
import Testing

/// Rows through the binary carry only the variables in scope: a value a `WITH` drops no longer counts against the
/// memory budget of the sort or grouping after it.
struct RowLayoutTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
    }

    @Test("a big value dropped by WITH is not held by the ORDER BY after it (--max-memory 4M)")
    func droppedValueIsFreed() throws {
        // 200 rows of a 20,000-element list are far over 4 MiB; the sort after the WITH holds only i and n.
        let dropped = try harness.cmdb(
            "query", "--max-memory", "4M", "--format", "csv",
            "UNWIND range(1, 200) AS i WITH i, range(1, 20000) AS big WITH i, size(big) AS n RETURN i, n ORDER BY i DESC LIMIT 1")
        #expect(dropped.exitCode == 0, "\(dropped)")
        #expect(dropped.out.contains("200,20000"), "\(dropped)")
        // The same list still in scope at the sort is over the budget: the budget is what the first query passed.
        let kept = try harness.cmdb(
            "query", "--max-memory", "4M", "--format", "csv",
            "UNWIND range(1, 200) AS i WITH i, range(1, 20000) AS big RETURN i, size(big) AS n ORDER BY i DESC LIMIT 1")
        #expect(kept.exitCode == 2, "\(kept)")
        #expect(kept.err.contains("ORDER BY") && kept.err.contains("--max-memory"), "\(kept)")
        // A WITH's own ORDER BY may read what the WITH drops: the sort keeps its keys, not the list.
        let sortedBy = try harness.cmdb(
            "query", "--max-memory", "4M", "--format", "csv",
            "UNWIND range(1, 200) AS i WITH i, range(1, 20000) AS big WITH i ORDER BY size(big) - i LIMIT 1 RETURN i")
        #expect(sortedBy.exitCode == 0, "\(sortedBy)")
        #expect(sortedBy.out.contains("200"), "\(sortedBy)")
    }
}
