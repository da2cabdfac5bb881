import CMDB
import Foundation
import GraphStorage
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// `cmdb serve`: builds the server and runs it until SIGTERM or SIGINT, then finishes the requests under way
/// (graceful shutdown) and returns.
public enum CMDBServer {
    /// Runs the server; returns after a graceful shutdown.
    public static func run(_ configuration: ServerConfiguration) async throws {
        var logger = Logger(label: "cmdb.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["CMDB_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let engine = try ServerEngine(configuration: configuration)
        let router = makeRouter(engine: engine, logger: logger)
        let server: HTTPServerBuilder
        var scheme = "http"
        if let certificate = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath {
            let tls: TLSConfiguration
            do {
                tls = TLSConfiguration.makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            } catch {
                throw ServerStartError(message: "cannot read the TLS certificate '\(certificate)' or key '\(key)': \(error)")
            }
            server = try .tls(.http1(), tlsConfiguration: tls)
            scheme = "https"
        } else {
            server = .http1()
        }
        let shownScheme = scheme
        let app = Application(
            router: router, server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cmdb"),
            services: [StaleReaderCheck(store: engine.database.store, logger: logger)],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                // An IPv6 address is bracketed in a URL (RFC 3986 §3.2.2): http://[::1]:8080/.
                let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
                FileHandle.standardError.write(Data("cmdb: serving \(configuration.databasePath) at \(shownScheme)://\(host):\(port)/\n".utf8))
            },
            logger: logger)
        do {
            try await app.runService()  // graceful shutdown on SIGTERM and SIGINT
        } catch {
            await engine.shutdown()
            throw error
        }
        await engine.shutdown()
        FileHandle.standardError.write(Data("cmdb: stopped\n".utf8))
    }

    /// The router with every route: the JSON API and the web view.
    static func makeRouter(engine: ServerEngine, logger: Logger) -> Router<CMDBRequestContext> {
        // HEAD wherever GET (RFC 9110 §9.3.2): the GET route's status and headers, without the body.
        let router = Router(context: CMDBRequestContext.self, options: .autoGenerateHeadEndpoints)
        let metrics = ServerMetrics()
        let tokens = TokenCache(store: TokenStore(databaseDirectory: engine.configuration.databasePath))
        let sessions = WebSessions()
        let routes = RouteTable()
        router.middlewares.add(RequestMiddleware(logger: logger, metrics: metrics, tokens: tokens, sessions: sessions, routes: routes))
        APIRoutes(engine: engine, metrics: metrics).register(on: router)
        WebRoutes(engine: engine, tokens: tokens, sessions: sessions).register(on: router)
        routes.load(router.routes.map { ($0.path, $0.method) })
        return router
    }
}

/// The server could not start (bad TLS files, …): exit 2 or 3 with the message.
public struct ServerStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Every 30 seconds, frees the LMDB reader slots of processes that died mid-read (mdb_reader_check), so they
/// neither fill the reader table nor pin old pages.
struct StaleReaderCheck: Service {
    let store: GraphStore
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let freed = (try? store.clearStaleReaders()) ?? 0
                if freed > 0 { logger.notice("freed stale LMDB reader slots", metadata: ["count": .stringConvertible(freed)]) }
                try? await Task.sleep(for: .seconds(30))
            }
        }
    }
}
