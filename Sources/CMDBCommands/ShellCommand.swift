import ArgumentParser
import CIQL
import CIQLResults
import CMDB
import Glibc
import GraphStorage
import ImpactAnalysis
import JSONLines
import Shell

/// `cmdb shell` (and `cmdb` alone on a terminal)
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "The REPL: CIQL statements, line editing, history, completion and the shell's :commands.",
        discussion: """
            Statements end with ';' and may span lines; :help lists the commands (:param, :change, :format,
            :timing, :schema, :describe, :history, :impact, :quit). History is kept in $CMDB_HISTORY, else
            ~/.cmdb_history. Long results go through $PAGER, else less -FRX (an empty PAGER turns it off).

            Without a terminal the shell reads statements from stdin and prints plain results, so it scripts:
              printf "MATCH (s:Server) RETURN s.id;\\n" | cmdb shell --format csv
            Errors then go to stderr and the exit code is 2 if any statement failed.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("table, json, jsonl or csv (:format changes it).", valueName: "format"))
    var format: ResultFormat = .table

    @Option(help: ArgumentHelp("The change reference recorded with writes (:change changes it).", valueName: "ref"))
    var change: String?

    @Option(help: "Who is recorded as making the changes (default: $CMDB_ACTOR, else your login name).")
    var actor: String?

    @OptionGroup var limitOptions: LimitOptions

    func run() throws {
        let db = try ConfigurationDatabase.open(at: database.path)
        var settings = ShellConfiguration(
            actor: defaultActor(actor), databasePath: database.path, isInteractive: ShellConfiguration.hasTerminal)
        settings.format = format
        settings.changeReference = try changeReference(change)
        settings.impact = ImpactHook.report(for: db)
        let given = limitOptions.limits()
        settings.limits.timeout = given.timeout
        settings.limits.maximumMemory = given.maximumMemory
        let session = ShellSession(database: db, configuration: settings, procedures: ProcedureCatalog.all)
        let code = session.run()
        if code != 0 { throw ExitCode(code) }
    }
}

/// Where `:impact` reaches the impact engine: the tree report for the given CI ids, as `cmdb impact` prints it.
///
/// The shell knows only this closure; a build without the impact engine returns nil here, and the shell then
/// says impact analysis is not available.
enum ImpactHook {
    static func report(for database: ConfigurationDatabase) -> ((_ ids: [String]) throws -> String)? {
        { ids in
            do {
                let report = try database.store.read { tx in
                    let targets = try planningInput { try CIReference.resolve(ids, place: "argument", in: tx) }
                    return try ImpactReport.make(
                        targets: targets, depth: nil, window: nil, analyzer: ImpactAnalyzer(schema: database.schema),
                        in: tx)
                }
                var text = ""
                try report.renderTree { (part) in text += part }
                return text
            } catch let failure as CommandFailure {
                throw ShellError(failure.message)
            }
        }
    }
}
