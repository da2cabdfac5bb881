import Foundation
import Testing

/// Strings are sequences of code points in CIQL, as in the id index: `'é'` (U+00E9) and `'e'` + U+0301 are two
/// different strings that look alike. Swift's own string comparison takes them as equal (canonical equivalence),
/// which merged two CIs in DISTINCT and grouping and made an answer depend on the plan.
@Suite("strings compare by code point")
struct UnicodeStringTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
        let lines = #"{"kind":"ci","id":"caf\u00e9","class":"Application","attrs":{"vendor":"NFC"}}"# + "\n"
            + #"{"kind":"ci","id":"cafe\u0301","class":"Application","attrs":{"vendor":"NFD"}}"# + "\n"
        try harness.succeed("import", "-", stdin: Data(lines.utf8))
    }

    private func rows(_ statement: String) throws -> [[String: Any]] {
        let result = try harness.succeed("query", statement, "--format", "jsonl")
        return result.out.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    @Test("two CIs whose ids are canonically equivalent stay two in DISTINCT, grouping, = and every plan")
    func distinctIDs() throws {
        let counts = try rows("MATCH (n:Application) RETURN count(*) AS cis, count(DISTINCT n.id) AS ids")
        #expect(counts.first?["cis"] as? Int == 2 && counts.first?["ids"] as? Int == 2, "\(counts)")
        let groups = try rows("MATCH (n:Application) RETURN n.id AS id, count(*) AS n")
        #expect(groups.count == 2, "\(groups)")
        for statement in ["MATCH (n) WHERE n.id = 'caf\\u00e9' RETURN n.vendor AS v",
            "MATCH (n) WHERE n.id + '' = 'caf\\u00e9' RETURN n.vendor AS v"]
        {
            let found = try rows(statement)
            #expect(found.count == 1 && found.first?["v"] as? String == "NFC", "\(statement): \(found)")
        }
        let distinct = try rows("UNWIND ['caf\\u00e9', 'cafe\\u0301', 'caf\\u00e9'] AS s RETURN DISTINCT s")
        #expect(distinct.count == 2, "\(distinct)")
    }

    @Test("=, STARTS WITH, ENDS WITH, CONTAINS and ORDER BY work on code points")
    func predicates() throws {
        let answer = try rows("""
            RETURN 'e\\u0301' = '\\u00e9' AS eq, 'cafe\\u0301' STARTS WITH 'cafe' AS sw, 'cafe\\u0301' CONTAINS 'e' AS ct,
              'cafe\\u0301' ENDS WITH '\\u0301' AS ew, 'caf\\u00e9' CONTAINS 'e' AS nfc, 'abcabd' CONTAINS 'abd' AS kmp,
              'e\\u0301' < '\\u00e9' AS lt
            """)
        let row = answer.first ?? [:]
        #expect(row["eq"] as? Bool == false && row["sw"] as? Bool == true && row["ct"] as? Bool == true, "\(row)")
        #expect(row["ew"] as? Bool == true && row["nfc"] as? Bool == false && row["kmp"] as? Bool == true, "\(row)")
        #expect(row["lt"] as? Bool == true, "U+0065 sorts before U+00E9: \(row)")
        let sorted = try rows("MATCH (n:Application) RETURN n.vendor AS v ORDER BY n.id")
        #expect(sorted.compactMap { $0["v"] as? String } == ["NFD", "NFC"], "\(sorted)")
    }

    @Test("writing a canonically equivalent spelling over a stored string is a change: SET and import record it")
    func writesSeeTheChange() throws {
        let set = try harness.succeed("query", "MATCH (n {id: 'caf\\u00e9'}) SET n.name = 'cafe\\u0301' RETURN n.name = 'cafe\\u0301' AS same")
        #expect(set.out.contains("true") && !set.err.contains("nothing changed"), "\(set)")
        let stored = try rows("MATCH (n {id: 'caf\\u00e9'}) RETURN n.name = 'cafe\\u0301' AS nfd, n.name = 'caf\\u00e9' AS nfc")
        #expect(stored.first?["nfd"] as? Bool == true && stored.first?["nfc"] as? Bool == false, "\(stored)")
        let line = #"{"kind":"ci","id":"caf\u00e9","class":"Application","name":"caf\u00e9","attrs":{"vendor":"NFC"}}"# + "\n"
        let imported = try harness.succeed("import", "-", stdin: Data(line.utf8))
        #expect((imported.out + imported.err).contains("1 changed"), "the NFC name is written back over the NFD one: \(imported)")
        let back = try rows("MATCH (n {id: 'caf\\u00e9'}) RETURN n.name = 'caf\\u00e9' AS nfc")
        #expect(back.first?["nfc"] as? Bool == true, "\(back)")
    }

    /// Found in review: the count store and the schema's statuses and `values:` still compared by canonical
    /// equivalence, so a status set to the other spelling kept the old one in `cmdb status`, and a schema with
    /// status 'caf\u{e9}' took 'cafe\u{301}' as that status.
    @Test("status counts and schema statuses and values compare by code point")
    func statusesByCodePoint() throws {
        let nfd = Array("cafe\u{301} 1".utf8), nfc = Array("caf\u{e9} 1".utf8)
        let boxes = harness.sandbox.path("boxes")
        try harness.succeed("init", "--schema", "none", db: boxes)
        try harness.succeed("query", "CREATE (:Box {id: 'b1', status: 'caf\\u00e9'})", db: boxes)
        try harness.succeed("query", "MATCH (n {id: 'b1'}) SET n.status = 'cafe\\u0301'", db: boxes)
        let counted = Array(try harness.succeed("status", db: boxes).out.utf8)
        #expect(counted.firstRange(of: nfd) != nil && counted.firstRange(of: nfc) == nil, "\(String(decoding: counted, as: UTF8.self))")

        let schema = try harness.sandbox.write(
            "statuses.yaml", "statuses: [live, \"caf\\u00e9\"]\nclasses:\n  Box:\n    attributes:\n      kind: {type: string, values: [\"caf\\u00e9\"]}\nrelations: {}\n")
        let declared = harness.sandbox.path("declared")
        try harness.succeed("init", "--schema", schema, db: declared)
        try harness.succeed("query", "CREATE (:Box {id: 'b1', status: 'caf\\u00e9', kind: 'caf\\u00e9'})", db: declared)
        let status = try harness.cmdb("query", "CREATE (:Box {id: 'b2', status: 'cafe\\u0301'})", db: declared)
        #expect(status.exitCode == 2 && status.err.contains("UnknownStatus"), "\(status)")
        let value = try harness.cmdb("query", "CREATE (:Box {id: 'b3', kind: 'cafe\\u0301'})", db: declared)
        #expect(value.exitCode == 2 && value.err.contains("must be one of"), "\(value)")
    }
}
