import ConfigurationSchema
import GraphStorage
import Testing

@testable import Spreadsheets

private let schema: Schema = {
    // The built-in schema parses; a failure here fails every test below with a clear message.
    (try? Schema.parse(yaml: BuiltInSchema.yaml)) ?? Schema.open
}()

private func parse(_ yaml: String) throws(SpreadsheetError) -> SpreadsheetMapping {
    try SpreadsheetMapping.parse(yaml: yaml, file: "map.yaml", schema: schema)
}

/// The error a mapping file gets, as `file:line:column: message`.
private func problem(_ yaml: String) -> String? {
    do {
        _ = try parse(yaml)
        return nil
    } catch {
        return error.description
    }
}

struct MappingValidationTests {
    @Test("the issue's example mapping reads, with types from the mapping and from the schema")
    func example() throws {
        let m = try parse("""
            class: Workstation
            id: "ws-{Serienummer}"
            name: "{Computernaam}"
            status: {column: Status, values: {"In gebruik": live, "Reserve": in_test}, default: live}
            attrs:
              serial: Serienummer
              memory_gb: {column: "Geheugen (GB)", type: int}
              purchased: {column: Aanschafdatum, type: datetime, format: "dd-MM-yyyy"}
            relations:
              - {type: LOCATED_IN, to: "site-{Locatie}"}
            skip_empty: true
            """)
        #expect(m.classes == ["Workstation"])
        #expect(m.id.columns == ["Serienummer"])
        #expect(m.columns == ["Serienummer", "Computernaam", "Status", "Geheugen (GB)", "Aanschafdatum", "Locatie"])
        #expect(m.attributes.first { $0.name == "serial" }?.rule.type == .string, "serial is a string in the schema")
        #expect(m.relations.first?.isOutgoing == true)
    }

    @Test("mistakes are named with file:line:column", arguments: [
        ("class: Workstation\nid: \"{A}\"\nattrz: {}\n", "map.yaml:3:1: unknown key 'attrz' in the mapping (did you mean 'attrs'?)"),
        ("class: Werkstation\nid: \"{A}\"\n", "map.yaml:1:8: unknown class 'Werkstation' (did you mean 'Workstation'?)"),
        ("class: CI\nid: \"{A}\"\n", "map.yaml:1:8: class 'CI' is abstract"),
        ("class: Workstation\nid: \"ws-{A\"\n", "map.yaml:2:5: 'id' 'ws-{A': '{' without a closing '}'"),
        ("class: Workstation\nid: \"ws\"\n", "map.yaml:2:5: 'id' 'ws' names no column"),
        ("class: Workstation\n", "the mapping needs 'id'"),
        ("id: \"{A}\"\n", "the mapping needs 'class'"),
        ("class: Workstation\nid: \"{A}\"\nattrs:\n  x: {column: A, type: integer}\n",
         "map.yaml:4:24: unknown type 'integer'"),
        ("class: Workstation\nid: \"{A}\"\nattrs:\n  hostname: {column: A, type: int}\n",
         "map.yaml:4:31: attribute 'hostname' is declared string in the schema, not int"),
        ("class: Workstation\nid: \"{A}\"\nattrs:\n  d: {column: A, type: datetime, format: \"dd-QQ\"}\n",
         "map.yaml:4:42: date format 'dd-QQ' is not a pattern"),
        ("class: Workstation\nid: \"{A}\"\nattrs:\n  d: {column: A, format: \"dd-MM-yyyy\"}\n",
         "map.yaml:4:6: attribute 'd' has a 'format' but is not of type datetime"),
        ("class: Workstation\nid: \"{A}\"\nstatus: {column: S, values: {Actief: lieve}}\n",
         "map.yaml:3:9: 'status' maps 'Actief' to unknown status 'lieve' (did you mean 'live'?)"),
        ("class: Workstation\nid: \"{A}\"\nrelations:\n  - {type: LOCATED, to: \"site-{B}\"}\n",
         "map.yaml:4:12: unknown relation type 'LOCATED'"),
        ("class: Workstation\nid: \"{A}\"\nrelations:\n  - {type: LOCATED_IN}\n",
         "map.yaml:4:5: a relation needs exactly one of 'to'"),
        ("class: {column: Type, values: {Laptop: Werkstation}}\nid: \"{A}\"\n",
         "unknown class 'Werkstation' (did you mean 'Workstation'?)"),
        ("class: Workstation\nid: \"{A}\"\nskip_empty: misschien\n", "map.yaml:3:13: 'skip_empty' must be true or false"),
        ("class: Workstation\nid: [\n", "map.yaml:3:1: invalid YAML"),
    ])
    func mistakes(yaml: String, expected: String) {
        let got = problem(yaml)
        #expect(got?.contains(expected) == true, "got: \(got ?? "no error")")
    }
}

struct TemplateAndValueTests {
    @Test("templates: columns, literal braces, inversion for export")
    func templates() throws {
        let t = try Template.parse("ws-{Serienummer}-{{x}}").get()
        #expect(t.columns == ["Serienummer"])
        #expect(t.parts == [.literal("ws-"), .column("Serienummer"), .literal("-{x}")])
        let s = try Template.parse("site-{Vestiging}").get()
        #expect(s.invert("site-dewaaier")?.value == "dewaaier")
        #expect(s.invert("rack-1") == nil)
    }

    @Test("ids are lower-cased, accents dropped, other characters one '-'")
    func cleanedIDs() {
        #expect(RowMapper.cleanedID("WS-8CC5 B0JD/ZF") == "ws-8cc5-b0jd-zf")
        #expect(RowMapper.cleanedID("site-’t Kwetternest") == "site-t-kwetternest")
        #expect(RowMapper.cleanedID("Coördinator  Élan!") == "coordinator-elan")
        #expect(RowMapper.cleanedID("SN_123") == "sn-123")
    }

    @Test("numbers with decimal commas and thousands dots, and without", arguments: [
        ("12,5", true, PropertyValue.float(12.5)), ("1.249,00", true, .float(1249)), ("-0,75", true, .float(-0.75)),
        ("12.5", true, .float(12.5)), ("1.234", true, .float(1234)), ("1234.5", false, .float(1234.5)),
        (" 3 ", false, .float(3)),
    ])
    func floats(text: String, comma: Bool, expected: PropertyValue) throws {
        #expect(try CellValue.parse(text, as: .float, format: nil, decimalComma: comma) == expected)
    }

    @Test("bad numbers, booleans and dates are refused with the cell's text", arguments: [
        ("8 GB", AttributeType.int, "'8 GB' is not a whole number"), ("16,5", .int, "not a whole number"),
        ("1.299.00", .float, "not a number"), ("1,5", .float, "not a number (decimal point"),
        ("misschien", .bool, "not a yes/no value"), ("31-02-2025", .datetime, "not a date in the format dd-MM-yyyy"),
    ])
    func refused(text: String, type: AttributeType, message: String) {
        let comma = !message.contains("decimal point")
        do {
            _ = try CellValue.parse(text, as: type, format: DateFormat("dd-MM-yyyy"), decimalComma: comma)
            Issue.record("'\(text)' was accepted as \(type)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("whole numbers, booleans and dd-MM-yyyy dates, and their text for export")
    func roundTrips() throws {
        #expect(try CellValue.parse("1.024", as: .int, format: nil, decimalComma: true) == .int(1024))
        #expect(try CellValue.parse("16,0", as: .int, format: nil, decimalComma: true) == .int(16))
        #expect(try CellValue.parse("Ja", as: .bool, format: nil, decimalComma: true) == .bool(true))
        #expect(try CellValue.parse("onwaar", as: .bool, format: nil, decimalComma: true) == .bool(false))
        let format = try #require(DateFormat("dd-MM-yyyy"))
        let date = try CellValue.parse("09-03-2025", as: .datetime, format: format, decimalComma: true)
        #expect(date == .datetime(micros: ISODateTime.parse("2025-03-09T00:00:00Z") ?? 0))
        #expect(CellValue.text(date, format: format, decimalComma: true) == "09-03-2025")
        #expect(CellValue.text(.float(1249.5), format: nil, decimalComma: true) == "1249,5")
        #expect(CellValue.text(.float(3), format: nil, decimalComma: false) == "3.0")
        let back = try CellValue.parse(CellValue.text(.float(0.1), format: nil, decimalComma: true), as: .float,
            format: nil, decimalComma: true)
        #expect(back == .float(0.1))
    }
}
