import Foundation
import Testing

/// Text files as Windows editors save them: a UTF-8 byte order mark at the start of any text input is skipped, and
/// in a CIQL file CRLF (and a lone CR) ends a line as LF does, for the error's line, column, excerpt and caret.
@Suite("Windows text files: byte order mark and CRLF", .serialized)
struct WindowsTextFileTests {
    let harness: Harness
    static let bom = "\u{FEFF}"

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    @Test("query -f FILE and -f - skip a byte order mark; CRLF ends statements' lines as LF does")
    func statementFileWithByteOrderMark() throws {
        let statements = "MATCH (n:Server) RETURN count(*) AS servers;\nRETURN 1 AS one;\n"
        let plain = try harness.sandbox.write("plain.ciql", statements)
        let expected = try harness.succeed("query", "-f", plain, "--format", "jsonl").out
        #expect(expected.contains("\"servers\""), "\(expected)")
        let windows = Self.bom + statements.replacingOccurrences(of: "\n", with: "\r\n")
        let file = try harness.sandbox.write("bom.ciql", windows)
        let fromFile = try harness.cmdb("query", "-f", file, "--format", "jsonl")
        #expect(fromFile.exitCode == 0 && fromFile.out == expected && !fromFile.err.contains("error"), "\(fromFile)")
        let fromStdin = try harness.cmdb("query", "-f", "-", "--format", "jsonl", stdin: Data(windows.utf8))
        #expect(fromStdin.exitCode == 0 && fromStdin.out == expected && !fromStdin.err.contains("error"), "\(fromStdin)")
    }

    @Test("an error in a CRLF file shows its line without the CR and the caret under its column, as in an LF file")
    func errorInCRLFFile() throws {
        let file = try harness.sandbox.write("crlf1.ciql", "MATCH (n:Sever)\r\nRETURN n;\r\nRETURN 1;\r\nRETURN 2;\r\n")
        let unknown = try harness.cmdb("query", "-f", file)
        #expect(unknown.exitCode == 2, "\(unknown)")
        #expect(
            unknown.err == """
                error[SchemaError.UnknownClass] \(file):1:10: unknown class 'Sever' (did you mean 'Server'?)
                  MATCH (n:Sever)
                           ^

                """, "\(unknown.err)")
        let syntax = try harness.sandbox.write("crlf2.ciql", "RETURN 1 AS a;\r\nRETURN\r\n  2 AS b, )\r\nRETURN 3;\r\n")
        let result = try harness.cmdb("query", "-f", syntax)
        #expect(result.exitCode == 2, "\(result)")
        #expect(
            result.err.hasPrefix("""
                error[SyntaxError.UnexpectedSyntax] \(syntax):3:11: expected an expression after ',', found ')'
                    2 AS b, )
                            ^

                """), "\(result.err)")
        #expect(!result.err.contains("\r"), "\(result.err)")
    }

    @Test("a lone CR ends a line too: line numbers, the excerpt and a // comment stop there")
    func loneCarriageReturn() throws {
        let syntax = try harness.sandbox.write("cr.ciql", "RETURN 1 AS a;\rRETURN\r  2 AS b, )\rRETURN 3;\r")
        let result = try harness.cmdb("query", "-f", syntax)
        #expect(result.exitCode == 2, "\(result)")
        #expect(
            result.err.hasPrefix("""
                error[SyntaxError.UnexpectedSyntax] \(syntax):3:11: expected an expression after ',', found ')'
                    2 AS b, )
                            ^

                """), "\(result.err)")
        let commented = try harness.sandbox.write("comment.ciql", "// the answer\rRETURN 42 AS answer\r")
        let answer = try harness.cmdb("query", "-f", commented, "--format", "csv")
        #expect(answer.exitCode == 0 && answer.out == "answer\n42\n", "\(answer)")
        let mixed = try harness.cmdb("query", "RETURN 1 AS a,\r\n\r  x\n")
        #expect(mixed.exitCode == 2, "\(mixed)")
        #expect(mixed.err.hasPrefix("error[SyntaxError.UndefinedVariable] 3:3: unknown variable 'x'"), "\(mixed.err)")
        #expect(mixed.err.hasSuffix("\n    x\n    ^\n"), "\(mixed.err)")
    }

    @Test("init --schema and schema apply read a schema file with a byte order mark and CRLF")
    func schemaFileWithByteOrderMark() throws {
        let schema = try harness.sandbox.write(
            "bom.yaml", Self.bom + "version: 1\r\nstatuses: [live]\r\nclasses:\r\n  A: {}\r\n")
        let fresh = harness.sandbox.path("fresh")
        let initialised = try harness.cmdb("init", "--schema", schema, db: fresh)
        #expect(initialised.exitCode == 0, "\(initialised)")
        let created = try harness.cmdb("query", "CREATE (:A {id: 'a-1'})", "--change", "C1", db: fresh)
        #expect(created.exitCode == 0, "\(created)")
        let applied = try harness.cmdb("schema", "apply", schema, db: fresh)
        #expect(applied.exitCode == 0, "\(applied)")
    }

    @Test("audit --rules, a spreadsheet --map and a shell script on stdin skip a byte order mark")
    func otherInputsWithByteOrderMark() throws {
        let rules = """
            - name: every-server\r
              category: correctness\r
              severity: low\r
              message: "every server"\r
              query: "MATCH (s:Server) RETURN s"\r

            """
        let plainRules = try harness.sandbox.write("rules.yaml", rules)
        let bomRules = try harness.sandbox.write("bom-rules.yaml", Self.bom + rules)
        let plainAudit = try harness.cmdb("audit", "--rules", plainRules, "--format", "json")
        #expect(plainAudit.exitCode != 2, "\(plainAudit)")
        let bomAudit = try harness.cmdb("audit", "--rules", bomRules, "--format", "json")
        #expect(bomAudit.exitCode == plainAudit.exitCode, "\(bomAudit)")
        #expect(bomAudit.out.contains("every-server"), "\(bomAudit)")

        let map = try harness.sandbox.write(
            "map.yaml", Self.bom + "class: Application\r\nid: \"{id}\"\r\nname: \"{name}\"\r\n")
        let sheet = try harness.sandbox.write("apps.csv", "id,name\napp-bom-1,One\n")
        let imported = try harness.cmdb("import", sheet, "--map", map, "--change", "C1")
        #expect(imported.exitCode == 0, "\(imported)")
        let found = try harness.succeed("query", "MATCH (a {id: 'app-bom-1'}) RETURN a.name AS name", "--format", "csv")
        #expect(found.out == "name\nOne\n", "\(found)")

        let script = Data((Self.bom + "RETURN 2 AS two;\r\n").utf8)
        let shell = try harness.cmdb("shell", stdin: script)
        #expect(shell.exitCode == 0 && shell.out == "two\n───\n2\n" && shell.err.isEmpty, "\(shell)")
    }

    @Test("POST /v1/schema skips a byte order mark at the start of the body")
    func serverSchemaWithByteOrderMark() throws {
        let admin = try harness.token("ada", role: "admin")
        // Without the leading comment: a mark before a comment line was already read as one.
        let current = try harness.succeed("schema", "show").out.split(separator: "\n", omittingEmptySubsequences: false)
            .drop(while: { $0.hasPrefix("#") }).joined(separator: "\n")
        try #require(current.hasPrefix("version:"), "\(current)")
        let server = try ServerProcess(harness: harness)
        let client = HTTPClient(baseURL: server.baseURL, token: admin)
        let applied = try client.request(
            "POST", "/v1/schema?change=CHG-BOM", body: Data((Self.bom + current).utf8), contentType: "application/yaml")
        #expect(applied.status == 200, "\(applied)")
        #expect(server.stop() == 0)
    }
}
