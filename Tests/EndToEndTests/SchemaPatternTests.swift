import Foundation
import Testing

/// A schema's id_pattern must compile: an invalid one would make the naming rule silently check nothing.
struct SchemaPatternTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("schema apply refuses an invalid id_pattern with file:line:column and changes nothing")
    func invalidIDPatternRefused() throws {
        try harness.makeDatabase(withSample: true)
        let shown = try harness.succeed("schema", "show").out
        let needle = "id_pattern: '^[a-z0-9][a-z0-9.-]*$'"
        let range = try #require(shown.range(of: needle), "the built-in schema has no id_pattern line")
        let line = shown[..<range.lowerBound].filter { $0 == "\n" }.count + 1
        let column = (shown[..<range.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).last?.count ?? 0)
            + "id_pattern: ".count + 1
        let bad = try harness.sandbox.write("bad.yaml", shown.replacingCharacters(in: range, with: "id_pattern: '(['"))
        let result = try harness.cmdb("schema", "apply", bad)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("bad.yaml:\(line):\(column): 'id_pattern' '([' is not a valid regular expression"),
            "\(result)")
        #expect(try harness.succeed("schema", "show").out == shown)
    }

    @Test("a hostile id_pattern cannot hang the audit: patterns are matched in linear time")
    func catastrophicPatternRunsInLinearTime() throws {
        try harness.makeDatabase()
        let shown = try harness.succeed("schema", "show").out
        let needle = "id_pattern: '^[a-z0-9][a-z0-9.-]*$'"
        let range = try #require(shown.range(of: needle), "the built-in schema has no id_pattern line")
        // Nested alternatives a backtracking matcher tries in 2^n ways on an id of n 'a's that ends in a 'b'.
        let hostile = try harness.sandbox.write(
            "hostile.yaml", shown.replacingCharacters(in: range, with: "id_pattern: '^(a|a)*$'"))
        try harness.succeed("schema", "apply", hostile)
        let id = String(repeating: "a", count: 60) + "b"
        let line = #"{"kind":"ci","id":"\#(id)","class":"VirtualServer","attrs":{"name":"x","cpu":1}}"# + "\n"
        try harness.succeed("import", "-", stdin: Data(line.utf8))
        let result = try harness.run(["--db", harness.db, "audit", "--format", "json", "--fail-on", "low"], timeout: 60)
        #expect(result.signal == nil, "audit was killed: \(result)")
        #expect(result.exitCode == 1, "the id breaks the naming rule (severity low): \(result)")
        #expect(result.out.contains("id-naming") && result.out.contains(id), "\(result)")
    }

    @Test("id_pattern uses the Java syntax of =~ and refuses what cannot run in linear time")
    func backReferencesRefused() throws {
        try harness.makeDatabase()
        let shown = try harness.succeed("schema", "show").out
        let needle = "id_pattern: '^[a-z0-9][a-z0-9.-]*$'"
        let range = try #require(shown.range(of: needle))
        let bad = try harness.sandbox.write("bad.yaml", shown.replacingCharacters(in: range, with: #"id_pattern: '^(a)\1$'"#))
        let result = try harness.cmdb("schema", "apply", bad)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("is not a valid regular expression"), "\(result)")
    }
}
