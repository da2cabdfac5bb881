import Foundation
import Testing

/// `cmdb schema show|apply` and `init --schema`.
struct SchemaTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("schema show --builtin prints the built-in schema as YAML")
    func showBuiltin() throws {
        let result = try harness.run(["schema", "show", "--builtin"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.out.contains("\nclasses:\n"), "\(result.out.prefix(300))")
        #expect(result.out.contains("\nrelations:"))
        for name in ["VirtualServer:", "Hypervisor:", "HOSTED_ON:", "statuses:"] {
            #expect(result.out.contains(name), "the built-in schema should contain \(name)")
        }

        // A new database's schema is the built-in one, and it can be used as a schema file again.
        try harness.makeDatabase()
        let shown = try harness.succeed("schema", "show")
        #expect(shown.out == result.out)
        let copy = try harness.sandbox.write("copy.yaml", result.out)
        let other = harness.sandbox.path("other")
        try harness.succeed("init", "--schema", copy, db: other)
        try harness.succeed("import", Paths.sample, db: other)
        #expect(try harness.status(other).ciCount == 424)
    }

    @Test("init --schema with a YAML error exits 2 naming FILE:LINE and creates nothing")
    func initWithBrokenSchema() throws {
        let yaml = "version: 1\nclasses:\n\tServer: {}\n"
        let file = try harness.sandbox.write("broken.yaml", yaml)
        let result = try harness.cmdb("init", "--schema", file)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("\(file):3:"), "the message should name \(file):3: \(result.err)")
        #expect(!FileManager.default.fileExists(atPath: harness.db + "/data.mdb"), "a failed init created a database")

        // A schema that is valid YAML but not a valid schema: the place is named too.
        let semantic = try harness.sandbox.write(
            "semantic.yaml",
            "version: 1\nclasses:\n  Foo:\n    attributes:\n      x: {type: strang}\n")
        let second = try harness.cmdb("init", "--schema", semantic)
        #expect(second.exitCode == 2, "\(second)")
        #expect(second.err.contains("\(semantic):5:"), "\(second.err)")
        #expect(second.err.contains("string"), "should suggest 'string': \(second.err)")

        let missing = harness.sandbox.path("missing.yaml")
        let third = try harness.cmdb("init", "--schema", missing)
        #expect(third.exitCode == 2, "\(third)")
        #expect(third.err.contains(missing), "\(third.err)")
        #expect(!FileManager.default.fileExists(atPath: harness.db + "/data.mdb"))
    }

    @Test("schema apply of a schema the data violates exits 2, names the CIs, changes nothing")
    func applyViolatedSchema() throws {
        try harness.makeDatabase(withSample: true)
        let builtin = try harness.succeed("schema", "show").out
        let block = "  VirtualServer:\n    parent: Server\n    expects: [{relation: HOSTED_ON, direction: out}]\n"
        try #require(builtin.contains(block), "the built-in schema's VirtualServer block moved")
        let pair = "{from: [VirtualServer], to: [Hypervisor, Cluster]}"
        try #require(builtin.contains(pair))
        let withoutVirtualServer = builtin.replacingOccurrences(of: block, with: "")
            .replacingOccurrences(of: pair, with: "{from: [PhysicalServer], to: [Hypervisor, Cluster]}")
        let file = try harness.sandbox.write("no-vs.yaml", withoutVirtualServer)

        let exportBefore = try harness.export()
        let statusBefore = try harness.status()
        let result = try harness.cmdb("schema", "apply", file, "--change", "CHG-SCHEMA")
        #expect(result.exitCode == 2, "\(result)")
        for id in ["srv-dc01", "srv-file01", "srv-esis01"] {
            #expect(result.err.contains(id), "the message should name \(id): \(result.err)")
        }
        #expect(result.err.contains("VirtualServer"))

        #expect(try harness.succeed("schema", "show").out == builtin, "the schema changed")
        #expect(try harness.export() == exportBefore)
        #expect(try harness.status().changes == statusBefore.changes)
        // VirtualServer is still a class: new ones still import.
        let vm = try harness.sandbox.write("vm.jsonl", #"{"kind":"ci","id":"vm-after","class":"VirtualServer"}"# + "\n")
        #expect(try harness.cmdb("import", vm).exitCode == 0)
    }

    @Test("schema apply adding unique: true refuses existing duplicates, in one class and across subclasses")
    func applyUniqueOverDuplicates() throws {
        let before = "version: 1\nstatuses: [live]\nclasses:\n  Server: {attributes: {hostname: {type: string}}}\n"
            + "  VM: {parent: Server}\n  Router: {attributes: {hostname: {type: string}}}\n"
        let after = before.replacingOccurrences(
            of: "Server: {attributes: {hostname: {type: string}}}",
            with: "Server: {attributes: {hostname: {type: string, unique: true}}}")
        try harness.succeed("init", "--schema", harness.sandbox.write("before.yaml", before))
        try harness.succeed(
            "query",
            "CREATE (:Server {id:'srv-8', hostname:'mail'}), (:Server {id:'srv-9', hostname:'mail'}), "
                + "(:VM {id:'vm-1', hostname:'web'}), (:VM {id:'vm-2', hostname:'web'}), "
                + "(:Server {id:'srv-1', hostname:'db'}), (:VM {id:'vm-3', hostname:'db'}), "
                + "(:Server {id:'srv-2', hostname:'dns'}), (:Router {id:'rt-1', hostname:'dns'})")
        let exportBefore = try harness.export()
        let file = try harness.sandbox.write("after.yaml", after)
        let refused = try harness.cmdb("schema", "apply", file)
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.err.contains("SchemaError.ExistingDataViolates"), "\(refused.err)")
        for id in ["srv-8", "srv-9", "vm-1", "vm-2", "srv-1", "vm-3"] {
            #expect(refused.err.contains(id), "the message should name \(id): \(refused.err)")
        }
        // A Router is no Server: its equal hostname breaks nothing.
        #expect(!refused.err.contains("rt-1") && !refused.err.contains("srv-2"), "\(refused.err)")
        #expect(try harness.succeed("schema", "show").out == before, "the schema changed")
        #expect(try harness.export() == exportBefore)
        // Writes to the duplicates are not refused by a rule that was never applied.
        try harness.succeed("query", "MATCH (v {id:'vm-2'}) SET v.note = 'x'")

        // Once the duplicates are gone the same schema applies, and the rule holds for new writes.
        try harness.succeed(
            "query", "MATCH (s) WHERE s.id IN ['srv-9', 'vm-2', 'vm-3'] SET s.hostname = s.id")
        #expect(try harness.cmdb("schema", "apply", file).exitCode == 0)
        let duplicate = try harness.cmdb("query", "CREATE (:VM {id:'vm-4', hostname:'mail'})")
        #expect(duplicate.exitCode == 2 && duplicate.err.contains("SchemaError.UniqueAttribute"), "\(duplicate)")
    }

    @Test("schema apply of a compatible schema takes effect")
    func applyCompatibleSchema() throws {
        try harness.makeDatabase(withSample: true)
        let builtin = try harness.succeed("schema", "show").out
        // Forbid what the sample does not use: cpu above 64.
        let line = "      cpu:       {type: int, min: 1, discoverable: true}\n"
        try #require(builtin.contains(line))
        let stricter = builtin.replacingOccurrences(
            of: line, with: "      cpu:       {type: int, min: 1, max: 64, discoverable: true}\n")
        let file = try harness.sandbox.write("stricter.yaml", stricter)
        let applied = try harness.cmdb("schema", "apply", file)
        #expect(applied.exitCode == 0, "\(applied)")
        #expect(try harness.succeed("schema", "show").out.contains("max: 64"))

        let big = try harness.sandbox.write(
            "big-cpu.jsonl", #"{"kind":"ci","id":"vm-big","class":"VirtualServer","attrs":{"cpu":128}}"# + "\n")
        let refused = try harness.cmdb("import", big)
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.err.contains("\(big):1:"), "\(refused.err)")
    }

    @Test("init --schema none accepts any class and relation type")
    func openSchema() throws {
        try harness.succeed("init", "--schema", "none")
        let lines = """
            {"kind":"ci","id":"ship-1","class":"Spaceship","status":"docked","attrs":{"warp":9.5,"crew":["a","b"]}}
            {"kind":"ci","id":"Planet_X","class":"Planet","attrs":{"criticality":99,"cpu":"four"}}
            {"kind":"ci","id":"thing-without-class","attrs":{}}
            {"kind":"rel","type":"ORBITS","from":"ship-1","to":"Planet_X","attrs":{"distance_km":400}}
            {"kind":"rel","type":"HOSTED_ON","from":"Planet_X","to":"thing-without-class"}

            """
        let result = try harness.cmdb("import", harness.sandbox.write("open.jsonl", lines))
        #expect(result.exitCode == 0, "\(result)")
        let status = try harness.status()
        #expect(status.ciCount == 3 && status.relationCount == 2, "\(status.text)")

        let export = String(decoding: try harness.export(), as: UTF8.self)
        #expect(export.contains(#""class":"Spaceship""#))
        #expect(export.contains(#""status":"docked""#))
        #expect(export.contains(#""criticality":99"#))
        #expect(export.contains(#""type":"ORBITS","from":"ship-1","to":"Planet_X""#))
        // Nothing is added to what the user wrote: no default status on a CI that gave none.
        let bare = try #require(export.split(separator: "\n").first { $0.contains(#""id":"thing-without-class""#) })
        #expect(!bare.contains("\"status\""), "an open graph added a status: \(bare)")

        let shown = try harness.succeed("schema", "show")
        #expect(shown.out.contains("no schema"), "\(shown.out)")

        // And the export round-trips into another open database.
        let other = harness.sandbox.path("other")
        try harness.succeed("init", "--schema", "none", db: other)
        try harness.succeed("import", "-", db: other, stdin: Data(export.utf8))
        #expect(String(decoding: try harness.export(other), as: UTF8.self) == export)
    }
}
