import Foundation
import Testing

/// `cmdb verify --apply` and `POST /v1/verify?apply=true` hold `unique: true` for the state their transaction commits,
/// as import and CIQL do: a snapshot that would commit two Servers with one hostname is refused with import's code
/// (`SchemaError.UniqueAttribute`), the snapshot line and both CIs, and changes nothing; a snapshot whose committed
/// state is valid (two CIs swapping their hostnames, in one snapshot or across two of one run) applies.
@Suite("verify --apply: unique values on the state that commits", .serialized)
struct VerifyApplyCommitStateTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    static let schema = """
        version: 1
        statuses: [live, retired]
        classes:
          Server:
            identify: [[serial], [hostname]]
            attributes:
              serial: {type: string, indexed: true, discoverable: true}
              hostname: {type: string, unique: true, discoverable: true}
          VirtualServer: {parent: Server}

        """

    static let header = #"{"kind":"source","name":"scan","classes":["Server"],"taken_at":"2026-12-01T02:00:00Z"}"#

    static func item(_ serial: String, _ hostname: String, _ cls: String = "Server") -> String {
        #"{"kind":"ci","class":"\#(cls)","attrs":{"serial":"\#(serial)","hostname":"\#(hostname)"}}"#
    }

    /// Servers s1 (serial S1, hostname h1) and s2 (S2, h2).
    private func makeDatabase() throws {
        try harness.succeed("init", "--schema", harness.sandbox.write("schema.yaml", Self.schema))
        let data = try harness.sandbox.write("servers.jsonl", """
            {"kind":"ci","id":"s1","class":"Server","attrs":{"serial":"S1","hostname":"h1"}}
            {"kind":"ci","id":"s2","class":"Server","attrs":{"serial":"S2","hostname":"h2"}}

            """)
        try harness.succeed("import", data, "--change", "CHG-0")
    }

    private func snapshot(_ name: String, _ items: [String]) throws -> String {
        try harness.sandbox.write(name, ([Self.header] + items).joined(separator: "\n") + "\n")
    }

    private func hostnames() throws -> String {
        try harness.succeed("query", "MATCH (s:Server) RETURN s.id, s.hostname ORDER BY s.id", "--format", "csv").out
    }

    @Test("a registration or a correction that commits a duplicate hostname is refused with import's code; nothing changes")
    func duplicatesRefused() throws {
        try makeDatabase()
        let before = try harness.export()
        // A replaced machine: a new serial, the old one's hostname.
        let replaced = try snapshot("replaced.jsonl", [Self.item("S9", "h1")])
        let registered = try harness.cmdb("verify", replaced, "--apply", "--change", "CHG-V")
        #expect(registered.exitCode == 2, "\(registered)")
        #expect(registered.err.contains("error[SchemaError.UniqueAttribute] \(replaced):2: cannot apply: registering CI "
            + "'h1': attribute 'hostname' must be unique among Server CIs, and 's1' already has the same value"),
            "\(registered.err)")
        // A correction of s2 to s1's hostname, in a subclass's item.
        let renamed = try snapshot("renamed.jsonl", [Self.item("S1", "h1"), Self.item("S2", "h1", "VirtualServer")])
        let corrected = try harness.cmdb("verify", renamed, "--apply", "--change", "CHG-V")
        #expect(corrected.exitCode == 2, "\(corrected)")
        #expect(corrected.err.contains("error[SchemaError.UniqueAttribute] \(renamed):3: cannot apply: correcting CI "
            + "'s2': attribute 'hostname' must be unique among Server CIs, and 's1' already has the same value"),
            "\(corrected.err)")
        // Two new items with one hostname: the second line made the duplicate.
        let twice = try snapshot("twice.jsonl", [Self.item("S8", "h7"), Self.item("S9", "h7")])
        let both = try harness.cmdb("verify", twice, "--apply", "--change", "CHG-V")
        #expect(both.exitCode == 2, "\(both)")
        #expect(both.err.contains("error[SchemaError.UniqueAttribute] \(twice):3: cannot apply: registering CI 'h7-2': "
            + "attribute 'hostname' must be unique among Server CIs, and 'h7' already has the same value"), "\(both.err)")
        #expect(try harness.export() == before, "nothing written")
        // Import refuses the same state with the same code.
        let line = #"{"kind":"ci","id":"h1","class":"Server","attrs":{"serial":"S9","hostname":"h1"}}"#
        let imported = try harness.cmdb("import", "-", stdin: Data((line + "\n").utf8))
        #expect(imported.exitCode == 2 && imported.err.contains("error[SchemaError.UniqueAttribute]"), "\(imported)")
        // Without --apply the same snapshots are reported, not refused.
        let report = try harness.cmdb("verify", twice, "--format", "json")
        #expect(report.exitCode == 0 && report.out.contains("\"unregistered\""), "\(report)")
    }

    @Test("a swap of two unique hostnames applies, in one snapshot and across two snapshots of one run")
    func swapsApply() throws {
        try makeDatabase()
        let swap = try snapshot("swap.jsonl", [Self.item("S1", "h2"), Self.item("S2", "h1")])
        let applied = try harness.cmdb("verify", swap, "--apply", "--change", "CHG-V1")
        #expect(applied.exitCode == 0, "\(applied)")
        #expect(try hostnames() == "s.id,s.hostname\ns1,h2\ns2,h1\n")
        // A folder: one snapshot per discovery source, one transaction for all of them.
        let folder = harness.sandbox.path("nightly")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        _ = try snapshot("nightly/a.jsonl", [Self.item("S1", "h1")])
        _ = try snapshot("nightly/b.jsonl", [Self.item("S2", "h2")])
        let across = try harness.cmdb("verify", folder, "--apply", "--change", "CHG-V2")
        #expect(across.exitCode == 0, "\(across)")
        #expect(try hostnames() == "s.id,s.hostname\ns1,h1\ns2,h2\n")
        // The first half of a swap alone: s1 takes h2, which s2 keeps.
        let half = try snapshot("half.jsonl", [Self.item("S1", "h2")])
        let refused = try harness.cmdb("verify", half, "--apply", "--change", "CHG-V3")
        #expect(refused.exitCode == 2 && refused.err.contains("error[SchemaError.UniqueAttribute] \(half):2:"), "\(refused)")
        #expect(try hostnames() == "s.id,s.hostname\ns1,h1\ns2,h2\n")
    }

    @Test("POST /v1/verify?apply=true: a duplicate is 400 SchemaError.UniqueAttribute with its line; a swap applies")
    func serverRoute() throws {
        try makeDatabase()
        let secret = try harness.token("eddie", role: "editor")
        let server = try ServerProcess(harness: harness)
        let editor = HTTPClient(baseURL: server.baseURL, token: secret)
        let before = try harness.status()
        let body = ([Self.header, Self.item("S9", "h1")]).joined(separator: "\n") + "\n"
        let duplicate = try editor.request("POST", "/v1/verify?apply=true&change=CHG-V", body: Data(body.utf8))
        let error = (duplicate.json as? [String: Any])?["error"] as? [String: Any]
        #expect(duplicate.status == 400 && error?["code"] as? String == "SchemaError.UniqueAttribute"
            && error?["line"] as? Int == 2, "\(duplicate)")
        #expect((error?["message"] as? String)?.contains("registering CI 'h1': attribute 'hostname' must be unique among "
            + "Server CIs, and 's1' already has the same value") == true, "\(duplicate)")
        #expect(try harness.status().latestTransaction == before.latestTransaction, "nothing changed")
        let swap = ([Self.header, Self.item("S1", "h2"), Self.item("S2", "h1")]).joined(separator: "\n") + "\n"
        let applied = try editor.request("POST", "/v1/verify?apply=true&change=CHG-V", body: Data(swap.utf8))
        #expect(applied.status == 200, "\(applied)")
        #expect(try hostnames() == "s.id,s.hostname\ns1,h2\ns2,h1\n")
        #expect(server.stop() == 0)
    }

    @Test("a snapshot naming one new machine twice registers one CI, which the next run matches once")
    func repeatedItemRegisteredOnce() throws {
        try harness.makeDatabase()
        let scan = try harness.sandbox.write("scan.jsonl", """
            {"kind":"source","name":"scan","classes":["Server"],"taken_at":"2026-12-01T02:00:00Z"}
            {"kind":"ci","class":"PhysicalServer","attrs":{"serial":"X1","hostname":"a"}}
            {"kind":"ci","class":"PhysicalServer","attrs":{"serial":"X1","hostname":"a"}}
            {"kind":"ci","class":"PhysicalServer","attrs":{"hostname":"a"}}

            """)
        let applied = try harness.cmdb("verify", scan, "--apply", "--change", "CHG-V")
        #expect(applied.exitCode == 0 && applied.out.contains("1 unregistered"), "\(applied)")
        let servers = try harness.succeed("query", "MATCH (s:Server) RETURN s.id, s.serial", "--format", "csv").out
        #expect(servers == "s.id,s.serial\na,X1\n", "one CI, not a duplicate the audit would flag")
        let again = try harness.cmdb("verify", scan)
        #expect(again.exitCode == 0 && again.out.contains("1 matched, 0 missing, 0 unregistered, 0 drift, 0 ambiguous"),
            "\(again)")
    }
}
