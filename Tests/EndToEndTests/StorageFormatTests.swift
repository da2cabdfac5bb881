import Foundation
import Testing

/// The on-disk format version: a newer one is refused and left untouched.
struct StorageFormatTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    static let mdbDump = "/usr/bin/mdb_dump"
    static let mdbLoad = "/usr/bin/mdb_load"

    /// Rewrites the `format` key of the `meta` database with `mdb_dump`/`mdb_load` (lmdb-utils).
    /// In the dump, keys and values are hex lines with one leading space; "format" is 666f726d6174.
    private func setStoredFormat(_ db: String, from old: String, to new: String) throws {
        let dump = try harness.tool(Self.mdbDump, ["-s", "meta", db])
        try #require(dump.exitCode == 0, "mdb_dump failed: \(dump)")
        var lines = dump.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let keyIndex = try #require(lines.firstIndex(of: " 666f726d6174"), "no 'format' key in meta:\n\(dump.out.prefix(500))")
        try #require(keyIndex + 1 < lines.count)
        try #require(lines[keyIndex + 1] == " " + old, "stored format is \(lines[keyIndex + 1]), expected \(old)")
        lines[keyIndex + 1] = " " + new
        let load = try harness.tool(Self.mdbLoad, ["-s", "meta", db], stdin: Data(lines.joined(separator: "\n").utf8))
        try #require(load.exitCode == 0, "mdb_load failed: \(load)")
        let check = try harness.tool(Self.mdbDump, ["-s", "meta", db])
        try #require(check.out.contains(" 666f726d6174\n \(new)\n"), "the format was not rewritten")
    }

    @Test(
        "a database of a newer format is refused with exit 3 and left byte-for-byte untouched",
        .enabled(if: FileManager.default.isExecutableFile(atPath: mdbLoad), "needs mdb_load (lmdb-utils)"))
    func newerFormatRefused() throws {
        try harness.makeDatabase(withSample: true)
        try setStoredFormat(harness.db, from: "00000003", to: "00000004")
        let data = harness.db + "/data.mdb"
        let before = try fileBytes(data)

        let status = try harness.cmdb("status")
        #expect(status.exitCode == 3, "\(status)")
        #expect(status.err.contains("newer"), "the message should say the format is newer: \(status.err)")
        #expect(status.err.contains("format 4"), "\(status.err)")
        #expect(status.stdout.isEmpty)
        #expect(try fileBytes(data) == before, "data.mdb was changed by status on a newer-format database")

        // Writers are refused too, and also leave it alone.
        let schema = try harness.sandbox.write("schema.yaml", try harness.run(["schema", "show", "--builtin"]).out)
        let attempts: [[String]] = [
            ["export"], ["export", "--format", "dot"], ["import", Paths.sampleChanges, "--change", "CHG-NEWER"],
            ["import", Paths.sampleChanges, "--dry-run"], ["schema", "show"], ["schema", "apply", schema],
        ]
        for arguments in attempts {
            let r = try harness.run(["--db", harness.db] + arguments)
            #expect(r.exitCode == 3, "\(r)")
            #expect(r.err.contains("newer"), "\(r)")
        }
        let initAgain = try harness.cmdb("init")
        #expect(initAgain.exitCode != 0, "\(initAgain)")
        #expect(try fileBytes(data) == before, "data.mdb was changed by commands on a newer-format database")

        // Put the format back: the database opens again with its data.
        try setStoredFormat(harness.db, from: "00000004", to: "00000003")
        #expect(try harness.status().ciCount == 424)
    }

    /// What `mdb_dump -a` gives for `db`, with the named database `name` left out.
    private func dump(_ db: String, without name: String) throws -> [String] {
        let dump = try harness.tool(Self.mdbDump, ["-a", db])
        try #require(dump.exitCode == 0, "mdb_dump failed: \(dump)")
        var kept: [String] = []
        var skipping = false
        var header: [String] = []
        for line in dump.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "VERSION=3" { (header, skipping) = ([line], false); continue }
            if !header.isEmpty && !line.hasPrefix(" ") && line != "HEADER=END" { header.append(line); continue }
            if line == "HEADER=END" {
                skipping = header.contains("database=\(name)")
                if !skipping { kept += header + [line] }
                header = []
                continue
            }
            if !skipping { kept.append(line) }
        }
        return kept
    }

    @Test(
        "a format-2 database: read-only commands answer from the records and write nothing; the first writable one builds the status index",
        .enabled(if: FileManager.default.isExecutableFile(atPath: mdbLoad), "needs mdb_load (lmdb-utils)"))
    func formatTwoMigrates() throws {
        try harness.makeDatabase(withSample: true)
        let impact = try harness.succeed("impact", "srv-dc01", "sw-bb-core-01", "--format", "json").out
        let counted = try harness.succeed(
            "query", "CALL impact(['srv-dc01', 'sw-bb-core-01']) YIELD ci RETURN count(ci) AS n", "--format", "csv").out
        // The same database as a format-2 cmdb wrote it: everything but `bystatus`, format 2.
        var lines = try dump(harness.db, without: "bystatus")
        let formatKey = try #require(lines.firstIndex(of: " 666f726d6174"))
        try #require(lines[formatKey + 1] == " 00000003")
        lines[formatKey + 1] = " 00000002"
        let old = harness.sandbox.url.path + "/format2"
        try FileManager.default.createDirectory(atPath: old, withIntermediateDirectories: true)
        let load = try harness.tool(Self.mdbLoad, ["-f", "/dev/stdin", old], stdin: Data(lines.joined(separator: "\n").utf8))
        try #require(load.exitCode == 0, "mdb_load failed: \(load)")
        let before = try fileBytes(old + "/data.mdb")

        // Read-only: the same answers, read from the records; the file is not touched, by listings either.
        let readOnly = try harness.run(["--db", old, "impact", "srv-dc01", "sw-bb-core-01", "--format", "json"])
        #expect(readOnly.exitCode == 0 && readOnly.out == impact, "\(readOnly.err)")
        for listing in [["change", "list"], ["baseline", "list"], ["status"], ["history", "srv-dc01"]] {
            let listed = try harness.run(["--db", old] + listing)
            #expect(listed.exitCode == 0, "\(listing): \(listed)")
        }
        #expect(try fileBytes(old + "/data.mdb") == before, "a read-only command changed a format-2 database")

        // The first command that may write migrates it, and the index answers the same.
        let migrated = try harness.run(
            ["--db", old, "query", "CALL impact(['srv-dc01', 'sw-bb-core-01']) YIELD ci RETURN count(ci) AS n", "--format", "csv"])
        #expect(migrated.exitCode == 0 && migrated.out == counted, "\(migrated)")
        let meta = try harness.tool(Self.mdbDump, ["-s", "meta", old])
        #expect(meta.out.contains(" 666f726d6174\n 00000003\n"), "not migrated to format 3")
        let stat = try harness.tool("/usr/bin/mdb_stat", ["-s", "bystatus", old])
        #expect(stat.out.contains("Entries: 424"), "the status index holds every CI: \(stat.out)")
        let again = try harness.run(["--db", old, "impact", "srv-dc01", "sw-bb-core-01", "--format", "json"])
        #expect(again.out == impact)
    }
}

/// The graphml and dot exports.
struct ExportFormatTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("export --format graphml is well-formed XML with one node per CI and one edge per relation")
    func graphml() throws {
        try harness.makeDatabase(withSample: true)
        // An id and attributes that need escaping in XML.
        let tricky = #"{"kind":"ci","id":"app-<&>\"'","class":"Application","name":"R&D <test> \"q\" 'a'","attrs":{"note":"a]]>b","tab":"x\ty"}}"#
        let trickyFile = try harness.sandbox.write("tricky.jsonl", tricky + "\n")
        let imported = try harness.cmdb("import", trickyFile)
        try #require(imported.exitCode == 0, "\(imported)")

        let data = try harness.export(format: "graphml")
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("<?xml"), "\(text.prefix(100))")
        let checked = XMLCheck.parse(data)
        #expect(checked.error == nil, "graphml is not well-formed XML: \(checked.error ?? "")")
        #expect(checked.rootName == "graphml")
        #expect(checked.count(of: "node") == 425, "nodes: \(checked.count(of: "node"))")
        #expect(checked.count(of: "edge") == 872, "edges: \(checked.count(of: "edge"))")
    }

    @Test("export --format dot starts with digraph and has one -> line per relation")
    func dot() throws {
        try harness.makeDatabase(withSample: true)
        let text = String(decoding: try harness.export(format: "dot"), as: UTF8.self)
        #expect(text.hasPrefix("digraph"), "\(text.prefix(100))")
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("}"))
        let lines = text.split(separator: "\n")
        let edges = lines.filter { $0.contains("->") }
        #expect(edges.count == 872)
        #expect(edges.contains { $0.contains(#""srv-dc01" -> "clu-bb-vsphere""#) && $0.contains("HOSTED_ON") })
        // One node statement per CI.
        let nodes = lines.filter { !$0.contains("->") && $0.contains("[label=") }
        #expect(nodes.count == 424)
    }

    @Test("export --format graphml stays well-formed when a value holds a control character")
    func graphmlControlCharacter() throws {
        try harness.makeDatabase()
        let line = #"{"kind":"ci","id":"app-ctl","class":"Application","attrs":{"note":"bell\u0007 esc\u001b nul\u0000 end"}}"#
        let imported = try harness.cmdb("import", try harness.sandbox.write("ctl.jsonl", line + "\n"))
        try #require(imported.exitCode == 0, "\(imported)")
        let checked = XMLCheck.parse(try harness.export(format: "graphml"))
        #expect(checked.error == nil, "graphml is not well-formed XML: \(checked.error ?? "")")
        #expect(checked.count(of: "node") == 1)
    }

    @Test("export of an empty database is empty in jsonl and valid in every format")
    func emptyExports() throws {
        try harness.makeDatabase()
        #expect(try harness.export().isEmpty)
        let graphml = XMLCheck.parse(try harness.export(format: "graphml"))
        #expect(graphml.error == nil, "\(graphml.error ?? "")")
        #expect(graphml.count(of: "node") == 0)
        let dot = String(decoding: try harness.export(format: "dot"), as: UTF8.self)
        #expect(dot.hasPrefix("digraph"))
        #expect(!dot.contains("->"))
    }
}
