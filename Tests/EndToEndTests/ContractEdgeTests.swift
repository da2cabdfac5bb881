import Foundation
import Testing

/// Edges of the import contract: repeated ids, class changes, temporary files, the generator.
struct ContractEdgeTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("a file that gives one CI or relation two different states is refused; exact repeats are fine")
    func sameIdTwiceInOneFile() throws {
        try harness.makeDatabase()
        let conflicting = try harness.sandbox.write("twice.jsonl", """
            {"kind":"ci","id":"db-1","class":"Database","attrs":{"engine":"postgres"}}
            {"kind":"ci","id":"db-2","class":"Database"}
            {"kind":"ci","id":"db-1","class":"Database","attrs":{"engine":"mysql"}}

            """)
        let refused = try harness.cmdb("import", conflicting)
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.err.contains("\(conflicting):3: CI 'db-1' is given more than once"), "\(refused.err)")
        #expect(try harness.status().ciCount == 0, "nothing was written")

        let relations = try harness.sandbox.write("rels.jsonl", """
            {"kind":"ci","id":"db-1","class":"Database"}
            {"kind":"ci","id":"db-2","class":"Database"}
            {"kind":"rel","type":"DEPENDS_ON","from":"db-1","to":"db-2","attrs":{"weight":1}}
            {"kind":"rel","type":"DEPENDS_ON","from":"db-1","to":"db-2","attrs":{"weight":2}}

            """)
        let refusedRelation = try harness.cmdb("import", relations)
        #expect(refusedRelation.exitCode == 2, "\(refusedRelation)")
        #expect(refusedRelation.err.contains("\(relations):4:"), "\(refusedRelation.err)")

        let repeated = try harness.sandbox.write("repeated.jsonl", """
            {"kind":"ci","id":"db-1","class":"Database","attrs":{"engine":"mysql"}}
            {"kind":"ci","id":"db-1","class":"Database","attrs":{"engine":"mysql"}}

            """)
        try harness.succeed("import", repeated)
        let before = try harness.status()
        let again = try harness.cmdb("import", repeated)
        #expect(again.exitCode == 0 && again.err.contains("nothing changed"), "\(again)")
        #expect(try harness.status().changes == before.changes, "a re-import recorded a transaction")
    }

    @Test("the conflict check holds past the 256th relation type of an import (those are kept unpacked)")
    func conflictingLinesBeyondPackedRelationTypes() throws {
        try harness.succeed("init", "--schema", "none")
        var lines = ["{\"kind\":\"ci\",\"id\":\"a\"}", "{\"kind\":\"ci\",\"id\":\"b\"}"]
        for n in 0..<300 {
            lines.append("{\"kind\":\"rel\",\"type\":\"T\(n)\",\"from\":\"a\",\"to\":\"b\",\"attrs\":{\"w\":1}}")
        }
        let stored = try harness.sandbox.write("types.jsonl", lines.joined(separator: "\n") + "\n")
        try harness.succeed("import", stored)
        // A re-import is unchanged; a second line for the 300th type that differs is a conflict.
        let again = try harness.cmdb("import", stored)
        #expect(again.exitCode == 0, "\(again)")
        let conflict = try harness.sandbox.write("conflict.jsonl", lines.joined(separator: "\n")
            + "\n{\"kind\":\"rel\",\"type\":\"T299\",\"from\":\"a\",\"to\":\"b\",\"attrs\":{\"w\":2}}\n")
        let result = try harness.cmdb("import", conflict)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("error[SchemaError.ConflictingLines] \(conflict):303:"), "\(result.err)")
    }

    @Test("two different lines for one CI or relation are refused when the first equals what is stored, dry run too")
    func conflictingLinesAfterAnUnchangedOne() throws {
        try harness.makeDatabase()
        let stored = """
            {"kind":"ci","id":"app-1","class":"Application","name":"Payroll","attrs":{"vendor":"SAP"}}
            {"kind":"ci","id":"db-1","class":"Database","name":"Payroll DB"}
            {"kind":"rel","type":"DEPENDS_ON","from":"app-1","to":"db-1","attrs":{"w":1}}

            """
        try harness.succeed("import", harness.sandbox.write("stored.jsonl", stored))
        let exportBefore = try harness.export()
        let before = try harness.status()

        let ci = try harness.sandbox.write("ci.jsonl", """
            {"kind":"ci","id":"app-1","class":"Application","name":"Payroll","attrs":{"vendor":"SAP"}}
            {"kind":"ci","id":"app-1","class":"Database","name":"Payroll DB","attrs":{"engine":"pg"}}

            """)
        let relation = try harness.sandbox.write("rel.jsonl", """
            {"kind":"rel","type":"DEPENDS_ON","from":"app-1","to":"db-1","attrs":{"w":1}}
            {"kind":"rel","type":"DEPENDS_ON","from":"app-1","to":"db-1","attrs":{"w":2}}

            """)
        for (file, what) in [(ci, "CI 'app-1' is given more than once"), (relation, "relation DEPENDS_ON")] {
            for dryRun in [true, false] {
                let result = try harness.run(["--db", harness.db, "import", file] + (dryRun ? ["--dry-run"] : []))
                #expect(result.exitCode == 2, "\(result)")
                #expect(result.err.contains("error[SchemaError.ConflictingLines] \(file):"), "\(result.err)")
                #expect(result.err.contains(what), "\(result.err)")
            }
        }
        #expect(try harness.cmdb("import", ci).err.contains("\(ci):2:"))
        #expect(try harness.cmdb("import", relation).err.contains("\(relation):2:"))
        #expect(try harness.export() == exportBefore, "a refused import wrote")
        #expect(try harness.status().changes == before.changes)
    }

    @Test("CIQL refuses a relation from a CI to itself as import does, so an export always imports again")
    func selfRelationThroughCIQL() throws {
        try harness.makeDatabase()
        try harness.succeed("query", "CREATE (:Application {id:'app-1'}), (:Application {id:'app-2'})")
        let exportBefore = try harness.export()
        let before = try harness.status()
        for statement in [
            "MATCH (a {id:'app-1'}) CREATE (a)-[:DEPENDS_ON]->(a)",
            "MATCH (a {id:'app-1'}) MERGE (a)-[:DEPENDS_ON]->(a)",
            "MATCH (a {id:'app-1'}), (b {id:'app-2'}) CREATE (a)-[:DEPENDS_ON]->(b), (b)-[:DEPENDS_ON]->(b)",
        ] {
            let refused = try harness.cmdb("query", statement)
            #expect(refused.exitCode == 2, "\(refused)")
            #expect(refused.err.contains("error[SchemaError.SelfRelation] 1:"), "\(refused.err)")
            #expect(refused.err.contains("a CI cannot depend on itself"), "\(refused.err)")
        }
        #expect(try harness.export() == exportBefore, "a refused statement wrote")
        #expect(try harness.status().changes == before.changes)

        // A schemaless graph allows one, in CIQL and import alike, and its export imports again.
        let open = harness.sandbox.path("open")
        try harness.succeed("init", "--schema", "none", db: open)
        try harness.succeed("query", "CREATE (a:Thing {id:'t-1', status:'live'})-[:LOOPS]->(a)", db: open)
        let other = harness.sandbox.path("open-copy")
        try harness.succeed("init", "--schema", "none", db: other)
        try harness.succeed("import", "-", db: other, stdin: try harness.export(open))

        // Such a graph does not take a schema the loop breaks: the CI is named, nothing changes.
        let schema = try harness.sandbox.write(
            "things.yaml",
            "version: 1\nstatuses: [live]\nclasses:\n  Thing: {}\nrelations:\n  LOOPS: {from: [Thing], to: [Thing]}\n")
        let refused = try harness.cmdb("schema", "apply", schema, db: open)
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.err.contains("t-1 -[LOOPS]-> t-1: a CI cannot depend on itself"), "\(refused.err)")
        #expect(try harness.succeed("schema", "show", db: open).out.contains("no schema"))
    }

    @Test("changing a CI's class in an import may not break its existing relations")
    func classChangeBreakingRelations() throws {
        try harness.makeDatabase(withSample: true)
        let exportBefore = try harness.export()
        // hv-bb-01 is a Hypervisor: MEMBER_OF clu-bb-vsphere, LOCATED_IN rack-bb-a01, CONNECTS_TO two switches;
        // a Database may have none of those relations.
        let file = try harness.sandbox.write(
            "reclass.jsonl", #"{"kind":"ci","id":"hv-bb-01","class":"Database","name":"ESX01"}"# + "\n")
        let result = try harness.cmdb("import", file)

        do {
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.err.contains("changing the class of 'hv-bb-01' to Database breaks its relation"), "\(result.err)")
            #expect(result.err.contains("\(file):1:"), "\(result.err)")
            #expect(try harness.export() == exportBefore)

            let exported = try harness.sandbox.write("export.jsonl", data: try harness.export())
            let other = harness.sandbox.path("other")
            try harness.makeDatabase(other)
            let roundTrip = try harness.cmdb("import", exported, db: other)
            #expect(roundTrip.exitCode == 0, "the export does not import into a new database: \(roundTrip)")

            let ownSchema = try harness.sandbox.write("own.yaml", try harness.succeed("schema", "show").out)
            let reapply = try harness.cmdb("schema", "apply", ownSchema)
            #expect(reapply.exitCode == 0, "the database's own schema is refused: \(reapply)")
        }
    }

    @Test("import leaves no temporary files behind, after success or failure")
    func noTemporaryFilesLeft() throws {
        try harness.makeDatabase()
        // The harness runs cmdb with TMPDIR set to this directory.
        let tmp = harness.sandbox.temporaryDirectory
        let environment = ["TMPDIR": tmp]

        // Relations first, so they wait in the spill file; once from a file, once from stdin.
        let forward = """
            {"kind":"rel","type":"RUNS_ON","from":"app-1","to":"vm-1"}
            {"kind":"ci","id":"app-1","class":"Application"}
            {"kind":"ci","id":"vm-1","class":"VirtualServer"}

            """
        let file = try harness.sandbox.write("forward.jsonl", forward)
        #expect(try harness.cmdb("import", file, environment: environment).exitCode == 0)
        #expect(try harness.cmdb("import", "-", stdin: Data(forward.utf8), environment: environment).exitCode == 0)
        let bad = Data((forward + #"{"kind":"ci","id":"x","class":"Sever"}"# + "\n").utf8)
        #expect(try harness.cmdb("import", "-", stdin: bad, environment: environment).exitCode == 2)
        #expect(try harness.cmdb("import", "-", "--dry-run", stdin: bad, environment: environment).exitCode == 2)

        let left = try FileManager.default.contentsOfDirectory(atPath: tmp)
        #expect(left.isEmpty, "temporary files left behind: \(left)")
    }

    @Test("generate is deterministic and its output imports into the built-in schema")
    func generator() throws {
        let first = try harness.run(["generate", "--cis", "2000", "--seed", "5"])
        let second = try harness.run(["generate", "--cis", "2000", "--seed", "5"])
        let other = try harness.run(["generate", "--cis", "2000", "--seed", "6"])
        for r in [first, second, other] { try #require(r.exitCode == 0, "\(r)") }
        #expect(first.stdout == second.stdout, "the same --cis and --seed gave different bytes")
        #expect(first.stdout != other.stdout, "different seeds gave the same bytes")
        #expect(first.stderr.isEmpty)
        #expect(JSONL.count(first.stdout, kind: "ci") == 2000)

        try harness.makeDatabase()
        let imported = try harness.cmdb("import", "-", stdin: first.stdout)
        #expect(imported.exitCode == 0, "\(imported)")
        let status = try harness.status()
        #expect(status.ciCount == 2000)
        #expect(status.relationCount == JSONL.count(first.stdout, kind: "rel"))

        let negative = try harness.run(["generate", "--cis", "-1"])
        #expect(negative.exitCode == 2, "\(negative)")
    }

    @Test("a schemaless node whose id is a property (not a string) shows that id once, as n.id reads it, and its CI id as paths do")
    func schemalessIdPropertyShownOnce() throws {
        try harness.succeed("init", "--schema", "none")
        try harness.succeed("query", "CREATE (n {id: 5, name: 'x'})-[:R]->(:P {id: 6}), (m {id: 'm-1', name: 'y'})")
        let table = try harness.succeed(
            "query", "MATCH p = (n {name: 'x'})-[r]->(o) RETURN n, n.id AS id, o, p", "--format", "csv").out
        #expect(table == "n,id,o,p\n\"(_1 {id: 5, name: 'x'})\",5,(_2:P {id: 6}),(_1)-[:R]->(_2)\n", "\(table)")
        // A string id is the CI's own, shown as before; JSON keeps the CI id apart from the property.
        let named = try harness.succeed("query", "MATCH (m {name: 'y'}) RETURN m", "--format", "csv").out
        #expect(named == "m\n\"({id: 'm-1', name: 'y'})\"\n", "\(named)")
        let json = try harness.succeed("query", "MATCH (n {name: 'x'}) RETURN n", "--format", "jsonl").out
        #expect(json.contains(#""attrs":{"id":5}"#), "\(json)")
    }

    @Test("under a schema an attribute called id is refused with its line: it would shadow the CI's own")
    func idIsNotAnAttribute() throws {
        try harness.makeDatabase()
        let file = try harness.sandbox.write("shadow.jsonl", """
            {"kind":"ci","id":"srv-ok","class":"PhysicalServer","name":"ok"}
            {"kind":"ci","id":"srv-a","class":"PhysicalServer","name":"a","attrs":{"id":"other"}}

            """)
        let refused = try harness.cmdb("import", file)
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.err.contains("\(file):2:") && refused.err.contains("SchemaError.UnknownAttribute"), "\(refused.err)")
        #expect(refused.err.contains("is the CI's own id"), "\(refused.err)")
        #expect(try harness.status().ciCount == 0, "nothing was written")
        try harness.succeed("import", try harness.sandbox.write("ok.jsonl", #"{"kind":"ci","id":"srv-b","class":"PhysicalServer","name":"b"}"# + "\n"))
        #expect(try harness.succeed("query", "MATCH (n {id: 'srv-b'}) RETURN n.id", "--format", "csv").out == "n.id\nsrv-b\n")
    }
}
