import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The server's change references: an empty or blank one is no change reference, by every way a request can give
/// one (the body's "change", `?change=`, the statement's USING CHANGE), and a request and its statement that name
/// two different changes are refused. The real binary, a real server on a free port, a real database.
@Suite("cmdb serve: change references", .serialized)
struct ServerChangeReferenceTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    func start(_ extra: [String] = []) throws -> (ServerProcess, editor: HTTPClient, admin: HTTPClient) {
        let editor = try harness.token("ed", role: "editor")
        let admin = try harness.token("ada", role: "admin")
        let server = try ServerProcess(harness: harness, extra: extra)
        return (server, HTTPClient(baseURL: server.baseURL, token: editor), HTTPClient(baseURL: server.baseURL, token: admin))
    }

    /// The change column of every version of `id` (NSNull for none); nil when there is no such CI.
    func changes(_ client: HTTPClient, _ id: String) throws -> [Any]? {
        let history = try client.request("GET", "/v1/cis/\(id)/history")
        guard history.status == 200 else { return nil }
        return ((history.json as? [String: Any])?["rows"] as? [[Any]])?.map { $0[3] }
    }

    @Test("with --require-change a blank reference is refused everywhere (Request.ChangeRequired) and nothing is written")
    func blankIsRefused() throws {
        let (server, editor, admin) = try start()
        let before = try harness.status()
        let blanks = ["", " ", "   ", "\t", "\n", " \u{3000}\u{00A0}"]
        for blank in blanks {
            let quoted = blank.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
            let using = try editor.query("USING CHANGE \"\(quoted)\" CREATE (:Application {id: 'app-b'})")
            #expect(using.status == 400 && using.errorCode == "Request.ChangeRequired", "USING CHANGE '\(quoted)': \(using)")
            let body = try editor.query("CREATE (:Application {id: 'app-c'})", change: blank)
            #expect(body.status == 400 && body.errorCode == "Request.ChangeRequired", "change '\(quoted)': \(body)")
            let both = try editor.query("USING CHANGE \"\(quoted)\" CREATE (:Application {id: 'app-c'})", change: blank)
            #expect(both.status == 400 && both.errorCode == "Request.ChangeRequired", "both '\(quoted)': \(both)")
        }
        let line = Data("{\"kind\":\"ci\",\"id\":\"app-e\",\"class\":\"Application\"}\n".utf8)
        for query in ["change=", "change=%20", "change=%20%20%09", "change=%0A"] {
            let imported = try editor.request("POST", "/v1/import?\(query)", body: line)
            #expect(imported.status == 400 && imported.errorCode == "Request.ChangeRequired", "import ?\(query): \(imported)")
            let snapshot = try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("snapshots/vcenter-bb.jsonl")))
            let verified = try editor.request("POST", "/v1/verify?apply=true&\(query)", body: snapshot)
            #expect(verified.status == 400 && verified.errorCode == "Request.ChangeRequired", "verify ?\(query): \(verified)")
            let schema = try admin.request("POST", "/v1/schema?\(query)", body: Data("classes: {}\n".utf8), contentType: "application/yaml")
            #expect(schema.status == 400 && schema.errorCode == "Request.ChangeRequired", "schema ?\(query): \(schema)")
        }
        for ref in ["", "   ", "\n", "\t \u{3000}"] {
            let planned = try editor.request(
                "POST", "/v1/changes", json: ["ref": ref, "cis": ["app-magister"], "window": "2026-12-01T02:00Z/2026-12-01T04:00Z"])
            #expect(planned.status == 400 && planned.errorCode == "Request.Invalid", "plan '\(ref)': \(planned)")
        }
        let after = try harness.status()
        #expect(after.latestTransaction == before.latestTransaction, "refused requests write nothing:\n\(after.text)")
        for id in ["app-b", "app-c", "app-e"] { #expect(try changes(editor, id) == nil, "\(id) was written") }

        // A blank USING CHANGE is no reference, so the request's stands: it is recorded, not dropped.
        let kept = try editor.query("USING CHANGE \"\" CREATE (:Application {id: 'app-d'})", change: "CHG0001")
        #expect(kept.status == 200, "\(kept)")
        #expect(try changes(editor, "app-d")?.map { $0 as? String } == ["CHG0001"])
        let keptBlankBody = try editor.query("USING CHANGE 'CHG0002' MATCH (a {id: 'app-d'}) SET a.name = 'D'", change: "  ")
        #expect(keptBlankBody.status == 200, "\(keptBlankBody)")
        #expect(try changes(editor, "app-d")?.map { $0 as? String } == ["CHG0001", "CHG0002"])
        #expect(server.stop() == 0)
    }

    @Test("a request and its statement naming two different changes are refused (400 Request.ChangeConflict); the same one is fine")
    func conflictIsRefused() throws {
        let token = try harness.token("ed", role: "editor")
        for extra in [[], ["--no-require-change"]] {
            let server = try ServerProcess(harness: harness, extra: extra)
            let editor = HTTPClient(baseURL: server.baseURL, token: token)
            let id = extra.isEmpty ? "app-x" : "app-y"
            let before = try harness.status()
            let conflict = try editor.query("USING CHANGE 'CHG-B' CREATE (:Application {id: '\(id)'})", change: "CHG-A")
            #expect(conflict.status == 400 && conflict.errorCode == "Request.ChangeConflict", "\(extra): \(conflict)")
            let message = ((conflict.json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("CHG-A") && message.contains("CHG-B"), "the message names both: \(message)")
            #expect(try harness.status().latestTransaction == before.latestTransaction, "nothing written")
            #expect(try changes(editor, id) == nil)
            let same = try editor.query("USING CHANGE 'CHG-A' CREATE (:Application {id: '\(id)'})", change: "CHG-A")
            #expect(same.status == 200, "\(same)")
            #expect(try changes(editor, id)?.map { $0 as? String } == ["CHG-A"])
            #expect(server.stop() == 0)
        }
    }

    @Test("with --no-require-change a blank reference is no reference: written without one, and the audit flags it")
    func blankIsAbsentWithoutRequirement() throws {
        let (server, editor, _) = try start(["--no-require-change"])
        #expect(try editor.query("USING CHANGE \"  \" CREATE (:Application {id: 'app-b'})").status == 200)
        #expect(try editor.query("CREATE (:Application {id: 'app-c'})", change: "   ").status == 200)
        let line = Data("{\"kind\":\"ci\",\"id\":\"app-e\",\"class\":\"Application\"}\n".utf8)
        #expect(try editor.request("POST", "/v1/import?change=%20", body: line).status == 200)
        for id in ["app-b", "app-c", "app-e"] {
            let recorded = try changes(editor, id)
            #expect(recorded?.count == 1 && recorded?.first is NSNull, "\(id): \(String(describing: recorded))")
        }
        #expect(server.stop() == 0)
        let audit = try harness.cmdb("audit", "--format", "json")
        #expect(audit.exitCode <= 1, "\(audit)")
        let violations = ((try? JSONSerialization.jsonObject(with: audit.stdout)) as? [String: Any])?["violations"] as? [[String: Any]] ?? []
        let flagged = Set(violations.filter { $0["rule"] as? String == "no-change-reference" }.compactMap { $0["ci"] as? String })
        #expect(flagged.isSuperset(of: ["app-b", "app-c", "app-e"]), "flagged: \(flagged.sorted())")
    }

    @Test("a change reference over 200 bytes is refused on reads as on writes: the request's as Request.Invalid (as impact's), USING CHANGE as Limit.TooLarge, cached plan or not")
    func overlongIsRefusedOnReads() throws {
        let (server, editor, _) = try start()
        let long = String(repeating: "X", count: 201)
        let read = "MATCH (n) RETURN count(n) AS n"
        for attempt in 1...2 {  // the second time the read's plan is cached
            #expect(try editor.query(read).status == 200)
            let body = try editor.query(read, change: long)
            #expect(body.status == 400 && body.errorCode == "Request.Invalid", "attempt \(attempt), change: \(body)")
            let using = try editor.query("USING CHANGE '\(long)' \(read)")
            #expect(using.status == 400 && using.errorCode == "Limit.TooLarge", "attempt \(attempt), USING CHANGE: \(using)")
        }
        #expect(try editor.query(read, change: String(repeating: "Y", count: 200)).status == 200)
        #expect(server.stop() == 0)
    }
}
