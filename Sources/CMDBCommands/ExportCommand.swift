import ArgumentParser
import CMDB
import GraphStorage
import JSONLines
import Spreadsheets

/// The formats `cmdb export` writes: the graph formats, and csv (one class, for spreadsheets).
enum ExportCommandFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, graphml, dot, csv

    var graphFormat: ExportFormat? { ExportFormat(rawValue: rawValue) }
}

/// `cmdb export`
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the whole CMDB to standard output.",
        discussion: """
            jsonl is the import format: 'cmdb export > all.jsonl' then 'cmdb import all.jsonl' into a new
            database gives the same CMDB. graphml opens in yEd or Gephi; dot renders with Graphviz
            (cmdb export --format dot | dot -Tsvg > cmdb.svg).

            csv writes one class (--class, with its subclasses) as a spreadsheet that opens in Excel (';' and decimal
            commas unless --delimiter ',' or --no-decimal-comma; UTF-8 with a byte-order mark unless --encoding
            windows-1252): columns id, class, name, status and the attributes, or with --map the mapping's columns
            filled in reverse. 'cmdb import' reads it back unchanged (with the same --map).
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("jsonl, graphml, dot or csv.", valueName: "format"))
    var format: ExportCommandFormat = .jsonl

    @Option(name: .customLong("class"), help: ArgumentHelp("With --format csv: the class to write.", valueName: "class"))
    var className: String?

    @OptionGroup var spreadsheet: SpreadsheetOptions

    @Option(help: ArgumentHelp(
        "Export the CMDB as it was at this time (ISO-8601, e.g. 2026-11-01T00:00:00Z) or after this transaction number.",
        valueName: "time|tx"))
    var asOf: String?

    func validate() throws {
        if format == .csv {
            if className == nil { throw ValidationError("--format csv writes one class: give --class, e.g. --class Workstation") }
            if asOf != nil { throw ValidationError("--as-of is not available with --format csv") }
        } else if className != nil || spreadsheet.map != nil || spreadsheet.delimiter != nil
            || spreadsheet.encoding != nil || spreadsheet.decimalComma != nil
        {
            throw ValidationError("--class, --map, --delimiter, --encoding and --decimal-comma go with --format csv")
        }
        if let asOf, UInt64(asOf) == nil, ISODateTime.parse(asOf) == nil {
            throw ValidationError("--as-of '\(asOf)' is neither an ISO-8601 time like 2026-11-01T00:00:00Z nor a transaction number")
        }
    }

    func run() throws {
        let db = try ConfigurationDatabase.open(at: database.path, readOnly: true)
        guard let graphFormat = format.graphFormat else {
            let delimiter = spreadsheet.delimiterByte ?? UInt8(ascii: ";")
            let dialect = CSVDialect(delimiter: delimiter, encoding: spreadsheet.encoding ?? .utf8,
                decimalComma: spreadsheet.decimalComma ?? (delimiter == UInt8(ascii: ";")))
            let exporter = SpreadsheetExporter(database: db, dialect: dialect)
            let count = try exporter.export(className: className ?? "", mapping: try spreadsheet.mapping(schema: db.schema),
                to: Console.standardOutput)
            Console.error("exported \(count) CIs")
            return
        }
        var transaction: TransactionNumber?
        if let asOf {
            if let n = UInt64(asOf) {
                transaction = try db.store.read { tx in try PastTransactions.checked(n, tx) }
            } else if let time = ISODateTime.parse(asOf) {
                transaction = try db.store.read { tx in try tx.transaction(atTime: time) }
            }
        }
        try GraphExporter(database: db).export(graphFormat, to: Console.standardOutput, asOf: transaction)
    }
}
