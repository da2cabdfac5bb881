import CIQLResults
import Testing

/// The line after each statement (stderr, the REPL): rows, what changed, the transaction, the time.
struct SummaryLineTests {
    private static func summary(
        rows: Int = 0, writes: Bool = false, transaction: UInt64? = nil, asOf: UInt64? = nil, microseconds: Int64 = 0,
        _ change: (inout UpdateCounters) -> Void = { _ in }
    ) -> StatementSummary {
        var s = StatementSummary()
        s.rows = rows
        s.writes = writes
        s.transaction = transaction
        s.asOf = asOf
        s.microseconds = microseconds
        change(&s.counters)
        return s
    }

    @Test("reads: rows, the point in time, the time taken")
    func reads() {
        #expect(ResultWriter.summaryLine(Self.summary(rows: 1, microseconds: 40), columns: ["x"]) == "1 row (0.0 ms)")
        #expect(ResultWriter.summaryLine(Self.summary(rows: 0, microseconds: 1_250), columns: ["x"]) == "0 rows (1.3 ms)")
        #expect(
            ResultWriter.summaryLine(Self.summary(rows: 12_345, asOf: 42, microseconds: 9_949), columns: ["a", "b"])
                == "12345 rows as of transaction 42 (9.9 ms)")
        #expect(ResultWriter.summaryLine(Self.summary(rows: 2, microseconds: 9_950), columns: ["x"]) == "2 rows (10.0 ms)")
        #expect(ResultWriter.summaryLine(Self.summary(rows: 2, microseconds: 1_234_567), columns: ["x"]) == "2 rows (1235 ms)")
        // A statement without columns that changed nothing still says its rows.
        #expect(ResultWriter.summaryLine(Self.summary(), columns: []) == "0 rows (0.0 ms)")
    }

    @Test("writes: what changed, in which transaction; with columns the rows first")
    func writes() {
        let created = Self.summary(writes: true, transaction: 7, microseconds: 3_100) {
            $0.nodesCreated = 1
            $0.relationshipsCreated = 2
        }
        #expect(ResultWriter.summaryLine(created, columns: []) == "1 CI created, 2 relations created in transaction 7 (3.1 ms)")
        let everything = Self.summary(rows: 1, writes: true, transaction: 8, microseconds: 25_000) {
            $0.nodesCreated = 2
            $0.nodesDeleted = 1
            $0.relationshipsCreated = 1
            $0.relationshipsDeleted = 3
            $0.propertiesSet = 1
            $0.propertiesRemoved = 2
            $0.labelsAdded = 1
            $0.labelsRemoved = 4
        }
        #expect(
            ResultWriter.summaryLine(everything, columns: ["n"])
                == "1 row; 2 CIs created, 1 CI deleted, 1 relation created, 3 relations deleted, 1 property set, "
                + "2 properties removed, 1 class set, 4 classes removed in transaction 8 (25 ms)")
        // A write that committed nothing.
        let nothing = Self.summary(writes: true, microseconds: 500) { $0.propertiesSet = 2 }
        #expect(ResultWriter.summaryLine(nothing, columns: []) == "nothing changed (0.5 ms)")
        #expect(ResultWriter.summaryLine(nothing, columns: ["n"]) == "0 rows; nothing changed (0.5 ms)")
    }
}
