import Foundation
import Testing

/// One import file with one bad line, and what the error must say about it.
struct BadLineCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// The file's lines; the bad one is `lines[badLine - 1]`.
    var lines: [String]
    var badLine: Int
    /// The 1-based column the message must name (JSON syntax errors only).
    var column: Int?
    /// Text the message must contain (what is wrong, and what would be right).
    var mentions: [String]

    var testDescription: String { name }
}

/// Valid lines the bad ones follow, so that a partial write would show in the export.
private let goodLines = [
    #"{"kind":"ci","id":"vm-new-1","class":"VirtualServer","name":"vm-new-1","status":"live","attrs":{"cpu":2,"os":"Debian 12"}}"#,
    #"{"kind":"ci","id":"hv-new-1","class":"Hypervisor","attrs":{"serial":"SN-NEW-1"}}"#,
    #"{"kind":"rel","type":"HOSTED_ON","from":"vm-new-1","to":"hv-new-1","attrs":{}}"#,
    #"{"kind":"ci","id":"srv-sql01","class":"VirtualServer","name":"SQL01","status":"maintenance","attrs":{"cpu":8}}"#,
]

/// The 1-based column where `needle` starts in `line` (0 when it is not there, which fails the test).
private func oneBasedColumn(of needle: String, in line: String) -> Int {
    guard let range = line.firstRange(of: needle) else { return 0 }
    return line.distance(from: line.startIndex, to: range.lowerBound) + 1
}

private let brokenJSON = #"{"kind":"ci","id":"srv-x","class":"VirtualServer",,"attrs":{}}"#

let badLineCases: [BadLineCase] = [
    BadLineCase(
        name: "broken JSON on line 3", lines: Array(goodLines.prefix(2)) + [brokenJSON] + [goodLines[3]],
        badLine: 3,
        column: oneBasedColumn(of: ",,", in: brokenJSON) + 1,
        mentions: []),
    BadLineCase(
        name: "truncated JSON on the last line", lines: goodLines + [#"{"kind":"ci","id":"x","#], badLine: 5,
        column: 23, mentions: []),
    BadLineCase(
        name: "unknown class suggests the close spelling",
        lines: goodLines + [#"{"kind":"ci","id":"srv-typo","class":"Sever"}"#], badLine: 5,
        mentions: ["'Sever'", "Server"]),
    BadLineCase(
        name: "attribute of the wrong type",
        lines: [goodLines[0], #"{"kind":"ci","id":"srv-four","class":"VirtualServer","attrs":{"cpu":"four"}}"#]
            + goodLines.dropFirst(),
        badLine: 2, mentions: ["cpu", "int"]),
    BadLineCase(
        name: "criticality out of range",
        lines: goodLines + [#"{"kind":"ci","id":"app-crit","class":"Application","attrs":{"criticality":7}}"#],
        badLine: 5, mentions: ["criticality", "5", "7"]),
    BadLineCase(
        name: "unknown status",
        lines: goodLines + [#"{"kind":"ci","id":"app-st","class":"Application","status":"alive"}"#], badLine: 5,
        mentions: ["'alive'", "live"]),
    BadLineCase(
        name: "relation type not allowed between the classes (Database HOSTED_ON Switch)",
        lines: goodLines + [#"{"kind":"rel","type":"HOSTED_ON","from":"db-zabbix","to":"sw-klimop-core","attrs":{}}"#],
        badLine: 5, mentions: ["HOSTED_ON", "Database", "Switch"]),
    BadLineCase(
        name: "relation type not allowed between CIs of the same file",
        lines: goodLines + [
            #"{"kind":"rel","type":"HOSTED_ON","from":"db-new","to":"sw-new","attrs":{}}"#,
            #"{"kind":"ci","id":"db-new","class":"Database"}"#, #"{"kind":"ci","id":"sw-new","class":"Switch"}"#,
        ],
        badLine: 5, mentions: ["HOSTED_ON", "Database", "Switch"]),
    BadLineCase(
        name: "relation to a CI that exists nowhere",
        lines: goodLines + [#"{"kind":"rel","type":"DEPENDS_ON","from":"vm-new-1","to":"nowhere-42","attrs":{}}"#]
            + [#"{"kind":"ci","id":"app-late","class":"Application"}"#],
        badLine: 5, mentions: ["nowhere-42"]),
    BadLineCase(
        name: "missing id", lines: goodLines + [#"{"kind":"ci","class":"Application","name":"no id"}"#], badLine: 5,
        mentions: ["\"id\""]),
    BadLineCase(
        name: "unknown kind", lines: goodLines + [#"{"kind":"thing","id":"x1"}"#], badLine: 5,
        mentions: ["'thing'"]),
    BadLineCase(
        name: "unknown relation type", lines: goodLines + [#"{"kind":"rel","type":"HOSTD_ON","from":"vm-new-1","to":"hv-new-1"}"#],
        badLine: 5, mentions: ["HOSTD_ON", "HOSTED_ON"]),
]

/// Bad input: exit 2, the place named, nothing written.
struct BadInputTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("a bad line stops the import with file:line, exit 2, and nothing is written", arguments: badLineCases)
    func badLine(_ c: BadLineCase) throws {
        try harness.makeDatabase(withSample: true)
        let exportBefore = try harness.export()
        let statusBefore = try harness.status()

        let file = try harness.sandbox.write("bad.jsonl", c.lines.joined(separator: "\n") + "\n")
        let result = try harness.cmdb("import", file, "--change", "CHG-BAD")
        #expect(result.exitCode == 2, "\(result)")
        if let column = c.column {
            #expect(result.err.contains("\(file):\(c.badLine):\(column):"), "expected \(file):\(c.badLine):\(column): in \(result.err)")
        } else {
            #expect(result.err.contains("\(file):\(c.badLine):"), "expected \(file):\(c.badLine): in \(result.err)")
        }
        for text in c.mentions {
            #expect(result.err.contains(text), "the message should mention \(text): \(result.err)")
        }
        #expect(result.stdout.isEmpty, "diagnostics belong on stderr: \(result.out)")

        #expect(try harness.export() == exportBefore, "a failed import changed the data")
        let statusAfter = try harness.status()
        #expect(statusAfter.changes == statusBefore.changes, "a failed import recorded a transaction")

        // The same file as a dry run fails the same way.
        let dry = try harness.cmdb("import", file, "--dry-run")
        #expect(dry.exitCode == 2, "\(dry)")
        #expect(dry.err.contains("\(file):\(c.badLine):"), "\(dry.err)")
    }

    @Test("a bad LAST line after thousands of valid ones writes nothing at all")
    func badLastLineOfThousands() throws {
        try harness.makeDatabase(withSample: true)
        let exportBefore = try harness.export()
        let statusBefore = try harness.status()

        let generated = try harness.run(["generate", "--cis", "1500", "--seed", "11"])
        try #require(generated.exitCode == 0, "\(generated)")
        let validLines = JSONL.lines(generated.stdout).count
        try #require(validLines > 3_000, "the generator gave only \(validLines) lines")
        var text = generated.stdout
        text.append(Data(#"{"kind":"ci","id":"srv-last","class":"VirtualServer","attrs":{"cpu":"four"}}"#.utf8))
        text.append(Data("\n".utf8))
        let file = try harness.sandbox.write("big-bad.jsonl", data: text)

        let result = try harness.cmdb("import", file)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("\(file):\(validLines + 1):"), "\(result.err)")
        #expect(try harness.export() == exportBefore, "lines before the bad one were written")
        #expect(try harness.status().changes == statusBefore.changes)

        // Without the bad line, the same file imports.
        let good = try harness.sandbox.write("big-good.jsonl", data: generated.stdout)
        let ok = try harness.cmdb("import", good)
        #expect(ok.exitCode == 0, "\(ok)")
        #expect(try harness.status().ciCount == 424 + 1500)
    }

    @Test("a bad line in the second file writes nothing of the first")
    func badLineInSecondFile() throws {
        try harness.makeDatabase()
        let bad = try harness.sandbox.write("second.jsonl", goodLines[0] + "\n" + #"{"kind":"ci","id":"x","class":"Sever"}"# + "\n")
        let result = try harness.cmdb("import", Paths.sample, bad)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("\(bad):2:"), "\(result.err)")
        #expect(!result.err.contains(Paths.sample + ":"), "the error names the wrong file: \(result.err)")
        #expect(try harness.status().ciCount == 0)
        #expect(JSONL.lines(try harness.export()).isEmpty)
    }

    @Test("an unreadable import file exits 2 and names it")
    func missingFile() throws {
        try harness.makeDatabase()
        let missing = harness.sandbox.path("no-such-file.jsonl")
        let result = try harness.cmdb("import", missing)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains(missing), "\(result.err)")
    }
}
