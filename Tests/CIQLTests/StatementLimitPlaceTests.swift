import CIQL
import CIQLResults
import CIQLSyntax
import GraphStorage
import Testing

/// A statement stopped as a whole (its time limit) is named by its place, whether it came through `run` (the CLI,
/// the server's reads) or `execute` (the server's writes, one statement at a time).
struct StatementLimitPlaceTests {
    @Test("execute: a write past its time limit carries the statement's line and column")
    func executeNamesTheStatement() throws {
        let db = try FixtureDatabase(sample: false)
        let statements = try CIQLParser.parse(
            "RETURN 1 AS a;\n  UNWIND range(1, 100000) AS x UNWIND range(1, 1000) AS y WITH x WHERE x < 0 CREATE (:T {x: x})")
        let slow = try #require(statements.last)
        var limits = StatementLimits.none
        limits.timeout = 0.05
        let error = try #require(throws: CIQLError.self) {
            try db.engine.execute(
                slow, change: ChangeInfo(actor: "test", changeReference: nil, origin: "test"), limits: limits,
                into: CollectingSink())
        }
        #expect(error.code.description == "Limit.Timeout")
        #expect(error.location?.line == 2 && error.location?.column == 3, "\(String(describing: error.location))")
    }
}
