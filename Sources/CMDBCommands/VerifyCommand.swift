import ArgumentParser
import CMDB
import ConfigurationSchema
import Glibc
import GraphStorage
import Spreadsheets
import Verification
import CIQLSyntax

/// `cmdb verify`: reconcile discovery snapshots with the CMDB.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Reconcile discovery snapshots with the CMDB; stamp last_verified_at on matched CIs.",
        discussion: """
            A snapshot is JSON Lines: a header {"kind":"source","name":…,"classes":[…],"scope":{…},"taken_at":…},
            then CI lines without ids ({"kind":"ci","class":"VirtualServer","attrs":{"hostname":"web01",…}}) and
            relation lines whose ends are named by identifying attributes ("from":{"hostname":"web01"}).
            A directory stands for the *.jsonl files in it.

            A spreadsheet with --map MAP.yaml --source NAME [--scope attr=value]… is a snapshot too: each row an
            item of the classes the mapping produces, identified by the class's rules (not by the mapped id).

            Reports matched, missing (high), unregistered and ambiguous (medium), drift on discoverable attributes
            and relation differences (low). --apply --change REF registers unregistered items, corrects drift and
            registers discovered relations, in one transaction. Exit 1 when a finding is at or above --fail-on.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("Snapshot files, or directories of *.jsonl snapshots.", valueName: "snapshot"))
    var snapshots: [String]

    @Flag(help: "Register unregistered items and correct drift (needs --change).")
    var apply = false

    @Option(help: ArgumentHelp("The change reference recorded with --apply.", valueName: "ref"))
    var change: String?

    @Option(help: "Who is recorded as making the change (default: $CMDB_ACTOR, else your login name).")
    var actor: String?

    @OptionGroup var output: JobReportOptions

    @Option(help: ArgumentHelp(
        "End the job when it runs longer than this many seconds, before it writes (0: no limit; default: 3600).",
        valueName: "seconds"))
    var timeout: Double = 3600

    @OptionGroup var spreadsheet: SpreadsheetOptions

    @Option(help: ArgumentHelp("With --map: the discovery source's name.", valueName: "name"))
    var source: String?

    @Option(help: ArgumentHelp("With --map: attribute values the source's CIs share (attr=value); repeatable.",
        valueName: "attr=value"))
    var scope: [String] = []

    func validate() throws {
        if !(timeout >= 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a number of seconds, 0 or more (0 means no limit)")
        }
        if apply && ChangeReference.given(change) == nil {
            throw ValidationError("--apply needs --change REF: corrections are recorded under a change reference")
        }
        if spreadsheet.map != nil && (source ?? "").isEmpty {
            throw ValidationError("a spreadsheet snapshot needs --source NAME: the discovery source it comes from")
        }
        if spreadsheet.map == nil && (source != nil || !scope.isEmpty) {
            throw ValidationError("--source and --scope are for spreadsheet snapshots, which need --map MAP.yaml")
        }
        for s in scope where !s.contains("=") || s.hasPrefix("=") {
            throw ValidationError("--scope '\(s)' is not attr=value, e.g. location=dc-a")
        }
    }

    /// The reader of one snapshot file: JSON Lines, or a spreadsheet with the mapping.
    private func snapshotReader(
        _ file: String, schema: Schema, mapping: SpreadsheetMapping?, dialects: [String: CSVDialect], tx: GraphTransaction
    ) throws -> any DiscoverySnapshotReading {
        guard let mapping, let dialect = dialects[file] else {
            return try SnapshotReader(path: file, schema: schema, tx: tx)
        }
        let pairs = scope.map { s -> (String, String) in
            let parts = s.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        return try SpreadsheetSnapshot(path: file, displayName: file, dialect: dialect, mapping: mapping,
            schema: schema, sourceName: source ?? "", scope: pairs, tx: tx)
    }

    func run() throws {
        let destination = try output.destination()
        let threshold = try output.threshold()
        let files = try snapshotFiles(snapshots)
        let db = try ConfigurationDatabase.open(at: database.path)
        if db.schema.isOpen {
            throw CommandFailure.badInput(
                "this database has no schema; verify needs classes with identification rules ('identify')",
                code: .schema(.noSchema))
        }
        let mapping = try spreadsheet.mapping(schema: db.schema)
        var dialects: [String: CSVDialect] = [:]
        if mapping != nil {
            for file in files where dialects[file] == nil {
                dialects[file] = try spreadsheet.dialect(path: file, displayName: file, quiet: output.quiet)
            }
        }
        let lock = try JobLock(database: database.path, job: "verify")
        defer { withExtendedLifetime(lock) {} }
        let now = currentMicroseconds()
        let origin = "verify " + snapshots.joined(separator: " ")
        let info = ChangeInfo(actor: defaultActor(actor), changeReference: try changeReference(change), origin: origin)
        let results: [Reconciliation]
        var transaction: UInt64?
        let deadline = JobDeadline(seconds: timeout)
        if apply {
            // The wait for another writer's lock counts against --timeout too: past it, nothing is written.
            (results, transaction) = try WriteLockWait.whileWaiting({ try deadline?.check() }) { try db.write(info) { tx in
                var list: [Reconciliation] = []
                // Unique values are checked once every snapshot is applied: on the state the transaction commits.
                var checks = ApplyChecks(schema: db.schema)
                for file in files {
                    let reader = try snapshotReader(file, schema: db.schema, mapping: mapping, dialects: dialects, tx: tx)
                    defer { reader.close() }
                    let reconciler = Reconciler(tx: tx, schema: db.schema, reader: reader)
                    reconciler.deadline = deadline
                    _ = try reconciler.reconcile()
                    let r = try reconciler.apply(checkingAtCommit: &checks)
                    try tx.stampVerified(r.matched + r.registered, at: r.source.takenAt ?? now)
                    list.append(r)
                }
                try checks.check(tx)
                return (list, tx.hasChanges ? tx.number : nil)
            } }
        } else {
            // Reconcile on one read snapshot (writers are not held up), then stamp in a short write.
            results = try db.store.read { tx in
                try files.map { file in
                    let reader = try snapshotReader(file, schema: db.schema, mapping: mapping, dialects: dialects, tx: tx)
                    defer { reader.close() }
                    let reconciler = Reconciler(tx: tx, schema: db.schema, reader: reader)
                    reconciler.deadline = deadline
                    return try reconciler.reconcile()
                }
            }
            // The stamping write's wait for another writer's lock counts against --timeout too.
            transaction = try WriteLockWait.whileWaiting({ try deadline?.check() }) {
                try db.store.write(info) { tx in
                    for r in results { try tx.stampVerified(r.matched, at: r.source.takenAt ?? now) }
                    return tx.hasChanges ? tx.number : nil
                }
            }
        }
        let verifyReport = VerifyReport(sources: results)
        if destination.file != nil || !output.quiet {
            try destination.write { try verifyReport.write(destination.format, to: $0) }
        }
        if !output.quiet {
            let stamped = results.reduce(0) { $0 + $1.matched.count + $1.registered.count }
            var text = "verified \(results.count) snapshot\(results.count == 1 ? "" : "s"): "
            text += results.map { "\($0.source.name) \(verifyReport.summary($0))" }.joined(separator: "; ")
            text += "; \(stamped) CIs stamped as verified"
            if let transaction { text += " (transaction \(transaction)\(apply ? ", applied under \(change ?? "")" : ""))" }
            Console.error(text)
        }
        if let threshold {
            let failing = results.flatMap(\.severities).filter { $0 >= threshold }.count
            if failing > 0 {
                Console.error("verify: \(failing) finding\(failing == 1 ? "" : "s") at or above \(threshold.rawValue)")
                throw ExitCode(1)
            }
        }
    }

    /// What `path` is when it is not a regular file (after following symlinks), else nil.
    private static func irregularKind(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return "unreadable (\(String(cString: strerror(errno))))" }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a directory"
        default: return "a special file"
        }
    }

    private func snapshotFiles(_ arguments: [String]) throws -> [String] {
        var files: [String] = []
        for path in arguments {
            var st = stat()
            guard stat(path, &st) == 0 else {
                throw CommandFailure.badInput("cannot read '\(path)': \(String(cString: strerror(errno)))", code: .input(.unreadableFile))
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                guard let dir = opendir(path) else {
                    throw CommandFailure.badInput("cannot read directory '\(path)': \(String(cString: strerror(errno)))", code: .input(.unreadableFile))
                }
                defer { closedir(dir) }
                var names: [String] = []
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                    }
                    let suffixes = spreadsheet.map == nil ? [".jsonl"] : [".csv", ".tsv", ".txt"]
                    if suffixes.contains(where: { name.lowercased().hasSuffix($0) }) && !name.hasPrefix(".") {
                        names.append(name)
                    }
                }
                // Only regular files (symlinks to them included): a FIFO would hang verify, a link to /dev/zero
                // would feed it without end. Others are skipped with a warning naming them.
                let before = files.count
                for name in names.sorted() {
                    let file = path.hasSuffix("/") ? path + name : path + "/" + name
                    if let kind = Self.irregularKind(file) {
                        Console.error("warning: skipping '\(file)': \(kind), not a regular file")
                    } else {
                        files.append(file)
                    }
                }
                if files.count == before {
                    let kind = spreadsheet.map == nil ? "*.jsonl snapshots" : "*.csv, *.tsv or *.txt spreadsheets"
                    throw CommandFailure.badInput("no \(kind) in directory '\(path)'")
                }
            } else {
                if let kind = Self.irregularKind(path) {
                    throw CommandFailure.badInput("cannot read '\(path)': \(kind), not a regular file")
                }
                guard access(path, R_OK) == 0 else {
                    throw CommandFailure.badInput("cannot read '\(path)': \(String(cString: strerror(errno)))", code: .input(.unreadableFile))
                }
                files.append(path)
            }
        }
        return files
    }
}

/// Now, in µs since the epoch (UTC).
func currentMicroseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000)
}
