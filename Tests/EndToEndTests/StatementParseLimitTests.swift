import Foundation
import Testing

/// Parsing a statement is bounded: a statement of more tokens than the limit is refused before it is parsed, and
/// an error in a long line shows a bounded excerpt of the line around its place, through the binary.
@Suite("statement parse limits", .serialized)
struct StatementParseLimitTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
    }

    private func query(_ text: String, _ extra: String...) throws -> CommandResult {
        let file = try harness.sandbox.write("statement-\(text.utf8.count).ciql", text)
        return try harness.run(["--db", harness.db, "query", "-f", file, "--format", "csv"] + extra)
    }

    static func flatList(_ n: Int) -> String { "RETURN size([" + Array(repeating: "1", count: n).joined(separator: ",") + "]) AS n" }

    @Test("a statement of more than 250,000 tokens is refused quickly with Limit.TooLarge, exit 2; smaller ones run")
    func tokenLimit() throws {
        let started = ContinuousClock.now
        let big = try query(Self.flatList(130_000), "--timeout", "1", "--max-memory", "50M")
        #expect(big.exitCode == 2 && big.err.contains("error[Limit.TooLarge]"), "\(big)")
        #expect(big.err.contains("250000 tokens") && big.err.utf8.count < 1_000, "\(big)")
        #expect(ContinuousClock.now - started < .seconds(3), "took \(ContinuousClock.now - started)")
        let deep = try query("RETURN " + String(repeating: "(", count: 200_000) + "1" + String(repeating: ")", count: 200_000))
        #expect(deep.exitCode == 2 && deep.err.contains("error[Limit."), "\(deep)")
        #expect(deep.err.utf8.count < 1_000, "\(deep.err.utf8.count) bytes of error")
        let fine = try query(Self.flatList(20_000))
        #expect(fine.exitCode == 0 && fine.out == "n\n20000\n", "\(fine)")
    }

    @Test("an error in a long line shows about 200 characters around its place, with the caret under it")
    func boundedExcerpt() throws {
        let result = try query("RETURN [" + String(repeating: "1, ", count: 20_000) + "] AS x")
        #expect(result.exitCode == 2 && result.err.contains("error[SyntaxError."), "\(result)")
        let lines = result.err.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count >= 3 && lines.allSatisfy { $0.count < 300 }, "\(result)")
        if lines.count >= 3, let caret = lines[2].firstIndex(of: "^") {
            let column = lines[2].distance(from: lines[2].startIndex, to: caret)
            let excerpt = Array(lines[1])
            #expect(column < excerpt.count && excerpt[column] == "]", "\(lines[1]) / \(lines[2])")
            #expect(lines[1].hasPrefix("  …"), "\(lines[1])")
        } else {
            Issue.record("no caret line: \(result)")
        }
        // Messages quote names and tokens; a huge one is shown in part.
        for text in ["RETURN 1 AS n, " + String(repeating: "x", count: 300_000) + " AS m",
                     "RETURN '" + String(repeating: "x", count: 300_000) + "' 'y' AS n"] {
            let quoting = try query(text)
            #expect(quoting.exitCode == 2 && quoting.err.contains("characters left out"), "\(quoting)")
            #expect(quoting.err.utf8.count < 3_000, "\(quoting.err.utf8.count) bytes of error")
        }
    }
}
