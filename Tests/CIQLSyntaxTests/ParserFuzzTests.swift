import Foundation
import Testing

@testable import CIQLSyntax
import TestSupport

/// Runs the parser on many mutated queries: it must return or throw a located syntax error, never crash or hang.
///
/// `CIQL_FUZZ_ITERATIONS` sets the number of queries (default 1,000,000, split over two tests that run in
/// parallel), `CIQL_FUZZ_SEED` the seed.
struct ParserFuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["CIQL_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 1_000_000
    static let seed = ProcessInfo.processInfo.environment["CIQL_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0xC1_9150

    /// Valid queries to mutate and splice: the grammar's examples plus some of our own.
    static let corpus: [[UInt8]] = {
        var queries = (try? GrammarExampleTests.examples()) ?? []
        queries += [
            "MATCH (a:Application)-[:RUNS_ON*1..3]->(s:Server {os: 'linux'}) WHERE s.cpu > 4 RETURN a.id, count(*)",
            "MATCH p = shortestPath((a {id: $from})-[*..6]-(b {id: $to})) RETURN [n IN nodes(p) | n.id] AS ids",
            "MERGE (n:Server {id: 'x'}) ON CREATE SET n += {a: 1, b: [1, 2.5, 'c']} ON MATCH SET n.seen = true",
            "WITH [x IN range(0, 10) WHERE x % 2 = 0 | x ^ 2] AS l UNWIND l AS y RETURN y ORDER BY y DESC SKIP 1 LIMIT 3",
            "MATCH (n) WHERE EXISTS { (n)<-[:USES]-(:Application) } AND NOT n:Retired RETURN n {.id, .name, deg: 1}",
            "RETURN CASE WHEN 1 < 2 < 3 THEN 'a\\n\\u00e9' ELSE \"b\" END, reduce(s = 0, x IN [1, 2] | s + x)",
            "AS OF BASELINE 'q3' MATCH (n) RETURN n /* comment */ // tail\n",
            "CALL impact(['hv-1'], {depth: 6}) YIELD ci, level WHERE level = 'down' RETURN ci.id; SHOW CLASSES;",
            "MATCH (`weird name`)-[r]-() DELETE r RETURN `weird name`.x, 0x1F, 0o17, .5e-3, -9223372036854775808",
        ]
        return queries.map { Array($0.utf8) }
    }()

    /// Fragments worth inserting: brackets, operators, quotes, comment starts, keywords.
    static let fragments: [[UInt8]] = [
        "(", ")", "[", "]", "{", "}", "-", "->", "<-", "--", "-[", "]->", "*", "*1..", "..", ".", ",", ":", ";", "|",
        "'", "\"", "`", "``", "$", "$0", "\\", "\\u", "/*", "*/", "//", "\n", " ", "=", "=~", "<>", "<=", "+=", "^",
        "0x", "0o", "1e", "9223372036854775808", "1.5", ".5", "MATCH ", "RETURN ", "WHERE ", "WITH ", "AS OF ",
        "UNION ", "CASE ", "WHEN ", "END ", "EXISTS {", "NOT ", "IS NULL", "IN ", "STARTS WITH ", "count(*)",
        "shortestPath(", "reduce(", "all(", "[x IN ", "n {.a, ", "AND ", "OR ", "é", "😀", "\u{0}",
    ].map { Array($0.utf8) }

    @Test("the parser survives mutated queries (first half)")
    func fuzzFirstHalf() {
        run(seed: ParserFuzzTests.seed, count: ParserFuzzTests.iterations / 2)
    }

    @Test("the parser survives mutated queries (second half)")
    func fuzzSecondHalf() {
        run(seed: ParserFuzzTests.seed &+ 1, count: ParserFuzzTests.iterations - ParserFuzzTests.iterations / 2)
    }

    func run(seed: UInt64, count: Int) {
        var random = SplitMix64(seed: seed)
        let clock = ContinuousClock()
        var parsed = 0
        var slowest = Duration.zero
        var query = ParserFuzzTests.corpus[0]
        for i in 0..<count {
            // Mostly mutate the previous query a little more; every few rounds start again from the corpus.
            if i % 4 == 0 { query = ParserFuzzTests.corpus[random.below(ParserFuzzTests.corpus.count)] }
            mutate(&query, random: &random)
            let text = String(decoding: query, as: UTF8.self)
            let start = clock.now
            do {
                _ = try CIQLParser.parse(text)
                parsed += 1
            } catch {
                checkError(error, in: text)
            }
            slowest = max(slowest, clock.now - start)
            if query.count > 1000 { query = ParserFuzzTests.corpus[random.below(ParserFuzzTests.corpus.count)] }
        }
        #expect(slowest < .seconds(1), "a mutated query took \(slowest) to parse")
        #expect(count == 0 || parsed > 0)
        print("fuzz: \(count) queries from seed \(seed), \(parsed) parsed, slowest \(slowest)")
    }

    func checkError(_ error: CIQLError, in text: String) {
        guard error.kind == .syntax, let location = error.location else {
            Issue.record("unlocated or non-syntax error \(error) for \(text.debugDescription)")
            return
        }
        let lineCount = text.utf8.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        if location.line < 1 || location.line > lineCount || location.column < 1 || location.offset < 0
            || location.offset > text.utf8.count
        {
            Issue.record("error location \(location) outside \(text.debugDescription)")
        }
        _ = error.rendered(source: text)
    }

    func mutate(_ query: inout [UInt8], random: inout SplitMix64) {
        let position = random.below(query.count + 1)
        switch random.below(100) {
        case 0..<20:  // insert a fragment
            query.insert(
                contentsOf: ParserFuzzTests.fragments[random.below(ParserFuzzTests.fragments.count)], at: position)
        case 20..<35:  // delete a short range
            let end = min(query.count, position + 1 + random.below(8))
            if position < end { query.removeSubrange(position..<end) }
        case 35..<50:  // replace a byte with a random printable one
            if position < query.count { query[position] = UInt8(32 + random.below(95)) }
        case 50..<60:  // duplicate a range
            let end = min(query.count, position + 1 + random.below(20))
            if position < end { query.insert(contentsOf: Array(query[position..<end]), at: position) }
        case 60..<75:  // splice a fragment of another corpus query
            let other = ParserFuzzTests.corpus[random.below(ParserFuzzTests.corpus.count)]
            let from = random.below(other.count)
            let to = min(other.count, from + 1 + random.below(40))
            query.insert(contentsOf: other[from..<to], at: position)
        case 75..<85:  // swap two bytes
            let other = random.below(query.count + 1)
            if position < query.count, other < query.count { query.swapAt(position, other) }
        case 85..<92:  // truncate
            query.removeSubrange(position...)
        case 92..<99:  // replace with a random token sequence
            query = (0..<(1 + random.below(12))).flatMap { _ in
                ParserFuzzTests.fragments[random.below(ParserFuzzTests.fragments.count)] + [UInt8(ascii: " ")]
            }
        default:  // deep nesting
            let opener = ["(", "[", "{a:", "-", "NOT ", "[x IN ", "a.b", " OR 1"][random.below(8)]
            query.insert(contentsOf: Array(String(repeating: opener, count: 1 + random.below(1500)).utf8), at: position)
        }
    }
}

