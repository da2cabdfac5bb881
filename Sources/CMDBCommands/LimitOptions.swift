import ArgumentParser
import CIQL
import CIQLResults

/// `--timeout` and `--max-memory`: the limits on one statement (query, shell) or job (impact's query, each audit
/// rule). Both may also be given before the command (`cmdb --timeout 10 query …`).
struct LimitOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "End a statement that runs longer than this many seconds (0: no limit; default: 300, audit rules 60).",
            valueName: "seconds"))
    var timeout: Double?

    @Option(
        name: .customLong("max-memory"),
        help: ArgumentHelp(
            "The memory budget of a statement's sorting, grouping, DISTINCT and collected rows, e.g. 512M, 2G "
                + "(0: no budget; default: 1G).", valueName: "size"))
    var maxMemory: String?

    func validate() throws {
        if let problem = Self.problem(timeout: timeout, maxMemory: maxMemory) { throw ValidationError(problem) }
    }

    /// The limits these options give, over `defaultTimeout` when --timeout is not given.
    func limits(defaultTimeout: Double? = StatementLimits.defaultTimeout) -> StatementLimits {
        Self.limits(timeout: timeout, maxMemory: maxMemory, defaultTimeout: defaultTimeout)
    }

    /// The limits `--timeout` and `--max-memory` give (each nil when not given), over `defaultTimeout`.
    static func limits(
        timeout: Double?, maxMemory: String?, defaultTimeout: Double? = StatementLimits.defaultTimeout
    ) -> StatementLimits {
        var memory: Int? = StatementLimits.defaultMaximumMemory
        if let maxMemory, let parsed = StatementLimits.parseSize(maxMemory) { memory = parsed }
        return StatementLimits(timeout: timeout.map(StatementLimits.timeout(seconds:)) ?? defaultTimeout, maximumMemory: memory)
    }

    /// What is wrong with `--timeout` and `--max-memory` (each nil when not given), or nil when nothing is.
    static func problem(timeout: Double?, maxMemory: String?) -> String? {
        if let timeout, !(timeout >= 0 && timeout.isFinite) {
            return "--timeout must be a number of seconds, 0 or more (0 means no limit)"
        }
        if let maxMemory, StatementLimits.parseSize(maxMemory) == nil {
            return "--max-memory '\(maxMemory)' is not a size; write e.g. 512M, 2G or 1048576 (bytes)"
        }
        return nil
    }
}
