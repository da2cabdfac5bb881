import CIQL
import Shell
import Testing

/// Reading the shell's `:` commands and collecting statements across lines.
struct MetaCommandTests {
    @Test(
        "meta-commands",
        arguments: [
            (":help", MetaCommand.help), (":quit", .quit), (":exit", .quit), (":timing", .timing(nil)),
            (":timing off", .timing(false)), (":format csv", .format(.csv)), (":FORMAT json;", .format(.json)),
            (":param team => 'platform-team'", .setParameter(name: "team", expression: "'platform-team'")),
            (":param $ids=>['a', 'b']", .setParameter(name: "ids", expression: "['a', 'b']")),
            (":params", .listParameters), (":param clear", .clearParameters),
            (":change CHG0001234", .change(.set("CHG0001234"))), (":change", .change(.show)), (":change off", .change(.clear)),
            (":change \u{3000}\u{00A0}", .change(.show)),
            (":schema", .schema), (":describe web-01", .describe("web-01")), (":history 'web-01'", .history("web-01")),
            (":impact hv-1 hv-2", .impact(["hv-1", "hv-2"])),
            // A quoted id is a CIQL string: escapes as tab completion writes them, spaces inside.
            (":describe 'evil\\u001B[2J'", .describe("evil\u{1B}[2J")), (":history \"o'brien\"", .history("o'brien")),
            (":describe 'o\\'brien';", .describe("o'brien")),
            (":impact 'two words' hv-1 \"a\\\\b\"", .impact(["two words", "hv-1", "a\\b"])),
        ])
    func parses(_ line: String, _ expected: MetaCommand) throws {
        #expect(try MetaCommand.parse(line) == expected)
    }

    @Test(
        "bad meta-commands say what would be right",
        arguments: [
            (":fomat csv", "unknown command ':fomat'; :help lists the commands"),
            (":desc", "unknown command ':desc' (did you mean ':describe'?); :help lists the commands"),
            (":format xml", ":format takes one of table, json, jsonl, csv, not 'xml'"),
            (":param team 'x'", "write :param name => value, e.g. :param team => 'platform-team'"),
            (":param 1x => 2", "'1x' is not a parameter name (letters, digits and _)"),
            (":describe", ":describe needs one CI id, e.g. :describe web-01"),
            (":impact", ":impact needs one or more CI ids"),
            (":describe 'a' 'b'", ":describe needs one CI id, e.g. :describe web-01"),
            (":describe 'web-01", ":describe: 'web-01 has no closing quote"),
            (":impact hv-1 'a\\q'", ":impact: 'a\\q' is not a CIQL string: invalid escape '\\q' in string; "
                + "use \\\\ \\' \\\" \\n \\t \\r \\b \\f or \\uXXXX"),
        ])
    func rejects(_ line: String, _ message: String) {
        #expect(throws: MetaCommand.ParseError(message: message)) { try MetaCommand.parse(line) }
    }

    @Test("statements end at ';' across lines, not at one inside a string or comment")
    func accumulates() {
        var accumulator = StatementAccumulator()
        #expect(accumulator.add("MATCH (n:Server)").isEmpty)
        #expect(!accumulator.isEmpty)
        #expect(accumulator.add("WHERE n.name = 'a;b' // c;").isEmpty)
        #expect(accumulator.add("RETURN n; RETURN 1;") == ["MATCH (n:Server)\nWHERE n.name = 'a;b' // c;\nRETURN n", "RETURN 1"])
        #expect(accumulator.isEmpty)
        #expect(accumulator.add("RETURN 2; RETURN") == ["RETURN 2"])
        accumulator.reset()
        #expect(accumulator.isEmpty)
    }
}

/// When output goes through the pager.
struct PagerTests {
    @Test("output pages when it has as many lines as the terminal has rows (one is the prompt's)")
    func needsPaging() {
        let lines = String(repeating: "x\n", count: 24)
        #expect(Pager.needsPaging(lines, rows: 24))
        #expect(!Pager.needsPaging(lines, rows: 25))
        #expect(!Pager.needsPaging("", rows: 1))
    }
}
