import ArgumentParser
import CMDB
import ConfigurationSchema
import GraphStorage

/// `cmdb schema show|apply`
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Show or change the schema.",
        subcommands: [Show.self, Apply.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the database's schema as YAML (start your own from it).")

        @OptionGroup var database: DatabaseOptions

        @Flag(help: "Print the built-in ITIL schema instead of the database's.")
        var builtin = false

        func run() throws {
            if builtin {
                Console.out(BuiltInSchema.yaml)
                return
            }
            let db = try ConfigurationDatabase.open(at: database.path, readOnly: true)
            if db.schema.isOpen {
                Console.out("# this database has no schema (created with --schema none): any class, relation type and property")
            } else {
                Console.out(db.schema.sourceText)
            }
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Replace the schema with the one in FILE.",
            discussion: """
                Every CI and relation is checked against the new schema first; if any would break it, nothing
                changes and the offending CIs are named. Indexes for indexed and unique attributes are rebuilt.
                """)

        @OptionGroup var database: DatabaseOptions

        @Argument(help: ArgumentHelp("The schema file (YAML).", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("The change reference recorded with the schema change.", valueName: "ref"))
        var change: String?

        @Option(help: "Who is recorded as making the change.")
        var actor: String?

        func run() throws {
            let schema = try loadSchema(file)
            let db = try ConfigurationDatabase.open(at: database.path)
            try db.applySchema(schema, change: ChangeInfo(actor: defaultActor(actor), changeReference: try changeReference(change),
                origin: "schema apply \(file)"))
            Console.error("applied the schema in \(file)")
        }
    }
}
