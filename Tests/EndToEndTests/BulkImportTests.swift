import Foundation
import Testing

/// The import's write path through the binary: relations put without a lookup first (appended when their key
/// sorts last), ends created in the same file or already stored, repeated lines, and all-or-nothing at the end.
struct BulkImportTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("repeated relation lines are no change, a second state of one is refused, ends new or stored")
    func repeatedRelationLines() throws {
        try harness.makeDatabase(withSample: true)
        let before = try harness.status()
        // vm-new-1 is created here and hv-bb-01 is stored; vm-new-2's relation comes before the CI (spilled) and
        // again after it; the relation to clu-bb-vsphere sorts before the ones appended above it.
        let file = try harness.sandbox.write("repeats.jsonl", """
            {"kind":"ci","id":"vm-new-1","class":"VirtualServer","attrs":{"cpu":2}}
            {"kind":"rel","type":"HOSTED_ON","from":"vm-new-1","to":"hv-bb-01","attrs":{"slot":1}}
            {"kind":"rel","type":"HOSTED_ON","from":"vm-new-1","to":"hv-bb-01","attrs":{"slot":1}}
            {"kind":"rel","type":"HOSTED_ON","from":"vm-new-2","to":"hv-bb-01"}
            {"kind":"ci","id":"vm-new-2","class":"VirtualServer"}
            {"kind":"rel","type":"HOSTED_ON","from":"vm-new-2","to":"hv-bb-01"}
            {"kind":"rel","type":"MEMBER_OF","from":"hv-bb-01","to":"clu-bb-vsphere","attrs":{}}

            """)
        let result = try harness.cmdb("import", file)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.err.contains("2 CIs added"), "\(result.err)")
        #expect(result.err.contains("2 relations added, 0 changed, 3 unchanged"), "\(result.err)")
        let status = try harness.status()
        #expect(status.ciCount == before.ciCount + 2)
        #expect(status.relationCount == before.relationCount + 2)
        let rows = try harness.succeed(
            "query", "MATCH (v)-[r:HOSTED_ON]->(h {id: 'hv-bb-01'}) WHERE v.id STARTS WITH 'vm-new' "
                + "RETURN v.id AS v, r.slot AS s ORDER BY v", "--format", "jsonl"
        ).out
        #expect(rows == #"{"v":"vm-new-1","s":1}"# + "\n" + #"{"v":"vm-new-2","s":null}"# + "\n", "\(rows)")

        // The same again changes nothing; a changed attribute is one change, with the old state in the history.
        let again = try harness.cmdb("import", file)
        #expect(again.exitCode == 0 && again.err.contains("nothing changed"), "\(again)")
        let latest = try #require(try harness.status().latestTransaction)
        let update = try harness.sandbox.write("update.jsonl", """
            {"kind":"rel","type":"HOSTED_ON","from":"vm-new-1","to":"hv-bb-01","attrs":{"slot":2}}

            """)
        let updated = try harness.cmdb("import", update)
        #expect(updated.err.contains("0 relations added, 1 changed, 0 unchanged"), "\(updated)")
        let slots = try harness.succeed(
            "query", "MATCH ({id: 'vm-new-1'})-[r:HOSTED_ON]->() RETURN r.slot AS now", "--format", "jsonl").out
        #expect(slots == #"{"now":2}"# + "\n", "\(slots)")
        let past = try harness.succeed(
            "query", "MATCH ({id: 'vm-new-1'})-[r:HOSTED_ON]->() RETURN r.slot AS slot AS OF TX \(latest)",
            "--format", "jsonl"
        ).out
        #expect(past == #"{"slot":1}"# + "\n", "\(past)")
    }

    @Test("two states of a relation whose from is new in the file are refused, and nothing is written")
    func conflictingRelationOfNewCI() throws {
        try harness.makeDatabase(withSample: true)
        let exportBefore = try harness.export()
        let file = try harness.sandbox.write("conflict.jsonl", """
            {"kind":"ci","id":"vm-new-1","class":"VirtualServer"}
            {"kind":"rel","type":"HOSTED_ON","from":"vm-new-1","to":"hv-bb-01","attrs":{"slot":1}}
            {"kind":"rel","type":"HOSTED_ON","from":"vm-new-1","to":"hv-bb-01","attrs":{"slot":2}}

            """)
        let result = try harness.cmdb("import", file)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("\(file):3: relation HOSTED_ON between the same CIs is given more than once"),
            "\(result.err)")
        #expect(try harness.export() == exportBefore, "nothing was written")
    }

    @Test("a bad line late in a large file leaves nothing: no CI, relation, id or transaction")
    func lateFailureLeavesNothing() throws {
        try harness.makeDatabase(withSample: true)
        let exportBefore = try harness.export()
        let before = try harness.status()
        var lines: [String] = []
        for i in 0..<2000 { lines.append(#"{"kind":"ci","id":"vm-bulk-\#(i)","class":"VirtualServer"}"#) }
        for i in 0..<2000 {
            lines.append(#"{"kind":"rel","type":"HOSTED_ON","from":"vm-bulk-\#(i)","to":"hv-bb-01"}"#)
            lines.append(#"{"kind":"rel","type":"DEPENDS_ON","from":"vm-bulk-\#(i)","to":"vm-bulk-\#((i + 1) % 2000)"}"#)
        }
        lines.append(#"{"kind":"ci","id":"vm-bulk-last","class":"NoSuchClass"}"#)
        let file = try harness.sandbox.write("late.jsonl", lines.joined(separator: "\n") + "\n")
        let result = try harness.cmdb("import", file)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("\(file):\(lines.count):"), "\(result.err)")
        #expect(try harness.export() == exportBefore)
        let after = try harness.status()
        #expect(after.changes == before.changes && after.ciCount == before.ciCount)
        // The ids were not kept either: the same file without its bad line loads, every CI new.
        let good = try harness.sandbox.write("good.jsonl", lines.dropLast().joined(separator: "\n") + "\n")
        let loaded = try harness.cmdb("import", good)
        #expect(loaded.exitCode == 0, "\(loaded)")
        #expect(loaded.err.contains("2000 CIs added") && loaded.err.contains("4000 relations added"), "\(loaded.err)")
    }

    @Test("an import that runs past --timeout stops with Limit.Timeout and writes nothing")
    func importPastItsTimeLimit() throws {
        try harness.makeDatabase(withSample: true)
        let exportBefore = try harness.export()
        // Enough lines that reading and applying them takes well over 0.05 s, even in a release build.
        var text = ""
        for i in 0..<150_000 { text += #"{"kind":"ci","id":"vm-slow-\#(i)","class":"VirtualServer","name":"slow \#(i)"}"# + "\n" }
        let file = try harness.sandbox.write("slow.jsonl", text)
        let result = try harness.cmdb("import", file, "--timeout", "0.05")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("Limit.Timeout") && result.err.contains("0.05 s"), "\(result.err)")
        // Where it was: applying the file's lines, or waiting for its reader to hand over the next ones.
        #expect(
            result.err.contains("was stopped while applying '\(file)', after line ")
                || result.err.contains("was stopped while reading '\(file)' ("), "\(result.err)")
        #expect(try harness.export() == exportBefore, "the stopped import wrote")
    }
}
