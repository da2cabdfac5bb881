import Foundation
import Testing

/// Schema rules that could never hold or contradict the CI model are refused by `init --schema` and
/// `schema apply` (file:line:column, exit 2, nothing changed); `values:` on numbers and lists is checked on writes.
struct SchemaRuleTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    /// A one-class schema whose attribute `a` of class `S` is declared by `attribute`.
    func schema(_ attribute: String, statuses: String = "[live]", classExtra: String = "") -> String {
        "version: 1\nstatuses: \(statuses)\nclasses:\n  S:\n\(classExtra)    attributes:\n      a: \(attribute)\n"
    }

    @Test(
        "init --schema and schema apply refuse rules that cannot hold, naming file:line:column",
        arguments: [
            ("{type: list, values: [a, b], min: 1}", "", "[live]", 6, "'min'"),
            ("{type: string, min: 5, max: 6}", "", "[live]", 6, "'min'"),
            ("{type: date, min: 5}", "", "[live]", 6, "'min'"),
            ("{type: bool, values: [true]}", "", "[live]", 6, "'values'"),
            ("{type: int, values: [1, two]}", "", "[live]", 6, "'two'"),
            ("{type: int, min: 10, max: 1}", "", "[live]", 6, "no value"),
            ("{type: int, min: 10, max: 20, default: 50}", "", "[live]", 6, "default"),
            ("{type: string, values: [x, y], default: z}", "", "[live]", 6, "default"),
            ("{type: int}", "    expects: [{relation: NO_SUCH_TYPE, direction: out}]\n", "[live]", 5, "NO_SUCH_TYPE"),
            ("{type: int}", "    identify: [[no_such_attr]]\n", "[live]", 5, "no_such_attr"),
            ("{type: int}", "    identify: [[a], []]\n", "[live]", 5, "empty"),
            ("{type: int}", "    attributes:\n      name: {type: int}\n", "[live]", 6, "'name'"),
            ("{type: int}", "", "[live, live]", 2, "twice"),
            ("{type: int}", "", "[live, \"\"]", 2, "empty"),
        ] as [(String, String, String, Int, String)])
    func refusedRules(attribute: String, classExtra: String, statuses: String, line: Int, words: String) throws {
        var text = schema(attribute, statuses: statuses, classExtra: classExtra)
        if classExtra.hasPrefix("    attributes:") {
            // The reserved attribute goes in the same attributes mapping.
            text = "version: 1\nstatuses: \(statuses)\nclasses:\n  S:\n    attributes:\n      name: {type: int}\n"
        }
        let file = try harness.sandbox.write("rule.yaml", text)
        let refused = try harness.cmdb("init", "--schema", file)
        #expect(refused.exitCode == 2, "\(text)\n\(refused)")
        #expect(refused.err.contains("\(file):\(line):"), "\(text)\n\(refused.err)")
        #expect(refused.err.contains("SchemaError.InvalidSchemaFile"), "\(refused.err)")
        #expect(refused.err.contains(words), "\(text)\n\(refused.err)")
        #expect(!FileManager.default.fileExists(atPath: harness.db + "/data.mdb"), "a refused init created a database")

        try harness.makeDatabase()
        let before = try harness.succeed("schema", "show").out
        let applied = try harness.cmdb("schema", "apply", file)
        #expect(applied.exitCode == 2, "\(text)\n\(applied)")
        #expect(applied.err.contains("\(file):\(line):"), "\(applied.err)")
        #expect(try harness.succeed("schema", "show").out == before, "a refused schema apply changed the schema")
    }

    @Test("values: on int, float and list attributes is checked on every write")
    func valuesOnNumbersAndLists() throws {
        let text = "version: 1\nstatuses: [live]\nclasses:\n  S:\n    attributes:\n"
            + "      level: {type: int, values: [1, 2, 3], default: 2}\n"
            + "      ratio: {type: float, values: [0.5, 1]}\n"
            + "      tags:  {type: list, values: [a, b]}\n"
        try harness.succeed("init", "--schema", harness.sandbox.write("values.yaml", text))
        try harness.succeed("query", "CREATE (:S {id:'s1', level: 3, ratio: 1, tags: ['a', 'b', 'a']})")
        for (write, words) in [
            ("CREATE (:S {id:'s2', level: 99})", "99"),
            ("CREATE (:S {id:'s2', ratio: 0.25})", "0.25"),
            ("CREATE (:S {id:'s2', tags: ['a', 'zzz']})", "zzz"),
            ("CREATE (:S {id:'s2', tags: ['a', 1]})", "1"),
            ("MATCH (s {id:'s1'}) SET s.level = 4", "4"),
        ] {
            let refused = try harness.cmdb("query", write)
            #expect(refused.exitCode == 2, "\(write)\n\(refused)")
            #expect(refused.err.contains("SchemaError.InvalidAttributeValue"), "\(write)\n\(refused.err)")
            #expect(refused.err.contains(words), "\(write)\n\(refused.err)")
        }
        let import1 = try harness.sandbox.write(
            "bad.jsonl", #"{"kind":"ci","id":"s3","class":"S","attrs":{"level":7}}"# + "\n")
        let imported = try harness.cmdb("import", import1)
        #expect(imported.exitCode == 2 && imported.err.contains("\(import1):1:"), "\(imported)")
        let rows = try harness.succeed("query", "MATCH (s:S) RETURN s.id, s.level", "--format", "csv").out
        #expect(rows.contains("s1,3") && !rows.contains("s2") && !rows.contains("s3"), "\(rows)")
    }

    @Test("a schema that names attributes of subclasses in identify, and the reserved name as a string, still loads")
    func acceptedRules() throws {
        let text = "version: 1\nstatuses: [live]\nclasses:\n  Server:\n    identify: [[serial], [hostname], [name]]\n"
            + "    attributes:\n      hostname: {type: string}\n      name: {type: string, required: true}\n"
            + "  Physical:\n    parent: Server\n    attributes:\n      serial: {type: string}\n"
            + "      cpu: {type: int, min: 1, max: 1, default: 1}\n"
        try harness.succeed("init", "--schema", harness.sandbox.write("ok.yaml", text))
        try harness.succeed("query", "CREATE (:Physical {id:'p1', name: 'one', serial: 'x'})")
    }
}
