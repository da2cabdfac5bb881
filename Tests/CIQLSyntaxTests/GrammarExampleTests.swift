import Foundation
import Testing

@testable import CIQLSyntax

/// `grammar/ciql.ebnf` is the source of truth: every example in it must parse, and every production is explained.
struct GrammarExampleTests {
    static let grammarPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("grammar/ciql.ebnf").path

    static func grammarLines() throws -> [String] {
        try String(contentsOfFile: grammarPath, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .map(String.init)
    }

    /// The text of every `/* example: … */` line.
    static func examples() throws -> [String] {
        try grammarLines().compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("/* example: "), trimmed.hasSuffix(" */") else { return nil }
            return String(trimmed.dropFirst("/* example: ".count).dropLast(" */".count))
        }
    }

    @Test func everyExampleInTheGrammarParses() throws {
        let examples = try GrammarExampleTests.examples()
        #expect(examples.count >= 60)
        for example in examples {
            do {
                let statements = try CIQLParser.parse(example)
                #expect(!statements.isEmpty, "\(example)")
            } catch {
                Issue.record("grammar example does not parse:\n\(error.rendered(source: example))")
            }
        }
    }

    @Test func everyProductionHasAComment() throws {
        var previousNonBlank = ""
        var productions = 0
        for line in try GrammarExampleTests.grammarLines() {
            if let range = line.range(of: " ::="), !line.hasPrefix(" ") {
                productions += 1
                #expect(previousNonBlank.hasSuffix("*/"), "production \(line[..<range.lowerBound]) has no comment")
            }
            if !line.trimmingCharacters(in: .whitespaces).isEmpty { previousNonBlank = line }
        }
        #expect(productions >= 60)
    }
}
