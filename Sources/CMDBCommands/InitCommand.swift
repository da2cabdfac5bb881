import ArgumentParser
import CIQLSyntax
import CMDB
import ConfigurationSchema

/// `cmdb init`
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a database.",
        discussion: """
            With no --schema the database gets the built-in ITIL schema (see 'cmdb schema show --builtin').
            --schema FILE uses your own schema file; --schema none creates an open graph: any class or none,
            any relation type and property, nothing validated.

            The directory and its files are readable by their owner only.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("A schema file, or 'none' for a schemaless database.", valueName: "file|none"))
    var schema: String?

    @Option(help: "Who is recorded as creating the database.")
    var actor: String?

    func run() throws {
        let chosen: Schema
        let description: String
        switch schema {
        case nil:
            chosen = try Schema.parse(yaml: BuiltInSchema.yaml)
            description = "the built-in ITIL schema"
        case "none"?:
            chosen = .open
            description = "no schema (open graph)"
        case let file?:
            chosen = try loadSchema(file)
            description = "the schema in \(file)"
        }
        _ = try ConfigurationDatabase.create(at: database.path, schema: chosen, actor: defaultActor(actor))
        Console.error("created a database at \(database.path) with \(description)")
    }
}

/// Reads and parses a schema file, reporting errors as `file:line:column: message`.
func loadSchema(_ path: String) throws -> Schema {
    let text: String
    do {
        text = try readTextFile(path, kind: "schema file")
    } catch {
        throw CommandFailure.badInput("cannot read schema file '\(path)': \(error)", code: .input(.unreadableFile))
    }
    do {
        return try Schema.parse(yaml: text)
    } catch {
        throw CommandFailure.badInput("\(path):\(error.description)", code: .schema(.invalidSchemaFile))
    }
}
