import Foundation
import Testing

/// What a script reading `cmdb query --format json|jsonl` gets when a statement fails after some rows: valid JSON
/// that says it failed (found by the hostile tester: a document cut off after 64 KiB with the error appended).
struct OutputOnErrorTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.succeed("init", "--schema", "none")
    }

    func object(_ text: some StringProtocol) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text.prefix(300))")
    }

    @Test("json: a document already on stdout is closed, with the error in it; otherwise the error alone")
    func jsonStaysValid() throws {
        let late = try harness.cmdb("query", "UNWIND range(1, 100000) AS x RETURN 1 / (x - 90000) AS y", "--format", "json")
        #expect(late.exitCode == 2, "\(late.err)")
        #expect(late.err.contains("error[ArithmeticError"), "\(late.err)")
        let document = try object(late.out)
        #expect(document["columns"] as? [String] == ["y"])
        let rows = try #require(document["rows"] as? [[Any]])
        #expect(rows.count > 1000 && rows.count < 90000, "\(rows.count)")
        let error = try #require(document["error"] as? [String: Any])
        #expect((error["code"] as? String)?.hasPrefix("ArithmeticError") == true, "\(error)")

        let early = try harness.cmdb("query", "UNWIND range(1, 10) AS x RETURN 1 / (x - 5) AS y", "--format", "json")
        #expect(early.exitCode == 2)
        let alone = try object(early.out)
        #expect(alone.keys.sorted() == ["error"], "\(early.out)")
    }

    @Test("jsonl: every line is an object; the last one is the error")
    func jsonlStaysValid() throws {
        let late = try harness.cmdb("query", "UNWIND range(1, 100000) AS x RETURN 1 / (x - 90000) AS y", "--format", "jsonl")
        #expect(late.exitCode == 2)
        let lines = late.out.split(separator: "\n")
        #expect(lines.count > 1000)
        for line in lines.dropLast() { #expect(try object(line)["y"] != nil) }
        #expect(try object(try #require(lines.last))["error"] != nil)
    }
}
