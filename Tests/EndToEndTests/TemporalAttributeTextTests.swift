import Foundation
import Testing

/// ISO 8601 text given for a temporal attribute (in an import file or a CIQL string) is stored as CIQL's
/// `datetime('…')` / `date('…')` would store it: a datetime keeps its nanoseconds and its offset or zone, and a
/// `date` attribute refuses a date-time rather than keep a guessed day of it.
struct TemporalAttributeTextTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase()
    }

    private func jsonl(_ query: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try harness.succeed("query", query, "--format", "jsonl", sourceLocation: sourceLocation).out
    }

    @Test("a datetime string in an import keeps nanoseconds and zone as CIQL does; export → import is exact")
    func datetimeTextKeepsWhatCIQLKeeps() throws {
        let texts = [
            "2026-11-22T02:00:00.123456789Z", "2026-11-22T02:00[Europe/Amsterdam]",
            "2026-11-22T02:00:00.000000001+05:30", "2026-11-22T02:00:00.5-01:00",
        ]
        var lines = ""
        for (i, text) in texts.enumerated() {
            lines += #"{"kind":"ci","id":"vm-\#(i)","class":"VirtualServer","attrs":{"last_verified_at":"\#(text)"}}"#
                + "\n"
        }
        try harness.succeed("import", harness.sandbox.write("t.jsonl", lines), "--change", "C1")
        for (i, text) in texts.enumerated() {
            // The same text through CIQL: as datetime('…'), and as a plain string SET on the attribute.
            try harness.succeed("query", "CREATE (:VirtualServer {id: 'set-\(i)', last_verified_at: '\(text)'})",
                "--change", "C2")
            let out = try jsonl("""
                MATCH (a {id: 'vm-\(i)'}), (b {id: 'set-\(i)'})
                RETURN a.last_verified_at = datetime('\(text)') AS same,
                       a.last_verified_at.nanosecond = datetime('\(text)').nanosecond AS nanos,
                       a.last_verified_at.timezone = datetime('\(text)').timezone AS zone,
                       toString(a.last_verified_at) = toString(datetime('\(text)')) AS text,
                       toString(b.last_verified_at) = toString(datetime('\(text)')) AS setText
                """)
            #expect(out == #"{"same":true,"nanos":true,"zone":true,"text":true,"setText":true}"# + "\n", "\(text): \(out)")
        }
        let exported = try harness.export()
        let copy = harness.sandbox.path("copy")
        try harness.succeed("init", db: copy)
        try harness.succeed("import", "-", db: copy, stdin: exported)
        #expect(try harness.export(copy) == exported, "export → import → export changed a datetime")
    }

    @Test("a date attribute refuses a date-time string, from an import and from CIQL, as it refuses a datetime")
    func dateAttributeRefusesDateTimeText() throws {
        let before = try harness.export()
        for text in ["2027-01-31T23:30:00-05:00", "2027-01-31T00:00:00", "2027-01-31T00:00Z"] {
            let file = try harness.sandbox.write(
                "d.jsonl", #"{"kind":"ci","id":"ctr-a","class":"Contract","attrs":{"end_date":"\#(text)"}}"# + "\n")
            let imported = try harness.cmdb("import", file, "--change", "C1")
            #expect(imported.exitCode == 2, "\(text)\n\(imported)")
            #expect(imported.err.contains("d.jsonl:1"), "\(imported.err)")
            #expect(imported.err.contains("end_date") && imported.err.contains(text), "\(imported.err)")
            let created = try harness.cmdb(
                "query", "CREATE (c:Contract {id: 'ctr-b', end_date: '\(text)'})", "--change", "C2")
            #expect(created.exitCode == 2, "\(text)\n\(created)")
            #expect(created.err.contains("SchemaError.InvalidAttributeValue"), "\(created.err)")
            #expect(created.err.contains("must be an ISO-8601 date like 2027-01-31, not '\(text)'"), "\(created.err)")
        }
        #expect(try harness.export() == before, "a refused write changed the database")
        try harness.succeed("query", "CREATE (c:Contract {id: 'ctr-c', end_date: '2027-01-31'})", "--change", "C3")
        #expect(try jsonl("MATCH (c {id: 'ctr-c'}) RETURN c.end_date = date('2027-01-31') AS d") == #"{"d":true}"# + "\n")
    }
}
