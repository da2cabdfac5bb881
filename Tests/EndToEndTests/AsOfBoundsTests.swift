import Foundation
import Testing

/// A transaction past the last one has not happened: `AS OF TX`, `SHOW CLASSES AS OF TX`, `export --as-of` and the
/// server's query route refuse it alike (HistoryError.InvalidAsOf, exit 2, naming the last transaction) instead of
/// answering with the present graph as if it were that transaction.
@Suite(.serialized)
struct AsOfBoundsTests {
    let harness: Harness
    /// The last committed transaction of the test's database.
    let last: Int

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: true)
        try harness.succeed("query", "MATCH (s {id: 'srv-dc01'}) SET s.os = 'Debian 13'", "--change", "CHG-1")
        let history = try harness.succeed("history", "srv-dc01", "--format", "jsonl").out
        let object = try JSONSerialization.jsonObject(with: Data(try #require(history.split(separator: "\n").last).utf8))
        last = try #require((object as? [String: Any])?["tx"] as? Int)
    }

    @Test(
        "queries AS OF a transaction after the last are refused, naming the last; the last itself and 0 are answered",
        arguments: [
            "MATCH (n) RETURN count(n) AS OF TX 99999",
            "MATCH (n) RETURN count(n) AS OF TX $tx",
            "SHOW CLASSES AS OF TX 99999",
        ])
    func queryPastTheLast(statement: String) throws {
        let result = try harness.cmdb("query", statement, "--param", "tx=99999")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("HistoryError.InvalidAsOf"), "\(result)")
        #expect(result.err.contains("99999") && result.err.contains("last transaction is \(last)"), "\(result)")
        #expect(result.out.isEmpty, "\(result)")
    }

    @Test("AS OF the last transaction and AS OF TX 0 still answer")
    func lastAndZeroAnswer() throws {
        let now = try harness.succeed("query", "MATCH (n) RETURN count(n) AS n", "--format", "csv").out
        #expect(try harness.succeed("query", "MATCH (n) RETURN count(n) AS n AS OF TX \(last)", "--format", "csv").out == now)
        #expect(try harness.succeed("query", "MATCH (n) RETURN count(n) AS n AS OF TX 0", "--format", "csv").out == "n\n0\n")
        let next = try harness.cmdb("query", "MATCH (n) RETURN count(n) AS OF TX \(last + 1)")
        #expect(next.exitCode == 2 && next.err.contains("HistoryError.InvalidAsOf"), "\(next)")
    }

    @Test("export --as-of past the last transaction is refused the same way and writes nothing")
    func exportPastTheLast() throws {
        let result = try harness.cmdb("export", "--as-of", "99999")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("HistoryError.InvalidAsOf") && result.err.contains("last transaction is \(last)"), "\(result)")
        #expect(result.out.isEmpty, "\(result)")
        #expect(try harness.succeed("export", "--as-of", String(last)).out == harness.succeed("export").out)
    }

    @Test("the server's query route answers 400 with the same code")
    func serverPastTheLast() throws {
        let token = try harness.token("reader", role: "reader")
        let server = try ServerProcess(harness: harness)
        let client = HTTPClient(baseURL: server.baseURL, token: token)
        let answer = try client.query("MATCH (n) RETURN count(n) AS OF TX 99999")
        #expect(answer.status == 400, "\(answer)")
        #expect(answer.errorCode == "HistoryError.InvalidAsOf", "\(answer)")
        #expect(answer.text.contains("last transaction is \(last)"), "\(answer)")
        let cached = try client.query("MATCH (n) RETURN count(n) AS OF TX \(last)")
        #expect(cached.status == 200, "\(cached)")
        let again = try client.query("MATCH (n) RETURN count(n) AS OF TX 99998")
        #expect(again.status == 400 && again.errorCode == "HistoryError.InvalidAsOf", "same shape, cached plan: \(again)")
    }
}
