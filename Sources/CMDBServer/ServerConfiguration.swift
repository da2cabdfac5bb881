public import CIQL
import Foundation

/// How `cmdb serve` runs: where it listens, TLS, and the limits every request is held to.
public struct ServerConfiguration: Sendable {
    /// The database directory (the same LMDB file the CLI uses).
    public var databasePath: String
    public var host: String = "127.0.0.1"
    /// 0 picks a free port; the bound address is printed on stderr.
    public var port: Int = 8080
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// The origin browsers reach the server at, from `--public-url` (behind a TLS-terminating proxy:
    /// `https://cmdb.example.org`): the web view's forms may come from it, and under https the session cookie is
    /// `Secure`. Forwarded headers (`X-Forwarded-Proto`, `Forwarded`) are never trusted: anyone can send them.
    public var publicOrigin: String?
    /// Writes without a change reference are refused (HTTP 400, code `Request.ChangeRequired`).
    public var requireChange = true
    /// The largest JSON request body (query, impact, changes, sign-in).
    public var maximumBodyBytes = 1 << 20
    /// The largest JSON Lines body of `POST /v1/import`.
    public var maximumImportBytes = 2 << 30
    /// A statement (or impact analysis) running longer is stopped with `Limit.Timeout`.
    public var statementTimeoutSeconds = 30.0
    /// A result with more rows is refused with `Limit.TooManyRows` (not cut short).
    public var maximumRows = 100_000
    /// Threads that run read transactions (writes have one thread of their own): one per core by default; more
    /// only add context switches (measured with bench/server.sh on 2 cores: 2 threads beat 4 in throughput and p99).
    public var readerThreads = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// Extra CIQL procedures (the CLI's impact and dependencies procedures).
    public var procedures: [ProcedureDefinition] = []

    /// The session cookie is `Secure`: the server speaks TLS, or its public URL is https.
    public var secureCookies: Bool { tlsCertificatePath != nil || publicOrigin?.hasPrefix("https://") == true }

    /// The origin (`scheme://host[:port]`, lower case, without a default port) of a public URL given as
    /// `http(s)://host[:port][/]`; nil for anything else (another scheme, no host, a path, a query, user info).
    public static func origin(ofPublicURL text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host?.lowercased(), !host.isEmpty, url.user == nil, url.password == nil, url.query == nil,
            url.fragment == nil, url.path.isEmpty || url.path == "/"
        else { return nil }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let port = url.port.flatMap { ($0 == 443 && scheme == "https") || ($0 == 80 && scheme == "http") ? nil : $0 }
        return "\(scheme)://\(shownHost)" + (port.map { ":\($0)" } ?? "")
    }

    public init(databasePath: String) {
        self.databasePath = databasePath
    }
}
