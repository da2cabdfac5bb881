public import ArgumentParser
import CIQL
public import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import Glibc
import GraphStorage
import JSONLines

extension ResultFormat: ExpressibleByArgument {}

/// `cmdb query`
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run CIQL statements and print their results.",
        discussion: """
            CIQL is Cypher with CMDB verbs. Examples:
              cmdb query "MATCH (s:Server {id: 'web-01'})<-[:RUNS_ON]-(a) RETURN a.id, a.name"
              cmdb query "MATCH (n) RETURN class(n) AS class, count(*) ORDER BY class" --format csv
              cmdb query "MATCH (a:Application) WHERE a.owner = \\$team RETURN a.id" --param team=platform-team
              cmdb query "USING CHANGE 'CHG42' MATCH (v {id: 'vm-1'}) SET v.status = 'withdrawn'"
              cmdb query "MATCH (n:Server) RETURN count(*) AS OF '2026-11-01T00:00:00Z'"
              cmdb query "CREATE BASELINE 'q3'"  ·  "DIFF BASELINE 'q3'"  ·  "SHOW CLASSES"  ·  "EXPLAIN MATCH …"

            Several statements may be separated by ';' (one transaction each). --param values are JSON
            (3, 2.5, true, "text", [1,2]); anything that is not JSON is a string. Rows go to stdout; the
            summary line goes to stderr. Exit 2 on a syntax or semantic error, with its code and the place
            marked: error[SyntaxError.UndefinedVariable] 1:24: unknown variable 'x'. With --format json or
            jsonl the error is also written to stdout as {"error":{"code","message","line","column"}}.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("The CIQL statement(s).", valueName: "ciql"))
    var text: String?

    @Option(name: .customShort("f"), help: ArgumentHelp("Read the statements from this file ('-' for stdin).", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("table, json, jsonl or csv.", valueName: "format"))
    var format: ResultFormat = .table

    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter: name=value (repeatable).", valueName: "name=value"))
    var parameters: [String] = []

    @Option(help: ArgumentHelp("The change reference recorded with writes, e.g. CHG0001234.", valueName: "ref"))
    var change: String?

    @Option(help: "Who is recorded as making the change (default: $CMDB_ACTOR, else your login name).")
    var actor: String?

    @Flag(help: "Do not print the summary line on stderr.")
    var quiet = false

    @OptionGroup var limitOptions: LimitOptions

    func validate() throws {
        if (text == nil) == (file == nil) {
            throw ValidationError("give the statement as an argument or with -f FILE (one of the two)")
        }
        for p in parameters where !p.contains("=") {
            throw ValidationError("--param '\(p)' must be name=value")
        }
    }

    func run() throws {
        let source: String
        let origin: String
        if let file {
            source = file == "-"
                ? try readText(descriptor: 0, name: "<stdin>", kind: "statement file")
                : try readTextFile(file, kind: "statement file")
            origin = "query -f \(file)"
        } else {
            source = text ?? ""
            origin = "query"
        }
        let db = try ConfigurationDatabase.open(at: database.path)
        let engine = QueryEngine(database: db, procedures: ProcedureCatalog.all)
        let info = ChangeInfo(actor: defaultActor(actor), changeReference: try changeReference(change), origin: origin)
        let writer = ResultWriter(format: format, output: Console.standardOutput)
        if Console.mayBatchOutput {
            // A file or pipe: results and summaries are written out in blocks (and at least every 0.2 s), not with
            // two system calls per statement; everything is written out before any error message.
            writer.flushPolicy = .batched(interval: 0.2)
            if !quiet { writer.summaryOutput = Console.bufferedError() }
        } else if !quiet {
            writer.onSummary = { Console.error($0) }
        }
        writer.limits = limitOptions.limits()
        do {
            try engine.run(
                source, parameters: try parsedParameters(), change: info, limits: writer.limits,
                sinkFor: { _ in writer })
            try writer.flush()
        } catch {
            try? writer.flush()
            // JSON readers get the error on stdout too, as the server gives it: {"error":{"code",…}}.
            if format == .json || format == .jsonl, let report = ErrorReport.of(error) {
                if let error = error as? CIQLError {
                    try? writer.writeError(error)
                } else {
                    try? writer.writeError(code: report.code.description, message: report.message, line: nil, column: nil)
                }
            }
            guard let error = error as? CIQLError else { throw error }
            throw CommandFailure(
                message: Self.message(error, source: source, file: file), exitCode: error.code.type == "Storage" ? 3 : 2,
                code: error.code, isRendered: true)
        }
    }

    /// Each error with its code, the line and a caret; the place prefixed with the file name when the text came
    /// from one: `error[SyntaxError.UnexpectedSyntax] q.ciql:1:17: expected …`.
    static func message(_ error: CIQLError, source: String, file: String?) -> String {
        error.rendered(source: source, file: file)
    }

    private func parsedParameters() throws -> [String: Value] {
        var result: [String: Value] = [:]
        for p in parameters {
            guard let eq = p.firstIndex(of: "=") else { continue }
            let name = String(p[..<eq]), text = String(p[p.index(after: eq)...])
            guard !name.isEmpty else { throw CommandFailure.badInput("--param '\(p)' has no name before '='") }
            do {
                result[name] = Value(json: try JSONParser.parse(text))
            } catch let error as JSONSyntaxError where error.message == "integer out of range" {
                // A number that is not an integer CIQL can hold is refused, as the literal is, not taken as text.
                throw CommandFailure.badInput(
                    "--param \(name): the integer in '\(text.prefix(80))' is outside the 64-bit range "
                        + "-9223372036854775808...9223372036854775807 (write a float with a '.', or a string in quotes)",
                    code: .syntax(.integerOverflow))
            } catch {
                result[name] = .string(text)
            }
        }
        return result
    }
}


