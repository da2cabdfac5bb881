import ArgumentParser
import CMDBServer
import Dispatch
import Foundation
import GraphStorage
import Synchronization

/// `cmdb serve`
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the CMDB over HTTP: the JSON API (/v1), the web view (/), /metrics and /openapi.json.",
        discussion: """
            The same engine and LMDB file as the command line: CLI commands keep working beside the server.
            Every request needs a token (cmdb token create NAME --role reader|editor|admin), sent as
            'Authorization: Bearer TOKEN'; the web view signs in with one. SIGTERM or Ctrl-C stops taking new
            requests, finishes the ones under way, and exits 0.

            Examples:
              cmdb serve                                     http://127.0.0.1:8080/
              cmdb serve --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
              cmdb serve --public-url https://cmdb.example.org   behind a proxy that terminates TLS
              curl -H "Authorization: Bearer $TOKEN" -d '{"statement":"MATCH (n) RETURN count(*)"}' \\
                http://127.0.0.1:8080/v1/query
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Address and port to listen on (port 0: any free port).", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("PEM certificate chain, for HTTPS.", valueName: "file"))
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key, for HTTPS.", valueName: "file"))
    var tlsKey: String?

    @Option(
        name: .customLong("public-url"),
        help: ArgumentHelp(
            "The address browsers use, when a proxy terminates TLS (https://cmdb.example.org): the session cookie is then Secure, and the web view's forms may come from it.",
            valueName: "url"))
    var publicURL: String?

    @Flag(inversion: .prefixedNo, help: "Refuse writes that carry no change reference (default on).")
    var requireChange = true

    // `.unconditional`: a negative number is read as the value (and refused by `validate`), not as an option.
    @Option(parsing: .unconditional, help: ArgumentHelp("Stop a statement after this many seconds (Limit.Timeout).", valueName: "seconds"))
    var timeout: Double = 30

    @Option(name: .customLong("max-rows"), parsing: .unconditional, help: ArgumentHelp("Refuse results longer than this (Limit.TooManyRows).", valueName: "n"))
    var maximumRows = 100_000

    @Option(name: .customLong("max-body"), parsing: .unconditional, help: ArgumentHelp("Largest JSON request body, bytes (Limit.BodyTooLarge).", valueName: "bytes"))
    var maximumBody = 1 << 20

    @Option(name: .customLong("max-import"), parsing: .unconditional, help: ArgumentHelp("Largest import body, bytes.", valueName: "bytes"))
    var maximumImport = 2 << 30

    @Option(name: .customLong("threads"), parsing: .unconditional, help: ArgumentHelp("Threads for read transactions (default: one per core, at least 2).", valueName: "n"))
    var readerThreads: Int?

    func validate() throws {
        if (tlsCertificate == nil) != (tlsKey == nil) { throw ValidationError("give both --tls-cert and --tls-key, or neither") }
        guard (try? Self.parseListen(listen)) != nil else {
            throw ValidationError("--listen '\(listen)' must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080")
        }
        if let publicURL, ServerConfiguration.origin(ofPublicURL: publicURL) == nil {
            throw ValidationError(
                "--public-url '\(publicURL)' must be http:// or https:// and the host (and port) browsers use, without a path, "
                    + "e.g. https://cmdb.example.org")
        }
        if !(timeout > 0 && timeout <= 86_400) {
            throw ValidationError("--timeout must be more than 0 and at most 86400 seconds, not \(timeout.formatted(.number.grouping(.never)))")
        }
        if maximumRows < 1 { throw ValidationError("--max-rows must be at least 1, not \(maximumRows)") }
        if maximumBody < 1024 { throw ValidationError("--max-body must be at least 1024 bytes, not \(maximumBody)") }
        if maximumImport < 1024 { throw ValidationError("--max-import must be at least 1024 bytes, not \(maximumImport)") }
        if let readerThreads, !(1...64).contains(readerThreads) {
            throw ValidationError("--threads must be between 1 and 64, not \(readerThreads)")
        }
    }

    static func parseListen(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":") else { throw ValidationError("no port") }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("bad port")
        }
        return (host, port)
    }

    func run() throws {
        let (host, port) = try Self.parseListen(listen)
        for file in [tlsCertificate, tlsKey].compactMap({ $0 }) where access(file, R_OK) != 0 {
            throw CommandFailure.badInput("cannot read '\(file)': \(String(cString: strerror(errno)))")
        }
        var configuration = ServerConfiguration(databasePath: database.path)
        configuration.host = host
        configuration.port = port
        configuration.tlsCertificatePath = tlsCertificate
        configuration.tlsKeyPath = tlsKey
        configuration.requireChange = requireChange
        configuration.publicOrigin = publicURL.flatMap(ServerConfiguration.origin(ofPublicURL:))
        configuration.statementTimeoutSeconds = timeout
        configuration.maximumRows = maximumRows
        configuration.maximumBodyBytes = maximumBody
        configuration.maximumImportBytes = maximumImport
        if let readerThreads { configuration.readerThreads = readerThreads }
        configuration.procedures = ProcedureCatalog.all
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await CMDBServer.run(configuration) } catch { outcome.set(error) }
            done.signal()
        }
        done.wait()
        if let error = outcome.error {
            if let start = error as? ServerStartError { throw CommandFailure.badInput(start.message) }
            if error is CommandFailure || error is StorageError { throw error }
            throw CommandFailure.environment("cannot serve on \(listen): \(error)")
        }
    }
}

/// The error the server task ended with, handed back to the command's thread.
private final class Outcome: Sendable {
    private let stored = Mutex<(any Error)?>(nil)
    func set(_ e: any Error) { stored.withLock { $0 = e } }
    var error: (any Error)? { stored.withLock { $0 } }
}

/// `cmdb token create|list|revoke`
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Bearer tokens for cmdb serve: create (shown once), list, revoke.",
        discussion: """
            Roles: reader (queries that read, CIs, history, impact, change list, audit runs), editor (also writing
            queries, import, planning and cancelling changes), admin (also /metrics). A token's name is the actor
            recorded with its writes. Only a SHA-256 hash is kept, in DB/tokens (mode 0600); a revoked token
            stops working on the server's next request.
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a token; prints it once, alone on stdout.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The token's name (the actor of its writes).", valueName: "name")) var name: String
        @Option(help: ArgumentHelp("reader, editor or admin.", valueName: "role")) var role: String

        func run() throws {
            guard let parsed = Role(rawValue: role) else {
                throw CommandFailure.badInput("unknown role '\(role)'; use reader, editor or admin")
            }
            let secret = try tokenCall { try TokenStore(databaseDirectory: database.path).create(name: name, role: parsed) }
            Console.out(secret)
            Console.error("token '\(name)' (\(parsed.rawValue)) created; it is shown only this once: store it now. "
                + "Use it as 'Authorization: Bearer TOKEN'; revoke it with 'cmdb token revoke \(name)'.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tokens (names and roles, never secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let tokens = try tokenCall { try TokenStore(databaseDirectory: database.path).list() }
            guard !tokens.isEmpty else {
                Console.out("no tokens; create one with: cmdb token create NAME --role reader|editor|admin")
                return
            }
            var rows = [["name", "role", "created (UTC)"]]
            for t in tokens {
                rows.append([t.name, t.role.rawValue, ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(t.created)))])
            }
            Console.out(TextTable(rows: rows).rendered)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by name.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The token's name.", valueName: "name")) var name: String

        func run() throws {
            try tokenCall { try TokenStore(databaseDirectory: database.path).revoke(name: name) }
            Console.out("revoked \(name)")
        }
    }
}

private func tokenCall<R>(_ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as TokenError {
        throw error.isBadInput ? CommandFailure.badInput(error.message) : CommandFailure.environment(error.message)
    }
}
