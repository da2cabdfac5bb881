import Foundation
import TestSupport
import Testing

/// Spreadsheet contracts at their edges (found by a hostile tester): date formats on every temporal type, id cleaning,
/// exact export → import round trips, exports a mapping cannot read back.
struct SpreadsheetEdgeTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("a spreadsheet given as a pipe (a named pipe, as <(…) gives) is read whole; one nobody writes to ends at --timeout")
    func spreadsheetFromAPipe() throws {
        try harness.makeDatabase(withSample: true)
        let fifo = harness.sandbox.path("switches-feed.csv")
        try #require(mkfifo(fifo, 0o600) == 0)
        let writer = try ChildProcess(
            "/bin/sh", ["-c", "cat \"$0\" > \"$1\"", Paths.fixture("spreadsheets/switches.csv"), fifo],
            stdout: .null, stderr: .inherit)
        let result = try harness.cmdb("import", fifo, "--map", Paths.fixture("spreadsheets/switches.yaml"))
        _ = writer.wait(seconds: 10)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.err.contains("0 CIs added, 3 changed, 25 unchanged"), "\(result)")
        // No writer at all: the import waits for one only as long as its time limit.
        let silent = harness.sandbox.path("silent.csv")
        try #require(mkfifo(silent, 0o600) == 0)
        let started = ContinuousClock.now
        let stopped = try harness.start(
            ["--db", harness.db, "import", silent, "--map", Paths.fixture("spreadsheets/switches.yaml"), "--timeout", "1"]
        ).wait(timeout: 20)
        #expect(stopped.exitCode == 2 && stopped.err.contains("Limit.Timeout"), "\(stopped)")
        #expect(ContinuousClock.now - started < .seconds(5), "waited past its limit for a writer")
    }

    @Test("a 'format' on a date and a localdatetime attribute reads Dutch dates (with or without 'type')", arguments: [
        ("end_date: {column: Einddatum, format: \"dd-MM-yyyy\"}", "Contract", "ctr", "end_date", "2027-12-31", "DATE"),
        ("end_date: {column: Einddatum, type: date, format: \"dd-MM-yyyy\"}", "Contract", "ctr", "end_date", "2027-12-31",
            "DATE"),
        ("seen: {column: Einddatum, type: localdatetime, format: \"dd-MM-yyyy\"}", "Workstation", "ws", "seen",
            "2027-12-31T00:00", "LOCAL DATETIME"),
    ])
    func formatOnDates(attribute: String, cls: String, prefix: String, name: String, value: String, type: String) throws {
        try harness.makeDatabase()
        let csv = try harness.sandbox.write("c.csv", "K;Einddatum\nmagister;31-12-2027\n")
        let map = try harness.sandbox.write("c.yaml", "class: \(cls)\nid: \"\(prefix)-{K}\"\nattrs:\n  \(attribute)\n")
        let result = try harness.succeed("import", csv, "--map", map)
        #expect(result.err.contains("1 CIs added"), "\(result)")
        let row = try harness.succeed("query", "MATCH (c {id: '\(prefix)-magister'}) RETURN toString(c.\(name)), "
            + "valueType(c.\(name))", "--format", "csv").out
        #expect(row.hasSuffix("\n\(value),\(type) NOT NULL\n") || row.hasSuffix("\n\(value),\(type)\n"), "\(row)")
    }

    @Test("a 'format' on a text or number attribute is still refused")
    func formatOnText() throws {
        try harness.makeDatabase()
        let csv = try harness.sandbox.write("c.csv", "K;S\na;b\n")
        let map = try harness.sandbox.write("c.yaml",
            "class: Workstation\nid: \"ws-{K}\"\nattrs:\n  serial: {column: S, format: \"dd-MM-yyyy\"}\n")
        let result = try harness.cmdb("import", csv, "--map", map)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("has a 'format' but is not of type datetime, date or localdatetime"), "\(result)")
    }

    static let serialMap = "class: Workstation\nid: \"ws-{Serial}\"\nname: \"{Name}\"\nattrs:\n  serial: Serial\n"

    @Test("an id is cleaned to the id pattern: '_' becomes '-' as a space does")
    func underscoreCleaned() throws {
        try harness.makeDatabase()
        let map = try harness.sandbox.write("m.yaml", Self.serialMap)
        let csv = try harness.sandbox.write("u.csv", "Serial,Name\nSN_123,a\nSN 124,b\n")
        let result = try harness.succeed("import", csv, "--map", map)
        #expect(result.err.contains("2 CIs added"), "\(result)")
        let ids = try harness.succeed("query", "MATCH (w:Workstation) RETURN w.id, w.serial ORDER BY w.id",
            "--format", "csv").out
        #expect(ids == "w.id,w.serial\nws-sn-123,SN_123\nws-sn-124,SN 124\n", "\(ids)")
    }

    @Test("a placeholder whose cell has no letter or digit is a bad cell, not the bare prefix", arguments: [
        "СН-ЖЖ", "序列号", "###",
    ])
    func placeholderCleanedToNothing(serial: String) throws {
        try harness.makeDatabase()
        let map = try harness.sandbox.write("m.yaml", Self.serialMap)
        let csv = try harness.sandbox.write("u.csv", "Serial,Name\nAB1,first\n\(serial),laptop-anna\n")
        let result = try harness.cmdb("import", csv, "--map", map)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("\(csv):3: column 'Serial': '\(serial)' has no letter or digit for the id"),
            "\(result)")
        #expect(try harness.status().ciCount == 0, "nothing written")
        // A relation target the same: a bad cell, not a relation to the bare prefix.
        try harness.succeed("import", try harness.sandbox.write("s.jsonl",
            "{\"kind\":\"ci\",\"id\":\"site\",\"class\":\"Site\",\"name\":\"s\"}\n"))
        let relMap = try harness.sandbox.write("r.yaml", Self.serialMap + "relations:\n  - {type: LOCATED_IN, to: \"site-{Name}\"}\n")
        let rel = try harness.sandbox.write("r.csv", "Serial,Name\nAB1,\(serial)\n")
        let refused = try harness.cmdb("import", rel, "--map", relMap)
        #expect(refused.exitCode == 2 && refused.err.contains("\(rel):2: column 'Name': '\(serial)' has no letter or digit"),
            "\(refused)")
        // verify does not compare the mapping's relations, so the same row is no bad row there.
        let verified = try harness.cmdb("verify", rel, "--map", relMap, "--source", "inventaris")
        #expect(verified.exitCode == 0 || verified.exitCode == 1, "\(verified)")
    }

    @Test("export --format csv → import is exact: durations and times typed in the header, \"\" kept, formula-like names")
    func exactRoundTrip() throws {
        try harness.makeDatabase()
        let ci = #"{"kind":"ci","id":"ws-1","class":"Workstation","name":"","attrs":{"dur":{"duration":"P1DT2H"},"#
            + #""lt":{"localtime":"06:30"},"t":{"time":"02:00+01:00"},"ldt":{"localdatetime":"2024-03-01T09:30"},"#
            + #""e":"","+cmd":1,"@sum":"w","=x":{"duration":"PT5M"}}}"#
        try harness.succeed("import", try harness.sandbox.write("ws.jsonl", ci + "\n"))
        let before = try harness.export()
        let csv = try harness.succeed("export", "--format", "csv", "--class", "Workstation").stdout
        let header = String(decoding: csv.dropFirst(3).prefix { $0 != 0x0D }, as: UTF8.self)
        for column in ["dur:duration", "lt:localtime", "t:time", "ldt:localdatetime", ";e;", "'+cmd:int", "'@sum",
            "'=x:duration"]
        {
            #expect(header.contains(column), "\(column) in \(header)")
        }
        let file = try harness.sandbox.write("ws.csv", data: csv)
        let again = try harness.succeed("import", file)
        #expect(again.err.contains("nothing changed: 0 CIs added, 0 changed, 1 unchanged"), "\(again)")
        #expect(try harness.export() == before)
        // Into a new database: the same CI, attribute for attribute.
        let second = harness.sandbox.path("second")
        try harness.makeDatabase(second)
        try harness.succeed("import", file, db: second)
        func line(_ export: Data) throws -> NSObject? {
            let text = String(decoding: export, as: UTF8.self)
            let ci = try #require(text.split(separator: "\n").first { $0.contains("\"ws-1\"") })
            return try JSONSerialization.jsonObject(with: Data(ci.utf8)) as? NSObject
        }
        let copied = try line(harness.export(second))
        let original = try line(before)
        #expect(copied != nil && copied == original, "\(String(describing: copied))\n\(String(describing: original))")
    }

    @Test("export --format csv --map refuses CIs whose row the mapping would read back as another CI")
    func exportRefusesWhatCannotComeBack() throws {
        try harness.makeDatabase()
        let map = Paths.fixture("spreadsheets/werkplekken.yaml")
        let cis = """
            {"kind":"ci","id":"pc-zz","class":"Workstation","name":"PC ZZ","attrs":{"serial":"Z1","hostname":"PC ZZ"}}
            {"kind":"ci","id":"ws-ok1","class":"Workstation","name":"ok","attrs":{"serial":"OK1","hostname":"ok"}}
            {"kind":"ci","id":"ws-x9","class":"Workstation","name":"x","attrs":{"serial":"Y9","hostname":"x"}}

            """
        try harness.succeed("import", try harness.sandbox.write("cis.jsonl", cis))
        let before = try harness.export()
        let refused = try harness.cmdb("export", "--format", "csv", "--class", "Workstation", "--map", map)
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.stdout.isEmpty, "nothing written: \(refused)")
        #expect(refused.err.contains("2 CIs would not come back as themselves"), "\(refused)")
        #expect(refused.err.contains("'pc-zz' would be read back as 'ws-z1'"), "\(refused)")
        #expect(refused.err.contains("'ws-x9' would be read back as 'ws-y9'"), "\(refused)")
        #expect(!refused.err.contains("ws-ok1"), "\(refused)")
        // Without the two, the export reads back unchanged.
        try harness.succeed("query", "MATCH (w:Workstation) WHERE w.id IN ['pc-zz', 'ws-x9'] DETACH DELETE w")
        let csv = try harness.succeed("export", "--format", "csv", "--class", "Workstation", "--map", map).stdout
        let back = try harness.succeed("import", try harness.sandbox.write("w.csv", data: csv), "--map", map)
        #expect(back.err.contains("nothing changed"), "\(back)")
        #expect(try harness.export() != before)
    }

    @Test("export --format csv refuses an undeclared attribute that holds different types on different CIs")
    func exportRefusesMixedColumn() throws {
        try harness.makeDatabase()
        let cis = """
            {"kind":"ci","id":"ws-a","class":"Workstation","attrs":{"x":1}}
            {"kind":"ci","id":"ws-b","class":"Workstation","attrs":{"x":"one"}}

            """
        try harness.succeed("import", try harness.sandbox.write("cis.jsonl", cis))
        let refused = try harness.cmdb("export", "--format", "csv", "--class", "Workstation")
        #expect(refused.exitCode == 2 && refused.stdout.isEmpty, "\(refused)")
        #expect(refused.err.contains("attribute 'x' is int on 'ws-a' and string on 'ws-b'"), "\(refused)")
    }
}
