import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Finds the caller (`Authorization: Bearer TOKEN`, else on the web view's pages its session cookie; the routes say which role
/// they need), writes one structured access-log line per request (method, path, status, duration, actor) and
/// records the request metrics.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = CMDBRequestContext
    let logger: Logger
    let metrics: ServerMetrics
    let tokens: TokenCache
    let sessions: WebSessions
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.begin()
        var status = 500
        var actor = "-"
        defer {
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let route = context.endpointPath ?? "unmatched"
            metrics.record(method: request.method.rawValue, route: route, status: status, seconds: seconds)
            logger.info(
                "request",
                metadata: [
                    "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                    "status": .stringConvertible(status), "ms": .string(String(format: "%.2f", seconds * 1000)),
                    "actor": .string(actor),
                ])
        }
        do {
            var context = context
            if let header = request.headers[.authorization] {
                let parts = header.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "bearer",
                    let token = tokens.token(forSecret: String(parts[1]).trimmingCharacters(in: .whitespaces))
                else { throw APIError.unauthorized }
                context.caller = Caller(name: token.name, role: token.role)
            } else if WebRoutes.serves(request.uri.path), let session = WebSessions.cookie(in: request),
                let (token, formToken) = sessions.token(for: session, tokens: tokens)
            {
                // The cookie signs in the web view's pages only: the API takes bearer tokens alone, so a form on
                // another site cannot post to it with the browser's cookie.
                context.caller = Caller(name: token.name, role: token.role, formToken: formToken)
                context.signedInByCookie = true
            }
            actor = context.caller?.name ?? "-"
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let error as HTTPError {
            // Hummingbird's own errors, above all its bare 404 for a request no route took, in the API's form.
            let api = error.status == .notFound ? routes.unrouted(request) : APIError.from(http: error)
            status = api.status.code
            throw api
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        } catch {
            // Anything the engine throws becomes the API's error form.
            let api = APIError.from(error)
            status = api.status.code
            if api.status == .internalServerError { logger.error("request failed", metadata: ["error": .string("\(error)")]) }
            throw api
        }
    }
}
