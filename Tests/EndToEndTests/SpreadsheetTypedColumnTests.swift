import Foundation
import Testing

/// `export --format csv` → `import` without `--map` is exact for attribute names that end like a header type
/// (`port:int`), for lists holding dates, times and durations, and a column the import would read as another type
/// than a CI holds is refused on export, naming the CI and the attribute. The real binary, real databases.
struct SpreadsheetTypedColumnTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    /// The CSV export of `className`, with decimal points and `,` (the header is easier to read in messages).
    func csv(_ className: String, db: String? = nil) throws -> Data {
        try harness.succeed("export", "--format", "csv", "--class", className, "--delimiter", ",", db: db).stdout
    }

    /// The header row of an export.
    func header(_ csv: Data) -> [String] {
        String(decoding: csv.dropFirst(3).prefix { $0 != 0x0D }, as: UTF8.self).split(separator: ",").map(String.init)
    }

    /// The JSON Lines export line of CI `id`, its keys sorted, for comparing attribute for attribute.
    func exported(_ id: String, db: String? = nil) throws -> String {
        let text = String(decoding: try harness.export(db), as: UTF8.self)
        let line = try #require(text.split(separator: "\n").first { $0.contains("\"id\":\"\(id)\"") }, "\(id) in \(text)")
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Exports `className`, imports the file into the same database (nothing may change) and into a new one (each
    /// CI in `ids` must be the same, attribute for attribute); returns the file.
    @discardableResult
    func roundTrip(_ className: String, ids: [String], schema: String? = nil) throws -> Data {
        let originals = try ids.map { try exported($0) }
        let data = try csv(className)
        let file = try harness.sandbox.write("\(className).csv", data: data)
        let again = try harness.succeed("import", file)
        #expect(again.err.contains("nothing changed"), "\(again)")
        let second = harness.sandbox.uniqueName("second")
        if let schema { try harness.succeed("init", "--schema", schema, db: second) } else { try harness.makeDatabase(second) }
        try harness.succeed("import", file, db: second)
        for (id, original) in zip(ids, originals) {
            let copied = try exported(id, db: second)
            #expect(copied == original, "\(id): \(copied)\n\(original)")
        }
        return data
    }

    @Test("an attribute whose name ends like a header type (port:int) is written with its own type and reads back as itself")
    func namesEndingInATypeSuffix() throws {
        try harness.makeDatabase()
        let ci = #"{"kind":"ci","id":"ws-1","class":"Workstation","attrs":{"port:int":"80","note:string":"x","#
            + #""p2:int":8,"w:duration":{"duration":"PT5M"},"on:bool":"yes","a:b":"c","+f:list":"t"}}"#
        try harness.succeed("import", try harness.sandbox.write("ws.jsonl", ci + "\n"))
        let data = try roundTrip("Workstation", ids: ["ws-1"])
        let columns = header(data)
        for column in ["port:int:string", "note:string:string", "p2:int:int", "w:duration:duration", "on:bool:string",
            "a:b", "'+f:list:string"]
        {
            #expect(columns.contains(column), "\(column) in \(columns)")
        }
        let port = try harness.succeed("query", "MATCH (w {id: 'ws-1'}) RETURN w.`port:int` AS p, w.port AS q", "--format", "json")
        #expect(port.out.contains(#"[["80",null]]"#), "\(port.out)")
    }

    @Test("a declared attribute whose name ends like a header type reads back as itself")
    func declaredNameEndingInATypeSuffix() throws {
        let schema = try harness.sandbox.write("s.yaml", """
            version: 1
            statuses: [live]
            classes:
              Thing:
                attributes:
                  "port:int": {type: string}
                  "size:float": {type: int}

            """)
        try harness.succeed("init", "--schema", schema)
        try harness.succeed("import", try harness.sandbox.write("t.jsonl", #"{"kind":"ci","id":"t1","class":"Thing","attrs":{"port:int":"80","size:float":3}}"# + "\n"))
        let data = try roundTrip("Thing", ids: ["t1"], schema: schema)
        #expect(header(data).contains("port:int:string") && header(data).contains("size:float:int"), "\(header(data))")
    }

    @Test("lists holding dates, times and durations go out typed, as JSON Lines writes them, and come back as they were")
    func listsOfTemporals() throws {
        try harness.makeDatabase()
        let ci = #"{"kind":"ci","id":"ws-2","class":"Workstation","attrs":{"when":[{"date":"2027-01-31"},"#
            + #"{"duration":"P1DT2H"},{"localtime":"06:30"},{"datetime":"2026-11-22T02:00:00Z"},"2027-01-31",3,"#
            + #"[{"localdatetime":"2024-03-01T09:30"}]],"plain":["a","b"]}}"#
        try harness.succeed("import", try harness.sandbox.write("ws.jsonl", ci + "\n"))
        let data = try roundTrip("Workstation", ids: ["ws-2"])
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#"{""date"":""2027-01-31""}"#) && text.contains(#""[""a"",""b""]""#), "\(text)")
        let kinds = try harness.succeed("query",
            "MATCH (w {id: 'ws-2'}) RETURN [x IN w.when | valueType(x)] AS t", "--format", "json").out
        #expect(kinds.contains(#"["DATE","DURATION","LOCAL TIME","ZONED DATETIME","STRING","INTEGER""#), "\(kinds)")
    }

    @Test("a string of nothing but spaces or tabs is written quoted and reads back as itself, not as an absent value")
    func blankStrings() throws {
        try harness.makeDatabase()
        let ci = #"{"kind":"ci","id":"ws-3","class":"Workstation","name":"  ","attrs":{"note":"  ","tab":"\t","#
            + #""nbsp":"\u00a0","hostname":" ","empty":""}}"#
        try harness.succeed("import", try harness.sandbox.write("ws.jsonl", ci + "\n"))
        try roundTrip("Workstation", ids: ["ws-3"])
    }

    @Test("a CI holding a declared column's attribute as another type is refused on export, naming the CI and attribute")
    func declaredColumnOfAnotherType() throws {
        try harness.makeDatabase()
        // PhysicalServer declares serial (a string); a VirtualServer may hold an undeclared serial of any type.
        let cis = """
            {"kind":"ci","id":"ps-1","class":"PhysicalServer","attrs":{"serial":"S1"}}
            {"kind":"ci","id":"vm-1","class":"VirtualServer","attrs":{"serial":12345}}
            {"kind":"ci","id":"vm-2","class":"VirtualServer","attrs":{"serial":"S2"}}

            """
        try harness.succeed("import", try harness.sandbox.write("cis.jsonl", cis))
        let refused = try harness.cmdb("export", "--format", "csv", "--class", "Server")
        #expect(refused.exitCode == 2 && refused.stdout.isEmpty, "\(refused)")
        #expect(refused.err.contains("'vm-1'") && refused.err.contains("attribute 'serial'") && refused.err.contains("int")
            && !refused.err.contains("'vm-2'") && !refused.err.contains("'ps-1'"), "\(refused)")
        #expect(refused.err.contains("--class VirtualServer"), "the way out: \(refused)")
        // Its own class alone types the column as the CIs hold it (one type: the other rule of CSV columns).
        try harness.succeed("query", "MATCH (v {id: 'vm-2'}) SET v.serial = 7")
        try roundTrip("VirtualServer", ids: ["vm-1", "vm-2"])
    }
}
