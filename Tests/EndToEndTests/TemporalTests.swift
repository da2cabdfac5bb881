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

        // Without a schema (or in an attribute the schema does not type), dates, times and durations go out
        // typed, `{"date": "…"}`, so that import reads them back as what they were, not as strings.
        let open = harness.sandbox.path("open")
        try harness.succeed("init", "--schema", "none", db: open)
        try harness.succeed("query", "CREATE (:Laptop {id: 'lt-1', installed: localdatetime('2024-03-01T09:30'), "
            + "patched: datetime('2026-11-22T02:00:00.5+01:00[Europe/Amsterdam]'), cycle: duration('P1M2DT3H'), "
            + "slot: time('02:00+01:00'), alarm: localtime('06:30'), days: [date('2027-01-31'), date('2027-02-28')], "
            + "note: '2027-01-31'})", db: open)
        try harness.succeed("query", "MATCH (l {id: 'lt-1'}) CREATE (l)-[:COVERED_BY {since: date('2025-01-01')}]->"
            + "(:Contract {id: 'ctr-1'})", db: open)
        let openExport = try harness.export(open)
        let openText = String(decoding: openExport, as: UTF8.self)
        #expect(openText.contains(#""installed":{"localdatetime":"2024-03-01T09:30"}"#), "\(openText)")
        #expect(openText.contains(#""patched":{"datetime":"2026-11-22T02:00:00.500+01:00[Europe/Amsterdam]"}"#), "\(openText)")
        #expect(openText.contains(#""cycle":{"duration":"P1M2DT3H"}"#), "\(openText)")
        #expect(openText.contains(#""slot":{"time":"02:00+01:00"}"#), "\(openText)")
        #expect(openText.contains(#""alarm":{"localtime":"06:30"}"#), "\(openText)")
        #expect(openText.contains(#""days":[{"date":"2027-01-31"},{"date":"2027-02-28"}]"#), "\(openText)")
        #expect(openText.contains(#""note":"2027-01-31""#), "a string stays a string")
        #expect(openText.contains(#""since":{"date":"2025-01-01"}"#), "\(openText)")
        let again = harness.sandbox.path("again")
        try harness.succeed("init", "--schema", "none", db: again)
        try harness.succeed("import", try harness.sandbox.write("open.jsonl", data: openExport), db: again)
        #expect(try harness.export(again) == openExport)
        let query = "MATCH (l {id: 'lt-1'})-[c]->() RETURN valueType(l.installed) AS i, valueType(l.patched) AS p, "
            + "valueType(l.cycle) AS c, valueType(l.slot) AS s, valueType(l.alarm) AS a, valueType(l.days[1]) AS d, "
            + "valueType(l.note) AS n, valueType(c.since) AS r, l.installed < localdatetime('2025-01-01') AS before, "
            + "l.patched + l.cycle AS due"
        let types = try harness.succeed("query", query, "--format", "csv", db: again).out
        let original = try harness.succeed("query", query, "--format", "csv", db: open).out
        #expect(types == original)
        #expect(types.hasSuffix("\nLOCAL DATETIME,ZONED DATETIME,DURATION,ZONED TIME,LOCAL TIME,DATE,STRING,DATE,true,"
            + "2026-12-24T05:00:00.500+01:00[Europe/Amsterdam]\n"), "\(types)")
    }

    @Test("a typed date in an import file: read as that type, checked, and refused when it is not one")
    func typedTemporalImport() throws {
        let open = harness.sandbox.path("typed")
        try harness.succeed("init", "--schema", "none", db: open)
        let good = try harness.sandbox.write("good.jsonl", """
            {"kind":"ci","id":"lt-1","class":"Laptop","attrs":{"eol":{"date":"2027-01-31"},"grace":{"duration":"P30D"}}}

            """)
        try harness.succeed("import", good, db: open)
        let due = try harness.succeed("query", "MATCH (l {id: 'lt-1'}) RETURN l.eol + l.grace AS due", "--format", "csv", db: open)
        #expect(due.out == "due\n2027-03-02\n")
        // The sample schema types end_date as a date: a typed date is taken, a typed duration refused.
        let contract = try harness.sandbox.write("contract.jsonl", """
            {"kind":"ci","id":"ctr-magister","class":"Contract","attrs":{"end_date":{"date":"2030-01-31"}}}

            """)
        try harness.succeed("import", contract)
        #expect(try csv("MATCH (c {id: 'ctr-magister'}) RETURN c.end_date AS d") == "d\n2030-01-31\n")
        for (line, message) in [
            (#"{"kind":"ci","id":"lt-2","class":"Laptop","attrs":{"eol":{"date":"2027-02-30"}}}"#, "'2027-02-30' is not a valid date"),
            (#"{"kind":"ci","id":"lt-2","class":"Laptop","attrs":{"eol":{"date":20270131}}}"#, "takes an ISO 8601 string"),
            (#"{"kind":"ci","id":"lt-2","class":"Laptop","attrs":{"eol":{"week":"2027-W05"}}}"#, "attribute 'eol' is an object"),
            (#"{"kind":"ci","id":"lt-2","class":"Laptop","attrs":{"eol":{"date":"2027-01-31","time":"10:00"}}}"#, "attribute 'eol' is an object"),
            (#"{"kind":"ci","id":"lt-2","class":"Laptop","attrs":{"eol":{"time":"25:00+01:00"}}}"#, "not a valid time"),
        ] {
            let file = try harness.sandbox.write("bad.jsonl", line + "\n")
            let result = try harness.run(["--db", open, "import", file])
            #expect(result.exitCode == 2, "\(line): \(result)")
            #expect(result.err.contains("bad.jsonl:1") && result.err.contains(message), "\(line): \(result.err)")
        }
        let count = try harness.succeed("query", "MATCH (n) RETURN count(n) AS n", "--format", "csv", db: open)
        #expect(count.out == "n\n1\n", "nothing of a refused file is written")
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

    @Test("verify compares datetimes by instant: the same moment written with another offset is no drift")
    func verifyDateTimesByInstant() throws {
        let schema = try harness.sandbox.write("schema.yaml", """
            classes:
              Laptop:
                identify: [[serial]]
                attributes:
                  serial:    {type: string, discoverable: true}
                  last_seen: {type: datetime, discoverable: true}
            """)
        let db = harness.sandbox.path("laptops")
        try harness.succeed("init", "--schema", schema, db: db)
        try harness.succeed("import", try harness.sandbox.write("laptops.jsonl", """
            {"kind":"ci","id":"lt-1","class":"Laptop","attrs":{"serial":"A1","last_seen":"2026-11-22T02:00:00.5+01:00"}}
            {"kind":"ci","id":"lt-2","class":"Laptop","attrs":{"serial":"A2","last_seen":"2026-11-22T02:00+01:00"}}

            """), db: db)
        let snapshot = try harness.sandbox.write("snapshot.jsonl", """
            {"kind":"source","name":"mdm","classes":["Laptop"]}
            {"kind":"ci","class":"Laptop","attrs":{"serial":"A1","last_seen":"2026-11-22T01:00:00.5Z"}}
            {"kind":"ci","class":"Laptop","attrs":{"serial":"A2","last_seen":"2026-11-22T02:00Z"}}

            """)
        let result = try harness.run(["--db", db, "verify", snapshot, "--format", "json"])
        let list = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]], "\(result)")
        let drift = list.first?["drift"] as? [[String: Any]] ?? []
        #expect(drift.map { $0["id"] as? String } == ["lt-2"], "\(result.out)")
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

    @Test("a duration too large for its fields is called out of range, not malformed; one that fits is read")
    func durationOutOfRange() throws {
        for text in ["PT99999999999999999999S", "P9223372036854775807Y", "P99999999999999999999D"] {
            let result = try harness.cmdb("query", "RETURN duration('\(text)') AS d")
            #expect(result.exitCode == 2, "\(text)\n\(result)")
            #expect(result.err.contains("ArgumentError.InvalidArgumentValue"), "\(result.err)")
            #expect(result.err.contains("the duration '\(text)' is out of range"), "\(result.err)")
        }
        let malformed = try harness.cmdb("query", "RETURN duration('PT99999999999999999999X') AS d")
        #expect(malformed.err.contains("is not an ISO 8601 duration"), "\(malformed.err)")
        #expect(try csv("RETURN duration('PT9223372036854775807S') AS d") == "d\nPT2562047788015215H30M7S\n")
        let sum = try harness.cmdb("query", "RETURN duration('PT9223372036854775807S') + duration('PT1S') AS d")
        #expect(sum.exitCode == 2 && sum.err.contains("overflow"), "\(sum)")
    }
}
