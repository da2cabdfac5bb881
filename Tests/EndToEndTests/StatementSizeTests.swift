import Foundation
import Testing

/// Machine-made statements of every length: each clause, pattern relationship and UNION part is an operator run by
/// the one before it, so a statement with tens of thousands of them overflowed the stack of the CLI and of a server
/// thread. They are refused when parsed (exit 2, HTTP 400); statements of the allowed size run.
@Suite("statement size limits", .serialized)
struct StatementSizeTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
    }

    static func chain(_ hops: Int) -> String { "MATCH (a)" + String(repeating: "-->()", count: hops) + " RETURN 1 AS one" }
    static func optionalMatches(_ count: Int) -> String { String(repeating: "OPTIONAL MATCH (a) ", count: count) + "RETURN 1 AS one" }
    static func unions(_ count: Int) -> String { Array(repeating: "RETURN 1 AS one", count: count).joined(separator: " UNION ") }
    static func commaParts(_ count: Int) -> String { "MATCH " + (0..<count).map { "(a\($0))" }.joined(separator: ", ") + " RETURN 1 AS one" }

    private func query(_ text: String) throws -> CommandResult {
        let file = try harness.sandbox.write("statement-\(text.count).ciql", text)
        return try harness.cmdb("query", "-f", file, "--format", "jsonl")
    }

    @Test("the CLI refuses statements past the limits with a clear error and exit 2, and runs those within them")
    func cliLimits() throws {
        for (text, code) in [
            (Self.chain(20000), "Limit.NestingDepth"), (Self.chain(500), "Limit.NestingDepth"),
            (Self.optionalMatches(20000), "Limit.TooLarge"), (Self.optionalMatches(3000), "Limit.TooLarge"),
            (Self.unions(5000), "Limit.TooLarge"), (Self.commaParts(6000), "Limit.TooLarge"),
        ] {
            let result = try query(text)
            #expect(result.exitCode == 2 && result.signal == nil, "\(text.prefix(40))…: \(result.err.prefix(300))")
            #expect(result.err.contains("error[\(code)]") && result.err.contains("too"), "\(text.prefix(40))…: \(result.err.prefix(300))")
        }
        for text in [Self.chain(450), Self.optionalMatches(2999), Self.unions(1500), Self.commaParts(2900)] {
            let result = try query(text)
            #expect(result.exitCode == 0, "\(text.prefix(40))…: \(result.err.prefix(300))")
        }
        // The limit is per statement: a long script of small statements runs, and its syntax error is the one shown.
        let script = (1...3200).map { "RETURN \($0) AS x;" }.joined(separator: "\n")
        #expect(try query(script).exitCode == 0)
        let broken = try query(script + "\nRETURN (1 AS bad")
        #expect(broken.exitCode == 2 && broken.err.contains("error[SyntaxError") && broken.err.contains(":3201:"), "\(broken.err.prefix(300))")
        // A big map literal builds in linear time and keeps every key.
        let keys = (0..<30000).map { "k\($0): \($0)" }.joined(separator: ", ")
        let map = try query("RETURN size(keys({\(keys)})) AS n")
        #expect(map.exitCode == 0 && map.out.contains("30000"), "\(map.err.prefix(300))")
    }

    @Test("a reader's overlong statement gets 400 from the server, which keeps answering")
    func serverLimits() throws {
        let reader = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness)
        let client = HTTPClient(baseURL: server.baseURL, token: reader)
        for (text, code) in [(Self.chain(20000), "Limit.NestingDepth"), (Self.optionalMatches(20000), "Limit.TooLarge"),
            (Self.commaParts(6000), "Limit.TooLarge")]
        {
            let answer = try client.query(text)
            #expect(answer.status == 400 && answer.errorCode == code, "\(answer)")
        }
        // At the limit, the deepest plan runs on a server thread's stack too.
        for text in [Self.optionalMatches(2999), Self.commaParts(2900)] {
            let answer = try client.query(text)
            #expect(answer.status == 200, "\(text.prefix(40))…: \(answer)")
        }
        #expect(try client.query("MATCH (n) RETURN count(n) AS n").status == 200)
        #expect(server.stop() == 0)
    }

    /// Expressions evaluated once, outside any row (AS OF points, baseline names, LIMIT under ORDER BY, the
    /// properties of a variable-length relation), may declare variables of their own (a list comprehension,
    /// `reduce`, a quantifier): they trapped writing them into an empty row, and a reader could stop the server.
    @Test("constant expressions that declare their own variables run, in the CLI and the server")
    func constantExpressionsWithVariables() throws {
        try harness.succeed("query", "CREATE (:Application {id: 'app-1'})-[:DEPENDS_ON]->(:Application {id: 'app-2'})")
        for statement in [
            "CREATE BASELINE [x IN ['b1'] | x][0]", "CREATE BASELINE reduce(s = '', x IN ['b', '2'] | s + x)",
            "MATCH (n) RETURN n.id AS OF TX [x IN [2] | x][0]", "MATCH (n) RETURN n.id AS OF BASELINE [x IN ['b1'] | x][0]",
            "MATCH (n) RETURN n.id ORDER BY n.id LIMIT size([x IN [1] | x])",
            "MATCH (n) RETURN n.id ORDER BY n.id SKIP reduce(a = 0, x IN [1] | a + x) LIMIT 1",
            "MATCH (a)-[*1..2 {since: [x IN [1] | x][0]}]->(b) RETURN a.id",
            "MATCH (n) RETURN n.id AS OF TX size([x IN [1, 2] WHERE any(y IN [x] WHERE y > 0)])",
            // A pattern comprehension runs a plan of its own.
            "MATCH (n) RETURN n.id AS OF TX size([(a)-->(b) | b]) + 1", "CREATE BASELINE 'p' + toString(size([(a)-->(b) | b]))",
            "MATCH (a)-[*1..2 {since: size([(c)-->(d) | d])}]->(b) RETURN a.id",
        ] {
            let result = try harness.cmdb("query", statement)
            #expect(result.exitCode == 0 && result.signal == nil, "\(statement): \(result)")
        }
        let unknown = try harness.cmdb("query", "DIFF BASELINE [x IN ['nope'] | x][0]")
        #expect(unknown.exitCode == 2 && unknown.signal == nil && unknown.err.contains("nope"), "\(unknown)")
        let reader = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness)
        let client = HTTPClient(baseURL: server.baseURL, token: reader)
        let answer = try client.query("DIFF BASELINE [x IN ['b1'] | x][0]")
        #expect(answer.status == 200, "\(answer)")
        #expect(try client.query("MATCH (n) RETURN n.id AS OF TX [x IN [2] | x][0]").status == 200)
        #expect(try client.query("MATCH (n) RETURN count(n) AS n").status == 200, "the server still answers")
        #expect(server.stop() == 0)
    }
}
