import Foundation
import Testing

@testable import CIQLSyntax

/// Parses every query of the openCypher TCK's clause and expression features (temporal excluded), read in place
/// from `../shared/tck` (or `CIQL_TCK_DIR`), so parser regressions on real Cypher show up as a falling count.
///
/// Set `CIQL_TCK_REPORT=/path` to write every query that does not behave to that file.
struct TCKParseTests {
    struct Query {
        var file: String
        var scenario: String
        var text: String
        /// The `SyntaxError` code the TCK expects at compile time, if any.
        var expectedError: String?
    }

    static let featuresDirectory: String = {
        if let directory = ProcessInfo.processInfo.environment["CIQL_TCK_DIR"] { return directory }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent("../shared/tck/features").standardizedFileURL.path
    }()

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: featuresDirectory) }

    /// Error codes that are about the text itself; a parser must reject these.
    static let syntacticErrorCodes: Set<String> = [
        "UnexpectedSyntax", "IntegerOverflow", "InvalidNumberLiteral", "FloatingPointOverflow",
        "InvalidUnicodeLiteral", "InvalidUnicodeCharacter",
    ]

    @Test(
        "the TCK's clause and expression queries parse; syntactic errors are rejected",
        .enabled(if: TCKParseTests.isAvailable, "the openCypher TCK is not at ../shared/tck"))
    func tckQueriesParse() throws {
        let queries = try TCKParseTests.loadQueries()
        var valid = 0
        var validParsed = 0
        var errors: [String: (total: Int, rejected: Int)] = [:]
        var report: [String] = []
        for query in queries {
            let parsed: Bool
            var message = ""
            do {
                _ = try CIQLParser.parse(query.text)
                parsed = true
            } catch {
                parsed = false
                message = error.rendered(source: query.text)
            }
            if let code = query.expectedError {
                errors[code, default: (0, 0)].total += 1
                if !parsed { errors[code, default: (0, 0)].rejected += 1 }
                if parsed, TCKParseTests.syntacticErrorCodes.contains(code) {
                    report.append("ACCEPTED (expected \(code)) \(query.file) — \(query.scenario)\n\(query.text)\n")
                }
            } else {
                valid += 1
                if parsed {
                    validParsed += 1
                } else {
                    report.append("REJECTED \(query.file) — \(query.scenario)\n\(query.text)\n\(message)\n")
                }
            }
        }
        let syntactic = errors.filter { TCKParseTests.syntacticErrorCodes.contains($0.key) }
        let syntacticTotal = syntactic.values.reduce(0) { $0 + $1.total }
        let syntacticRejected = syntactic.values.reduce(0) { $0 + $1.rejected }
        var summary =
            "TCK: \(validParsed) of \(valid) valid queries parse; syntactic errors rejected: "
            + "\(syntacticRejected) of \(syntacticTotal)\n"
        for (code, counts) in errors.sorted(by: { $0.key < $1.key }) {
            summary += "  \(code): \(counts.rejected) of \(counts.total) rejected by the parser\n"
        }
        if let path = ProcessInfo.processInfo.environment["CIQL_TCK_REPORT"] {
            try (summary + "\n" + report.joined(separator: "\n")).write(toFile: path, atomically: true, encoding: .utf8)
        }
        print(summary)
        #expect(valid > 1000)
        #expect(Double(validParsed) >= 0.99 * Double(valid), "\(summary)")
        #expect(syntacticRejected == syntacticTotal, "\(summary)")
    }

    /// Every query of the `.feature` files under `clauses/` and `expressions/` (not temporal).
    static func loadQueries() throws -> [Query] {
        var queries: [Query] = []
        for area in ["clauses", "expressions"] {
            let base = featuresDirectory + "/" + area
            guard let enumerator = FileManager.default.enumerator(atPath: base) else { continue }
            let files = enumerator.compactMap { $0 as? String }
                .filter { $0.hasSuffix(".feature") && !$0.hasPrefix("temporal") }.sorted()
            for file in files {
                let text = try String(contentsOfFile: base + "/" + file, encoding: .utf8)
                queries += queriesOfFeature(text, file: area + "/" + file)
            }
        }
        return queries
    }

    /// The queries of one Gherkin feature; a Scenario Outline gives one query per row of its Examples.
    static func queriesOfFeature(_ text: String, file: String) -> [Query] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var queries: [Query] = []
        var scenario = ""
        var scenarioQueries: [Query] = []
        var examples: [[String: String]] = []
        var header: [String]?
        var inExamples = false

        func flush() {
            if examples.isEmpty {
                queries += scenarioQueries
            } else {
                for row in examples {
                    for var query in scenarioQueries {
                        for (key, value) in row {
                            query.text = query.text.replacingOccurrences(of: "<\(key)>", with: value)
                        }
                        query.scenario += " " + row.description
                        queries.append(query)
                    }
                }
            }
            scenarioQueries = []
            examples = []
            header = nil
            inExamples = false
        }

        var i = 0
        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            i += 1
            if line.hasPrefix("Scenario") {
                flush()
                scenario = line
            } else if line.hasPrefix("Examples:") {
                inExamples = true
            } else if inExamples, line.hasPrefix("|") {
                let cells = line.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                if let header {
                    examples.append(Dictionary(zip(header, cells), uniquingKeysWith: { a, _ in a }))
                } else {
                    header = cells
                }
            } else if line.hasSuffix("executing query:") || line.hasSuffix("having executed:") {
                guard i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) == "\"\"\"" else { continue }
                let indent = lines[i].prefix { $0 == " " }.count
                i += 1
                var body: [String] = []
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) != "\"\"\"" {
                    body.append(String(lines[i].dropFirst(min(indent, lines[i].prefix { $0 == " " }.count))))
                    i += 1
                }
                i += 1
                scenarioQueries.append(Query(file: file, scenario: scenario, text: body.joined(separator: "\n")))
            } else if line.contains("SyntaxError should be raised at compile time:") {
                let code = line.components(separatedBy: "compile time:").last?.trimmingCharacters(in: .whitespaces)
                if let last = scenarioQueries.indices.last { scenarioQueries[last].expectedError = code }
            }
        }
        flush()
        return queries
    }
}
