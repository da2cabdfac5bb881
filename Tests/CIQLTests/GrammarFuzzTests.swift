import CIQL
import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import Foundation
import GraphStorage
import Testing

/// Random statements derived from grammar/ciql.ebnf, planned and run against the sample CMDB with a time limit and a
/// memory budget per statement: each must answer or fail with an error; a crash ends the test run, and a statement
/// that outlives its time limit by far (a hang the limit did not stop) fails the test.
///
/// `CIQL_GRAMMAR_FUZZ_SECONDS` sets the wall-clock budget (default 30), `CIQL_GRAMMAR_FUZZ_SEED` the seed.
struct GrammarFuzzTests {
    static let seconds = ProcessInfo.processInfo.environment["CIQL_GRAMMAR_FUZZ_SECONDS"].flatMap { Double($0) } ?? 30
    static let seed = ProcessInfo.processInfo.environment["CIQL_GRAMMAR_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x6A_F022

    static func grammar() throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("grammar/ciql.ebnf")
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test("the generator reads every production of the grammar and derives varied statements")
    func generatorCoversTheGrammar() throws {
        var generator = try GrammarGenerator(grammar: Self.grammar(), seed: 1)
        for production in ["Statement", "Query", "Match", "Expression", "PatternElement", "CaseExpression", "Reduce"] {
            #expect(generator.rules[production] != nil, "no production \(production)")
        }
        let statements = Set((0..<200).map { _ in generator.statement() })
        #expect(statements.count > 150)
        let parsed = statements.filter { (try? CIQLParser.parse($0)) != nil }
        #expect(parsed.count > 40, "too few generated statements parse: \(parsed.count) of \(statements.count)")
    }

    @Test("generated statements run on the sample within their limits: answers or errors, no crash, no hang")
    func generatedStatementsRunWithinLimits() throws {
        let fixture = try FixtureDatabase()
        var generator = try GrammarGenerator(grammar: Self.grammar(), seed: Self.seed)
        let limits = StatementLimits(timeout: 1, maximumMemory: 64 << 20)
        let parameters: [String: Value] = ["id": .string("srv-dc01"), "n": .int(2), "list": .list([.int(1), .string("a")])]
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int(Self.seconds * 1000))
        var tried = 0, ran = 0, failed = 0, limited = 0
        var slowest = Duration.zero
        while clock.now < end {
            let text = generator.statement()
            tried += 1
            guard let statements = try? CIQLParser.parse(text) else { continue }
            for statement in statements {
                let started = clock.now
                do {
                    try fixture.engine.execute(
                        statement, change: ChangeInfo(actor: "fuzz", changeReference: "FUZZ", origin: "fuzz"),
                        limits: limits, into: CollectingSink(limits: limits))
                    ran += 1
                } catch let error as CIQLError {
                    failed += 1
                    if error.message.contains("time limit") || error.message.contains("budget") { limited += 1 }
                } catch {
                    failed += 1  // schema and storage errors from generated writes are answers too
                }
                let took = clock.now - started
                slowest = max(slowest, took)
                #expect(took < .seconds(10), "ran \(took) despite a 1 s limit: \(text)")
            }
        }
        print("grammar fuzz: \(tried) statements from seed \(Self.seed), \(ran) ran, \(failed) failed "
            + "(\(limited) at a limit), slowest \(slowest)")
        #expect(ran > 20, "too few generated statements ran: \(ran) of \(tried)")
    }
}
