@testable import CIQL
import CIQLResults
import CIQLValues
import CMDB
import GraphStorage
import Testing

/// Procedures that hand out their rows a value at a time, and when a call may return its rows in any order.
@Suite struct ProcedureRowsTests {
    let db: FixtureDatabase

    init() throws { db = try FixtureDatabase() }

    /// Rows of one column, with whether the call was told its row order can be told apart.
    private static let probe = ProcedureDefinition(
        name: "probe", parameters: ["n"], outputs: ["i", "ordered"]
    ) { arguments, context -> ProcedureRows in
        guard case .int(let n) = arguments[0] else { return ProcedureRows([]) }
        return ProcedureRows(count: Int(n)) { (row, output) in output == 0 ? .int(Int64(row)) : .bool(context.ordered) }
    }

    /// Two values that `min`/`max` rank equal but that are not the same value, in reverse when the call may
    /// return its rows in any order (as `impact` does then, in discovery order instead of nearest first).
    private static let ties = ProcedureDefinition(
        name: "ties", parameters: [], outputs: ["v", "s"]
    ) { _, context -> ProcedureRows in
        let rows: [[Value]] = [[.int(1), .string("Caf\u{E9}")], [.float(1), .string("Cafe\u{301}")]]
        return ProcedureRows(context.ordered ? rows : rows.reversed())
    }

    private func rows(_ text: String) throws -> [[Value]] {
        let engine = QueryEngine(database: db.database, procedures: [Self.probe, Self.ties])
        let sink = CollectingSink()
        try engine.run(
            text, parameters: [:], change: ChangeInfo(actor: "test", changeReference: nil, origin: "test"),
            sinkFor: { _ in sink })
        return sink.rows
    }

    @Test func rowsAreHandedOutAValueAtATime() throws {
        #expect(try rows("CALL probe(3) YIELD i RETURN i") == [[.int(0)], [.int(1)], [.int(2)]])
        #expect(try rows("CALL probe(0) YIELD i RETURN i") == [])
        #expect(try rows("UNWIND [2, 1] AS n CALL probe(n) YIELD i RETURN n, i") == [
            [.int(2), .int(0)], [.int(2), .int(1)], [.int(1), .int(0)],
        ])
        // A consumer that keeps every row (ORDER BY) sees each row's own values, not the last one's.
        #expect(try rows("CALL probe(3) YIELD i RETURN i ORDER BY i DESC") == [[.int(2)], [.int(1)], [.int(0)]])
    }

    @Test func onlyCountsOfOneRowLeaveTheOrderFree() throws {
        // Free: one row of counts, the same whatever the order of the call's rows.
        #expect(try rows("CALL probe(2) YIELD ordered RETURN count(ordered) AS n") == [[.int(2)]])
        #expect(try rows("CALL probe(2) YIELD i, ordered RETURN count(*) AS n, count(DISTINCT i) AS d")
            == [[.int(2), .int(2)]])
        #expect(try rows("CALL probe(2) YIELD ordered WHERE ordered = false RETURN count(ordered) AS n") == [[.int(2)]])
        #expect(try rows("CALL probe(2) YIELD ordered WHERE ordered = true RETURN count(ordered) AS n") == [[.int(0)]])
        // Told apart: the rows themselves, a list in row order, groups in the order met, a WITH between, min and
        // max (they keep the first of values they rank equal), or an expression over a count.
        #expect(try rows("CALL probe(1) YIELD ordered RETURN ordered") == [[.bool(true)]])
        #expect(try rows("CALL probe(1) YIELD ordered RETURN collect(ordered) AS o") == [[.list([.bool(true)])]])
        #expect(try rows("CALL probe(1) YIELD ordered RETURN ordered, count(*) AS n") == [[.bool(true), .int(1)]])
        #expect(try rows("CALL probe(1) YIELD ordered WITH ordered LIMIT 1 RETURN count(ordered) AS o") == [[.int(1)]])
        #expect(try rows("CALL probe(1) YIELD ordered WITH ordered LIMIT 1 RETURN max(ordered) AS o") == [[.bool(true)]])
        #expect(try rows("CALL probe(1) YIELD ordered RETURN max(ordered) AS o") == [[.bool(true)]])
        #expect(try rows("CALL probe(1) YIELD ordered RETURN min(ordered) AS o, count(*) AS n") == [[.bool(true), .int(1)]])
        #expect(try rows("CALL probe(1) YIELD ordered WHERE ordered RETURN count(*) + 0 AS n") == [[.int(1)]])
    }

    /// `min` and `max` keep the first of values they rank equal (1 and 1.0, one instant in two time zones), so
    /// their result depends on the order of the rows: a call before them must keep its order, or
    /// `CALL impact(…) YIELD ci, level RETURN max(ci.name)` differs from the same call yielding `distance` too.
    /// Canonically equivalent strings are not such a tie: strings compare by code point, so `min` is the
    /// decomposed spelling (U+0065 sorts before U+00E9) in either order.
    @Test func minAndMaxOfTiedValuesDependOnTheOrder() throws {
        let counted = try rows("CALL ties() YIELD v, s RETURN max(v) AS v, min(s) AS s")
        let kept = try rows("CALL ties() YIELD v, s WITH v, s LIMIT 2 RETURN max(v) AS v, min(s) AS s")
        #expect(kept == [[.int(1), .string("Cafe\u{301}")]])
        var isInt = false
        if case .int? = counted.first?.first { isInt = true }
        #expect(isInt, "max(v): 1 as when the rows keep their order, not 1.0: \(counted)")
        if case .string(let a)? = counted.first?.last, case .string(let b)? = kept.first?.last {
            #expect(Array(a.utf8) == Array(b.utf8), "min(s): the same bytes whatever the plan")
        }
    }
}
