import CIQL
import CIQLResults
import CIQLSyntax
import ConfigurationSchema
import Foundation
import Glibc
import GraphStorage
import JSONLines
import Testing

/// The stable codes of errors found by the planner and the executor, on the sample CMDB (with the built-in schema).
@Suite(.serialized)
struct ErrorCodeTests {
    let db: FixtureDatabase

    init() throws { db = try FixtureDatabase() }

    /// The code of the error `text` raises, and whether it was found before running (compile time).
    func error(_ text: String) -> (code: String, compileTime: Bool)? {
        do {
            _ = try db.rows(text)
            return nil
        } catch let error as CIQLError {
            return (error.code.description, error.kind.isCompileTime)
        } catch {
            return ("not a CIQL error: \(error)", false)
        }
    }

    @Test(
        "planner and executor errors carry the openCypher code, or the CMDB's own",
        arguments: [
            ("MATCH (s:Server) RETURN t.id", "SyntaxError.UndefinedVariable", true),
            ("MATCH (s:Servr) RETURN s", "SchemaError.UnknownClass", true),
            ("MATCH (s:Server)-[:RUNS_ONN]->(x) RETURN s", "SchemaError.UnknownRelationType", true),
            ("RETURN toLowr('A')", "SyntaxError.UnknownFunction", true),
            ("MATCH (a)-[r]->(b) WITH r MATCH (r) RETURN r", "SyntaxError.VariableTypeConflict", true),
            ("MATCH p = (a) MATCH p = (b) RETURN p", "SyntaxError.VariableAlreadyBound", true),
            ("RETURN NOT 'x'", "SyntaxError.InvalidArgumentType", true),
            ("UNWIND ['x'] AS s RETURN s.name", "TypeError.InvalidArgumentType", false),
            ("RETURN 1 / 0", "ArithmeticError.DivisionByZero", false),
            ("RETURN range(1, 5, 0)", "ArgumentError.NumberOutOfRange", false),
            ("RETURN toFloat(true)", "TypeError.InvalidArgumentValue", false),
            ("RETURN $nothing", "ParameterMissing.MissingParameter", true),
            ("CALL nosuch()", "ProcedureError.ProcedureNotFound", true),
            ("CREATE (s:Server {id: 'srv-x', name: 'x', cpu: 0})", "SchemaError.InvalidAttributeValue", false),
            ("CREATE (s:Sever {id: 'srv-y'})", "SchemaError.UnknownClass", true),
            ("MATCH (s:Server {id: 'srv-dc01'}) DELETE s", "ConstraintVerificationFailed.DeleteConnectedNode", false),
            ("MATCH (s:Server {id: 'srv-dc01'}) SET s.id = 'other'", "GraphError.ImmutableID", false),
            ("MATCH (n) RETURN n AS OF BASELINE 'nope'", "HistoryError.UnknownBaseline", true),
        ])
    func codes(text: String, code: String, compileTime: Bool) {
        let raised = error(text)
        #expect(raised?.code == code, "\(text)")
        #expect(raised?.compileTime == compileTime, "\(text)")
    }

    @Test("*2..1 matches nothing instead of being an error")
    func emptyVariableLength() throws {
        #expect(try db.rows("MATCH (a)-[*2..1]->(b) RETURN b") == [])
        #expect(try db.rows("MATCH (a)-[*1..0]->(b) RETURN count(*)") == [[0]])
    }

    @Test("--format json's error object: code, message, line and column, and every parser error when there are several")
    func jsonErrorObject() throws {
        let path = NSTemporaryDirectory() + "cmdb-error-json-\(UUID().uuidString)"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { unlink(path) }
        let output = OutputSink(fileDescriptor: fd)
        let writer = ResultWriter(format: .json, output: output)
        do {
            _ = try CIQLParser.parse("RETURN 1 +;\nRETURN [1, 2")
        } catch {
            try writer.writeError(error)
        }
        try writer.writeError(code: "Storage.Locked", message: "the database is locked", line: nil, column: nil)
        close(fd)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONParser.parse(String(lines[0]))
        let error = first.objectValue?["error"]?.objectValue
        #expect(error?["code"] == .string("SyntaxError.UnexpectedSyntax"))
        #expect(error?["line"] == .int(1))
        #expect(error?["column"] == .int(11))
        #expect(error?["message"] == .string("expected an expression after '+', found ';'"))
        #expect(first.objectValue?["errors"]?.arrayValue?.count == 2)
        let second = try JSONParser.parse(String(lines[1])).objectValue?["error"]?.objectValue
        #expect(second?["code"] == .string("Storage.Locked"))
        #expect(second?["line"] == .null)
    }

    @Test("every code is listed in README's table of codes, and every code there exists")
    func readmeListsEveryCode() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let listed = Set(text.matches(of: #/^\| `([A-Za-z]+\.[A-Za-z]+)` \|/#.anchorsMatchLineEndings()).map { String($0.1) })
        let catalogue = Set(CIQLError.Code.catalogue.map(\.description))
        #expect(catalogue.subtracting(listed).isEmpty, "codes missing from README: \(catalogue.subtracting(listed).sorted())")
        #expect(listed.subtracting(catalogue).isEmpty, "README lists unknown codes: \(listed.subtracting(catalogue).sorted())")
        for reason in SchemaError.Reason.allCases {
            #expect(catalogue.contains(CIQLError.Code(reason).description), "SchemaError.\(reason.detail)")
        }
    }
}
