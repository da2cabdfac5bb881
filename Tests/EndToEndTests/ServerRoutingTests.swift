import Foundation
import Testing

/// Unknown routes and wrong methods answer in the API's error form, like every other error.
@Suite("cmdb serve: unknown routes and wrong methods", .serialized)
struct ServerUnknownRouteTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
    }

    /// `{"error":{"code","message","line","column"}}` with the code, a message, and null line and column.
    func expectError(_ answer: HTTPAnswer, _ status: Int, _ code: String, _ what: String) {
        #expect(answer.status == status && answer.errorCode == code, "\(what): \(answer)")
        #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true, "\(what): \(answer.headers)")
        let error = (answer.json as? [String: Any])?["error"] as? [String: Any]
        #expect((error?["message"] as? String)?.isEmpty == false, "\(what): \(answer)")
        #expect(error?["line"] is NSNull && error?["column"] is NSNull, "\(what): \(answer)")
    }

    @Test("404 with a JSON error for unknown paths; 405 with Allow and a JSON error for a known route's wrong method")
    func unknownRoutes() throws {
        let reader = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness)
        for token in [reader, nil] {
            let client = HTTPClient(baseURL: server.baseURL, token: token)
            let who = token == nil ? "anonymous" : "reader"
            for (method, path) in [("GET", "/v1/foo"), ("POST", "/v1/foo"), ("GET", "/v1/cis/"), ("GET", "/nonexistent"),
                ("GET", "/v1/cis/app-1/nothing"), ("DELETE", "/v1"), ("GET", "/static/none.css")]
            {
                expectError(try client.request(method, path), 404, "NotFound", "\(who) \(method) \(path)")
            }
            for (method, path, allowed) in [("PUT", "/v1/query", "POST"), ("GET", "/v1/query", "POST"), ("GET", "/v1/import", "POST"),
                ("DELETE", "/v1/cis/app-1", "GET, HEAD"), ("PATCH", "/v1/changes", "GET, HEAD, POST"), ("POST", "/healthz", "GET, HEAD"),
                ("GET", "/signin", "POST"), ("PUT", "/query", "GET, HEAD, POST")]
            {
                let answer = try client.request(method, path)
                expectError(answer, 405, "Request.MethodNotAllowed", "\(who) \(method) \(path)")
                #expect(answer.headers["allow"] == allowed, "\(who) \(method) \(path): Allow \(answer.headers["allow"] ?? "none")")
            }
        }
        // The routes themselves still answer: the web view, its stylesheet, /healthz and /openapi.json.
        let anonymous = HTTPClient(baseURL: server.baseURL, token: nil)
        let page = try anonymous.request("GET", "/")
        #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true, "\(page)")
        let css = try anonymous.request("GET", "/static/cmdb.css")
        #expect(css.status == 200 && css.headers["content-type"]?.hasPrefix("text/css") == true, "\(css)")
        #expect(try anonymous.request("GET", "/healthz").status == 200)
        let document = try anonymous.request("GET", "/openapi.json")
        #expect(document.status == 200, "\(document)")
        let responses = (((document.json as? [String: Any])?["components"] as? [String: Any])?["responses"] as? [String: Any]) ?? [:]
        #expect(responses["NotFound"] != nil && responses["MethodNotAllowed"] != nil, "the document describes 404 and 405: \(responses.keys)")
        let metrics = try HTTPClient(baseURL: server.baseURL, token: try harness.token("ada", role: "admin")).request("GET", "/metrics")
        #expect(metrics.text.contains("status=\"404\"") && metrics.text.contains("status=\"405\""), "404 and 405 are counted: \(metrics)")
        #expect(server.stop() == 0)
    }

    /// HTTP requires HEAD wherever GET is answered (RFC 9110 §9.3.2): the same status and headers, no body.
    @Test("HEAD answers what GET would, with the same status and headers and no body")
    func headAnswersLikeGet() throws {
        let reader = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness)
        let client = HTTPClient(baseURL: server.baseURL, token: reader)
        let anonymous = HTTPClient(baseURL: server.baseURL, token: nil)
        for (who, path, status) in [(client, "/healthz", 200), (anonymous, "/openapi.json", 200), (anonymous, "/", 200),
            (anonymous, "/static/cmdb.css", 200), (client, "/v1/audit/runs", 200), (client, "/v1/changes", 200),
            (client, "/v1/cis/no-such-ci", 404), (anonymous, "/v1/audit/runs", 401)]
        {
            let get = try who.request("GET", path)
            let head = try who.request("HEAD", path)
            #expect(get.status == status && head.status == status, "HEAD \(path): \(head.status), GET \(get.status)")
            #expect(head.body.isEmpty, "HEAD \(path) sent a body: \(head)")
            #expect(head.headers["content-type"] == get.headers["content-type"], "HEAD \(path): \(head.headers)")
            if let length = get.headers["content-length"] {
                #expect(head.headers["content-length"] == length, "HEAD \(path): \(head.headers), GET \(get.headers)")
            }
        }
        // A route without GET refuses HEAD too, naming what it answers.
        let query = try client.request("HEAD", "/v1/query")
        #expect(query.status == 405 && query.headers["allow"] == "POST" && query.body.isEmpty, "\(query) \(query.headers)")
        #expect(try client.request("HEAD", "/v1/nothing").status == 404)
        #expect(server.stop() == 0)
    }
}
