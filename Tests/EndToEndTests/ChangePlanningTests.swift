import Foundation
import Testing

/// Planning a change and assessing it: the assessed change is no collision with itself (by `--change`, the
/// API's "change", the web view's form), windows are written in the proleptic Gregorian calendar with 4-digit
/// years as CIQL writes them, and a CI named twice is planned once. The real binary and a real server.
@Suite("change planning: the assessed change, calendar, repeated CIs", .serialized)
struct ChangePlanningTests {
    let harness: Harness
    static let window = "2026-11-22T02:00/2026-11-22T04:00"

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
        let lines = """
            {"kind":"ci","id":"bs-1","class":"BusinessService","attrs":{"criticality":2,"maintenance_window":"Sun 02:00-06:00"}}
            {"kind":"ci","id":"app-1","class":"Application"}
            {"kind":"ci","id":"hv-1","class":"Hypervisor"}
            {"kind":"ci","id":"vm-1","class":"VirtualServer"}
            {"kind":"rel","type":"PROVIDED_BY","from":"bs-1","to":"app-1"}
            {"kind":"rel","type":"RUNS_ON","from":"app-1","to":"vm-1"}
            {"kind":"rel","type":"HOSTED_ON","from":"vm-1","to":"hv-1"}

            """
        try harness.succeed("import", "-", "--change", "C1", stdin: Data(lines.utf8))
        try harness.succeed("change", "timezone", "Europe/Amsterdam")
    }

    /// The collisions' change references and the risk score of `impact hv-1 --window W EXTRA… --format json`.
    func assess(_ extra: String...) throws -> (collisions: [String], risk: Int) {
        let result = try harness.run(["--db", harness.db, "impact", "hv-1", "--window", Self.window, "--format", "json"] + extra)
        try #require(result.exitCode == 0, "\(result)")
        let report = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], "\(result.out)")
        let collisions = (report["collisions"] as? [[String: Any]] ?? []).compactMap { $0["change"] as? String }
        return (collisions, try #require((report["risk"] as? [String: Any])?["score"] as? Int))
    }

    @Test("impact --change REF assesses REF: it is no collision with itself, other planned changes still are")
    func assessedChangeIsNoCollision() throws {
        let before = try assess()
        #expect(before.collisions.isEmpty)
        try harness.succeed("change", "plan", "CHG-100", "--ci", "hv-1", "--window", Self.window, "--description", "firmware")
        #expect(try assess().collisions == ["CHG-100"], "without --change a planned change is assessed as another change")
        let own = try assess("--change", "CHG-100")
        #expect(own.collisions.isEmpty && own.risk == before.risk, "\(own), before planning \(before)")
        let markdown = try harness.succeed("impact", "hv-1", "--window", Self.window, "--change", "CHG-100", "--format", "markdown").out
        #expect(!markdown.contains("CHG-100 |") && !markdown.contains("| Collisions | CHG-100"), "\(markdown)")

        // Another planned change on the same CI still collides, and adds to the risk.
        try harness.succeed("change", "plan", "CHG-200", "--ci", "vm-1", "--window", "2026-11-22T03:00/2026-11-22T05:00")
        let other = try assess("--change", "CHG-100")
        #expect(other.collisions == ["CHG-200"] && other.risk > before.risk, "\(other)")
        // A change not planned (yet) may be assessed too: nothing to leave out.
        #expect(try assess("--change", "CHG-300").collisions == ["CHG-100", "CHG-200"])

        // An empty or blank --change is no change, as everywhere else.
        #expect(try assess("--change", "  ").collisions == ["CHG-100", "CHG-200"])
        let long = try harness.cmdb("impact", "hv-1", "--window", Self.window, "--change", String(repeating: "C", count: 201))
        #expect(long.exitCode == 2 && long.err.contains("--change") && long.stdout.isEmpty, "\(long)")
    }

    @Test("POST /v1/impact's \"change\" and the web view's impact form name the change being assessed")
    func serverAssessedChange() throws {
        try harness.succeed("change", "plan", "CHG-100", "--ci", "hv-1", "--window", Self.window)
        let reader = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness)
        let client = HTTPClient(baseURL: server.baseURL, token: reader)
        func collisions(_ body: [String: Any]) throws -> [String]? {
            let answer = try client.request("POST", "/v1/impact", json: body)
            guard answer.status == 200 else { return nil }
            return ((answer.json as? [String: Any])?["collisions"] as? [[String: Any]])?.compactMap { $0["change"] as? String }
        }
        #expect(try collisions(["targets": ["hv-1"], "window": Self.window]) == ["CHG-100"])
        #expect(try collisions(["targets": ["hv-1"], "window": Self.window, "change": "CHG-100"]) == [])
        let bad = try client.request("POST", "/v1/impact", json: ["targets": ["hv-1"], "window": Self.window, "change": 5])
        #expect(bad.status == 400 && bad.errorCode == "Request.Invalid", "\(bad)")
        let long = try client.request(
            "POST", "/v1/impact", json: ["targets": ["hv-1"], "window": Self.window, "change": String(repeating: "C", count: 201)])
        #expect(long.status == 400 && long.errorCode == "Request.Invalid", "\(long)")

        let signin = try HTTPClient(baseURL: server.baseURL, token: nil).request(
            "POST", "/signin", body: Data("token=\(reader)".utf8), contentType: "application/x-www-form-urlencoded")
        let cookie = try #require(signin.headers["set-cookie"]?.split(separator: ";").first.map(String.init), "\(signin)")
        let web = HTTPClient(baseURL: server.baseURL, token: nil)
        let window = Self.window.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: "/", with: "%2F")
        let without = try web.request("GET", "/impact?targets=hv-1&window=\(window)", headers: ["Cookie": cookie])
        #expect(without.status == 200 && without.text.contains("<td>CHG-100</td>"), "\(without)")
        #expect(without.text.contains("name=\"change\""), "the form has a field for the assessed change")
        let with = try web.request("GET", "/impact?targets=hv-1&window=\(window)&change=CHG-100", headers: ["Cookie": cookie])
        #expect(with.status == 200 && !with.text.contains("<td>CHG-100</td>") && with.text.contains("No other planned change collides"),
            "\(with)")
        #expect(with.text.contains("value=\"CHG-100\""), "the form keeps the change")
        #expect(server.stop() == 0)
    }

    /// `impact hv-1 ARGS… --format json` (no --window unless ARGS give one) as its JSON object.
    func impactJSON(_ args: String...) throws -> [String: Any] {
        let result = try harness.run(["--db", harness.db, "impact", "hv-1", "--format", "json"] + args)
        try #require(result.exitCode == 0, "\(result)")
        return try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], "\(result.out)")
    }

    @Test("impact --change REF without --window checks REF's planned window; an explicit --window still wins")
    func plannedWindowIsTheDefault() throws {
        // CHG-100: Sunday 02:00-04:00 Amsterdam, inside bs-1's window; CHG-200 overlaps it on vm-1; CHG-MON is Monday.
        try harness.succeed("change", "plan", "CHG-100", "--ci", "hv-1", "--window", Self.window)
        try harness.succeed("change", "plan", "CHG-200", "--ci", "vm-1", "--window", "2026-11-22T03:00/2026-11-22T05:00")
        try harness.succeed("change", "plan", "CHG-MON", "--ci", "hv-1", "--window", "2026-11-23T02:00/2026-11-23T04:00")
        func window(_ report: [String: Any]) -> [String: Any]? { report["window"] as? [String: Any] }
        func collisions(_ report: [String: Any]) -> [String] {
            (report["collisions"] as? [[String: Any]] ?? []).compactMap { $0["change"] as? String }
        }

        let planned = try impactJSON("--change", "CHG-100")
        #expect(window(planned)?["start"] as? String == "2026-11-22T01:00:00Z" && window(planned)?["end"] as? String == "2026-11-22T03:00:00Z",
            "CHG-100's own window: \(planned)")
        #expect(window(planned)?["planned_change"] as? String == "CHG-100", "\(planned)")
        #expect(collisions(planned) == ["CHG-200"] && (window(planned)?["outside"] as? [Any])?.isEmpty == true, "\(planned)")
        let monday = try impactJSON("--change", "CHG-MON")
        let outside = (window(monday)?["outside"] as? [[String: Any]])?.compactMap { $0["service"] as? String }
        #expect(outside == ["bs-1"] && collisions(monday).isEmpty, "Monday is outside bs-1's Sunday window: \(monday)")

        // An explicit --window wins over the planned one.
        let given = try impactJSON("--change", "CHG-MON", "--window", Self.window)
        #expect(window(given)?["start"] as? String == "2026-11-22T01:00:00Z" && window(given)?["planned_change"] is NSNull, "\(given)")
        #expect(collisions(given) == ["CHG-100", "CHG-200"], "\(given)")
        // A change not planned has no window to take; the report says so.
        let unplanned = try harness.succeed("impact", "hv-1", "--change", "CHG-300")
        #expect(unplanned.out.contains("CHG-300 is not a planned change"), "\(unplanned.out)")
        #expect(try impactJSON("--change", "CHG-300")["window"] is NSNull)

        // The text and the CAB report say whose window it is.
        let text = try harness.succeed("impact", "hv-1", "--change", "CHG-100").out
        #expect(text.contains("window: 2026-11-22 02:00–04:00 Europe/Amsterdam (planned for CHG-100)"), "\(text)")
        let markdown = try harness.succeed("impact", "hv-1", "--change", "CHG-100", "--format", "markdown").out
        #expect(markdown.contains("planned for CHG-100") && markdown.contains("| Collisions | CHG-200 |"), "\(markdown)")

        // The API and the web view's form do the same.
        let reader = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness)
        let api = try HTTPClient(baseURL: server.baseURL, token: reader).request(
            "POST", "/v1/impact", json: ["targets": ["hv-1"], "change": "CHG-100"])
        let apiReport = try #require(api.json as? [String: Any], "\(api)")
        #expect(api.status == 200 && window(apiReport)?["planned_change"] as? String == "CHG-100" && collisions(apiReport) == ["CHG-200"],
            "\(api)")
        let signin = try HTTPClient(baseURL: server.baseURL, token: nil).request(
            "POST", "/signin", body: Data("token=\(reader)".utf8), contentType: "application/x-www-form-urlencoded")
        let cookie = try #require(signin.headers["set-cookie"]?.split(separator: ";").first.map(String.init), "\(signin)")
        let page = try HTTPClient(baseURL: server.baseURL, token: nil).request(
            "GET", "/impact?targets=hv-1&window=&change=CHG-100", headers: ["Cookie": cookie])
        #expect(page.status == 200 && page.text.contains("<td>CHG-200</td>") && page.text.contains("planned for CHG-100"), "\(page)")
        #expect(server.stop() == 0)
    }

    /// `change list --format json` as (ref, start, end, cis).
    func listed() throws -> [String: (start: String, end: String, cis: [String])] {
        let out = try harness.succeed("change", "list", "--format", "json").stdout
        var byRef: [String: (String, String, [String])] = [:]
        for c in try JSONSerialization.jsonObject(with: out) as? [[String: Any]] ?? [] {
            byRef[c["ref"] as? String ?? "?"] = (c["start"] as? String ?? "", c["end"] as? String ?? "", c["cis"] as? [String] ?? [])
        }
        return byRef
    }

    @Test("windows long ago are written in the proleptic Gregorian calendar with 4-digit years, as CIQL writes them")
    func gregorianWindows() throws {
        try harness.succeed("change", "timezone", "UTC")
        let planned = try harness.succeed("change", "plan", "CHG-G", "--ci", "hv-1", "--window", "1500-06-01T00:00Z/1500-06-02T00:00Z")
        #expect(planned.out == "planned CHG-G: 1 CI, 1500-06-01 00:00–1500-06-02 00:00 UTC\n", "\(planned.out)")
        try harness.succeed("change", "plan", "CHG-F", "--ci", "hv-1", "--window", "0001-01-01T00:00Z/0001-01-03T12:30Z")
        try harness.succeed("change", "plan", "CHG-L", "--ci", "hv-1", "--window", "1582-10-04T00:00Z/1582-10-15T00:00Z")
        let list = try listed()
        #expect(list["CHG-G"]?.start == "1500-06-01T00:00:00Z" && list["CHG-G"]?.end == "1500-06-02T00:00:00Z", "\(list)")
        #expect(list["CHG-F"]?.start == "0001-01-01T00:00:00Z" && list["CHG-F"]?.end == "0001-01-03T12:30:00Z", "\(list)")
        #expect(list["CHG-L"]?.start == "1582-10-04T00:00:00Z" && list["CHG-L"]?.end == "1582-10-15T00:00:00Z", "\(list)")
        let ciql = try harness.succeed("query", "RETURN toString(datetime('1500-06-01T00:00Z')) AS t", "--format", "json").out
        #expect(ciql.contains("1500-06-01T00:00Z"), "CIQL agrees: \(ciql)")
        let table = try harness.succeed("change", "list").out
        #expect(table.contains("CHG-F   0001-01-01 00:00–0001-01-03 12:30"), "\(table)")
        let impact = try harness.succeed("impact", "hv-1", "--window", "1500-06-01T00:00Z/1500-06-01T01:00Z", "--format", "json")
        let window = (try JSONSerialization.jsonObject(with: impact.stdout) as? [String: Any])?["window"] as? [String: Any]
        #expect(window?["start"] as? String == "1500-06-01T00:00:00Z" && window?["end"] as? String == "1500-06-01T01:00:00Z", "\(impact.out)")
    }

    @Test("a CI named twice in --ci or \"cis\" is planned once")
    func repeatedCIs() throws {
        let planned = try harness.succeed("change", "plan", "CHG-D", "--ci", "hv-1,vm-1,hv-1", "--ci", "vm-1", "--window", Self.window)
        #expect(planned.out.hasPrefix("planned CHG-D: 2 CIs,"), "\(planned.out)")
        #expect(try listed()["CHG-D"]?.cis == ["hv-1", "vm-1"])
        let editor = try harness.token("ed", role: "editor")
        let server = try ServerProcess(harness: harness)
        let client = HTTPClient(baseURL: server.baseURL, token: editor)
        let answer = try client.request("POST", "/v1/changes", json: ["ref": "CHG-E", "cis": ["app-1", "app-1"], "window": Self.window])
        #expect(answer.status == 201 && (answer.json as? [String: Any])?["cis"] as? [String] == ["app-1"], "\(answer)")
        #expect(server.stop() == 0)
        #expect(try listed()["CHG-E"]?.cis == ["app-1"])
    }

    @Test("two CIs whose ids are canonically equivalent are two CIs in a planned change and in impact reports")
    func codePointIDs() throws {
        let (nfc, nfd) = ("caf\u{E9}", "cafe\u{301}")
        let lines = #"{"kind":"ci","id":"caf\u00e9","class":"Application"}"# + "\n"
            + #"{"kind":"ci","id":"cafe\u0301","class":"Application"}"# + "\n"
            + #"{"kind":"ci","id":"bs-a","class":"BusinessService","attrs":{"criticality":2}}"# + "\n"
            + #"{"kind":"ci","id":"bs-b","class":"BusinessService","attrs":{"criticality":2}}"# + "\n"
            + #"{"kind":"rel","type":"RUNS_ON","from":"caf\u00e9","to":"vm-1"}"# + "\n"
            + #"{"kind":"rel","type":"RUNS_ON","from":"cafe\u0301","to":"vm-1"}"# + "\n"
            + #"{"kind":"rel","type":"PROVIDED_BY","from":"bs-a","to":"caf\u00e9"}"# + "\n"
            + #"{"kind":"rel","type":"PROVIDED_BY","from":"bs-b","to":"cafe\u0301"}"# + "\n"
        try harness.succeed("import", "-", "--change", "C2", stdin: Data(lines.utf8))

        let planned = try harness.succeed("change", "plan", "CHG-U", "--ci", "\(nfc),\(nfd),\(nfc)", "--window", Self.window)
        #expect(planned.out.hasPrefix("planned CHG-U: 2 CIs,"), "\(planned.out)")
        let cis = try listed()["CHG-U"]?.cis ?? []
        #expect(cis.map { Array($0.unicodeScalars) } == [nfc, nfd].map { Array($0.unicodeScalars) }, "\(cis)")

        // The tree: each service once, under its own application.
        let out = try harness.succeed("impact", "vm-1").out
        let tree = out.components(separatedBy: "\n\n").dropFirst().first ?? ""
        #expect(tree.components(separatedBy: "bs-a").count - 1 == 1 && tree.components(separatedBy: "bs-b").count - 1 == 1,
            "\(out)")
        // Mermaid: one node per CI, so the two applications are two nodes.
        let mermaid = try harness.succeed("impact", "vm-1", "--format", "mermaid").out
        let declared = mermaid.split(separator: "\n").compactMap { line -> Substring? in
            let text = line.drop { $0 == " " }
            guard let bracket = text.firstIndex(of: "["), !text.contains("-->") else { return nil }
            return text[..<bracket]
        }
        #expect(declared.count == 7 && Set(declared).count == 7, "vm-1, three applications, three services: \(mermaid)")

        // Two services whose ids look alike, one inside its maintenance window and one outside: only the second
        // doubles its risk.
        let services = #"{"kind":"ci","id":"svc-caf\u00e9","class":"BusinessService","attrs":{"criticality":2,"maintenance_window":"Sun 02:00-06:00"}}"#
            + "\n" + #"{"kind":"ci","id":"svc-cafe\u0301","class":"BusinessService","attrs":{"criticality":2,"maintenance_window":"Mon 02:00-06:00"}}"#
            + "\n"
        try harness.succeed("import", "-", "--change", "C3", stdin: Data(services.utf8))
        let impact = try harness.succeed("impact", "svc-\(nfc)", "svc-\(nfd)", "--window", Self.window, "--format", "json")
        let risk = (try JSONSerialization.jsonObject(with: impact.stdout) as? [String: Any])?["risk"] as? [String: Any]
        #expect(risk?["score"] as? Int == 2 * 2 + 2 * 2 * 2, "\(impact.out)")
    }
}
