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
}
