public import ArgumentParser
public import CMDB
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

    func run() throws {
        let db = try ConfigurationDatabase.open(at: database.path)
        try GraphExporter(database: db).export(format, to: Console.standardOutput)
    }
}
