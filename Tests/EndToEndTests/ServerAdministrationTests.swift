import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `POST /v1/verify` and `POST /v1/schema` on the real server: the CLI's verify (--apply) and schema apply with the
/// body in place of a file, the token's name as actor, the change reference rule and the roles.
@Suite("cmdb serve: verify and schema apply", .serialized)
struct ServerAdministrationTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    func start() throws -> (ServerProcess, reader: HTTPClient, editor: HTTPClient, admin: HTTPClient) {
        let reader = try harness.token("rita", role: "reader")
        let editor = try harness.token("eddie", role: "editor")
        let admin = try harness.token("ada", role: "admin")
        let server = try ServerProcess(harness: harness)
        return (server, HTTPClient(baseURL: server.baseURL, token: reader), HTTPClient(baseURL: server.baseURL, token: editor),
            HTTPClient(baseURL: server.baseURL, token: admin))
    }

    private func value(_ client: HTTPClient, _ statement: String) throws -> Any? {
        ((try client.query(statement).json as? [String: Any])?["rows"] as? [[Any]])?.first?.first
    }

    @Test("verify: the snapshot in the body; the CLI's report; apply corrects drift under the token's name and change")
    func verifyRoute() throws {
        let (server, reader, editor, _) = try start()
        let snapshot = try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("snapshots/vcenter-bb.jsonl")))
        let before = try harness.status()

        let anonymous = try HTTPClient(baseURL: server.baseURL).request("POST", "/v1/verify?change=CHG-V", body: snapshot)
        #expect(anonymous.status == 401 && anonymous.errorCode == "Auth.Unauthorized", "\(anonymous)")
        let byReader = try reader.request("POST", "/v1/verify?apply=true&change=CHG-V", body: snapshot)
        #expect(byReader.status == 403 && byReader.errorCode == "Auth.Forbidden", "\(byReader)")
        let noChange = try editor.request("POST", "/v1/verify?apply=true", body: snapshot)
        #expect(noChange.status == 400 && noChange.errorCode == "Request.ChangeRequired", "\(noChange)")
        let badFlag = try editor.request("POST", "/v1/verify?apply=maybe&change=CHG-V", body: snapshot)
        #expect(badFlag.status == 400 && badFlag.errorCode == "Request.Invalid", "\(badFlag)")
        let broken = try editor.request(
            "POST", "/v1/verify?change=CHG-V", body: Data("{\"kind\":\"source\",\"name\":\"x\",\"classes\":[\"Server\"]}\n{nope\n".utf8))
        let brokenError = (broken.json as? [String: Any])?["error"] as? [String: Any]
        #expect(broken.status == 400 && brokenError?["code"] as? String == "InputError.InvalidSnapshot" && brokenError?["line"] as? Int == 2,
            "\(broken)")
        // A write the schema refuses carries the schema's code, as import gives it.
        let loop = "{\"kind\":\"source\",\"name\":\"x\",\"classes\":[\"Server\"]}\n"
            + "{\"kind\":\"rel\",\"type\":\"DEPENDS_ON\",\"from\":{\"hostname\":\"sql01\"},\"to\":{\"hostname\":\"sql01\"}}\n"
        let selfRelation = try editor.request("POST", "/v1/verify?apply=true&change=CHG-V", body: Data(loop.utf8))
        let selfError = (selfRelation.json as? [String: Any])?["error"] as? [String: Any]
        #expect(selfRelation.status == 400 && selfError?["code"] as? String == "SchemaError.SelfRelation" && selfError?["line"] as? Int == 2,
            "\(selfRelation)")
        let unchanged = try harness.status()
        #expect(unchanged.latestTransaction == before.latestTransaction, "refused requests change nothing")

        // Report only (stamps last_verified_at): the same JSON as `cmdb verify --format json`.
        let report = try editor.request("POST", "/v1/verify?change=CHG-V0", body: snapshot)
        let sources = report.json as? [[String: Any]]
        #expect(report.status == 200 && sources?.count == 1 && sources?.first?["source"] as? String == "vcenter-bb", "\(report)")
        #expect(sources?.first?["matched"] as? Int == 15, "\(report)")
        let drift = ((sources?.first?["drift"] as? [[String: Any]]) ?? []).map { "\($0["id"] ?? "") \($0["attr"] ?? "")" }.sorted()
        #expect(drift == ["hv-bb-03 os", "srv-mon01 os", "srv-radius01 os", "srv-sql01 memory_gb"], "\(report)")
        #expect(try value(reader, "MATCH (s {id: 'srv-sql01'}) RETURN s.memory_gb") as? Int == 16)

        let applied = try editor.request("POST", "/v1/verify?apply=true&change=CHG-V1", body: snapshot)
        #expect(applied.status == 200, "\(applied)")
        #expect(try value(reader, "MATCH (s {id: 'srv-sql01'}) RETURN s.memory_gb") as? Int == 32, "drift corrected")
        let history = try reader.request("GET", "/v1/cis/srv-sql01/history").json as? [String: Any]
        let last = (history?["rows"] as? [[Any]])?.last
        #expect(last?[2] as? String == "eddie" && last?[3] as? String == "CHG-V1", "\(String(describing: history))")
        let again = try editor.request("POST", "/v1/verify?change=CHG-V2", body: snapshot)
        let drift2 = ((again.json as? [[String: Any]])?.first?["drift"] as? [Any]) ?? [1]
        #expect(again.status == 200 && drift2.isEmpty, "after apply there is no drift left: \(again)")
        #expect(server.stop() == 0)
    }

    @Test("impact is held to the server's statement time limit: Limit.Timeout (503), and the server goes on")
    func impactTimeLimit() throws {
        let secret = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness, extra: ["--timeout", "0.000001"])
        let reader = HTTPClient(baseURL: server.baseURL, token: secret)
        let impact = try reader.request("POST", "/v1/impact", json: ["targets": ["hv-bb-01"]])
        #expect(impact.status == 503 && impact.errorCode == "Limit.Timeout", "\(impact)")
        #expect(try reader.request("GET", "/healthz").status == 200)
        #expect(server.stop() == 0)
    }

    @Test("schema apply: admin only, the YAML in the body, checked against the data, used at once; actor and change")
    func schemaRoute() throws {
        let (server, reader, editor, admin) = try start()
        let shown = try harness.cmdb("schema", "show")
        try #require(shown.exitCode == 0, "\(shown)")
        let current = shown.out
        try #require(current.contains("classes:\n"))
        let extended = current.replacingOccurrences(
            of: "classes:\n", with: "classes:\n  Printer:\n    parent: CI\n    attributes:\n      pages_per_minute: {type: int, min: 1}\n")
        let body = Data(extended.utf8)
        let before = try harness.status()

        let anonymous = try HTTPClient(baseURL: server.baseURL).request("POST", "/v1/schema?change=CHG-S", body: body, contentType: "application/yaml")
        #expect(anonymous.status == 401, "\(anonymous)")
        for client in [reader, editor] {
            let refused = try client.request("POST", "/v1/schema?change=CHG-S", body: body, contentType: "application/yaml")
            #expect(refused.status == 403 && refused.errorCode == "Auth.Forbidden", "\(refused)")
        }
        let noChange = try admin.request("POST", "/v1/schema", body: body, contentType: "application/yaml")
        #expect(noChange.status == 400 && noChange.errorCode == "Request.ChangeRequired", "\(noChange)")
        let invalid = try admin.request("POST", "/v1/schema?change=CHG-S", body: Data("classes:\n  A: {parent: Nope}\n".utf8), contentType: "application/yaml")
        #expect(invalid.status == 400 && invalid.errorCode?.hasPrefix("SchemaError.") == true, "\(invalid)")
        // A rule that cannot hold is refused here too, at its line (values: on a bool attribute).
        let rule = "version: 1\nclasses:\n  A:\n    attributes:\n      on: {type: bool, values: [true]}\n"
        let unchecked = try admin.request("POST", "/v1/schema?change=CHG-S", body: Data(rule.utf8), contentType: "application/yaml")
        #expect(unchecked.status == 400 && unchecked.errorCode == "SchemaError.InvalidSchemaFile", "\(unchecked)")
        #expect("\(unchecked)".contains("'values'"), "\(unchecked)")
        // Every CI must then have an owner: the sample has CIs without one, so nothing changes.
        let strict = current.replacingOccurrences(
            of: "owner:            {type: string, recommended: true}", with: "owner:            {type: string, required: true}")
        try #require(strict != current)
        let violated = try admin.request("POST", "/v1/schema?change=CHG-S", body: Data(strict.utf8), contentType: "application/yaml")
        #expect(violated.status == 400 && violated.errorCode == "SchemaError.ExistingDataViolates", "\(violated)")
        #expect(try harness.status().latestTransaction == before.latestTransaction, "refused requests change nothing")
        let unknownClass = try editor.query("CREATE (p:Printer {id: 'prn-1', name: 'Hall printer'})", change: "CHG-P")
        #expect(unknownClass.status == 400 && unknownClass.errorCode == "SchemaError.UnknownClass", "\(unknownClass)")

        let applied = try admin.request("POST", "/v1/schema?change=CHG-S", body: body, contentType: "application/yaml")
        let classes = (applied.json as? [String: Any])?["classes"] as? [String]
        #expect(applied.status == 200 && classes?.contains("Printer") == true, "\(applied)")
        let status = try harness.status()
        #expect(status.changes.first?.actor == "ada" && status.changes.first?.changeReference == "CHG-S", "\(status.text)")
        // The running server uses the new schema at once.
        let created = try editor.query("CREATE (p:Printer {id: 'prn-1', name: 'Hall printer', pages_per_minute: 30})", change: "CHG-P")
        #expect(created.status == 200, "\(created)")
        let badValue = try editor.query("CREATE (p:Printer {id: 'prn-2', name: 'x', pages_per_minute: 0})", change: "CHG-P")
        #expect(badValue.status == 400 && badValue.errorCode?.hasPrefix("SchemaError.") == true, "\(badValue)")
        #expect(try harness.cmdb("schema", "show").out.contains("Printer:"))
        #expect(server.stop() == 0)
    }

    @Test("a schema applied with the CLI beside the running server governs its next request, with no restart")
    func schemaAppliedBesideTheServer() throws {
        let (server, reader, editor, _) = try start()
        let current = try harness.succeed("schema", "show").out
        let extended = current.replacingOccurrences(
            of: "classes:\n", with: "classes:\n  Printer:\n    parent: CI\n    attributes:\n      pages_per_minute: {type: int, min: 1}\n")
        // Planned and cached under the old schema first.
        let unknown = try editor.query("CREATE (p:Printer {id: 'prn-1', name: 'Hall printer'})", change: "CHG-P")
        #expect(unknown.status == 400 && unknown.errorCode == "SchemaError.UnknownClass", "\(unknown)")
        #expect(try value(reader, "MATCH (n) RETURN count(n) AS n") != nil)
        let file = try harness.sandbox.write("printers.yaml", extended)
        try harness.succeed("schema", "apply", file, "--change", "CHG-S")
        let created = try editor.query("CREATE (p:Printer {id: 'prn-1', name: 'Hall printer', pages_per_minute: 30})", change: "CHG-P")
        #expect(created.status == 200, "\(created)")
        let badValue = try editor.query("CREATE (p:Printer {id: 'prn-2', name: 'x', pages_per_minute: 0})", change: "CHG-P")
        #expect(badValue.status == 400 && badValue.errorCode?.hasPrefix("SchemaError.") == true, "\(badValue)")
        #expect(try value(reader, "MATCH (p:Printer) RETURN count(p) AS n") as? Int == 1)
        #expect(server.stop() == 0)
    }
}
