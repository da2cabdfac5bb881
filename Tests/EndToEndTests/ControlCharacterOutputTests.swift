import Foundation
import Testing

/// Control characters in stored values (a change reference, a CI id, an owner) never reach the output of the
/// text commands raw, also into a pipe or file: tables and text reports show them as `\u001B`-style escapes,
/// as `cmdb query` and `cmdb history` do.
@Suite(.serialized)
struct ControlCharacterOutputTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    /// A database with a planned change whose reference retitles the terminal, and a VM whose id and owner
    /// hold escape sequences, hosted on hv-1.
    private func makeHostileDatabase() throws {
        try harness.succeed("init")
        try harness.succeed(
            "import", "-", "--change", "C1", stdin: Data(#"{"kind":"ci","id":"hv-1","class":"Hypervisor"}"#.utf8 + [0x0A]))
        try harness.succeed(
            "change", "plan", "CHG\u{1B}]0;PWNED\u{07}\u{1B}[31mX", "--ci", "hv-1", "--window",
            "2026-11-22T02:00/2026-11-22T04:00")
        let lines = #"{"kind":"ci","id":"vm-\u001b[31mred","class":"VirtualServer","attrs":{"owner":"o\u001b[2J"}}"#
            + "\n" + #"{"kind":"rel","type":"HOSTED_ON","from":"vm-\u001b[31mred","to":"hv-1"}"# + "\n"
        try harness.succeed("import", "-", "--change", "C2", stdin: Data(lines.utf8))
    }

    /// `escapeShown`: the output holds a stored value with control characters (shown escaped).
    private func expectNoRawControls(
        _ arguments: String..., escapeShown: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let result = try harness.run(["--db", harness.db] + arguments)
        #expect(result.exitCode == 0, "\(result)", sourceLocation: sourceLocation)
        #expect(!result.out.contains("\u{1B}") && !result.out.contains("\u{07}"), "raw control characters in `\(arguments.joined(separator: " "))`: \(result.out.debugDescription)", sourceLocation: sourceLocation)
        #expect(!escapeShown || result.out.contains("\\u001B"), "no visible escape in `\(arguments.joined(separator: " "))`: \(result.out)", sourceLocation: sourceLocation)
    }

    @Test("change list, status and impact show control characters as escapes into a pipe")
    func textCommandsEscapeControlCharacters() throws {
        try makeHostileDatabase()
        try expectNoRawControls("change", "list")
        try expectNoRawControls("status")
        try expectNoRawControls("history", "vm-\u{1B}[31mred", escapeShown: false)
        try expectNoRawControls("impact", "hv-1", "--format", "table")
        try expectNoRawControls("impact", "hv-1")
        try expectNoRawControls("impact", "hv-1", "--format", "markdown")
        try expectNoRawControls("query", "MATCH (n) RETURN n.id, n.owner")
    }

    @Test("a right-to-left override in a stored id is shown escaped, so a table cannot show text reordered")
    func bidirectionalOverrideIsEscaped() throws {
        try harness.succeed("init", "--schema", "none")
        let line = #"{"kind":"ci","id":"invoice\u202Efdp.exe","class":"X","attrs":{"owner":"\u2067x\u2069"}}"# + "\n"
        try harness.succeed("import", "-", "--change", "C1", stdin: Data(line.utf8))
        for arguments in [["query", "MATCH (n) RETURN n.id, n.owner"], ["status"], ["history", "invoice\u{202E}fdp.exe"]] {
            let result = try harness.run(["--db", harness.db] + arguments)
            #expect(result.exitCode == 0, "\(result)")
            #expect(!result.out.unicodeScalars.contains { [0x202E, 0x2067, 0x2069].contains($0.value) }, "\(arguments): \(result.out)")
        }
        let table = try harness.succeed("query", "MATCH (n) RETURN n.id, n.owner").out
        #expect(table.contains("invoice\\u202Efdp.exe") && table.contains("\\u2067x\\u2069"), "\(table)")
        // JSON and CSV keep the value exactly; JSON escapes it, as it does every character it must.
        let csv = try harness.succeed("query", "MATCH (n) RETURN n.id AS id", "--format", "csv").out
        #expect(csv.contains("invoice\u{202E}fdp.exe"), "\(csv)")
    }
}
