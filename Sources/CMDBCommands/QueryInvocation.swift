import CIQL
import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import GraphStorage
import JSONLines

/// What `cmdb query` runs with, whichever way its command line was read: by ArgumentParser (`QueryCommand`) or
/// by `init?(quickParsing:)`.
struct QueryInvocation: Equatable {
    /// `--db`; nil for $CMDB_DB, else ./cmdb-data.
    var databasePath: String?
    var text: String?
    var file: String?
    var format: ResultFormat = .table
    var parameters: [String] = []
    var change: String?
    var actor: String?
    var quiet = false
    var timeout: Double?
    var maxMemory: String?

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
        let db = try ConfigurationDatabase.open(at: DatabaseOptions.path(given: databasePath))
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
        writer.limits = LimitOptions.limits(timeout: timeout, maxMemory: maxMemory)
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
            // Each error with its code, the line and a caret; the place prefixed with the file name when the text
            // came from one: `error[SyntaxError.UnexpectedSyntax] q.ciql:1:17: expected …`.
            throw CommandFailure(
                message: error.rendered(source: source, file: file),
                exitCode: error.code.type == "Storage" ? 3 : 2, code: error.code, isRendered: true)
        }
    }

    /// What the `validate()` of `QueryCommand` and of its limit options refuse in these options, or nil.
    var usageProblem: String? {
        if (text == nil) == (file == nil) { return "give the statement as an argument or with -f FILE (one of the two)" }
        if let p = parameters.first(where: { !$0.contains("=") }) { return "--param '\(p)' must be name=value" }
        return LimitOptions.problem(timeout: timeout, maxMemory: maxMemory)
    }

    private func parsedParameters() throws -> [String: Value] {
        var result: [String: Value] = [:]
        for p in parameters {
            guard let eq = p.firstIndex(of: "=") else { continue }
            let name = String(p[..<eq]), text = String(p[p.index(after: eq)...])
            guard !name.isEmpty else { throw CommandFailure.badInput("--param '\(p)' has no name before '='") }
            do {
                result[name] = Value(json: try JSONParser.parse(text))
            } catch where error.message == "integer out of range" {
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

extension QueryInvocation {
    /// Reads the plain forms of `cmdb query` without ArgumentParser; nil for any other command line, which then
    /// goes to ArgumentParser as every command line did before.
    ///
    /// ArgumentParser finds a command's options by reflection, and the Swift runtime answers each of its first
    /// protocol-conformance questions by scanning every conformance in the binary: about half of the CPU time of a
    /// `cmdb query "RETURN 1"` process (`perf record`). Scripts and cron start `cmdb query` once per batch, so it
    /// is read here by hand. The forms: `--db DIR`, `--timeout S` and `--max-memory SIZE` before the command
    /// (each also as `--name=value`), then `query` and, in any order, one statement or `-f FILE`, `--format`,
    /// `--param` (repeatable), `--change`, `--actor`, `--quiet`, `--db`, `--timeout` and `--max-memory`. Anything
    /// else (help, `--`, an unknown or repeated option, a value that looks like an option, a value ArgumentParser or
    /// a `validate()` would refuse) answers nil, so every error and message stays ArgumentParser's.
    /// `QueryArgumentsTests` checks that this reads what ArgumentParser reads.
    init?(quickParsing arguments: [String]) {
        var index = arguments.startIndex
        // An array, not a set: built without the Makefile's release flag, a process's first `Set<String>` costs a scan
        // of the binary's protocol conformances.
        var given: [String] = []
        var sawCommand = false
        self.init()
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            if argument == "query", !sawCommand {
                sawCommand = true
                continue
            }
            if !sawCommand || argument.hasPrefix("-") {
                if sawCommand, argument == "--quiet" {
                    guard !quiet else { return nil }
                    quiet = true
                    continue
                }
                // `--name value` or `--name=value`
                let name: String
                let value: String
                if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                    name = String(argument[..<equals])
                    value = String(argument[argument.index(after: equals)...])
                    // ArgumentParser refuses `--name=` with nothing after it.
                    guard !value.isEmpty else { return nil }
                } else {
                    guard index < arguments.endIndex else { return nil }
                    name = argument
                    value = arguments[index]
                    index += 1
                    guard value == "-" || !value.hasPrefix("-") else { return nil }
                }
                guard sawCommand || globalOptions.contains(name) else { return nil }
                guard name == "--param" || !given.contains(name) else { return nil }
                given.append(name)
                guard assign(value, to: name) else { return nil }
                continue
            }
            // The statement: one, and not something ArgumentParser would take for an option.
            guard text == nil else { return nil }
            text = argument
        }
        guard sawCommand, usageProblem == nil else { return nil }
    }

    /// Sets the option `name` to `value`; false for an unknown option or a value its type refuses.
    private mutating func assign(_ value: String, to name: String) -> Bool {
        switch name {
        case "--db": databasePath = value
        case "-f": file = value
        case "--format":
            guard let format = ResultFormat(rawValue: value) else { return false }
            self.format = format
        case "--param": parameters.append(value)
        case "--change": change = value
        case "--actor": actor = value
        case "--timeout":
            guard let seconds = Double(value) else { return false }
            timeout = seconds
        case "--max-memory": maxMemory = value
        default: return false
        }
        return true
    }
}
