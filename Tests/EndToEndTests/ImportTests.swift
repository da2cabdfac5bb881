import Foundation
import Testing

/// `cmdb import` and `cmdb export` on good input: round trips, idempotence, stdin, dry runs, change records.
struct ImportTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("export jsonl then import into a new database round-trips byte for byte")
    func roundTrip() throws {
        try harness.makeDatabase(withSample: true)
        let first = try harness.export()
        let exported = try harness.sandbox.write("first.jsonl", data: first)

        let second = harness.sandbox.path("second")
        try harness.makeDatabase(second)
        try harness.succeed("import", exported, db: second)
        let again = try harness.export(second)
        #expect(again == first, "the export of the re-imported database differs from the first export")

        let fixtureCIs = try JSONL.count(file: Paths.sample, kind: "ci")
        let fixtureRels = try JSONL.count(file: Paths.sample, kind: "rel")
        #expect(fixtureCIs == 424 && fixtureRels == 872, "the fixture changed: \(fixtureCIs) CIs, \(fixtureRels) rels")
        #expect(JSONL.count(first, kind: "ci") == fixtureCIs)
        #expect(JSONL.count(first, kind: "rel") == fixtureRels)
        #expect(JSONL.lines(first).count == fixtureCIs + fixtureRels, "the export has lines of other kinds")

        for db in [harness.db, second] {
            let status = try harness.status(db)
            #expect(status.ciCount == fixtureCIs)
            #expect(status.relationCount == fixtureRels)
        }
    }

    @Test("round trip after a second import that updates CIs, with odd values")
    func roundTripAfterChanges() throws {
        try harness.makeDatabase(withSample: true)
        try harness.succeed("import", Paths.sampleChanges)
        let odd = """
            {"kind":"ci","id":"db-odd","class":"Database","name":"Zoë \\u00e9 \\ud83d\\ude00","attrs":{"f":1.0,"g":1e300,"h":-0.0,"i":[1,"a",true],"big":9007199254740993,"s":"tab\\tquote\\"nl\\n","when":"2026-01-01T00:00:00Z"}}
            {"kind":"rel","type":"DEPENDS_ON","from":"db-odd","to":"srv-sql01","attrs":{"note":"x","weight":2.5}}

            """
        try harness.succeed("import", harness.sandbox.write("odd.jsonl", odd))
        let first = try harness.export()
        #expect(JSONL.count(first, kind: "ci") == 426)
        #expect(JSONL.count(first, kind: "rel") == 877)
        let line = try #require(JSONL.lines(first).first { $0.contains("\"id\":\"db-odd\"") })
        #expect(line.contains("\"f\":1.0"), "a float must keep its '.0': \(line)")
        #expect(line.contains("\"big\":9007199254740993"), "a large int must stay exact: \(line)")
        #expect(line.contains("Zoë é 😀"), "\(line)")

        let second = harness.sandbox.path("second")
        try harness.makeDatabase(second)
        try harness.succeed("import", "-", db: second, stdin: first)
        #expect(try harness.export(second) == first)
    }

    @Test("importing the same file again changes nothing")
    func reimportChangesNothing() throws {
        try harness.makeDatabase(withSample: true)
        let exportBefore = try harness.export()
        let statusBefore = try harness.status()
        let latest = try #require(statusBefore.latestTransaction)

        let again = try harness.cmdb("import", Paths.sample, "--change", "CHG-AGAIN")
        #expect(again.exitCode == 0, "\(again)")
        #expect(again.err.contains("nothing changed"), "stderr should say nothing changed: \(again.err)")
        #expect(again.err.contains("424 unchanged"), "\(again.err)")

        let statusAfter = try harness.status()
        #expect(statusAfter.latestTransaction == latest, "a no-op import recorded a transaction:\n\(statusAfter.text)")
        #expect(statusAfter.changes == statusBefore.changes)
        #expect(!statusAfter.text.contains("CHG-AGAIN"))
        #expect(try harness.export() == exportBefore)
    }

    @Test("a database's own export imports again with nothing changed: a NaN, ints an int-to-float schema change kept")
    func reimportOwnExportAfterNaNAndTypeChange() throws {
        try harness.makeDatabase()
        try harness.succeed("query", "CREATE (:Application {id:'a1', f: 0.0/0.0, g: -(0.0/0.0)})")
        let before = try harness.status()
        let again = try harness.cmdb("import", "-", stdin: try harness.export())
        #expect(again.exitCode == 0 && again.err.contains("nothing changed"), "\(again)")
        let set = try harness.cmdb("query", "MATCH (a {id:'a1'}) SET a.f = 0.0/0.0, a.g = 0.0/0.0")
        #expect(set.exitCode == 0 && set.err.contains("nothing changed"), "\(set)")
        #expect(try harness.status().changes == before.changes, "NaN for NaN recorded a change")

        let intSchema = "version: 1\nstatuses: [live]\nclasses:\n  S: {attributes: {c: {type: int}}}\n"
        let floatSchema = intSchema.replacingOccurrences(of: "type: int", with: "type: float")
        let typed = harness.sandbox.path("typed")
        try harness.succeed("init", "--schema", harness.sandbox.write("int.yaml", intSchema), db: typed)
        try harness.succeed("query", "CREATE (:S {id:'a', c: 4}), (:S {id:'b', c: 5})", db: typed)
        try harness.succeed("schema", "apply", harness.sandbox.write("float.yaml", floatSchema), db: typed)
        try harness.succeed("query", "CREATE (:S {id:'z', c: 4})", db: typed)
        // The values the schema kept are what a write of them now stores.
        let types = try harness.succeed("query", "MATCH (s:S) RETURN DISTINCT valueType(s.c) AS t", db: typed)
        #expect(types.out.contains("FLOAT") && !types.out.contains("INTEGER"), "\(types.out)")
        let typedBefore = try harness.status(typed)
        let reimport = try harness.cmdb("import", "-", db: typed, stdin: try harness.export(typed))
        #expect(reimport.exitCode == 0 && reimport.err.contains("nothing changed"), "\(reimport)")
        let reset = try harness.cmdb("query", "MATCH (s:S {id:'a'}) SET s.c = 4", db: typed)
        #expect(reset.exitCode == 0 && reset.err.contains("nothing changed"), "\(reset)")
        #expect(try harness.status(typed).changes == typedBefore.changes)
    }

    @Test("relations may name CIs that come later in the file")
    func forwardReferences() throws {
        try harness.makeDatabase()
        let lines = """
            {"kind":"rel","type":"HOSTED_ON","from":"vm-1","to":"hv-1","attrs":{}}
            {"kind":"rel","type":"RUNS_ON","from":"app-1","to":"vm-1"}
            {"kind":"rel","type":"USES","from":"app-1","to":"db-1","attrs":{"port":5432}}
            {"kind":"ci","id":"app-1","class":"Application","name":"App one","status":"live","attrs":{"vendor":"acme"}}
            {"kind":"ci","id":"vm-1","class":"VirtualServer","attrs":{"cpu":4,"os":"Debian 12"}}
            {"kind":"ci","id":"db-1","class":"Database","attrs":{"engine":"postgres"}}
            {"kind":"ci","id":"hv-1","class":"Hypervisor","attrs":{"serial":"SN-1"}}

            """
        let result = try harness.cmdb("import", harness.sandbox.write("forward.jsonl", lines))
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.err.contains("4 CIs added"), "\(result.err)")
        #expect(result.err.contains("3 relations added"), "\(result.err)")

        let export = String(decoding: try harness.export(), as: UTF8.self)
        #expect(export.contains(#""type":"HOSTED_ON","from":"vm-1","to":"hv-1""#))
        #expect(export.contains(#""type":"RUNS_ON","from":"app-1","to":"vm-1""#))
        #expect(export.contains(#""type":"USES","from":"app-1","to":"db-1","attrs":{"port":5432}"#))
        let status = try harness.status()
        #expect(status.ciCount == 4 && status.relationCount == 3)
    }

    @Test("import - reads stdin like a file, and errors name <stdin>:LINE")
    func standardInput() throws {
        try harness.makeDatabase()
        let fromFile = harness.sandbox.path("from-file")
        try harness.makeDatabase(fromFile)

        let viaStdin = try harness.cmdb("import", "-", stdinFile: Paths.sample)
        #expect(viaStdin.exitCode == 0, "\(viaStdin)")
        #expect(viaStdin.err.contains("imported 1296 lines"), "\(viaStdin.err)")
        try harness.succeed("import", Paths.sample, db: fromFile)
        let export = try harness.export()
        #expect(export == (try harness.export(fromFile)))
        #expect(JSONL.count(export, kind: "ci") == 424)

        // An error on standard input names it.
        let bad = Data(
            """
            {"kind":"ci","id":"db-a","class":"Database"}
            {"kind":"ci","id":"db-b","class":"Databse"}

            """.utf8)
        let failed = try harness.cmdb("import", "-", stdin: bad)
        #expect(failed.exitCode == 2, "\(failed)")
        #expect(failed.err.contains("<stdin>:2:"), "the message should name <stdin>:2: \(failed.err)")
        #expect(try harness.export() == export, "a failed stdin import wrote something")

        // Stdin mixed with a file: each is named by its own name.
        let file = try harness.sandbox.write("one.jsonl", #"{"kind":"ci","id":"db-c","class":"Database"}"# + "\n")
        let mixed = try harness.cmdb("import", file, "-", stdin: Data("{\"kind\":\"ci\",\n".utf8))
        #expect(mixed.exitCode == 2, "\(mixed)")
        #expect(mixed.err.contains("<stdin>:1:"), "\(mixed.err)")
        #expect(try harness.export() == export)
    }

    @Test("--dry-run reports counts and writes nothing")
    func dryRun() throws {
        try harness.makeDatabase(withSample: true)
        let exportBefore = try harness.export()
        let statusBefore = try harness.status()

        let dry = try harness.cmdb("import", Paths.sampleChanges, "--dry-run", "--change", "CHG-DRY")
        #expect(dry.exitCode == 0, "\(dry)")
        #expect(dry.out.hasPrefix("dry run: nothing was written"), "\(dry.out)")
        #expect(dry.out.contains("1 CIs added, 17 changed, 0 unchanged"), "\(dry.out)")
        #expect(dry.out.contains("4 relations added, 0 changed, 0 unchanged"), "\(dry.out)")
        #expect(dry.out.contains("srv-print02"), "the report should name the CI it would add")

        #expect(try harness.export() == exportBefore, "a dry run changed the data")
        let statusAfter = try harness.status()
        #expect(statusAfter.changes == statusBefore.changes, "a dry run recorded a transaction")
        #expect(!statusAfter.text.contains("CHG-DRY"))

        // The real import then does what the dry run said.
        let real = try harness.cmdb("import", Paths.sampleChanges)
        #expect(real.exitCode == 0, "\(real)")
        #expect(real.err.contains("1 CIs added, 17 changed, 0 unchanged; 4 relations added, 0 changed, 0 unchanged"),
            "\(real.err)")

        // A dry run of the sample into an empty database.
        let empty = harness.sandbox.path("empty")
        try harness.makeDatabase(empty)
        let emptyBefore = try fileBytes(empty + "/data.mdb")
        let dryEmpty = try harness.cmdb("import", Paths.sample, "--dry-run", db: empty)
        #expect(dryEmpty.exitCode == 0, "\(dryEmpty)")
        #expect(dryEmpty.out.contains("424 CIs added"), "\(dryEmpty.out)")
        #expect(dryEmpty.out.contains("872 relations added"), "\(dryEmpty.out)")
        #expect(try harness.status(empty).ciCount == 0)
        #expect(JSONL.lines(try harness.export(empty)).isEmpty)
        #expect(try fileBytes(empty + "/data.mdb") == emptyBefore, "a dry run modified data.mdb")
    }

    @Test("--change and --actor are recorded and shown by status")
    func changeAndActorRecorded() throws {
        try harness.makeDatabase()
        let first = try harness.cmdb("import", Paths.sample, "--change", "CHG0001234", "--actor", "alice")
        #expect(first.exitCode == 0, "\(first)")
        let tx = try #require(first.err.firstMatch(of: /as transaction (\d+)/).flatMap { Int($0.1) }, "\(first.err)")

        // Without --change; actor from $CMDB_ACTOR.
        let second = try harness.cmdb("import", Paths.sampleChanges, environment: ["CMDB_ACTOR": "bob"])
        #expect(second.exitCode == 0, "\(second)")

        let status = try harness.status()
        let byAlice = try #require(status.changes.first { $0.transaction == tx }, "tx \(tx) missing:\n\(status.text)")
        #expect(byAlice.actor == "alice")
        #expect(byAlice.changeReference == "CHG0001234")
        #expect(byAlice.what.contains("+424"), "\(byAlice)")

        let latest = try #require(status.changes.first)
        #expect(latest.transaction == tx + 1)
        #expect(latest.actor == "bob")
        #expect(latest.changeReference == "(none)")
        #expect(status.changes.map(\.transaction) == status.changes.map(\.transaction).sorted(by: >),
            "recent changes should be newest first")
    }
}
