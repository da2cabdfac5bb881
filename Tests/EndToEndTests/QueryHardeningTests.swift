import Foundation
import Testing

/// CIQL on hostile input through the binary: arithmetic that overflows, regular expressions that would backtrack,
/// statements that would run or grow forever, values that carry terminal escapes.
struct QueryHardeningTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    /// Runs one query that must fail with a runtime error (exit 2) whose message contains `mentions`.
    private func expectQueryError(
        _ statement: String, mentions: [String], _ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let result = try harness.run(["--db", harness.db, "query", statement] + extra)
        #expect(result.exitCode == 2, "\(result)", sourceLocation: sourceLocation)
        #expect(result.signal == nil, "\(result)", sourceLocation: sourceLocation)
        for m in mentions {
            #expect(result.err.contains(m), "'\(m)' missing from: \(result.err)", sourceLocation: sourceLocation)
        }
    }

    @Test(
        "integer arithmetic never traps: folded or not, in RETURN and WHERE, every operator says overflow, exit 2",
        arguments: [
            "RETURN -(-9223372036854775808)",
            "MATCH (n) WHERE n.criticality > -(-9223372036854775808) RETURN n",
            "WITH -9223372036854775808 AS x RETURN -x",
            "RETURN 9223372036854775807 + 1",
            "RETURN -9223372036854775808 - 1",
            "RETURN 9223372036854775807 * 2",
            "RETURN -9223372036854775808 / -1",
            "RETURN abs(-9223372036854775808)",
            "UNWIND [9223372036854775807, 1] AS x RETURN sum(x)",
        ])
    func integerOverflow(statement: String) throws {
        try expectQueryError(statement, mentions: ["overflow"])
    }

    @Test(
        "durations and conversions out of range are errors, not traps or wrapped values",
        arguments: [
            ("RETURN toInteger(1e30)", "integer range"),
            ("RETURN duration({days: 9223372036854775807}) + duration({days: 1})", "duration"),
            ("RETURN duration({days: 100000000000000}) * 1e300", "duration overflow"),
            ("RETURN duration({days: 9223372036854775807, weeks: 1})", "out of range"),
            ("RETURN datetime('2020-01-01T00:00:00Z') + duration({days: 100000000000})", "too large"),
            ("UNWIND [duration({days: 9223372036854775807}), duration({days: 1})] AS d RETURN sum(d)", "duration overflow"),
            ("RETURN range(-9223372036854775808, 9223372036854775807)", "range()"),
        ])
    func otherOverflow(statement: String, mention: String) throws {
        try expectQueryError(statement, mentions: [mention])
    }

    @Test("in-range answers at the edges stay right: avg of big integers, toIntegerOrNull, SKIP + LIMIT saturate")
    func edgesThatWork() throws {
        let q = """
            UNWIND [9223372036854775807, 9223372036854775807] AS x
            RETURN avg(x) AS a, toIntegerOrNull(1e30) AS n, -9223372036854775808 AS lo
            """
        let result = try harness.succeed("query", q, "--format", "json")
        #expect(result.out.contains("[9.223372036854776e+18,null,-9223372036854775808]"), "\(result)")
        let sliced = try harness.succeed(
            "query", "MATCH (n) RETURN n.id ORDER BY n.id SKIP 9223372036854775807 LIMIT 9223372036854775807",
            "--format", "json")
        #expect(sliced.out.contains(#""rows":[]"#), "\(sliced)")
    }

    @Test("the shell reports an overflow as an error and goes on with the next statement")
    func overflowInShell() throws {
        let result = try harness.cmdb("shell", stdin: Data("RETURN -(-9223372036854775808);\nRETURN 1 AS one;\n".utf8))
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("overflow"), "\(result)")
        #expect(result.out.contains("one"), "\(result)")
    }
}
