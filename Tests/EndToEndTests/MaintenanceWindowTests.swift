import Foundation
import Testing

/// `cmdb impact --window`'s maintenance-window verdict, through the binary: a change is inside a service's window
/// when the clock in the database's time zone shows a time inside some span at every moment of it, spans that
/// meet or overlap joining, across daylight-saving changes; and the verdict moves the risk figure.
struct MaintenanceWindowTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
        let lines = """
            {"kind":"ci","id":"bs-1","class":"BusinessService","attrs":{"criticality":5,"maintenance_window":"Sun 02:00-06:00"}}
            {"kind":"ci","id":"app-1","class":"Application"}
            {"kind":"rel","type":"PROVIDED_BY","from":"bs-1","to":"app-1"}

            """
        try harness.succeed("import", "-", "--change", "C1", stdin: Data(lines.utf8))
        try harness.succeed("change", "timezone", "Europe/Amsterdam")
    }

    func setWindow(_ text: String) throws {
        try harness.succeed("query", "USING CHANGE 'C2' MATCH (b {id:'bs-1'}) SET b.maintenance_window = '\(text)'")
    }

    /// Whether `impact app-1 --window W` finds bs-1 outside its window, and the risk score.
    func verdict(_ window: String) throws -> (outside: Bool, risk: Int) {
        let result = try harness.succeed("impact", "app-1", "--window", window, "--format", "json")
        let report = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let findings = (report["window"] as? [String: Any])?["outside"] as? [[String: Any]] ?? []
        let risk = try #require((report["risk"] as? [String: Any])?["score"] as? Int, "\(result.out)")
        return (findings.contains { $0["service"] as? String == "bs-1" && $0["reason"] as? String == "outside" }, risk)
    }

    func expect(_ windowText: String, _ cases: [(String, Bool)], sourceLocation: SourceLocation = #_sourceLocation) throws {
        try setWindow(windowText)
        var risks: [Bool: Int] = [:]
        for (window, outside) in cases {
            let v = try verdict(window)
            #expect(v.outside == outside, "'\(windowText)', change \(window): outside \(v.outside)", sourceLocation: sourceLocation)
            if let seen = risks[v.outside] {
                #expect(seen == v.risk, "the same verdict gives the same risk: \(window)", sourceLocation: sourceLocation)
            }
            risks[v.outside] = v.risk
        }
        if let inside = risks[false], let outside = risks[true] {
            #expect(outside > inside, "outside the window weighs more: \(risks)", sourceLocation: sourceLocation)
        }
    }

    @Test("spans that meet or overlap join: a change across them is inside")
    func adjacentSpans() throws {
        // 2026-11-21 is a Saturday.
        try expect("Sat 00:00-24:00, Sun 00:00-24:00", [
            ("2026-11-21T10:00/2026-11-21T11:00", false),
            ("2026-11-21T23:00/2026-11-22T01:00", false),
            ("2026-11-21T00:00/2026-11-23T00:00", false),
            ("2026-11-20T23:00/2026-11-21T01:00", true),
            ("2026-11-22T23:00/2026-11-23T00:00:01", true),
        ])
        try expect("Sat 22:00-24:00; Sun 00:00-02:00, Sat 20:00-Sat 23:30", [
            ("2026-11-21T20:30/2026-11-22T01:59", false),
            ("2026-11-21T19:59/2026-11-21T21:00", true),
            ("2026-11-21T23:00/2026-11-22T02:00:30", true),
        ])
        // A window the spans cover around the week, longer than a week.
        try expect("Daily 00:00-24:00", [("2026-11-01T00:00/2026-12-20T00:00", false)])
        try expect("Mon 00:00-Sun 23:00, Sun 22:00-Mon 00:00", [("2026-11-01T00:00/2027-02-20T00:00", false)])
        try expect("Mon 00:00-Sun 23:00", [("2026-11-21T10:00/2026-11-22T23:30", true)])
    }

    @Test("across the autumn daylight-saving change each pass of the repeated hour counts by its clock reading")
    func fallBack() throws {
        // 2026-10-25, Europe/Amsterdam: 03:00 CEST (01:00Z) becomes 02:00 CET; 02:00-03:00 is shown twice.
        try expect("Sun 02:00-02:30", [
            ("2026-10-25T00:00Z/2026-10-25T00:30Z", false),  // 02:00-02:30 CEST
            ("2026-10-25T01:00Z/2026-10-25T01:30Z", false),  // 02:00-02:30 CET
            ("2026-10-25T00:45Z/2026-10-25T01:15Z", true),  // starts at 02:45 CEST, after the window
            ("2026-10-25T00:45Z/2026-10-25T00:50Z", true),
            ("2026-10-25T00:10Z/2026-10-25T01:20Z", true),  // the clock leaves the window 02:30-03:00 CEST
            ("2026-10-25T01:20Z/2026-10-25T01:31Z", true),
        ])
        try expect("Sun 01:30-03:30", [
            ("2026-10-24T23:30Z/2026-10-25T02:30Z", false),  // 01:30 CEST to 03:30 CET: three hours
            ("2026-10-24T23:29Z/2026-10-25T00:00Z", true),
        ])
    }

    @Test("across the spring daylight-saving change the skipped hour is no time at all")
    func springForward() throws {
        // 2026-03-29, Europe/Amsterdam: 02:00 CET (01:00Z) becomes 03:00 CEST; 02:00-03:00 is never shown.
        try expect("Sun 01:30-03:30", [
            ("2026-03-29T00:30Z/2026-03-29T01:30Z", false),  // 01:30 CET to 03:30 CEST
            ("2026-03-29T00:30Z/2026-03-29T01:31Z", true),
        ])
        try expect("Sun 02:00-02:30", [("2026-03-29T00:59Z/2026-03-29T01:01Z", true)])
        try expect("Sun 01:00-02:00, Sun 03:00-04:00", [("2026-03-29T00:00Z/2026-03-29T02:00Z", false)])
    }
}
