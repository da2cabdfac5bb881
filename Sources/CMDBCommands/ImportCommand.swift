import ArgumentParser
import CMDB
import Glibc
import GraphStorage
import CIQLSyntax
import JSONLines

/// `cmdb import`
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load CIs and relations from JSON Lines files ('-' reads standard input).",
        discussion: """
            One JSON object a line:
              {"kind":"ci","id":"vm-0123","class":"VirtualServer","name":"vm-0123","status":"live","attrs":{"os":"Ubuntu 24.04","cpu":4}}
              {"kind":"rel","type":"HOSTED_ON","from":"vm-0123","to":"hv-07","attrs":{}}

            A CI line is the CI's whole new state (upsert by id); a relation is upserted by (from, type, to).
            Relations may name CIs defined later. The import is one transaction: the first bad line stops it
            with file:line: reason, and nothing is written. Importing the same file again changes nothing.
            --dry-run reports what would be added, changed and left alone, and writes nothing.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("JSON Lines files; '-' for standard input.", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("The change reference recorded with the import, e.g. CHG0001234.", valueName: "ref"))
    var change: String?

    @Option(help: "Who is recorded as making the change (default: $CMDB_ACTOR, else your login name).")
    var actor: String?

    @Flag(help: "Report what the import would do; write nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp(
        "The longest line accepted, in bytes (default 16 MiB); a longer line stops the import.", valueName: "bytes"))
    var maxLineLength: Int = LineReader.defaultMaximumLineLength

    func validate() throws {
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be given only once") }
        if maxLineLength < 1 { throw ValidationError("--max-line-length must be at least 1 byte") }
    }

    func run() throws {
        var sources: [JSONLinesImporter.Source] = []
        for file in files {
            if file == "-" {
                // Parsed as it is read; the copy is only for reading it again if the import must be retried.
                let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
                do {
                    sources.append(.init(spooled: try SpooledInput(descriptor: 0, name: "<stdin>", directory: directory)))
                } catch {
                    throw CommandFailure.environment(error.message)
                }
            } else {
                guard access(file, R_OK) == 0 else {
                    throw CommandFailure.badInput("cannot read '\(file)': \(String(cString: strerror(errno)))", code: .input(.unreadableFile))
                }
                sources.append(.init(path: file))
            }
        }
        let db = try ConfigurationDatabase.open(at: database.path)
        let importer = JSONLinesImporter(database: db)
        importer.isDryRun = dryRun
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
            actor: defaultActor(actor), changeReference: change,
            origin: "import " + files.joined(separator: " "))
        let summary: ImportSummary
        do {
            summary = try importer.run(sources, change: change)
        } catch {
            if showedProgress { bar.finish() }
            throw error
        }
        if showedProgress { bar.finish() }
        report(summary)
    }

    private func report(_ s: ImportSummary) {
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
            Console.error("imported \(s.lines) lines as transaction \(txn): \(cis); \(rels)")
        } else {
            Console.error("nothing changed: \(cis); \(rels)")
        }
    }
}
