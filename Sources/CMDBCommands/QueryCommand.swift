public import ArgumentParser
public import CIQLResults

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
        if let problem = invocation.usageProblem { throw ValidationError(problem) }
    }

    func run() throws {
        try invocation.run()
    }

    /// What the parsed options say to run.
    var invocation: QueryInvocation {
        QueryInvocation(
            databasePath: database.db, text: text, file: file, format: format, parameters: parameters, change: change,
            actor: actor, quiet: quiet, timeout: limitOptions.timeout, maxMemory: limitOptions.maxMemory)
    }
}


