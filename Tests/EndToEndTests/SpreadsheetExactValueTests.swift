import Foundation
import Testing

/// `export --format csv` → `import` without `--map` gives back exactly what went out, or the export is refused naming
/// the CI and attribute: datetimes keep their offset, zone and nanoseconds, NaN and the infinities are spelled as
/// import reads them, characters the encoding cannot hold and names or statuses that are not text are refused; and a
/// quoted blank cell is a string of blanks only in a text column. The real binary, real databases.
struct SpreadsheetExactValueTests {
    /// The round-trip helpers (export, import into the same and a new database, compare).
    let typed: SpreadsheetTypedColumnTests
    var harness: Harness { typed.harness }

    init() throws { typed = try SpreadsheetTypedColumnTests() }

    /// A schemaless database holding what `statement` creates.
    func schemaless(_ statement: String) throws {
        try harness.succeed("init", "--schema", "none")
        try harness.succeed("query", statement)
    }

    @Test("a declared datetime with an offset, a named zone or nanoseconds is exported and reads back exactly")
    func declaredDatetimes() throws {
        try harness.makeDatabase()
        let values = [("ws-1", "2026-05-01T10:00:00+02:00"), ("ws-2", "2026-03-29T03:30+02:00[Europe/Amsterdam]"),
            ("ws-3", "2026-05-01T10:00:00.123456789Z"), ("ws-4", "2026-05-01T10:00:00Z")]
        for (id, text) in values {
            try harness.succeed("query", "CREATE (:Workstation {id: '\(id)', name: 'pc', status: 'live', "
                + "last_verified_at: datetime('\(text)')})")
        }
        let data = try typed.roundTrip("Workstation", ids: values.map(\.0))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("+02:00[Europe/Amsterdam]") && text.contains(".123456789Z") && text.contains("+02:00"),
            "\(text)")
        // A cell a user writes with an offset keeps it too.
        let csv = try harness.sandbox.write("u.csv", "id,class,name,status,last_verified_at\n"
            + "ws-5,Workstation,pc,live,2026-05-01T10:00:00-05:00\n")
        try harness.succeed("import", csv)
        let shown = try harness.succeed("query", "MATCH (w {id: 'ws-5'}) RETURN toString(w.last_verified_at)",
            "--format", "csv").out
        #expect(shown.hasSuffix("\n2026-05-01T10:00-05:00\n"), "\(shown)")
    }

    @Test("an undeclared datetime with an offset, a named zone or nanoseconds reads back exactly")
    func undeclaredDatetimes() throws {
        try schemaless("CREATE (:Thing {id: 't1', dt_off: datetime('2026-03-01T10:00:00.123456789+05:30'), "
            + "dt_zone: datetime('2026-03-29T03:30+02:00[Europe/Amsterdam]')})")
        try typed.roundTrip("Thing", ids: ["t1"], schema: "none")
    }

    @Test("a quoted blank cell is absent in a column that is not text, and a string of blanks in one that is")
    func quotedBlankCells() throws {
        try harness.makeDatabase()
        // As PowerShell's Export-Csv and Python's QUOTE_ALL write every field.
        let csv = try harness.sandbox.write("q.csv", "id,class,name,status,criticality,owner,last_verified_at,n:int,"
            + "on:bool,note\r\n"
            + #""ws-9","Workstation","pc9","live"," "," "," "," ","",""\#r\#n"#
            // ws-10's blank status is absent: a new CI gets the default.
            + #""ws-10","Workstation","pc10"," ","","x","","","  "," ""# + "\r\n")
        try harness.succeed("import", csv)
        let rows = try harness.succeed("query", "MATCH (w:Workstation) RETURN w.id, w.criticality IS NULL, "
            + "'[' + w.owner + ']', w.last_verified_at IS NULL, 'n' IN keys(w) OR 'on' IN keys(w), '[' + w.note + ']', "
            + "w.status ORDER BY w.id", "--format", "csv").out
        let lines = rows.split(separator: "\n").dropFirst().map(String.init)
        #expect(lines == ["ws-10,true,[x],true,false,[ ],live", "ws-9,true,[ ],true,false,[],live"], "\(rows)")
    }

    @Test("NaN and the infinities are written as JSON Lines spells them and read back as themselves")
    func notANumber() throws {
        try schemaless("CREATE (:Thing {id: 'n1', x: 0.0/0.0, y: 1.0/0.0, z: -1.0/0.0, l: [0.0/0.0, 1.0/0.0]})")
        let data = try typed.csv("Thing")
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(",NaN,") && text.contains(",Infinity,") && text.contains("-Infinity"), "\(text)")
        // Compared by a query (JSONSerialization cannot read JSON Lines' NaN, and attributes may come in another order).
        let file = try harness.sandbox.write("n.csv", data: data)
        #expect(try harness.succeed("import", file).err.contains("nothing changed"))
        let second = harness.sandbox.uniqueName("second")
        try harness.succeed("init", "--schema", "none", db: second)
        try harness.succeed("import", file, db: second)
        let query = "MATCH (t {id: 'n1'}) RETURN t.x, t.y, t.z, t.l, valueType(t.x), valueType(t.y), size(keys(t))"
        let before = try harness.succeed("query", query, "--format", "csv").out
        let after = try harness.succeed("query", query, "--format", "csv", db: second).out
        #expect(before == after && before.contains("NaN,Infinity,-Infinity"), "\(before)\n\(after)")
    }

    @Test("a character Windows-1252 cannot hold is refused on export, naming CI, attribute and character")
    func windows1252Unencodable() throws {
        try schemaless("CREATE (:Thing {id: 't1', name: 'Łukasz', note: 'ok'}), (:Thing {id: 't2', note: 'x😀'}), "
            + "(:Thing {id: 't3', name: 'café €'})")
        let refused = try harness.cmdb("export", "--format", "csv", "--class", "Thing", "--encoding", "windows-1252")
        #expect(refused.exitCode == 2 && refused.stdout.isEmpty, "\(refused)")
        #expect(refused.err.contains("'t1'") && refused.err.contains("name") && refused.err.contains("'Ł'")
            && refused.err.contains("'t2'") && refused.err.contains("'note'") && refused.err.contains("😀")
            && !refused.err.contains("'t3'") && refused.err.contains("utf-8"), "\(refused)")
        // What it can hold goes out and reads back.
        try harness.succeed("query", "MATCH (t:Thing) WHERE t.id <> 't3' DETACH DELETE t")
        let data = try harness.succeed("export", "--format", "csv", "--class", "Thing", "--encoding", "windows-1252")
            .stdout
        #expect(data.contains(0x80) && data.contains(0xE9), "€ and é as Windows-1252 bytes")
        let file = try harness.sandbox.write("t.csv", data: data)
        let again = try harness.succeed("import", file, "--encoding", "windows-1252")
        #expect(again.err.contains("nothing changed"), "\(again)")
    }

    @Test("an attribute name Windows-1252 cannot hold is refused on export, naming it")
    func windows1252UnencodableHeader() throws {
        try schemaless("CREATE (:Thing {id: 't1', `Łódź`: 1})")
        let refused = try harness.cmdb("export", "--format", "csv", "--class", "Thing", "--encoding", "windows-1252")
        #expect(refused.exitCode == 2 && refused.stdout.isEmpty, "\(refused)")
        #expect(refused.err.contains("'Łódź'") && refused.err.contains("'Ł'"), "\(refused)")
    }

    @Test("with a mapping too, a character Windows-1252 cannot hold is refused, naming CI, column and character")
    func windows1252UnencodableMapped() throws {
        try harness.makeDatabase()
        try harness.succeed("query", "CREATE (:Workstation {id: 'ws-a1', serial: 'A1', name: 'Łukasz', status: 'live'})")
        let map = try harness.sandbox.write("m.yaml", SpreadsheetEdgeTests.serialMap)
        let refused = try harness.cmdb("export", "--format", "csv", "--class", "Workstation", "--map", map,
            "--encoding", "windows-1252")
        #expect(refused.exitCode == 2 && refused.stdout.isEmpty, "\(refused)")
        #expect(refused.err.contains("error[InputError.UnexportableValue]") && refused.err.contains("'ws-a1'")
            && refused.err.contains("column 'Name'") && refused.err.contains("'Ł'"), "\(refused)")
        try harness.succeed("export", "--format", "csv", "--class", "Workstation", "--map", map)
    }

    @Test("a name or status that is not text is refused on export, naming the CI, not turned into text")
    func nameAndStatusNotText() throws {
        try schemaless("CREATE (:Thing {id: 'n', name: 5, status: [1, 2]}), (:Thing {id: 'm', name: 'ok', status: 'x'})")
        let refused = try harness.cmdb("export", "--format", "csv", "--class", "Thing")
        #expect(refused.exitCode == 2 && refused.stdout.isEmpty, "\(refused)")
        #expect(refused.err.contains("'n' holds name as int '5'") && refused.err.contains("'n' holds status as list")
            && !refused.err.contains("'m'"), "\(refused)")
        try harness.succeed("query", "MATCH (t {id: 'n'}) SET t.name = '5', t.status = '[1,2]'")
        try typed.roundTrip("Thing", ids: ["n", "m"], schema: "none")
    }

    @Test("an export refused for its values reports InputError.UnexportableValue, not an import line's code")
    func exportRefusalCode() throws {
        try schemaless("CREATE (:Thing {id: 'n', name: 5})")
        let refused = try harness.cmdb("export", "--format", "csv", "--class", "Thing")
        #expect(refused.exitCode == 2 && refused.err.contains("error[InputError.UnexportableValue]"), "\(refused)")
    }
}
