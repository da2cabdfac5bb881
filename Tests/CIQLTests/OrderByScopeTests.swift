import CIQL
import CIQLSyntax
import CIQLValues
import Testing

/// What ORDER BY (and WITH's WHERE) may read after a projection that merges rows (aggregation or DISTINCT): the
/// projected columns and expressions over them, never a variable the projection dropped (its value differs between
/// the merged rows).
@Suite struct OrderByScopeTests {
    let db: FixtureDatabase

    init() throws {
        db = try FixtureDatabase(sample: false)
        _ = try db.rows("CREATE (:T {id: 'a', g: 1, age: 10}), (:T {id: 'b', g: 1, age: 99}), (:T {id: 'c', g: 2, age: 50})")
    }

    private func code(_ text: String) -> String? {
        do {
            _ = try db.rows(text)
            return nil
        } catch let error as CIQLError {
            return error.kind.isCompileTime ? error.code.description : "runtime " + error.code.description
        } catch {
            return "not a CIQL error: \(error)"
        }
    }

    @Test(
        "a variable that is only read inside a grouping key is out of scope for ORDER BY (TCK ReturnOrderBy2 [13])",
        arguments: [
            "MATCH (a) RETURN a.g AS g, count(*) AS c ORDER BY a.age DESC",
            "MATCH (a) WITH a.g AS g, count(*) AS c ORDER BY a.age RETURN g, c",
            "MATCH (a) RETURN a.g AS g, count(*) AS c ORDER BY a.age + c",
            "MATCH (a) RETURN a.g, count(*) ORDER BY a.g + a.age",
            "MATCH (a) RETURN DISTINCT a.g AS g ORDER BY a.age",
            "MATCH (a) RETURN DISTINCT a.g ORDER BY a.age",
            "MATCH (a) WITH DISTINCT a.g AS g WHERE a.age > 50 RETURN g",
            "MATCH (a) WITH a.g AS g, count(*) AS c WHERE a.age > 50 RETURN g",
        ])
    func droppedVariableIsUndefined(text: String) {
        #expect(code(text) == "SyntaxError.UndefinedVariable", "\(text)")
    }

    @Test("the message names the variable and says to project it, in ORDER BY and in WITH … WHERE")
    func message() throws {
        let filtered = try #require(throws: CIQLError.self) {
            try db.rows("MATCH (a) WITH DISTINCT a.g AS g WHERE a.age > 50 RETURN g")
        }
        #expect(filtered.message.contains("'a' in WHERE") && filtered.message.contains("project"), "\(filtered.message)")
        #expect(filtered.location?.column == 40, "\(String(describing: filtered.location))")
        let error = try #require(throws: CIQLError.self) {
            try db.rows("MATCH (a) RETURN a.g AS g, count(*) AS c ORDER BY a.age DESC")
        }
        #expect(error.message.contains("'a'") && error.message.contains("project"), "\(error.message)")
        #expect(error.location?.column == 51, "\(String(describing: error.location))")
    }

    @Test(
        "projected aliases, aggregates, projected keys and expressions over them still sort",
        arguments: [
            ("MATCH (a) RETURN a.g AS g, count(*) AS c ORDER BY g DESC", [[2, 1], [1, 2]] as [[Value]]),
            ("MATCH (a) RETURN a.g AS g, count(*) AS c ORDER BY c DESC", [[1, 2], [2, 1]]),
            ("MATCH (a) RETURN a.g AS g, count(*) AS c ORDER BY a.g DESC", [[2, 1], [1, 2]]),
            ("MATCH (a) RETURN a.g AS g, count(*) AS c ORDER BY -a.g", [[2, 1], [1, 2]]),
            ("MATCH (a) RETURN a.g AS g, count(*) AS c ORDER BY a.g * 10 - count(*) DESC", [[2, 1], [1, 2]]),
            ("MATCH (a) RETURN a.g AS g, max(a.age) AS m ORDER BY max(a.age)", [[2, 50], [1, 99]]),
            ("MATCH (a) RETURN a.g, count(*) ORDER BY a.g DESC", [[2, 1], [1, 2]]),
            ("MATCH (a) WITH a.g AS g, count(*) AS c ORDER BY a.g DESC RETURN g, c", [[2, 1], [1, 2]]),
            ("MATCH (a) WITH a, count(*) AS c ORDER BY a.age DESC RETURN a.id, c", [["b", 1], ["c", 1], ["a", 1]]),
            ("MATCH (a) WITH a AS x, count(*) AS c ORDER BY a.age RETURN x.id, c", [["a", 1], ["c", 1], ["b", 1]]),
            ("MATCH (a) RETURN DISTINCT a.g AS g ORDER BY a.g DESC", [[2], [1]]),
            ("MATCH (a) RETURN DISTINCT a.g AS g ORDER BY a.g + 0 DESC", [[2], [1]]),
            ("MATCH (a) RETURN a.g AS g ORDER BY a.age DESC", [[1], [2], [1]]),
            ("MATCH (a) RETURN a.g AS a, count(*) AS c ORDER BY a DESC", [[2, 1], [1, 2]]),
            ("MATCH (a) WITH DISTINCT a.g AS g WHERE g > 1 RETURN g", [[2]]),
            ("MATCH (a) WITH DISTINCT a.g AS g WHERE a.g > 1 RETURN g", [[2]]),
            ("MATCH (a) WITH a.g AS g, count(*) AS c WHERE a.g = 1 RETURN g, c", [[1, 2]]),
            ("MATCH (a) WITH a.g AS g WHERE a.age > 50 RETURN g", [[1]]),
        ])
    func allowedForms(text: String, expected: [[Value]]) throws {
        #expect(try db.rows(text) == expected, "\(text)")
    }
}
