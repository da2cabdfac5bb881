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
}
