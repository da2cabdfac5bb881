import ArgumentParser
import GraphStorage
import Glibc

/// The entry point of the `cmdb` executable.
public enum CMDBMain {
    /// Runs the command line and exits with the product's exit codes.
    public static func run(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        reserveStandardStreams()
        // Writing to a closed pipe reports EPIPE instead of killing the process silently mid-write.
        signal(SIGPIPE, SIG_IGN)
        Glibc.exit(CommandRunner.run(arguments))
    }

    /// Fills closed fds 0–2 (`exec >&- 2>&-` in cron and daemon wrappers) with `/dev/null` opened read-only, before
    /// anything else is opened: a file opened later would otherwise get one of those numbers, and what the
    /// program prints would be written into it (LMDB's `data.mdb` as fd 2 took the summary line over its meta
    /// page). Read-only, so output meant for a closed stream fails with EBADF and is reported (exit 3) instead of
    /// vanishing as if it had been written; input from a closed stdin is empty.
    private static func reserveStandardStreams() {
        while true {
            let fd = open("/dev/null", O_RDONLY)
            if fd < 0 {
                // No /dev/null (a bare chroot): if a standard stream is closed, nothing can be opened safely.
                if fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0 || fcntl(2, F_GETFD) < 0 { Glibc.exit(3) }
                return
            }
            if fd > 2 {
                close(fd)
                return
            }
        }
    }
}

/// `cmdb`: the root command.
struct CMDBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cmdb",
        abstract: "An embedded configuration management database: CIs, relations, history and impact.",
        discussion: """
            The database directory is --db, else $CMDB_DB, else ./cmdb-data.

            Start here:
              cmdb init                                  create a database with the built-in ITIL schema
              cmdb import servers.jsonl --change CHG42   load CIs and relations (JSON Lines)
              cmdb status                                what is in it
              cmdb query "MATCH (s:Server) RETURN s.id, s.name"   ask in CIQL
              cmdb export > backup.jsonl                 write it out again
              cmdb shell                                 the REPL (also `cmdb` alone on a terminal)

            Exit codes: 0 success, 1 findings at or above --fail-on, 2 bad input (usage, import line,
            schema violation), 3 storage or environment error.
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, ImportCommand.self, ExportCommand.self, SchemaCommand.self, StatusCommand.self,
            GenerateCommand.self, QueryCommand.self, HistoryCommand.self, BaselineCommand.self, ImpactCommand.self,
            ChangeCommand.self, ShellCommand.self, BenchQueriesCommand.self,
            VerifyCommand.self, AuditCommand.self, ServeCommand.self, TokenCommand.self,
        ]
    )

    init() {}
}

/// The `--db` option every command that touches a database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database directory.", valueName: "dir"))
    var db: String?

    var path: String { Self.path(given: db) }

    /// The database directory: `--db`, else $CMDB_DB, else ./cmdb-data.
    static func path(given db: String?) -> String {
        if let db { return db }
        if let env = getenv("CMDB_DB"), env.pointee != 0 { return String(cString: env) }
        return "./cmdb-data"
    }
}

/// Who is recorded as making a change: --actor, else $CMDB_ACTOR, else the login name.
/// The change reference `--change` gives: nil for none (missing, empty or blank); a usage error (exit 2) for one
/// longer than the server and `change plan` take.
func changeReference(_ option: String?) throws -> String? {
    if let problem = ChangeReference.problem(with: option) { throw ValidationError("--change: \(problem)") }
    return ChangeReference.given(option)
}

func defaultActor(_ given: String?) -> String {
    if let given, !given.isEmpty { return given }
    for name in ["CMDB_ACTOR", "USER", "LOGNAME"] {
        if let v = getenv(name), v.pointee != 0 { return String(cString: v) }
    }
    return "unknown"
}
