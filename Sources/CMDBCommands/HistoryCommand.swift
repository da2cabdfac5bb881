import ArgumentParser
import CIQL
import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import GraphStorage

/// `cmdb history CI`
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Every version of a CI: when, who, under which change, and what changed.",
        discussion: """
            The same rows as CIQL's CALL history('id') YIELD tx, at, actor, change, origin, operation, changes.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("The CI's id.", valueName: "ci"))
    var id: String

    @Option(help: ArgumentHelp("table, json, jsonl or csv.", valueName: "format"))
    var format: ResultFormat = .table

    func run() throws {
        let db = try ConfigurationDatabase.open(at: database.path, readOnly: true)
        let engine = QueryEngine(database: db, procedures: ProcedureCatalog.all)
        let writer = ResultWriter(format: format, output: Console.standardOutput)
        let text = "CALL history($id) YIELD tx, at, actor, change, origin, operation, changes RETURN *"
        do {
            let exists = try db.store.read { tx in try tx.nodeID(forExternalID: id) != nil }
            guard exists else { throw CommandFailure.badInput("unknown CI '\(id)'", code: .graph(.unknownCI)) }
            try engine.run(
                "CALL history($id) YIELD tx, at, actor, change, origin, operation, changes "
                    + "RETURN tx, at, actor, change, origin, operation, changes",
                parameters: ["id": .string(id)], change: ChangeInfo(actor: "history", changeReference: nil, origin: "history"),
                sinkFor: { _ in writer })
        } catch let error as CIQLError {
            throw CommandFailure(message: error.rendered(source: text), exitCode: 2, code: error.code, isRendered: true)
        }
    }
}

/// `cmdb baseline create|list|diff`
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Named, agreed states of the CMDB to compare against (status accounting).",
        subcommands: [Create.self, List.self, Diff.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Record the current state under a name.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The baseline's name, e.g. q3-2026.") var name: String
        @Option(help: "What the baseline is for.") var description: String?
        @Option(help: "Who is recorded as taking it.") var actor: String?

        func run() throws {
            var params: [String: Value] = ["name": .string(name)]
            var text = "CREATE BASELINE $name"
            if let description {
                params["description"] = .string(description)
                text += " DESCRIPTION $description"
            }
            try runStatement(text, params, database, actor: actor, format: .table)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the baselines.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: ArgumentHelp("table, json, jsonl or csv.", valueName: "format")) var format: ResultFormat = .table

        func run() throws { try runStatement("SHOW BASELINES", [:], database, actor: nil, format: format, readOnly: true) }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "What changed from baseline A to baseline B (or to now): CIs and relations added, removed, changed.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The earlier baseline.") var from: String
        @Argument(help: "The later baseline (default: now).") var to: String?
        @Option(help: ArgumentHelp("table, json, jsonl or csv.", valueName: "format")) var format: ResultFormat = .table

        func run() throws {
            var params: [String: Value] = ["a": .string(from)]
            var text = "DIFF BASELINE $a"
            if let to {
                params["b"] = .string(to)
                text += " AND $b"
            }
            try runStatement(text, params, database, actor: nil, format: format, readOnly: true)
        }
    }
}

/// Runs a baseline statement; `readOnly` for those that only read (list, diff), which then never write to the
/// files (an older database is not migrated by them).
private func runStatement(
    _ text: String, _ params: [String: Value], _ database: DatabaseOptions, actor: String?, format: ResultFormat,
    readOnly: Bool = false
) throws {
    let db = try ConfigurationDatabase.open(at: database.path, readOnly: readOnly)
    let engine = QueryEngine(database: db, procedures: ProcedureCatalog.all)
    let writer = ResultWriter(format: format, output: Console.standardOutput)
    do {
        try engine.run(
            text, parameters: params, change: ChangeInfo(actor: defaultActor(actor), changeReference: nil, origin: "baseline"),
            sinkFor: { _ in writer })
    } catch let error as CIQLError {
        throw CommandFailure.badInput(error.message, code: error.code)
    }
}
