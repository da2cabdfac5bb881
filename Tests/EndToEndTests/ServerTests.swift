import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `cmdb serve` end to end: the real binary, a real server on a free port, a real database.
@Suite("cmdb serve", .serialized)
struct ServerTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    /// A server on the sample with reader, editor and admin tokens.
    func start(_ extra: [String] = []) throws -> (ServerProcess, reader: HTTPClient, editor: HTTPClient, admin: HTTPClient) {
        let reader = try harness.token("rita", role: "reader")
        let editor = try harness.token("eddie", role: "editor")
        let admin = try harness.token("ada", role: "admin")
        let server = try ServerProcess(harness: harness, extra: extra)
        return (server, HTTPClient(baseURL: server.baseURL, token: reader), HTTPClient(baseURL: server.baseURL, token: editor),
            HTTPClient(baseURL: server.baseURL, token: admin))
    }

    @Test("token create prints the token alone; only a hash is kept, mode 0600; list and revoke")
    func tokens() throws {
        let created = try harness.run(["--db", harness.db, "token", "create", "ci-bot", "--role", "editor"])
        #expect(created.exitCode == 0, "\(created)")
        let secret = created.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.out.split(separator: "\n").count == 1 && secret.hasPrefix("cmdb_") && secret.count > 40, "\(created)")
        #expect(created.err.contains("only this once"), "\(created)")
        let file = harness.db + "/tokens"
        let stored = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!stored.contains(secret) && stored.contains("ci-bot"))
        let digest = try harness.tool("/usr/bin/sha256sum", [], stdin: Data(secret.utf8))
        let hex = try #require(digest.out.split(separator: " ").first.map(String.init))
        #expect(stored.contains("\"sha256\":\"\(hex)\""), "only the SHA-256 of the token is stored: \(stored)")
        var st = stat()
        #expect(stat(file, &st) == 0 && st.st_mode & 0o777 == 0o600)
        let list = try harness.cmdb("token", "list")
        #expect(list.exitCode == 0 && list.out.contains("ci-bot") && list.out.contains("editor") && !list.out.contains(secret), "\(list)")
        let again = try harness.cmdb("token", "create", "ci-bot", "--role", "reader")
        #expect(again.exitCode == 2 && again.err.contains("exists"), "\(again)")
        let badRole = try harness.cmdb("token", "create", "x", "--role", "root")
        #expect(badRole.exitCode == 2 && badRole.err.contains("reader, editor or admin"), "\(badRole)")

        let server = try ServerProcess(harness: harness)
        let client = HTTPClient(baseURL: server.baseURL, token: secret)
        #expect(try client.request("GET", "/v1/changes").status == 200)
        let revoked = try harness.cmdb("token", "revoke", "ci-bot")
        #expect(revoked.exitCode == 0, "\(revoked)")
        let after = try client.request("GET", "/v1/changes")
        #expect(after.status == 401 && after.errorCode == "Auth.Unauthorized", "\(after)")
        #expect(server.stop() == 0)
    }

    @Test("401 without a valid token on every /v1 route and /metrics; /healthz and /openapi.json are open")
    func unauthenticated() throws {
        let (server, _, _, _) = try start()
        let anonymous = HTTPClient(baseURL: server.baseURL, token: nil)
        let wrong = HTTPClient(baseURL: server.baseURL, token: "cmdb_not-a-token")
        #expect(try anonymous.request("GET", "/healthz").status == 200)
        #expect(try anonymous.request("GET", "/openapi.json").status == 200)
        let routes: [(String, String)] = [
            ("POST", "/v1/query"), ("GET", "/v1/cis/app-magister"), ("GET", "/v1/cis/app-magister/history"),
            ("POST", "/v1/impact"), ("GET", "/v1/changes"), ("POST", "/v1/changes"), ("DELETE", "/v1/changes/CHG1"),
            ("POST", "/v1/import?change=C"), ("GET", "/v1/audit/runs"), ("GET", "/v1/audit/runs/1"), ("GET", "/metrics"),
            ("POST", "/v1/verify?change=C"), ("POST", "/v1/schema?change=C"),
        ]
        for (method, path) in routes {
            for client in [anonymous, wrong] {
                let answer = try client.request(method, path, json: method == "POST" ? ["statement": "MATCH (n) RETURN n"] : nil)
                #expect(answer.status == 401 && answer.errorCode == "Auth.Unauthorized", "\(method) \(path): \(answer)")
            }
        }
        #expect(server.stop() == 0)
    }

    @Test("a reader reads by every route and cannot write by any; 403 with the code; nothing changes")
    func readerCannotWrite() throws {
        let (server, reader, _, _) = try start()
        let before = try harness.status()
        let count = try reader.query("MATCH (n) RETURN count(*) AS n")
        #expect(count.status == 200, "\(count)")
        let body = count.json as? [String: Any]
        #expect(body?["columns"] as? [String] == ["n"])
        #expect(((body?["rows"] as? [[Any]])?.first?.first as? Int) == before.ciCount, "\(count)")

        let writes = [
            "CREATE (:Application {id: 'app-new', name: 'New'})", "MATCH (n {id: 'app-magister'}) SET n.name = 'x'",
            "MATCH (n {id: 'app-magister'}) DETACH DELETE n", "MERGE (a:Application {id: 'app-m2'})", "CREATE BASELINE 'b1'",
            "MATCH (n {id: 'app-magister'}) REMOVE n.description",
        ]
        for w in writes {
            let answer = try reader.query(w, change: "CHG-1")
            #expect(answer.status == 403 && answer.errorCode == "Auth.Forbidden", "\(w): \(answer)")
        }
        let plan = try reader.request("POST", "/v1/changes", json: ["ref": "CHG-9", "cis": ["app-magister"], "window": "2026-12-01T02:00Z/2026-12-01T04:00Z"])
        #expect(plan.status == 403 && plan.errorCode == "Auth.Forbidden", "\(plan)")
        let cancel = try reader.request("DELETE", "/v1/changes/CHG-9")
        #expect(cancel.status == 403, "\(cancel)")
        let imported = try reader.request(
            "POST", "/v1/import?change=CHG-9", body: Data(#"{"kind":"ci","id":"app-x","class":"Application","name":"x"}"#.utf8))
        #expect(imported.status == 403 && imported.errorCode == "Auth.Forbidden", "\(imported)")
        let metrics = try reader.request("GET", "/metrics")
        #expect(metrics.status == 403 && metrics.errorCode == "Auth.Forbidden", "\(metrics)")
        let verified = try reader.request(
            "POST", "/v1/verify?apply=true&change=CHG-9", body: Data(#"{"kind":"source","name":"x","classes":["Server"]}"#.utf8))
        #expect(verified.status == 403 && verified.errorCode == "Auth.Forbidden", "\(verified)")
        let schema = try reader.request("POST", "/v1/schema?change=CHG-9", body: Data("classes: {}\n".utf8), contentType: "application/yaml")
        #expect(schema.status == 403 && schema.errorCode == "Auth.Forbidden", "\(schema)")
        #expect(server.stop() == 0)
        let after = try harness.status()
        #expect(after.ciCount == before.ciCount && after.latestTransaction == before.latestTransaction)
    }

    @Test("an editor's writes are recorded with the token's name as actor and the change reference; one is required")
    func actorAndChange() throws {
        let (server, reader, editor, _) = try start()
        let missing = try editor.query("CREATE (:Application {id: 'app-new', name: 'New'})")
        #expect(missing.status == 400 && missing.errorCode == "Request.ChangeRequired", "\(missing)")
        let created = try editor.query("CREATE (a:Application {id: 'app-new', name: 'New'}) RETURN a.id", change: "CHG-42")
        #expect(created.status == 200, "\(created)")
        let using = try editor.query("USING CHANGE 'CHG-43' MATCH (a {id: 'app-new'}) SET a.name = 'Newer'")
        #expect(using.status == 200, "\(using)")
        let history = try reader.request("GET", "/v1/cis/app-new/history")
        #expect(history.status == 200, "\(history)")
        let rows = (history.json as? [String: Any])?["rows"] as? [[Any]] ?? []
        #expect(rows.count == 2, "\(history)")
        #expect(rows.first?[2] as? String == "eddie" && rows.first?[3] as? String == "CHG-42", "\(history)")
        #expect(rows.last?[2] as? String == "eddie" && rows.last?[3] as? String == "CHG-43", "\(history)")
        let status = try harness.status()
        #expect(status.changes.first?.actor == "eddie" && status.changes.first?.changeReference == "CHG-43", "\(status.text)")
        #expect(server.stop() == 0)
    }

    @Test("CI, history, impact, changes, audit runs: the CLI's JSON shapes; 404 for unknown ones")
    func readRoutes() throws {
        let (server, reader, editor, admin) = try start()
        let ci = try reader.request("GET", "/v1/cis/app-magister")
        let node = ci.json as? [String: Any]
        #expect(ci.status == 200 && node?["id"] as? String == "app-magister" && node?["class"] as? String == "Application", "\(ci)")
        #expect(node?["attrs"] is [String: Any], "\(ci)")
        let unknown = try reader.request("GET", "/v1/cis/no-such-ci")
        #expect(unknown.status == 404 && unknown.errorCode == "NotFound", "\(unknown)")
        #expect(try reader.request("GET", "/v1/cis/no-such-ci/history").status == 404)

        let hypervisor = try #require(
            ((try reader.query("MATCH (h:Hypervisor {status: 'live'}) RETURN h.id ORDER BY h.id LIMIT 1").json as? [String: Any])?["rows"] as? [[Any]])?.first?.first as? String)
        let impact = try reader.request("POST", "/v1/impact", json: ["targets": [hypervisor], "window": "2026-12-01T02:00Z/2026-12-01T04:00Z"])
        let report = impact.json as? [String: Any]
        #expect(impact.status == 200 && report?["targets"] as? [String] == [hypervisor], "\(impact)")
        #expect(((report?["impacted"] as? [Any])?.count ?? 0) > 0 && report?["risk"] != nil && report?["services"] != nil, "\(impact)")
        let badImpact = try reader.request("POST", "/v1/impact", json: ["targets": ["no-such-ci"]])
        #expect(badImpact.status == 400 && badImpact.errorCode == "Request.Invalid", "\(badImpact)")

        #expect(try reader.request("GET", "/v1/changes").text.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        let planned = try editor.request(
            "POST", "/v1/changes", json: ["ref": "CHG-7", "cis": [hypervisor], "window": "2026-12-01T02:00Z/2026-12-01T04:00Z", "description": "firmware"])
        #expect(planned.status == 201 && (planned.json as? [String: Any])?["actor"] as? String == "eddie", "\(planned)")
        let list = try reader.request("GET", "/v1/changes").json as? [[String: Any]]
        #expect(list?.first?["ref"] as? String == "CHG-7" && list?.first?["cis"] as? [String] == [hypervisor])
        #expect(try editor.request("DELETE", "/v1/changes/CHG-7").status == 204)
        #expect(try editor.request("DELETE", "/v1/changes/CHG-7").status == 404)
        #expect((try reader.request("GET", "/v1/changes").json as? [Any])?.isEmpty == true)

        #expect((try reader.request("GET", "/v1/audit/runs").json as? [Any])?.isEmpty == true)
        let audit = try harness.cmdb("audit", "--format", "json")
        #expect(audit.exitCode <= 1, "\(audit)")
        let runs = try reader.request("GET", "/v1/audit/runs").json as? [[String: Any]]
        #expect(runs?.count == 1 && runs?.first?["run"] as? Int == 1 && runs?.first?["scores"] != nil, "\(String(describing: runs))")
        let one = try reader.request("GET", "/v1/audit/runs/1")
        #expect(one.status == 200 && (one.json as? [String: Any])?["run"] as? Int == 1, "\(one)")
        #expect(try reader.request("GET", "/v1/audit/runs/9").status == 404)
        #expect(try reader.request("GET", "/v1/audit/runs/x").status == 400)

        let metrics = try admin.request("GET", "/metrics")
        #expect(metrics.status == 200 && metrics.text.contains("cmdb_http_requests_total{method=\"GET\",route=\"/v1/cis/{id}\",status=\"200\"}"), "\(metrics)")
        #expect(metrics.text.contains("cmdb_lmdb_map_size_bytes") && metrics.text.contains("cmdb_http_request_duration_seconds_bucket"))
        #expect(server.stop() == 0)
    }

    @Test("errors carry the engine's stable code, line and column; one statement per request; bad JSON is 400")
    func errors() throws {
        let (server, reader, editor, _) = try start()
        let editorToken = editor.token
        let syntax = try reader.query("MATCH (n)\nWHERE RETURN n")
        let error = (syntax.json as? [String: Any])?["error"] as? [String: Any]
        #expect(syntax.status == 400 && (error?["code"] as? String)?.hasPrefix("SyntaxError.") == true && error?["line"] as? Int == 2, "\(syntax)")
        #expect(error?["column"] is Int && error?["message"] is String, "\(syntax)")
        let semantic = try reader.query("MATCH (n) RETURN m")
        #expect(semantic.status == 400 && semantic.errorCode == "SyntaxError.UndefinedVariable", "\(semantic)")
        let badImport = try HTTPClient(baseURL: server.baseURL, token: editorToken).request(
            "POST", "/v1/import?change=C", body: Data("{\"kind\":\"ci\",\"id\":\"x-1\",\"class\":\"Application\"}\n{nope\n".utf8))
        let importError = (badImport.json as? [String: Any])?["error"] as? [String: Any]
        #expect(badImport.status == 400 && importError?["code"] as? String == "InputError.InvalidLine" && importError?["line"] as? Int == 2, "\(badImport)")
        let two = try reader.query("MATCH (n) RETURN count(n); MATCH (n) RETURN count(n)")
        #expect(two.status == 400 && two.errorCode == "Request.OneStatement", "\(two)")
        let notJSON = try reader.request("POST", "/v1/query", body: Data("{nope".utf8), contentType: "application/json")
        #expect(notJSON.status == 400 && notJSON.errorCode == "Request.InvalidJSON", "\(notJSON)")
        let params = try reader.query("MATCH (n {id: $id}) RETURN n.name", parameters: ["id": "app-magister"])
        #expect(params.status == 200 && ((params.json as? [String: Any])?["rows"] as? [[Any]])?.count == 1, "\(params)")
        #expect(server.stop() == 0)
    }

    @Test("import: JSON Lines body, all or nothing, errors with line numbers; the actor is the token's name")
    func importRoute() throws {
        let (server, reader, editor, _) = try start()
        let good = """
            {"kind":"ci","id":"app-api-1","class":"Application","name":"API one","status":"live","attrs":{"owner":"team-a"}}
            {"kind":"ci","id":"app-api-2","class":"Application","name":"API two","status":"live","attrs":{"owner":"team-a"}}
            """
        let noChange = try editor.request("POST", "/v1/import", body: Data(good.utf8))
        #expect(noChange.status == 400 && noChange.errorCode == "Request.ChangeRequired", "\(noChange)")
        let imported = try editor.request("POST", "/v1/import?change=CHG-IMP", body: Data(good.utf8))
        let summary = imported.json as? [String: Any]
        #expect(imported.status == 200 && summary?["lines"] as? Int == 2 && (summary?["cis"] as? [String: Any])?["created"] as? Int == 2, "\(imported)")
        let bad = """
            {"kind":"ci","id":"app-api-3","class":"Application","name":"API three"}
            {"kind":"ci","id":"app-api-4","class":"NoSuchClass","name":"x"}
            """
        let refused = try editor.request("POST", "/v1/import?change=CHG-IMP2", body: Data(bad.utf8))
        let error = (refused.json as? [String: Any])?["error"] as? [String: Any]
        #expect(refused.status == 400 && error?["code"] as? String == "SchemaError.UnknownClass" && error?["line"] as? Int == 2, "\(refused)")
        #expect(try reader.request("GET", "/v1/cis/app-api-3").status == 404, "a failed import writes nothing")
        let history = try reader.request("GET", "/v1/cis/app-api-1/history").json as? [String: Any]
        let row = (history?["rows"] as? [[Any]])?.first
        #expect(row?[2] as? String == "eddie" && row?[3] as? String == "CHG-IMP", "\(String(describing: history))")
        #expect(server.stop() == 0)
    }

    @Test("limits: body size (413), rows per response (422, not cut), statement time (503)")
    func limits() throws {
        let (server, reader, _, _) = try start(["--max-body", "2048", "--max-rows", "5", "--timeout", "0.5"])
        let big = try reader.query("MATCH (n) WHERE n.id = '" + String(repeating: "x", count: 4000) + "' RETURN n")
        #expect(big.status == 413 && big.errorCode == "Limit.BodyTooLarge", "\(big)")
        let many = try reader.query("MATCH (n) RETURN n.id")
        #expect(many.status == 422 && many.errorCode == "Limit.TooManyRows" && many.text.contains("LIMIT"), "\(many)")
        let five = try reader.query("MATCH (n) RETURN n.id LIMIT 5")
        #expect(five.status == 200 && ((five.json as? [String: Any])?["rows"] as? [Any])?.count == 5, "\(five)")
        let started = ContinuousClock.now
        let slow = try reader.query("MATCH (a), (b), (c) RETURN count(*)")
        #expect(slow.status == 503 && slow.errorCode == "Limit.Timeout", "\(slow)")
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(try reader.request("GET", "/healthz").status == 200, "the server goes on after a timeout")
        #expect(server.stop() == 0)
    }

    @Test("SIGTERM mid-request: the request under way is answered, then the server exits 0")
    func gracefulShutdown() throws {
        let (server, reader, _, _) = try start(["--timeout", "120"])
        let box = AnswerHolder()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.answer = try? reader.query("MATCH (a), (b), (c:Site) WHERE a.id < b.id RETURN count(*) AS triples")
            done.signal()
        }
        usleep(300_000)
        #expect(done.wait(timeout: .now()) == .timedOut, "the request must still be running when SIGTERM comes")
        server.process.send(SIGTERM)
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(box.answer?.status == 200, "\(String(describing: box.answer)) \(server.stderr)")
        #expect(server.stop() == 0, "\(server.stderr)")
        #expect(server.stderr.contains("cmdb: stopped"))
    }

    @Test("readers go on during a large write and see a consistent snapshot: before or after, never between")
    func concurrentReadersDuringWrite() throws {
        let (server, reader, editor, _) = try start()
        let before = try harness.status().ciCount
        var lines = ""
        for i in 0..<3000 {
            lines += #"{"kind":"ci","id":"app-bulk-\#(i)","class":"Application","name":"Bulk \#(i)","status":"live"}"# + "\n"
        }
        let box = AnswerHolder()
        let done = DispatchSemaphore(value: 0)
        let body = Data(lines.utf8)
        Thread.detachNewThread {
            box.answer = try? editor.request("POST", "/v1/import?change=CHG-BULK", body: body)
            done.signal()
        }
        var seen: Set<Int> = []
        var reads = 0
        while done.wait(timeout: .now()) == .timedOut || reads < 5 {
            let answer = try reader.query("MATCH (n) RETURN count(*)")
            #expect(answer.status == 200, "\(answer)")
            if let n = ((answer.json as? [String: Any])?["rows"] as? [[Any]])?.first?.first as? Int { seen.insert(n) }
            reads += 1
            if reads > 5000 { break }
        }
        #expect(box.answer?.status == 200, "\(String(describing: box.answer))")
        #expect(seen.isSubset(of: [before, before + 3000]), "counts seen: \(seen)")
        #expect(seen.contains(before + 3000) || reads > 0)
        #expect(server.stop() == 0)
    }

    @Test("queries of one shape from concurrent clients (the plan cache's path) each get their own answer")
    func concurrentQueriesOfOneShape() throws {
        let (server, reader, _, _) = try start()
        let all = try reader.query("MATCH (n) RETURN n.id ORDER BY n.id LIMIT 40")
        let ids = ((all.json as? [String: Any])?["rows"] as? [[Any]] ?? []).compactMap { $0.first as? String }
        try #require(ids.count == 40, "\(all)")
        let mismatches = Mismatches()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for round in 0..<3 {
                for (i, id) in ids.enumerated() where i % 4 == worker {
                    // Literal and parameter forms of the same two shapes.
                    let answer = round % 2 == 0
                        ? try? reader.query("MATCH (n {id: $id}) RETURN n.id AS id", parameters: ["id": id])
                        : try? reader.query("MATCH (n {id: '\(id)'}) RETURN n.id AS id")
                    let got = ((answer?.json as? [String: Any])?["rows"] as? [[Any]])?.first?.first as? String
                    if got != id { mismatches.add("\(id): \(String(describing: answer))") }
                }
            }
        }
        #expect(mismatches.all.isEmpty, "\(mismatches.all.prefix(3))")
        let error = try reader.query("MATCH (n {id: 'x'}) RETURN m.id AS id")
        #expect(error.status == 400 && error.errorCode == "SyntaxError.UndefinedVariable", "\(error)")
        #expect(server.stop() == 0)
    }

    @Test("every route in /openapi.json answers on the real server (none is 404 or 405), and it is OpenAPI 3.1")
    func openAPIMatchesServer() throws {
        let (server, _, _, admin) = try start()
        let document = try #require(try HTTPClient(baseURL: server.baseURL).request("GET", "/openapi.json").json as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        #expect(paths.count >= 13)
        for (path, operations) in paths {
            let concrete = path.replacingOccurrences(of: "{id}", with: "app-magister").replacingOccurrences(of: "{run}", with: "1")
                .replacingOccurrences(of: "{ref}", with: "CHG-NONE")
            for method in operations.keys {
                let body: [String: Any]? = method == "post" ? [:] : nil
                let anonymous = try HTTPClient(baseURL: server.baseURL).request(method.uppercased(), concrete, json: body)
                #expect(anonymous.status != 404 && anonymous.status != 405, "\(method) \(path): \(anonymous)")
                let answered = try admin.request(method.uppercased(), concrete, json: body)
                #expect(answered.status != 405 && !(answered.status == 404 && answered.errorCode == nil), "\(method) \(path): \(answered)")
            }
        }
        let undocumented = try admin.request("GET", "/v1/nothing-here")
        #expect(undocumented.status == 404)
        #expect(server.stop() == 0)
    }

    @Test("HTTPS with --tls-cert and --tls-key")
    func tls() throws {
        let cert = harness.sandbox.path("cert.pem"), key = harness.sandbox.path("key.pem")
        let made = try harness.tool("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
        ])
        try #require(made.exitCode == 0, "\(made)")
        _ = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness, extra: ["--tls-cert", cert, "--tls-key", key])
        #expect(server.baseURL.hasPrefix("https://"))
        let curl = try harness.tool("/usr/bin/curl", ["-sS", "--cacert", cert, server.baseURL + "/healthz"])
        #expect(curl.exitCode == 0 && curl.out.contains("ok"), "\(curl)")
        #expect(server.stop() == 0)
        let half = try harness.cmdb("serve", "--tls-cert", cert)
        #expect(half.exitCode == 2 && half.err.contains("--tls-key"), "\(half)")
    }
}

private final class AnswerHolder: @unchecked Sendable {
    var answer: HTTPAnswer?
}

private final class Mismatches: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ s: String) { lock.withLock { list.append(s) } }
    var all: [String] { lock.withLock { list } }
}

/// The web view in a real browser: Tests/Web/web_view_test.py drives headless Chromium (Debian's chromium and
/// chromium-driver, Selenium from PyPI; `make deps` installs them).
@Suite("cmdb serve: the web view in Chromium")
struct WebViewTests {
    @Test("sign in, search, open a CI, impact with its SVG graph, a query with its table, sign out")
    func browser() throws {
        let harness = try Harness()
        try harness.makeDatabase(withSample: true)
        let token = try harness.token("cab", role: "reader")
        let server = try ServerProcess(harness: harness)
        let hypervisor = try harness.cmdb("query", "MATCH (h:Hypervisor {status: 'live'}) RETURN h.id ORDER BY h.id LIMIT 1", "--format", "csv")
        let id = try #require(hypervisor.out.split(separator: "\n").dropFirst().first.map(String.init))
        let shots = harness.sandbox.path("screenshots")
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        let script = Paths.packageRoot.appendingPathComponent("Tests/Web/web_view_test.py").path
        let result = try harness.tool("/usr/bin/env", ["python3", script, server.baseURL, token, id, shots])
        #expect(result.exitCode == 0, "\(result)\n\(server.stderr)")
        #expect(result.out.contains("all steps passed"), "\(result)")
        #expect(server.stop() == 0)
    }
}
