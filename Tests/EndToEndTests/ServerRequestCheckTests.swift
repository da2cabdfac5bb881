import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Query parameters decoded as strictly as path parameters and web forms, and the server's smaller messages:
/// the role in a 403, the printed IPv6 address, a negative `--timeout`, web error pages' status, and one code for a
/// change reference that is too long. The real binary, a real server on a free port, a real database.
@Suite("cmdb serve: query parameters and messages", .serialized)
struct ServerRequestCheckTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
    }

    func changes(_ id: String) throws -> String {
        try harness.succeed("query", "CALL history('\(id)') YIELD change RETURN change", "--format", "csv").out
    }

    @Test("?change= and ?apply= are percent-decoded strictly; a bad encoding or a repeated parameter is 400 Request.Invalid naming it, nothing written")
    func queryParameters() throws {
        let editor = try harness.token("ed", role: "editor")
        let admin = try harness.token("root", role: "admin")
        let server = try ServerProcess(harness: harness)
        let client = HTTPClient(baseURL: server.baseURL, token: editor)
        func line(_ id: String) -> Data { Data("{\"kind\":\"ci\",\"id\":\"\(id)\",\"class\":\"Application\"}\n".utf8) }
        let refused: [(String, String)] = [
            ("/v1/import?change=A%ZZ%C3", "change"), ("/v1/import?change=A%C3", "change"), ("/v1/import?change=A&change=B", "change"),
            ("/v1/import?ch%ZZange=A", "ch%ZZange"), ("/v1/verify?change=A&apply=true&apply=false", "apply"),
            ("/v1/verify?change=50%", "change"),
        ]
        for (i, (path, name)) in refused.enumerated() {
            let answer = try client.request("POST", path, body: line("bad-\(i)"))
            #expect(answer.status == 400 && answer.errorCode == "Request.Invalid" && answer.text.contains("'\(name)'"), "\(path): \(answer)")
        }
        let schema = try HTTPClient(baseURL: server.baseURL, token: admin).request(
            "POST", "/v1/schema?change=%FF", body: Data("classes: {}\n".utf8), contentType: "application/yaml")
        #expect(schema.status == 400 && schema.errorCode == "Request.Invalid", "\(schema)")
        let written = try harness.succeed("query", "MATCH (n) WHERE n.id STARTS WITH 'bad-' RETURN count(n) AS n", "--format", "csv").out
        #expect(written.hasSuffix("0\n"), "nothing was written: \(written)")

        // Encoded as every client library encodes a query: %20 or + for a space, %2B for a plus, UTF-8 escapes.
        for (i, (query, recorded)) in [("CHG%201", "CHG 1"), ("CHG+2", "CHG 2"), ("CHG%2B3", "CHG+3"), ("%C3%BC-4", "ü-4")].enumerated() {
            let answer = try client.request("POST", "/v1/import?change=\(query)", body: line("good-\(i)"))
            #expect(answer.status == 200, "\(query): \(answer)")
            #expect(try changes("good-\(i)").contains(recorded), "\(query) is recorded as \(recorded)")
        }
        #expect(server.stop() == 0)
    }

    @Test("messages: a 403 names the token's role in good English; a negative --timeout says what is wrong; an IPv6 address is printed as a URL")
    func messages() throws {
        let editor = try harness.token("ed", role: "editor")
        let server = try ServerProcess(harness: harness)
        let metrics = try HTTPClient(baseURL: server.baseURL, token: editor).request("GET", "/metrics")
        #expect(metrics.status == 403 && !metrics.text.contains("a editor") && metrics.text.contains("editor"), "\(metrics)")
        #expect(server.stop() == 0)

        for option in ["--timeout", "--max-rows", "--threads"] {
            let negative = try harness.cmdb("serve", option, "-1")
            #expect(negative.exitCode == 2 && !negative.err.contains("Missing value") && negative.err.contains(option)
                && negative.err.contains("-1"), "\(option): \(negative)")
        }

        let running = try harness.start(["--db", harness.db, "serve", "--listen", "[::1]:0"], environment: ["CMDB_LOG_LEVEL": "warning"])
        let deadline = ContinuousClock.now + .seconds(60)
        while !running.stderrSoFar.contains("serving") && running.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        running.send(SIGTERM)
        let result = running.wait(timeout: 30)
        #expect(result.err.contains("at http://[::1]:") && !result.err.contains("http://::1:"), "\(result)")
    }

    @Test("web error pages answer 4xx with the page; a change reference over 200 bytes is Request.Invalid on reads and writes alike")
    func errorStatuses() throws {
        let editor = try harness.token("ed", role: "editor")
        let server = try ServerProcess(harness: harness)
        let web = HTTPClient(baseURL: server.baseURL, token: nil)
        let cookie = try ServerFormForgeryTests.signIn(web, editor)
        let depth = try web.request("GET", "/impact?targets=app-1&depth=-1", headers: ["Cookie": cookie])
        #expect(depth.status == 400 && depth.text.contains("class=\"error\"") && depth.text.contains("<form"), "\(depth)")
        let notNumber = try web.request("GET", "/impact?targets=app-1&depth=x", headers: ["Cookie": cookie])
        #expect(notNumber.status == 400 && notNumber.text.contains("whole number"), "\(notNumber)")
        let token = try ServerFormForgeryTests.formToken(web, cookie: cookie)
        let syntax = try web.request("POST", "/query", body: Data("statement=MATCH+(n)+WHERE+RETURN+n&csrf=\(token)".utf8),
            contentType: ServerFormForgeryTests.form, headers: ["Cookie": cookie])
        #expect(syntax.status == 400 && syntax.text.contains("SyntaxError") && syntax.text.contains("<textarea"), "\(syntax)")
        let badByte = try web.request("POST", "/query", body: Data("statement=%FF&csrf=\(token)".utf8),
            contentType: ServerFormForgeryTests.form, headers: ["Cookie": cookie])
        #expect(badByte.status == 400 && badByte.text.contains("the field &apos;statement&apos;"), "\(badByte)")

        let client = HTTPClient(baseURL: server.baseURL, token: editor)
        let long = String(repeating: "C", count: 201)
        let read = try client.query("RETURN 1 AS one", change: long)
        let write = try client.query("CREATE (:Application {id: 'long-change'})", change: long)
        #expect(read.status == 400 && read.errorCode == "Request.Invalid", "\(read)")
        #expect(write.status == 400 && write.errorCode == "Request.Invalid", "\(write)")
        #expect(server.stop() == 0)
    }
}
