import ArgumentParser
import CMDB
import Glibc
import GraphStorage
import CIQLSyntax
import JSONLines
import Spreadsheets
import Verification

/// `cmdb import`
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load CIs and relations from JSON Lines files or spreadsheets (CSV with --map); '-' reads standard input.",
        discussion: """
            One JSON object a line:
              {"kind":"ci","id":"vm-0123","class":"VirtualServer","name":"vm-0123","status":"live","attrs":{"os":"Ubuntu 24.04","cpu":4}}
              {"kind":"rel","type":"HOSTED_ON","from":"vm-0123","to":"hv-07","attrs":{}}

            A CI line is the CI's whole new state (upsert by id); a relation is upserted by (from, type, to).
            Relations may name CIs defined later. The import is one transaction: the first bad line stops it
            with file:line: reason, and nothing is written. Importing the same file again changes nothing.
            --dry-run reports what would be added, changed and left alone, and writes nothing; it goes on past bad
            lines and lists every problem (up to --max-errors).

            Spreadsheets: a .csv/.tsv/.txt file (or any non-.jsonl file with --map) is read as CSV, each row a CI
            by the mapping file's rules (see the README); without --map the columns are id, class, name, status and
            attributes, as 'cmdb export --format csv' writes them. Delimiter, encoding and decimal comma are
            detected unless given. Errors name file:line: column 'X'.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp(
        "JSON Lines files or spreadsheets (.csv, or any file with --map); '-' for standard input.", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("The change reference recorded with the import, e.g. CHG0001234.", valueName: "ref"))
    var change: String?

    @Option(help: "Who is recorded as making the change (default: $CMDB_ACTOR, else your login name).")
    var actor: String?

    @Flag(help: "Report what the import would do, or every bad line; write nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("With --dry-run: stop after this many problems.", valueName: "n"))
    var maxErrors = 100

    @Option(help: ArgumentHelp(
        "The longest line accepted, in bytes (default 16 MiB); a longer line stops the import.", valueName: "bytes"))
    var maxLineLength: Int = LineReader.defaultMaximumLineLength

    @Option(help: ArgumentHelp(
        "End the import when it runs longer than this many seconds, its wait for another writer's lock included; "
            + "nothing is written (0: no limit; default: 3600).", valueName: "seconds"))
    var timeout: Double?

    @OptionGroup var spreadsheet: SpreadsheetOptions

    /// The job's time limit when --timeout is not given: a nightly import queued behind a stuck writer must end.
    static let defaultTimeout = 3600.0

    func validate() throws {
        if let timeout, !(timeout >= 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a number of seconds, 0 or more (0 means no limit)")
        }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be given only once") }
        if maxErrors < 1 { throw ValidationError("--max-errors must be at least 1") }
        if maxLineLength < 1 { throw ValidationError("--max-line-length must be at least 1 byte") }
    }

    func run() throws {
        // From the start: copying a spreadsheet on standard input to a file counts too.
        let deadline = JobDeadline(seconds: timeout ?? Self.defaultTimeout)
        var sources: [JSONLinesImporter.Source] = []
        var spooled: [Int32] = []
        defer { for descriptor in spooled { close(descriptor) } }
        let interrupt: (@Sendable () throws -> Void)? = if let deadline { { try deadline.check() } } else { nil }
        let db = try ConfigurationDatabase.open(at: database.path)
        let mapping = try spreadsheet.mapping(schema: db.schema)
        for file in files {
            var path = file
            var displayName = file
            if file == "-" {
                if mapping != nil {
                    // A spreadsheet on standard input: the CSV reader reads a file, so it is spooled first.
                    let (spool, descriptor) = try Self.during("copying standard input to a temporary file") {
                        try spoolStandardInput(maxLineLength: maxLineLength, interrupt: interrupt)
                    }
                    spooled.append(descriptor)
                    (path, displayName) = (spool, "<stdin>")
                } else {
                    // Parsed as it is read; the copy is only for reading it again if the import must be retried.
                    let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
                    do {
                        sources.append(.init(spooled: try SpooledInput(descriptor: 0, name: "<stdin>", directory: directory)))
                    } catch {
                        throw CommandFailure.environment(error.message)
                    }
                    continue
                }
            } else {
                guard access(file, R_OK) == 0 else {
                    throw CommandFailure.badInput("cannot read '\(file)': \(String(cString: strerror(errno)))", code: .input(.unreadableFile))
                }
                if spreadsheet.isSpreadsheet(file), !isRegularFile(file) {
                    // A pipe (`<(curl …)`, a named pipe): the delimiter is detected from the start of the file and
                    // the rows read from it again, so it is copied first, like standard input.
                    let descriptor = try Self.during("copying '\(file)' to a temporary file") {
                        try spoolPipe(file, interrupt: interrupt)
                    }
                    spooled.append(descriptor.spool)
                    path = descriptor.path
                }
            }
            if file == "-" ? mapping != nil : spreadsheet.isSpreadsheet(file) {
                let dialect = try spreadsheet.dialect(path: path, displayName: displayName)
                sources.append(.spreadsheet(path: path, displayName: displayName, dialect: dialect, mapping: mapping,
                    schema: db.schema))
            } else {
                sources.append(.init(path: path, displayName: displayName))
            }
        }
        let importer = JSONLinesImporter(database: db)
        importer.isDryRun = dryRun
        importer.maxErrors = dryRun ? maxErrors : 1
        importer.maximumLineLength = maxLineLength
        var bar = ProgressBar(label: "importing")
        var showedProgress = false
        if Console.isErrorTerminal {
            importer.progress = { done, total in
                guard total >= 8 << 20 else { return }
                showedProgress = true
                bar.update(done: done, total: total)
            }
        }
        let change = ChangeInfo(
            actor: defaultActor(actor), changeReference: try changeReference(change),
            origin: "import " + files.joined(separator: " "))
        importer.interrupt = interrupt
        let summary: ImportSummary
        do {
            summary = try WriteLockWait.whileWaiting({ try interrupt?() }) { try importer.run(sources, change: change) }
        } catch var error as JobTimeoutError {
            if showedProgress { bar.finish() }
            error.stage = importer.stage.description
            throw error
        } catch {
            if showedProgress { bar.finish() }
            throw error
        }
        if showedProgress { bar.finish() }
        // A spreadsheet row gives a CI record and one per relation: count records, not lines, then.
        report(summary, unit: sources.contains { $0.makeProducer != nil } ? "records" : "lines")
    }

    /// Runs `body`; a time limit that ends it says it ended while `stage`.
    private static func during<T>(_ stage: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as JobTimeoutError {
            error.stage = stage
            throw error
        }
    }

    /// Copies the pipe at `file` to a temporary file; its path and the descriptor that keeps it.
    private func spoolPipe(_ file: String, interrupt: (() throws -> Void)?) throws -> (path: String, spool: Int32) {
        // Opened without waiting for a writer (a named pipe nobody writes to), then read as `spool` polls it.
        let source = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard source >= 0 else {
            throw CommandFailure.badInput("cannot read '\(file)': \(String(cString: strerror(errno)))", code: .input(.unreadableFile))
        }
        defer { close(source) }
        _ = fcntl(source, F_SETFL, fcntl(source, F_GETFL) & ~O_NONBLOCK)
        let (path, descriptor) = try spool(
            source, name: "'\(file)'", displayName: file, maxLineLength: maxLineLength, interrupt: interrupt)
        return (path, descriptor)
    }

    private func isRegularFile(_ file: String) -> Bool {
        var st = stat()
        return stat(file, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    private func report(_ s: ImportSummary, unit: String) {
        let cis = "\(s.ciCreated) CIs added, \(s.ciUpdated) changed, \(s.ciUnchanged) unchanged"
        let rels = "\(s.relationsCreated) relations added, \(s.relationsUpdated) changed, \(s.relationsUnchanged) unchanged"
        if s.isDryRun {
            var text = "dry run: nothing was written\n\(cis)\n\(rels)\n"
            if !s.createdSamples.isEmpty {
                text += "would add: \(s.createdSamples.joined(separator: ", "))\(s.ciCreated > s.createdSamples.count ? ", …" : "")\n"
            }
            if !s.updatedSamples.isEmpty {
                text += "would change: \(s.updatedSamples.joined(separator: ", "))\(s.ciUpdated > s.updatedSamples.count ? ", …" : "")\n"
            }
            Console.out(text)
        } else if let txn = s.transaction {
            Console.error("imported \(s.lines) \(unit) as transaction \(txn): \(cis); \(rels)")
        } else {
            Console.error("nothing changed: \(cis); \(rels)")
        }
    }
}
