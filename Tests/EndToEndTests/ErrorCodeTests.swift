import Foundation
import Testing

/// Error codes through the binary: `error[CODE]` on stderr, the exit code, and `--format json`'s error object.
struct ErrorCodeTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    @Test("a CIQL error exits 2 with error[CODE] line:column, the line and a caret, and writes nothing")
    func queryErrorOnStderr() throws {
        let result = try harness.cmdb("query", "MATCH (s:Server)\nSET s.os = 'x'\nRETURN t.id")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.out.isEmpty, "\(result)")
        #expect(
            result.err == """
                error[SyntaxError.UndefinedVariable] 3:8: unknown variable 't' (did you mean 's'?)
                  RETURN t.id
                         ^

                """, "\(result.err)")
        let os = try harness.succeed("query", "MATCH (s {id: 'srv-dc01'}) RETURN s.os", "--format", "csv").out
        #expect(!os.contains("\nx\n"), "nothing was written: \(os)")
    }

    @Test("several syntax errors in one pass, each with its place and caret")
    func severalSyntaxErrors() throws {
        let file = try harness.sandbox.write("bad.ciql", "MATCH (n RETURN n;\nRETURN 1 +;\nRETURN 2 AS ok;\n")
        let result = try harness.cmdb("query", "-f", file)
        #expect(result.exitCode == 2, "\(result)")
        #expect(
            result.err == """
                error[SyntaxError.UnexpectedSyntax] \(file):1:10: expected ')' to close the node pattern opened at 1:7, found 'RETURN'
                  MATCH (n RETURN n;
                           ^
                error[SyntaxError.UnexpectedSyntax] \(file):2:11: expected an expression after '+', found ';'
                  RETURN 1 +;
                            ^

                """, "\(result.err)")
    }

    @Test("--format json and jsonl also write the error object to stdout: code, message, line, column")
    func jsonErrorShape() throws {
        for format in ["json", "jsonl"] {
            let result = try harness.cmdb("query", "UNWIND [1, 0] AS d RETURN 10 / d", "--format", format)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.err.hasPrefix("error[ArithmeticError.DivisionByZero] 1:27: division by zero"), "\(result.err)")
            let last = try #require(result.out.split(separator: "\n").last)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
            let error = try #require(object["error"] as? [String: Any], "\(result.out)")
            #expect(error["code"] as? String == "ArithmeticError.DivisionByZero")
            #expect(error["message"] as? String == "division by zero")
            #expect(error["line"] as? Int == 1)
            #expect(error["column"] as? Int == 27)
        }
        let several = try harness.cmdb("query", "RETURN 1 +; RETURN [", "--format", "json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(several.out.utf8)) as? [String: Any])
        #expect((object["errors"] as? [Any])?.count == 2, "\(several.out)")
    }

    @Test("import, schema and storage errors carry codes too")
    func otherErrors() throws {
        let lines = try harness.sandbox.write(
            "bad.jsonl", #"{"kind":"ci","id":"x-1","class":"Sever","name":"x"}"# + "\n")
        let imported = try harness.cmdb("import", lines)
        #expect(imported.exitCode == 2, "\(imported)")
        #expect(imported.err.hasPrefix("error[SchemaError.UnknownClass] \(lines):1: unknown class 'Sever'"), "\(imported.err)")
        #expect(imported.err.contains("nothing was imported"))
        let broken = try harness.sandbox.write("broken.jsonl", "{\"kind\":\"ci\",\n")
        let json = try harness.cmdb("import", broken)
        #expect(json.exitCode == 2)
        #expect(json.err.hasPrefix("error[InputError.InvalidLine] \(broken):1"), "\(json.err)")
        let missing = try harness.run(["--db", harness.sandbox.path("nowhere"), "status"])
        #expect(missing.exitCode == 3, "\(missing)")
        #expect(missing.err.hasPrefix("error[Storage.NotADatabase]: "), "\(missing.err)")
        let usage = try harness.cmdb("query")
        #expect(usage.exitCode == 2, "\(usage)")
        #expect(usage.err.hasPrefix("error[Usage.InvalidArgument]: give the statement as an argument"), "\(usage.err)")
        let schema = try harness.sandbox.write("schema.yaml", "classes: [\n")
        let applied = try harness.cmdb("schema", "apply", schema)
        #expect(applied.exitCode == 2, "\(applied)")
        #expect(applied.err.hasPrefix("error[SchemaError.InvalidSchemaFile]: \(schema):2:1: invalid YAML"), "\(applied.err)")
    }
}
