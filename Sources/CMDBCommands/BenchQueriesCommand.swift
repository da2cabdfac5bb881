import ArgumentParser
import CMDB
import GraphStorage
import ImpactAnalysis
import JSONLines

/// `cmdb bench-queries`: our side of the peer benchmark's queries (../shared/bench), one JSON line per query.
///
/// Listed in `cmdb --help` on purpose: bench/run.sh finds it there. Each query is one function returning a
/// `BenchQuery`; add one to `queries(…)` to benchmark it.
struct BenchQueriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-queries",
        abstract: "Run the peer benchmark's queries on this database (for bench/run.sh).",
        discussion: """
            Reads the benchmark's data/SIZE/params.json and prints one JSON line per query, timed as the peers
            are: a cold run, an untimed warm-up (unless the cold run took 2 s or more), then 5 timed runs (3 from
            2 s, 1 from 20 s), reporting the median; every run must give the same check value, else it stops
            with exit 3. Each closure runs in its own read transaction, as in the C peer.

            --semantics reachability (the default) computes what the peers compute: the closure over every
            relation type, whatever the status (still with a distance and a shortest-path predecessor for
            each CI). --semantics impact times the real analysis on the same inputs: Q3 and Q4 'cmdb impact'
            (schema rules, levels, explaining paths), Q5 the dependency structure of each service; its lines
            are reported as peer 'swift-impact', and their checks differ from the peers' by design.
            """,
        // A tool for the benchmark scripts, not part of the product: not listed in `cmdb --help`.
        shouldDisplay: false)

    enum Semantics: String, ExpressibleByArgument, CaseIterable {
        case reachability, impact
    }

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The benchmark's params.json.", valueName: "file"))
    var params: String?

    @Option(help: ArgumentHelp(
        "Cold start: open the database, answer one Q1 lookup for this id, print the in-process seconds.",
        valueName: "id"))
    var coldstart: String?

    func validate() throws {
        if (params == nil) == (coldstart == nil) { throw ValidationError("give --params FILE or --coldstart ID") }
    }

    @Option(help: ArgumentHelp("reachability (as the peers) or impact (the real analysis).", valueName: "semantics"))
    var semantics: Semantics = .reachability

    @Option(help: ArgumentHelp("Run only these queries (comma-separated, e.g. Q3,Q5).", valueName: "names"))
    var only: String?

    func run() throws {
        if let coldstart { return try runColdStart(coldstart) }
        guard let params else { return }
        let text: String
        do {
            text = try readTextFile(params)
        } catch let error as FileReadError {
            throw CommandFailure.badInput("cannot read '\(params)': \(error.description)")
        }
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(text)
        } catch {
            throw CommandFailure.badInput("\(params): \(error)")
        }
        guard let object = parsed.objectValue else {
            throw CommandFailure.badInput("\(params): expected a JSON object with keys q1…q7")
        }
        let db = try ConfigurationDatabase.open(at: database.path)
        let context = BenchContext(database: db, params: object, paramsPath: params, semantics: semantics)
        let wanted = only.map { Set($0.split(separator: ",").map { $0.trimmingCharacters() }) }
        for query in try queries(context) where wanted?.contains(query.name) ?? true {
            try measure(query, peer: semantics == .impact ? "swift-impact" : "swift")
        }
    }

    /// The queries this build implements, in the order they run.
    private func queries(_ c: BenchContext) throws -> [BenchQuery] {
        [try q1(c), try q2(c), try q3(c), try q4(c), try q5(c), try q6(c), try q7(c)]
    }

    // MARK: - Queries

    /// Q3: for 100 hypervisors, everything that depends on each (upstream closure).
    private func q3(_ c: BenchContext) throws -> BenchQuery {
        let ids = try c.idList("q3")
        return BenchQuery(name: "Q3", ops: ids.count) { () throws -> JSONValue in
            .int(Int64(try ids.reduce(0) { $0 + (try c.closureSize(of: $1, upstream: true)) }))
        }
    }

    /// Q4: everything that depends on one datacenter.
    private func q4(_ c: BenchContext) throws -> BenchQuery {
        let id = try c.id("q4")
        return BenchQuery(name: "Q4", ops: 1) { () throws -> JSONValue in
            .int(Int64(try c.closureSize(of: id, upstream: true)))
        }
    }

    /// Q5: for 100 business services, everything each depends on (downstream closure).
    private func q5(_ c: BenchContext) throws -> BenchQuery {
        let ids = try c.idList("q5")
        return BenchQuery(name: "Q5", ops: ids.count) { () throws -> JSONValue in
            .int(Int64(try ids.reduce(0) { $0 + (try c.closureSize(of: $1, upstream: false)) }))
        }
    }

    // MARK: - Timing protocol

    private func measure(_ query: BenchQuery, peer: String) throws {
        let clock = ContinuousClock()
        var check: JSONValue = .null
        let cold = try clock.measure { check = try query.run() }.milliseconds
        let reps = cold < 2_000 ? 5 : cold < 20_000 ? 3 : 1
        if cold < 2_000 { _ = try query.run() }
        var times: [Double] = []
        for _ in 0..<reps {
            var again: JSONValue = .null
            times.append(try clock.measure { again = try query.run() }.milliseconds)
            if again != check {
                throw CommandFailure.environment("\(query.name): unstable result (\(again) after \(check)); stopped")
            }
        }
        times.sort()
        let median = reps % 2 == 1 ? times[reps / 2] : (times[reps / 2 - 1] + times[reps / 2]) / 2
        var w = JSONWriter(capacity: 256)
        w.writeRaw("{\"peer\":")
        w.writeString(peer)
        w.writeRaw(",\"query\":")
        w.writeString(query.name)
        w.writeRaw(",\"cold_ms\":\(fixed3(cold)),\"median_ms\":\(fixed3(median)),\"ops\":\(query.ops)")
        w.writeRaw(",\"per_op_us\":\(fixed3(median * 1000 / Double(max(query.ops, 1)))),\"reps\":\(reps)")
        w.writeRaw(",\"min_ms\":\(fixed3(times[0])),\"max_ms\":\(fixed3(times[reps - 1])),\"check\":")
        w.write(check)
        if let extra = query.extraJSON { w.writeRaw(try extra()) }
        w.writeRaw("}")
        Console.out(String(decoding: w.bytes, as: UTF8.self))
    }
}

/// One benchmark query: a batch of `ops` operations whose result is a check value every run must repeat.
struct BenchQuery {
    var name: String
    var ops: Int
    var run: () throws -> JSONValue
    /// More members for the result line, e.g. `,"groups":[…]` for Q7.
    var extraJSON: (() throws -> String)? = nil
}

/// What the queries share: the database, the parameters and one analyzer (its scratch arrays are reused).
final class BenchContext {
    let database: ConfigurationDatabase
    let params: JSONObject
    let paramsPath: String
    let semantics: BenchQueriesCommand.Semantics
    let analyzer: ImpactAnalyzer

    init(database: ConfigurationDatabase, params: JSONObject, paramsPath: String,
         semantics: BenchQueriesCommand.Semantics) {
        self.database = database
        self.params = params
        self.paramsPath = paramsPath
        self.semantics = semantics
        self.analyzer = ImpactAnalyzer(schema: database.schema)
    }

    func idList(_ key: String) throws -> [String] {
        guard let list = params[key]?.arrayValue else {
            throw CommandFailure.badInput("\(paramsPath): '\(key)' should be a list of CI ids")
        }
        return try list.map { (value) throws -> String in
            guard let id = value.stringValue else {
                throw CommandFailure.badInput("\(paramsPath): '\(key)' should hold only strings")
            }
            return id
        }
    }

    func id(_ key: String) throws -> String {
        guard let id = params[key]?.stringValue else {
            throw CommandFailure.badInput("\(paramsPath): '\(key)' should be a CI id")
        }
        return id
    }

    /// The size of one closure, in its own read transaction; 0 for an unknown id (as the peers count it).
    func closureSize(of id: String, upstream: Bool) throws -> Int {
        try database.store.read { tx in
            guard let nid = try tx.nodeID(forExternalID: id) else { return 0 }
            switch (semantics, upstream) {
            case (.reachability, _):
                return try analyzer.reachable(from: [nid], direction: upstream ? .incoming : .outgoing, in: tx)
                    .items.count
            case (.impact, true):
                return try analyzer.analyze(targets: [nid], in: tx).items.count
            case (.impact, false):
                return try analyzer.dependencies(of: [nid], in: tx).items.count
            }
        }
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

/// A non-negative number with three decimals, as the peers print them.
func fixed3(_ value: Double) -> String {
    let thousandths = Int64((value * 1000).rounded())
    let fraction = String(thousandths % 1000)
    return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

extension Substring {
    func trimmingCharacters() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
