import Foundation
import Testing

/// Dates and times through the binary, on the sample CMDB: expiring contracts, export and import, AS OF with
/// dates, verify comparing dates as values, and bad temporal input.
struct TemporalTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
    }

    private func csv(_ query: String, _ parameters: String..., sourceLocation: SourceLocation = #_sourceLocation)
        throws -> String
    {
        let result = try harness.run(
            ["--db", harness.db, "query", query, "--format", "csv"] + parameters.flatMap { ["--param", $0] })
        try #require(result.exitCode == 0, "\(result)", sourceLocation: sourceLocation)
        return result.out
    }

    @Test("contracts expiring within 90 days of a given day, whatever today is")
    func expiringContracts() throws {
        let query = """
            MATCH (c:Contract) WHERE c.status = 'live' AND c.end_date >= date($today)
              AND c.end_date < date($today) + duration('P90D')
            RETURN c.id AS id, c.end_date AS end_date, duration.inDays(date($today), c.end_date).days AS days
            ORDER BY end_date, id
            """
        // 2027-06-01 + 90 days is 2027-08-30: the July contracts expire within it, Google's (2027-08-31) does not.
        #expect(try csv(query, "today=2027-06-01") == """
            id,end_date,days
            ctr-boom-lvs,2027-07-31,60
            ctr-magister,2027-07-31,60
            ctr-snappet,2027-07-31,60
            ctr-topicus-parnassys,2027-07-31,60

            """)
        #expect(try csv(query, "today=2027-06-03").contains("ctr-google-workspace,2027-08-31,89"))
        // Reading a property stored after a date skips the date's bytes in the record.
        #expect(try csv("MATCH (c:Contract) WHERE c.owner = 'inkoop-en-contractbeheer' AND c.criticality = 5 RETURN count(*) AS n")
            == "n\n3\n")
        // The end date is a date: its parts and type, and `date()` of today compares with it.
        #expect(try csv("MATCH (c:Contract {id: 'ctr-zermelo'}) RETURN c.end_date.year AS y, c.end_date.quarter AS q, "
            + "valueType(c.end_date) AS t, c.end_date > date() - duration('P100Y') AS recent") == "y,q,t,recent\n2028,3,DATE,true\n")
    }

    @Test("dates are written as ISO strings and read back as dates: export, import, export is byte for byte")
    func exportRoundTrip() throws {
        try harness.succeed("query", "MATCH (s {id: 'srv-dc01'}) SET s.last_verified_at = datetime('2026-11-22T02:00:00.5Z')")
        let first = try harness.export()
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.contains(#""end_date":"2027-07-31""#), "the date is exported as it was imported")
        #expect(text.contains(#""last_verified_at":"2026-11-22T02:00:00.5Z""#))
        let file = try harness.sandbox.write("export.jsonl", data: first)
        let other = harness.sandbox.path("other")
        try harness.succeed("init", db: other)
        try harness.succeed("import", file, db: other)
        #expect(try harness.export(other) == first)
        let kinds = try harness.succeed(
            "query", "MATCH (c {id: 'ctr-magister'}) RETURN valueType(c.end_date) AS t", "--format", "csv", db: other)
        #expect(kinds.out == "t\nDATE\n")

        // Without a schema, temporal values written by CIQL are exported as ISO strings; a schemaless import
        // keeps strings as strings, so the second export is the same bytes.
        let open = harness.sandbox.path("open")
        try harness.succeed("init", "--schema", "none", db: open)
        try harness.succeed("query", "CREATE (:Laptop {id: 'lt-1', installed: localdatetime('2024-03-01T09:30'), "
            + "patched: datetime('2026-11-22T02:00:00.5+01:00[Europe/Amsterdam]'), cycle: duration('P1M2DT3H'), "
            + "slot: time('02:00+01:00'), days: [date('2027-01-31'), date('2027-02-28')]})", db: open)
        let openExport = try harness.export(open)
        let openText = String(decoding: openExport, as: UTF8.self)
        #expect(openText.contains(#""installed":"2024-03-01T09:30""#), "\(openText)")
        #expect(openText.contains(#""patched":"2026-11-22T02:00:00.500+01:00[Europe/Amsterdam]""#), "\(openText)")
        #expect(openText.contains(#""cycle":"P1M2DT3H""#), "\(openText)")
        #expect(openText.contains(#""slot":"02:00+01:00""#), "\(openText)")
        #expect(openText.contains(#""days":["2027-01-31","2027-02-28"]"#), "\(openText)")
        let again = harness.sandbox.path("again")
        try harness.succeed("init", "--schema", "none", db: again)
        try harness.succeed("import", try harness.sandbox.write("open.jsonl", data: openExport), db: again)
        #expect(try harness.export(again) == openExport)
    }

    @Test("AS OF takes a date: the graph at that day's midnight (UTC)")
    func asOfDates() throws {
        try harness.succeed("import", Paths.sampleChanges)
        let query = "MATCH (c:Contract {id: 'ctr-topicus-parnassys'}) RETURN c.end_date AS end_date"
        #expect(try csv(query) == "end_date\n2029-07-31\n", "the changes file extended the contract")
        #expect(try csv(query + " AS OF TX 2") == "end_date\n2027-07-31\n", "the first import's date, read from history")
        #expect(try csv(query + " AS OF date('2001-01-01')") == "end_date\n", "before the first transaction: nothing")
        #expect(try csv(query + " AS OF '2001-01-01'") == "end_date\n", "a date string works too")
        #expect(try csv(query + " AS OF date() + duration('P1D')") == "end_date\n2029-07-31\n")
    }

    @Test("verify compares dates as values: a discovered \"2027-01-31\" equals a stored date 2027-01-31")
    func verifyDates() throws {
        let schema = try harness.sandbox.write("schema.yaml", """
            classes:
              Laptop:
                identify: [[serial]]
                attributes:
                  serial:       {type: string, discoverable: true}
                  warranty_end: {type: date, discoverable: true}
                  bought:       {type: localdatetime}
            """)
        let db = harness.sandbox.path("laptops")
        try harness.succeed("init", "--schema", schema, db: db)
        let data = try harness.sandbox.write("laptops.jsonl", """
            {"kind":"ci","id":"lt-1","class":"Laptop","attrs":{"serial":"A1","warranty_end":"2027-01-31","bought":"2024-01-31T10:00"}}
            {"kind":"ci","id":"lt-2","class":"Laptop","attrs":{"serial":"A2","warranty_end":"20270228"}}

            """)
        try harness.succeed("import", data, db: db)
        let snapshot = try harness.sandbox.write("snapshot.jsonl", """
            {"kind":"source","name":"mdm","classes":["Laptop"]}
            {"kind":"ci","class":"Laptop","attrs":{"serial":"A1","warranty_end":"2027-01-31"}}
            {"kind":"ci","class":"Laptop","attrs":{"serial":"A2","warranty_end":"2027-03-31"}}

            """)
        let result = try harness.succeed("verify", snapshot, "--format", "json", db: db)
        let list = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
        let drift = list.first?["drift"] as? [[String: Any]] ?? []
        #expect(drift.count == 1, "\(result.out)")
        #expect(drift.first?["id"] as? String == "lt-2")
        #expect(drift.first?["cmdb"] as? String == "2027-02-28")
        #expect(drift.first?["discovered"] as? String == "2027-03-31")
        // Warranty ending within 90 days of a given day.
        let expiring = try harness.succeed(
            "query", "MATCH (l:Laptop) WHERE l.warranty_end < date($day) + duration({days: 90}) RETURN l.id AS id",
            "--param", "day=2026-11-15", "--format", "csv", db: db)
        #expect(expiring.out == "id\nlt-1\n")
    }

    @Test("bad dates are refused with what and where, exit 2, and nothing is written")
    func badInput() throws {
        let before = try harness.export()
        let wrongDate = try harness.cmdb("query", "RETURN date('2027-02-30') AS d")
        #expect(wrongDate.exitCode == 2)
        #expect(wrongDate.err.contains("'2027-02-30' is not an ISO 8601 date"), "\(wrongDate.err)")
        let zone = try harness.cmdb("query", "RETURN datetime({year: 2026, timezone: 'Mars/Olympus'}) AS d")
        #expect(zone.exitCode == 2)
        #expect(zone.err.contains("'Mars/Olympus' is not a time zone"), "\(zone.err)")
        let setBad = try harness.cmdb("query", "MATCH (c:Contract {id: 'ctr-magister'}) SET c.end_date = '31-07-2027'")
        #expect(setBad.exitCode == 2)
        #expect(setBad.err.contains("must be an ISO-8601 date like 2027-01-31, not '31-07-2027'"), "\(setBad.err)")
        let file = try harness.sandbox.write("bad.jsonl", """
            {"kind":"ci","id":"ctr-new","class":"Contract","attrs":{"end_date":"2027-07-31"}}
            {"kind":"ci","id":"ctr-bad","class":"Contract","attrs":{"end_date":"2027-13-01"}}

            """)
        let imported = try harness.cmdb("import", file)
        #expect(imported.exitCode == 2)
        #expect(imported.err.contains("bad.jsonl:2"), "\(imported.err)")
        #expect(try harness.export() == before, "nothing was written")
    }
}
