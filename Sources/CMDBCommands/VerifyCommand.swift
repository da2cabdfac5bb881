import ArgumentParser
import CMDB
import ConfigurationSchema
import Glibc
import GraphStorage
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

    func validate() throws {
        if apply && (change ?? "").isEmpty {
            throw ValidationError("--apply needs --change REF: corrections are recorded under a change reference")
        }
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
        let lock = try JobLock(database: database.path, job: "verify")
        defer { withExtendedLifetime(lock) {} }
        let now = currentMicroseconds()
        let origin = "verify " + snapshots.joined(separator: " ")
        let info = ChangeInfo(actor: defaultActor(actor), changeReference: change, origin: origin)
        let results: [Reconciliation]
        var transaction: UInt64?
        if apply {
            (results, transaction) = try db.store.write(info) { tx in
                var list: [Reconciliation] = []
                for file in files {
                    let reader = try SnapshotReader(path: file, schema: db.schema)
                    defer { reader.close() }
                    let reconciler = Reconciler(tx: tx, schema: db.schema, reader: reader)
                    _ = try reconciler.reconcile()
                    let r = try reconciler.apply()
                    try tx.stampVerified(r.matched + r.registered, at: r.source.takenAt ?? now)
                    list.append(r)
                }
                return (list, tx.hasChanges ? tx.number : nil)
            }
        } else {
            // Reconcile on one read snapshot (writers are not held up), then stamp in a short write.
            results = try db.store.read { tx in
                try files.map { file in
                    let reader = try SnapshotReader(path: file, schema: db.schema)
                    defer { reader.close() }
                    return try Reconciler(tx: tx, schema: db.schema, reader: reader).reconcile()
                }
            }
            transaction = try db.store.write(info) { tx in
                for r in results { try tx.stampVerified(r.matched, at: r.source.takenAt ?? now) }
                return tx.hasChanges ? tx.number : nil
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

    /// The files to read: each argument, or the *.jsonl files of a directory in name order.
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
                    if name.hasSuffix(".jsonl") && !name.hasPrefix(".") { names.append(name) }
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
                    throw CommandFailure.badInput("no *.jsonl snapshots in directory '\(path)'")
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
