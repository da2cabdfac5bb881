import HTTPTypes
import Hummingbird
import Synchronization

/// Every route the server has, by path, so that a request no route takes is answered in the API's error form:
/// 405 `Request.MethodNotAllowed` with `Allow` when its path is a route's under other methods, else 404 `NotFound`.
/// (Hummingbird's router answers both with a bare 404.) Filled once, after the routes are registered.
final class RouteTable: Sendable {
    private let routes = Mutex<[(path: RouterPath, methods: [HTTPRequest.Method])]>([])

    /// Takes the router's routes: each path with the methods it answers (HEAD wherever GET: the router answers
    /// HEAD with the GET route, without the body).
    func load(_ routes: [(path: RouterPath, method: HTTPRequest.Method)]) {
        var byPath: [(path: RouterPath, methods: [HTTPRequest.Method])] = []
        for route in routes + routes.filter({ $0.method == .get }).map({ ($0.path, HTTPRequest.Method.head) }) {
            if let index = byPath.firstIndex(where: { $0.path == route.path }) {
                byPath[index].methods.append(route.method)
            } else {
                byPath.append((route.path, [route.method]))
            }
        }
        self.routes.withLock { $0 = byPath.map { ($0.path, $0.methods.sorted { $0.rawValue < $1.rawValue }) } }
    }

    /// The methods routed for `path` (a request's path), sorted; empty when no route has this path.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.withLock { routes in
            var methods: Set<HTTPRequest.Method> = []
            for route in routes where route.path.count == segments.count
                && zip(route.path, segments).allSatisfy({ element, segment in element ~= segment })
            {
                methods.formUnion(route.methods)
            }
            return methods.sorted { $0.rawValue < $1.rawValue }
        }
    }

    /// The answer to `request`, which no route took.
    func unrouted(_ request: Request) -> APIError {
        let path = request.uri.path
        let allowed = methods(for: path)
        guard !allowed.isEmpty else { return .notFound("there is no route \(path): /openapi.json lists the API's routes") }
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        var error = APIError(
            .methodNotAllowed, "Request.MethodNotAllowed", "\(path) answers \(list), not \(request.method.rawValue)")
        error.allow = list
        return error
    }
}
