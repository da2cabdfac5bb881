import CIQL
public import CIQLResults
public import CIQLValues
import Glibc

/// How a shell session starts: who writes, under which change, how results look, where history goes.
public struct ShellConfiguration {
    /// Recorded with every write.
    public var actor: String
    /// The change reference for writes (`:change` changes it); a statement's `USING CHANGE` wins.
    public var changeReference: String?
    public var format: ResultFormat = .table
    public var parameters: [String: Value] = [:]
    /// Where the history is kept across sessions; nil keeps none.
    public var historyFile: String?
    /// With a terminal: prompts, line editing, completion, tables fitted to the width, a pager. Without:
    /// statements from stdin, plain results on stdout, errors on stderr, exit 2 if any statement failed.
    public var isInteractive: Bool
    /// Shown in the banner.
    public var databasePath: String
    /// Each statement's time limit (`:timeout` changes it) and memory budget.
    public var limits = StatementLimits(
        timeout: StatementLimits.defaultTimeout, maximumMemory: StatementLimits.defaultMaximumMemory,
        timeoutHint: ":timeout SECONDS", memoryHint: "cmdb shell --max-memory SIZE")
    /// Impact analysis for `:impact`: the report for these CI ids. Nil in builds without the impact engine.
    public var impact: ((_ ids: [String]) throws -> String)?

    public init(actor: String, databasePath: String, isInteractive: Bool) {
        self.actor = actor
        self.databasePath = databasePath
        self.isInteractive = isInteractive
        self.historyFile = Self.defaultHistoryFile()
    }

    /// Whether standard input and output are both terminals.
    public static var hasTerminal: Bool { Terminal.isTerminal(0) && Terminal.isTerminal(1) }

    /// `$CMDB_HISTORY`, else `~/.cmdb_history`; nil when neither can be known.
    public static func defaultHistoryFile() -> String? {
        if let given = getenv("CMDB_HISTORY"), given.pointee != 0 { return String(cString: given) }
        if let home = getenv("HOME"), home.pointee != 0 { return String(cString: home) + "/.cmdb_history" }
        return nil
    }
}

/// An error from outside the shell (a hook) whose message is ready for the user.
public struct ShellError: Error, CustomStringConvertible, Sendable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
