import CIQL
import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import ConfigurationSchema
import Foundation
import GraphStorage

/// How one scenario went.
struct ScenarioOutcome {
    enum Status: String {
        case passed, failed
        case notApplicable = "not applicable"
    }

    var status: Status
    /// Why it failed or does not apply; empty when it passed.
    var reason: String
    /// The query under test, for the detailed log.
    var query: String = ""
}

/// Runs TCK scenarios, each on a fresh schemaless CMDB in a scratch directory.
final class TCKRunner {
    let tckRoot: String
    private let scratch: String
    private var databases = 0

    /// Engine errors that come from what a CMDB deliberately lacks; a scenario that meets one does not apply.
    static let cmdbRules: [(marker: String, reason: String)] = [
        ("exactly one class", "several labels on one node (a CI has exactly one class)"),
        ("records each relation once", "several relations of one type between the same two nodes (a CMDB records each relation once)"),
    ]

    init(tckRoot: String) throws {
        self.tckRoot = tckRoot
        // tmpfs when there is one: every statement commits, and fsync on a shared disk dominates the run time.
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        scratch = base + "/cmdb-tck-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: scratch) }

    /// Why the scenario cannot apply to a CMDB, judged from its text, or nil.
    static func staticNotApplicable(_ scenario: GherkinScenario) -> String? {
        for step in scenario.steps {
            if step.text.hasPrefix("there exists a procedure") {
                return "user-defined test procedures (the TCK harness registers them)"
            }
            if let doc = step.docString, hasSeveralLabels(doc) { return cmdbRules[0].reason }
            if step.text.hasPrefix("the result should be"), let table = step.table {
                for cell in table.dropFirst().joined() {
                    if (try? TCKValueParser.parse(cell))?.hasSeveralLabels == true { return cmdbRules[0].reason }
                }
            }
        }
        return nil
    }

    /// True when a query gives one node several labels, e.g. `(:A:B)`, `SET n:A:B`, `WHERE n:A:B` (strings aside).
    static func hasSeveralLabels(_ query: String) -> Bool {
        var text = ""
        var quote: Character?
        var escaped = false
        for c in query {
            if let q = quote {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { quote = nil }
                continue
            }
            if c == "'" || c == "\"" { quote = c } else { text.append(c) }
        }
        return text.contains(#/[(A-Za-z0-9_`]\s*:\s*(?:[A-Za-z_][A-Za-z0-9_]*|`[^`]*`)\s*[:&]\s*[A-Za-z_`]/#)
    }

    func run(_ scenario: GherkinScenario) -> ScenarioOutcome {
        if let reason = Self.staticNotApplicable(scenario) { return ScenarioOutcome(status: .notApplicable, reason: reason) }
        var query = ""
        do {
            let outcome = try execute(scenario, query: &query)
            return ScenarioOutcome(status: outcome.status, reason: outcome.reason, query: query)
        } catch {
            return ScenarioOutcome(status: .failed, reason: "harness: \(error)", query: query)
        }
    }

    /// The outcome of a failure: not applicable when the engine's message names a CMDB rule.
    private func failure(_ reason: String, error: (any Error)? = nil) -> ScenarioOutcome {
        if let error {
            let message = String(describing: error)
            for rule in Self.cmdbRules where message.contains(rule.marker) {
                return ScenarioOutcome(status: .notApplicable, reason: rule.reason)
            }
        }
        return ScenarioOutcome(status: .failed, reason: reason)
    }

    private func execute(_ scenario: GherkinScenario, query: inout String) throws -> ScenarioOutcome {
        databases += 1
        let path = scratch + "/db\(databases)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try ConfigurationDatabase.create(at: path, schema: .open, actor: "tck", initialMapSize: 32 << 20)
        let engine = QueryEngine(database: database)
        var parameters: [String: Value] = [:]
        var result: TCKSink?
        var raised: (any Error)?
        var before = TCKGraphState(), after = TCKGraphState()
        var checkedError = false

        for step in scenario.steps {
            let text = step.text
            switch step.keyword {
            case "Given" where text == "an empty graph" || text == "any graph":
                continue
            case "Given" where text.hasPrefix("the ") && text.hasSuffix(" graph"):
                let name = String(text.dropFirst(4).dropLast(6))
                let file = tckRoot + "/graphs/\(name)/\(name).cypher"
                let cypher = try String(contentsOfFile: file, encoding: .utf8)
                if let error = runSetup(engine, cypher) { return failure("loading \(name): \(error)", error: error) }
            case "Given" where text.hasPrefix("having executed"):
                guard let doc = step.docString else { throw TCKValueError(description: "'having executed' without a query") }
                if let error = runSetup(engine, doc) { return failure("setup failed: \(error)", error: error) }
            case "Given" where text.hasPrefix("parameters are"):
                for row in step.table ?? [] where row.count >= 2 {
                    parameters[row[0]] = try TCKValueParser.parse(row[1]).engineValue
                }
            case "When":
                guard let doc = step.docString else { throw TCKValueError(description: "'\(text)' without a query") }
                if text.hasPrefix("executing query") { query = doc }
                before = try TCKGraphState.read(database.store)
                (result, raised) = runQuery(engine, doc, parameters)
                after = try TCKGraphState.read(database.store)
            case "Then" where text.hasPrefix("a ") && text.contains(" should be raised at "):
                checkedError = true
                if let outcome = checkError(text, raised) { return outcome }
            case "Then":
                if let raised, !checkedError {
                    return failure("raised \(Self.describe(raised))", error: raised)
                }
                if let mismatch = try checkStep(step, result, before.sideEffects(to: after)) {
                    return failure(mismatch)
                }
            default:
                throw TCKValueError(description: "unknown step '\(step.keyword) \(text)'")
            }
        }
        if let raised, !checkedError { return failure("raised \(Self.describe(raised))", error: raised) }
        return ScenarioOutcome(status: .passed, reason: "")
    }

    private func runSetup(_ engine: QueryEngine, _ text: String) -> (any Error)? {
        do {
            try engine.run(text, change: Self.change, sinkFor: { _ in CollectingSink() })
            return nil
        } catch {
            return error
        }
    }

    private static let change = ChangeInfo(actor: "tck", changeReference: nil, origin: "tck")

    /// Runs the query under test, cancelled after 20 seconds.
    private func runQuery(_ engine: QueryEngine, _ text: String, _ parameters: [String: Value]) -> (TCKSink?, (any Error)?) {
        let flag = CancellationFlag()
        let timer = DispatchWorkItem { flag.cancel() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 20, execute: timer)
        defer { timer.cancel() }
        var sink: TCKSink?
        do {
            try engine.run(text, parameters: parameters, change: Self.change, cancellation: flag) { _ in
                let next = TCKSink()
                sink = next
                return next
            }
            return (sink, nil)
        } catch {
            return (sink, error)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? CIQLError { return "\(e.kind.isCompileTime ? "at compile time" : "at runtime") \(e.description)" }
        return "\(type(of: error)): \(error)"
    }

    /// `Then a TypeError should be raised at runtime: InvalidArgumentType`: nil when the engine raised a CIQL error
    /// with that type and detail (its code) in that phase (compile time = syntax or semantic errors, runtime =
    /// runtime errors; "any time" takes either).
    private func checkError(_ text: String, _ raised: (any Error)?) -> ScenarioOutcome? {
        guard let expected = ExpectedError(step: text) else {
            return failure("cannot read the expected error in '\(text)'")
        }
        guard let raised else { return failure("expected \(expected), but the query succeeded") }
        guard let error = raised as? CIQLError else {
            return failure("expected \(expected), raised \(Self.describe(raised))", error: raised)
        }
        if let mismatch = expected.mismatch(error) {
            return failure("expected \(expected), raised \(Self.describe(error)) (\(mismatch))", error: error)
        }
        return nil
    }

    /// Checks a `Then` step on the query's result and side effects; nil when it holds.
    private func checkStep(_ step: GherkinStep, _ result: TCKSink?, _ effects: [String: Int]) throws -> String? {
        let text = step.text
        if text == "no side effects" {
            return effects.isEmpty ? nil : "side effects \(Self.render(effects)), expected none"
        }
        if text.hasPrefix("the side effects should be") {
            var expected: [String: Int] = [:]
            for row in step.table ?? [] where row.count >= 2 {
                guard let n = Int(row[1]) else { throw TCKValueError(description: "side effect count '\(row[1])'") }
                if n != 0 { expected[row[0]] = n }
            }
            return effects == expected ? nil : "side effects \(Self.render(effects)), expected \(Self.render(expected))"
        }
        guard let result else { return "the query returned no result" }
        if text == "the result should be empty" {
            return result.rows.isEmpty ? nil : "\(result.rows.count) rows, expected none: \(TCKComparison.render(result.rows, sortingLists: false))"
        }
        if text.hasPrefix("the result should be") {
            return try TCKComparison.compare(result, expected: step.table ?? [], ordered: text.contains("in order"),
                sortingLists: text.contains("ignoring element order for lists"))
        }
        throw TCKValueError(description: "unknown step 'Then \(text)'")
    }

    static func render(_ effects: [String: Int]) -> String {
        effects.isEmpty ? "none" : effects.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

/// Compares a result with an expected TCK table.
enum TCKComparison {
    static func compare(_ result: TCKSink, expected table: [[String]], ordered: Bool, sortingLists: Bool) throws -> String? {
        guard let header = table.first else { throw TCKValueError(description: "a result table without a header") }
        let expected = try table.dropFirst().map { row in try row.map { try TCKValueParser.parse($0) } }
        if result.columns != header {
            return "columns \(result.columns), expected \(header)"
        }
        let actualRows = result.rows.map { row($0, sortingLists) }
        let expectedRows = expected.map { row($0, sortingLists) }
        let same = ordered ? actualRows == expectedRows : actualRows.sorted() == expectedRows.sorted()
        if same { return nil }
        return "rows \(render(result.rows, sortingLists: sortingLists)), expected \(render(expected, sortingLists: sortingLists))"
            + (ordered && actualRows.sorted() == expectedRows.sorted() ? " (same rows, wrong order)" : "")
    }

    static func row(_ values: [TCKValue], _ sortingLists: Bool) -> String {
        values.map { $0.canonical(sortingLists: sortingLists) }.joined(separator: " | ")
    }

    static func render(_ rows: [[TCKValue]], sortingLists: Bool) -> String {
        let text = rows.prefix(8).map { "[" + row($0, sortingLists) + "]" }.joined(separator: ", ")
        return text + (rows.count > 8 ? " … (\(rows.count) rows)" : "")
    }
}

/// The error a TCK step expects: `a SyntaxError should be raised at compile time: UndefinedVariable`.
struct ExpectedError: CustomStringConvertible {
    enum Phase: String {
        case compileTime = "compile time", runtime, anyTime = "any time"
    }

    var type: String
    var phase: Phase
    /// `*` when the TCK leaves the detail open.
    var detail: String

    init?(step text: String) {
        let match = text.firstMatch(of: #/^an? ([A-Za-z]+) should be raised at (compile time|runtime|any time): ([A-Za-z]+|\*)$/#)
        guard let match, let phase = Phase(rawValue: String(match.2)) else { return nil }
        type = String(match.1)
        self.phase = phase
        detail = String(match.3)
    }

    var description: String { "\(type).\(detail) at \(phase.rawValue)" }

    /// What differs between this and `error`: the phase, the type or the detail; nil when nothing does.
    func mismatch(_ error: CIQLError) -> String? {
        var differences: [String] = []
        switch phase {
        case .compileTime where !error.kind.isCompileTime: differences.append("wrong phase")
        case .runtime where error.kind.isCompileTime: differences.append("wrong phase")
        default: break
        }
        if error.code.type != type || detail != "*" && error.code.detail != detail { differences.append("wrong code") }
        return differences.isEmpty ? nil : differences.joined(separator: ", ")
    }
}
