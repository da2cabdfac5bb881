public import ArgumentParser
public import CMDB
import GraphStorage
import JSONLines

extension ExportFormat: ExpressibleByArgument {}

/// `cmdb export`
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the whole CMDB to standard output.",
        discussion: """
            jsonl is the import format: 'cmdb export > all.jsonl' then 'cmdb import all.jsonl' into a new
            database gives the same CMDB. graphml opens in yEd or Gephi; dot renders with Graphviz
            (cmdb export --format dot | dot -Tsvg > cmdb.svg).
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("jsonl, graphml or dot.", valueName: "format"))
    var format: ExportFormat = .jsonl

    @Option(help: ArgumentHelp(
        "Export the CMDB as it was at this time (ISO-8601, e.g. 2026-11-01T00:00:00Z) or after this transaction number.",
        valueName: "time|tx"))
    var asOf: String?

    func validate() throws {
        if let asOf, UInt64(asOf) == nil, ISODateTime.parse(asOf) == nil {
            throw ValidationError("--as-of '\(asOf)' is neither an ISO-8601 time like 2026-11-01T00:00:00Z nor a transaction number")
        }
    }

    func run() throws {
        let db = try ConfigurationDatabase.open(at: database.path, readOnly: true)
        var transaction: TransactionNumber?
        if let asOf {
            if let n = UInt64(asOf) {
                transaction = n
            } else if let time = ISODateTime.parse(asOf) {
                transaction = try db.store.read { tx in try tx.transaction(atTime: time) }
            }
        }
        try GraphExporter(database: db).export(format, to: Console.standardOutput, asOf: transaction)
    }
}
