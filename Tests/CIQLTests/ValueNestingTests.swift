import CIQL
import CIQLSyntax
@testable import CIQLValues
import GraphStorage
import Testing

/// The nesting limit of values built at run time: at the limit every construct builds its value, one level over it
/// each is an error at its place (`Limit.NestingDepth`).
@Suite struct ValueNestingTests {
    let db: FixtureDatabase
    static let limit = Value.maximumNesting

    init() throws { db = try FixtureDatabase() }

    static func nested(_ depth: Int, map: Bool = false) -> Value {
        var v = Value.int(1)
        for _ in 0..<depth { v = map ? .map(ValueMap([("k", v)])) : .list([v]) }
        return v
    }

    @Test("nesting counts lists and maps, stops counting past its limit")
    func counting() {
        #expect(Self.limit == 100)
        #expect(Value.int(1).nesting() == 0 && Value.list([]).nesting() == 1 && Value.map(ValueMap()).nesting() == 1)
        #expect(Self.nested(7).nesting() == 7 && Self.nested(7, map: true).nesting() == 7)
        #expect(Value.list([.int(1), Self.nested(3), .map(ValueMap([("a", Self.nested(5))]))]).nesting() == 7)
        #expect(Self.nested(5000).nesting(upTo: 10) <= 12, "a deep value is not walked past the limit")
    }

    /// A statement building a value one level deeper than its parameter `d` (a list) or `m` (a map).
    static let builders = [
        "RETURN [$d] AS v", "RETURN {k: $d} AS v", "RETURN [x IN [1] | $d] AS v", "RETURN [1] + [$d] AS v",
        "RETURN [1] + $m AS v", "RETURN $m + [1] AS v", "RETURN reduce(l = [], x IN [1] | [$d]) AS v",
        "UNWIND [1, 2] AS i RETURN collect($d) AS v", "MATCH (s {id: 'srv-dc01'}) RETURN s {.id, d: $d} AS v",
        "MATCH (s {id: 'srv-dc01'}) RETURN [(s)-->(x) | $d] AS v",
    ]

    @Test("at the limit every construct builds its value", arguments: builders)
    func atTheLimit(statement: String) throws {
        let rows = try db.rows(
            statement, ["d": Self.nested(Self.limit - 1), "m": Self.nested(Self.limit - 1, map: true)])
        #expect(rows.count == 1 && rows[0][0].nesting() == Self.limit, "\(statement)")
    }

    @Test("one level over the limit every construct is an error at its place", arguments: builders)
    func overTheLimit(statement: String) throws {
        do {
            _ = try db.rows(statement, ["d": Self.nested(Self.limit), "m": Self.nested(Self.limit, map: true)])
            Issue.record("built a value nested \(Self.limit + 1) deep: \(statement)")
        } catch let error as CIQLError {
            #expect(error.code == .limit(.nestingDepth), "\(error)")
            #expect(error.location != nil && error.message.contains("100"), "\(error)")
        }
    }

    @Test("values that share their lists are measured once per list, not once per path (2^98 paths here)")
    func sharedLists() throws {
        let started = ContinuousClock.now
        let rows = try db.rows(
            "RETURN size(reduce(l = [], x IN range(1, 18) | [l, {a: l, b: [l]}[\"a\"]])) AS n")
        #expect(rows == [[2]], "\(rows)")
        // Past 10 million elements held again, the value is refused where it is built (Limit.TooLarge).
        do {
            _ = try db.rows("RETURN size(reduce(l = [], x IN range(1, 98) | [l, {a: l, b: [l]}[\"a\"]])) AS n")
            Issue.record("built a value that repeats its lists 2^98 times")
        } catch let error as CIQLError {
            #expect(error.code == .limit(.tooLarge) && error.location != nil, "\(error)")
        }
        do {
            _ = try db.rows("RETURN size(reduce(l = [1], x IN range(1, 100) | [l])) AS n")
            Issue.record("built a value nested 101 deep")
        } catch let error as CIQLError {
            #expect(error.code == .limit(.nestingDepth), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(20), "the walks are linear in the lists, not the paths")
    }

    @Test("a parameter over the limit is refused naming it; at the limit it is taken")
    func parameters() throws {
        #expect(try db.rows("RETURN size($p) AS n", ["p": Self.nested(Self.limit, map: true)]) == [[1]])
        do {
            _ = try db.rows("RETURN 1 AS n", ["p": Self.nested(Self.limit + 1, map: true)])
            Issue.record("a parameter nested \(Self.limit + 1) deep was taken")
        } catch let error as CIQLError {
            #expect(error.code == .limit(.nestingDepth) && error.message.contains("$p"), "\(error)")
        }
    }
}
