import ArgumentParser
import CIQL
import CIQLResults
import CIQLSyntax
import CMDB
import ConfigurationSchema
import GraphStorage
import JSONLines
import Verification

/// `cmdb audit`: the data-quality audit, and the history of its runs.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit data quality (completeness, correctness, compliance) and keep the scores.",
        subcommands: [AuditRunCommand.self, AuditHistoryCommand.self],
        defaultSubcommand: AuditRunCommand.self)
}

/// `cmdb audit [run]`
struct AuditRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the built-in rules and the rules file on one consistent snapshot; store the run.",
        discussion: """
            Built-in rules: missing-recommended (completeness); duplicate, orphan, stale, relation-not-allowed,
            depends-on-retired (correctness); illegal-transition, no-change-reference (since the previous run),
            id-naming (compliance). A rules file is a YAML list of rules with name, category, severity, message
            and a CIQL query whose first column holds the violating CIs.

            Scores per category and overall (0-100) are stored with the run; 'cmdb audit history' lists them.
            The report shows what is new and what was fixed since the previous run. Exit 1 when a violation is
            at or above --fail-on.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("A YAML file of CIQL audit rules.", valueName: "file"))
    var rules: String?

    @OptionGroup var output: JobReportOptions

    @Option(help: "A live CI of an identifiable class not verified for this many days is stale.")
    var staleDays = 30

    @Option(help: "Who is recorded as running the audit (default: $CMDB_ACTOR, else your login name).")
    var actor: String?

    @OptionGroup var limitOptions: LimitOptions

    func validate() throws {
        if staleDays < 0 { throw ValidationError("--stale-days must be 0 or more") }
    }

    func run() throws {
        let destination = try output.destination()
        let threshold = try output.threshold()
        var definitions: [AuditRuleDefinition] = []
        if let rules {
            let text: String
            do { text = try readTextFile(rules, kind: "rules file") } catch {
                throw CommandFailure.badInput("cannot read rules file '\(rules)': \(error)", code: .input(.unreadableFile))
            }
            definitions = try AuditRulesFile.parse(text, file: rules)
        }
        let db = try ConfigurationDatabase.open(at: database.path)
        let lock = try JobLock(database: database.path, job: "audit")
        defer { withExtendedLifetime(lock) {} }
        let now = currentMicroseconds()
        let days = staleDays
        var result = try db.store.read { tx in
            let previous = try AuditHistory.latest(tx)
            let options = AuditOptions(now: now, staleDays: days, sinceTransaction: previous?.lastTransaction ?? 0)
            let engine = AuditEngine(tx: tx, schema: db.schema, options: options, rules: definitions,
                queryRunner: auditQueryRunner(
                    for: db, in: tx, limits: limitOptions.limits(defaultTimeout: StatementLimits.defaultRuleTimeout)))
            var result = try engine.run()
            try AuditHistory.compare(&result, with: tx)
            return result
        }
        let stored = result
        let auditReport = AuditReport(result: result)
        // A run is stored only when the whole job succeeds: the report file is written (not yet in place)
        // before the run is stored, and put in place after the commit; either failing stores nothing.
        let preparedReport = try destination.prepare { try auditReport.write(destination.format, to: $0) }
        // Storing the run is one more statement under --timeout (default 300 s): its wait for another writer's lock
        // counts, so a nightly audit queued behind a stuck writer ends (exit 2, no run stored, no report put in
        // place) instead of waiting for ever while the next night's piles up behind it.
        let storeDeadline = JobDeadline(seconds: limitOptions.limits().timeout)
        try WriteLockWait.whileWaiting({ try storeDeadline?.check() }) {
            try db.store.write(ChangeInfo(actor: defaultActor(actor), changeReference: nil,
                origin: "audit run \(stored.run)")) { tx in
                try AuditHistory.store(stored, in: tx)
            }
        }
        result = stored
        if let preparedReport {
            try preparedReport.commit()
        } else if !output.quiet {
            try destination.write { try auditReport.write(destination.format, to: $0) }
        }
        if !output.quiet, destination.file != nil {
            let s = result.scores
            Console.error("audit run \(result.run): overall \(s.overall), \(result.violations.count) violations, "
                + "\(result.new.count) new, \(result.fixed.count) fixed; report in \(output.report ?? "")")
        }
        if let threshold, result.hasViolations(atOrAbove: threshold) {
            let n = result.violations.filter { $0.severity >= threshold }.count
            Console.error("audit: \(n) violation\(n == 1 ? "" : "s") at or above \(threshold.rawValue)")
            throw ExitCode(1)
        }
    }
}

/// `cmdb audit history`
struct AuditHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the stored audit runs with their scores and counts, oldest first.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("text or json.", valueName: "format"))
    var format = "text"

    func validate() throws {
        if format != "text" && format != "json" { throw ValidationError("unknown format '\(format)'; use text or json") }
    }

    func run() throws {
        let db = try ConfigurationDatabase.open(at: database.path, readOnly: true)
        let runs = try db.store.read { tx in try AuditHistory.summaries(tx) }
        if format == "json" {
            var w = JSONWriter()
            w.writeRaw("[")
            for (i, r) in runs.enumerated() {
                w.writeRaw(i > 0 ? ",\n" : "\n")
                w.writeRaw("{\"run\":")
                w.writeInt(Int64(r.run))
                w.writeRaw(",\"at\":")
                w.writeString(ISODateTime.format(r.at / 1_000_000 * 1_000_000))
                w.writeRaw(",\"scores\":{\"completeness\":")
                w.writeDouble(r.scores.completeness)
                w.writeRaw(",\"correctness\":")
                w.writeDouble(r.scores.correctness)
                w.writeRaw(",\"compliance\":")
                w.writeDouble(r.scores.compliance)
                w.writeRaw(",\"overall\":")
                w.writeDouble(r.scores.overall)
                w.writeRaw("},\"violations\":")
                w.writeInt(Int64(r.violations))
                for s in Severity.allCases {
                    w.writeRaw(",")
                    w.writeString(s.rawValue)
                    w.writeRaw(":")
                    w.writeInt(Int64(r.bySeverity[s] ?? 0))
                }
                w.writeRaw(",\"new\":")
                w.writeInt(Int64(r.new))
                w.writeRaw(",\"fixed\":")
                w.writeInt(Int64(r.fixed))
                w.writeRaw("}")
            }
            w.writeRaw("\n]")
            Console.out(String(decoding: w.bytes, as: UTF8.self))
            return
        }
        guard !runs.isEmpty else {
            Console.out("no audit runs yet; run 'cmdb audit'")
            return
        }
        var rows: [[String]] = [["run", "at (UTC)", "overall", "compl.", "correct.", "compliance", "violations",
            "crit", "high", "med", "low", "info", "new", "fixed"]]
        for r in runs {
            rows.append([String(r.run), ISODateTime.format(r.at / 1_000_000 * 1_000_000),
                String(r.scores.overall), String(r.scores.completeness), String(r.scores.correctness),
                String(r.scores.compliance), String(r.violations)]
                + Severity.allCases.reversed().map { String(r.bySeverity[$0] ?? 0) } + [String(r.new), String(r.fixed)])
        }
        Console.out(TextTable(rows: rows, rightAligned: Set(0..<14).subtracting([1])).rendered)
    }
}

/// The runner for the user's CIQL audit rules: runs each query in the audit's own read transaction (one
/// snapshot for every rule) within the rule's time limit (its `timeout:`, else `limits`), and returns the distinct
/// CI ids in its first column (nodes or id strings), de-duplicated as rows arrive.
func auditQueryRunner(
    for database: ConfigurationDatabase, in tx: GraphTransaction, limits: StatementLimits
) -> AuditQueryRunner {
    let engine = QueryEngine(database: database, procedures: ProcedureCatalog.all)
    return { rule in
        var ruleLimits = limits
        if let own = rule.timeout {
            ruleLimits.timeout = StatementLimits.timeout(seconds: own)
            ruleLimits.timeoutHint = "the rule's 'timeout:' in \(rule.file)"
        } else {
            ruleLimits.timeoutHint = "'timeout: SECONDS' on the rule, or --timeout SECONDS for every rule"
        }
        let sink = FirstColumnIDSink(limits: ruleLimits)
        do {
            try engine.query(rule.query, in: tx, limits: ruleLimits, into: sink)
            return sink.ids
        } catch let error as CIQLError {
            throw AuditQueryError(message: "query " + error.rendered(source: rule.query, omittingFirstCode: true), code: error.code)
        }
    }
}

/// A CIQL rule that cannot run: its query is wrong or returns the wrong kind of value.
struct AuditQueryError: Error, CustomStringConvertible {
    var message: String
    /// The CIQL error's code (`Limit.Timeout` for a rule past its time limit).
    var code: CIQLError.Code
    var description: String { message }
}
