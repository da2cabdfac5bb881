import CIQL
import Testing
import TestSupport

/// The breadth-first expansion of variable-length patterns and the de-duplicated frontier of fixed chains must
/// give exactly what path enumeration gives. Each query runs twice: as written (the planner may prune) and with
/// something that keeps the paths observable (a named relation list, a path variable), which forces the
/// path-enumerating plan; EXPLAIN shows which plan each one got.
@Suite struct PruningExpansionTests {
    /// A small random graph with cycles, self-loops and three relation types, in a schemaless database.
    static func randomGraph(seed: UInt64, nodes: Int, relations: Int) throws -> FixtureDatabase {
        let db = try FixtureDatabase(sample: false)
        var rng = SplitMix64(seed: seed)
        _ = try db.rows("UNWIND range(0, \(nodes - 1)) AS i CREATE (:N {id: 'n' + toString(i), k: i % 3})")
        for type in ["T1", "T2", "T3"] {
            var pairs = Set<[Int]>()
            for _ in 0..<(relations / 3) {
                let a = Int(rng.next() % UInt64(nodes))
                // One relation in eight is a self-loop; the rest go anywhere (cycles come for free).
                let b = rng.next() % 8 == 0 ? a : Int(rng.next() % UInt64(nodes))
                pairs.insert([a, b])
            }
            let list = pairs.sorted { $0.lexicographicallyPrecedes($1) }.map { "['n\($0[0])', 'n\($0[1])']" }
            _ = try db.rows(
                "UNWIND [\(list.joined(separator: ", "))] AS e MATCH (a {id: e[0]}), (b {id: e[1]}) CREATE (a)-[:\(type)]->(b)")
        }
        return db
    }

    static func operators(_ db: FixtureDatabase, _ query: String) throws -> [String] {
        try db.engine.query("EXPLAIN " + query).rows.compactMap { row in
            if case .string(let s) = row.first { return s }
            return nil
        }
    }

    /// Rows as text, sorted, with lists sorted too (the order of rows and of `collect` is not defined).
    static func sortedRows(_ db: FixtureDatabase, _ query: String) throws -> [String] {
        try db.rows(query).map { row in
            row.map { value -> String in
                if case .list(let items) = value { return "\(items.map { "\($0)" }.sorted())" }
                return "\(value)"
            }.joined(separator: " | ")
        }.sorted()
    }

    /// Pairs of (pruned query, path-enumerating query); `$s` and `$t` are the start and another node.
    static let variableLengthPairs: [(String, String)] = [
        ("MATCH (a {id: $s})-[*]->(x) RETURN DISTINCT x.id", "MATCH (a {id: $s})-[r*]->(x) RETURN DISTINCT x.id"),
        ("MATCH (a {id: $s})<-[*]-(x) RETURN count(DISTINCT x) AS n", "MATCH (a {id: $s})<-[r*]-(x) RETURN count(DISTINCT x) AS n"),
        ("MATCH (a {id: $s})-[*..5]-(x) RETURN DISTINCT x.id", "MATCH (a {id: $s})-[r*..5]-(x) RETURN DISTINCT x.id"),
        ("MATCH (a {id: $s})-[*1..2]-(x) RETURN DISTINCT x.id", "MATCH (a {id: $s})-[r*1..2]-(x) RETURN DISTINCT x.id"),
        ("MATCH (a {id: $s})-[*..3]-(x) RETURN collect(DISTINCT x.id) AS c", "MATCH (a {id: $s})-[r*..3]-(x) RETURN collect(DISTINCT x.id) AS c"),
        ("MATCH (a {id: $s})-[:T1|T2*]->(x) RETURN DISTINCT x.id", "MATCH (a {id: $s})-[r:T1|T2*]->(x) RETURN DISTINCT x.id"),
        ("MATCH (a {id: $s})-[:T3*1..3]-(x) RETURN DISTINCT x.id", "MATCH (a {id: $s})-[r:T3*1..3]-(x) RETURN DISTINCT x.id"),
        ("MATCH (a {id: $s})-[*0..2]->(x) RETURN DISTINCT x.id", "MATCH (a {id: $s})-[r*0..2]->(x) RETURN DISTINCT x.id"),
        ("MATCH (a {id: $s})-[*1..1]-(x) RETURN DISTINCT x.id", "MATCH (a {id: $s})-[r*1..1]-(x) RETURN DISTINCT x.id"),
        ("MATCH (a {id: $s})-[:T1*1..2]->(x) RETURN min(x.id) AS lo, max(x.id) AS hi", "MATCH (a {id: $s})-[r:T1*1..2]->(x) RETURN min(x.id) AS lo, max(x.id) AS hi"),
        ("MATCH (a {id: $s})<-[:T2|T3*]-(x) WHERE x.k = 1 RETURN DISTINCT x.id ORDER BY x.id", "MATCH (a {id: $s})<-[r:T2|T3*]-(x) WHERE x.k = 1 RETURN DISTINCT x.id ORDER BY x.id"),
        ("MATCH (a {id: $s})-[*]->(x) WITH DISTINCT x MATCH (x)-[:T1]->(y) RETURN DISTINCT y.id", "MATCH (a {id: $s})-[r*]->(x) WITH DISTINCT x MATCH (x)-[:T1]->(y) RETURN DISTINCT y.id"),
        ("MATCH (a {id: $s}), (b {id: $t}) WHERE EXISTS { (a)-[*1..3]-(b) } RETURN b.id", "MATCH (a {id: $s}), (b {id: $t}) WHERE EXISTS { (a)-[r*1..3]-(b) } RETURN b.id"),
        ("MATCH (a {id: $s}), (b {id: $t}) MATCH (a)-[:T1|T3*]->(b) RETURN DISTINCT b.id", "MATCH (a {id: $s}), (b {id: $t}) MATCH (a)-[r:T1|T3*]->(b) RETURN DISTINCT b.id"),
        ("MATCH (a {id: $s}) MATCH (a)-[*1..2]-(a) RETURN DISTINCT a.id", "MATCH (a {id: $s}) MATCH (a)-[r*1..2]-(a) RETURN DISTINCT a.id"),
        ("MATCH (a {id: $s}) MATCH (a)-[:T2*]->(a) RETURN DISTINCT a.id", "MATCH (a {id: $s}) MATCH (a)-[r:T2*]->(a) RETURN DISTINCT a.id"),
        ("MATCH (a {id: $s})-[*2..5]->(x) RETURN DISTINCT x.id", "MATCH (a {id: $s})-[r*2..5]->(x) RETURN DISTINCT x.id"),
        ("MATCH (a {id: $s})-[*2..5]-(x) RETURN count(DISTINCT x) AS n", "MATCH (a {id: $s})-[r*2..5]-(x) RETURN count(DISTINCT x) AS n"),
        // count(DISTINCT x) over the ends of one start needs no second set; over several starts it does.
        ("MATCH (a {id: $s})-[*0..]->(x) RETURN count(DISTINCT x) AS n", "MATCH (a {id: $s})-[r*0..]->(x) RETURN count(DISTINCT x) AS n"),
        ("MATCH (a {id: $s})<-[*]-(x) WHERE x.k <> 1 RETURN count(DISTINCT x) AS n, count(DISTINCT x.k) AS k", "MATCH (a {id: $s})<-[r*]-(x) WHERE x.k <> 1 RETURN count(DISTINCT x) AS n, count(DISTINCT x.k) AS k"),
        ("MATCH (a:N {k: 1})-[*]->(x) RETURN count(DISTINCT x) AS n", "MATCH (a:N {k: 1})-[r*]->(x) RETURN count(DISTINCT x) AS n"),
        ("UNWIND [$s, $t, $s] AS i MATCH (a {id: i})-[*..4]-(x) RETURN count(DISTINCT x) AS n", "UNWIND [$s, $t, $s] AS i MATCH (a {id: i})-[r*..4]-(x) RETURN count(DISTINCT x) AS n"),
        ("MATCH (a {id: $s}), (b {id: $t}) MATCH (a)-[*]->(b) RETURN count(DISTINCT b) AS n", "MATCH (a {id: $s}), (b {id: $t}) MATCH (a)-[r*]->(b) RETURN count(DISTINCT b) AS n"),
        ("MATCH (a:N) WITH a MATCH (a)-[*]->(x) RETURN a.id, count(DISTINCT x) AS n", "MATCH (a:N) WITH a MATCH (a)-[r*]->(x) RETURN a.id, count(DISTINCT x) AS n"),
    ]

    /// Unbounded undirected patterns, on graphs small enough to enumerate every path of distinct relations.
    static let unboundedUndirectedPairs: [(String, String)] = [
        ("MATCH (a {id: $s})-[*]-(x) RETURN DISTINCT x.id", "MATCH (a {id: $s})-[r*]-(x) RETURN DISTINCT x.id"),
        ("MATCH (a {id: $s})-[:T1|T2*]-(x) RETURN count(DISTINCT x) AS n", "MATCH (a {id: $s})-[r:T1|T2*]-(x) RETURN count(DISTINCT x) AS n"),
        ("MATCH (a {id: $s}) MATCH (a)-[*]-(a) RETURN DISTINCT a.id", "MATCH (a {id: $s}) MATCH (a)-[r*]-(a) RETURN DISTINCT a.id"),
    ]

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func breadthFirstGivesWhatPathEnumerationGives(seed: UInt64) throws {
        let nodes = 7
        let db = try Self.randomGraph(seed: seed, nodes: nodes, relations: 3 * Int(seed + 1))
        try Self.compare(db, nodes: nodes, Self.variableLengthPairs, seed: seed)
        let small = try Self.randomGraph(seed: seed, nodes: 5, relations: 9)
        try Self.compare(small, nodes: 5, Self.unboundedUndirectedPairs, seed: seed)
    }

    static func compare(_ db: FixtureDatabase, nodes: Int, _ pairs: [(String, String)], seed: UInt64) throws {
        for (pruned, enumerated) in pairs {
            for s in 0..<nodes {
                let query = { (q: String) in
                    q.replacingOccurrences(of: "$s", with: "'n\(s)'").replacingOccurrences(of: "$t", with: "'n\((s * 5 + 2) % nodes)'")
                }
                let expected = try Self.sortedRows(db, query(enumerated))
                let actual = try Self.sortedRows(db, query(pruned))
                #expect(actual == expected, "seed \(seed), \(query(pruned))")
            }
        }
    }

    @Test func explainShowsWhichExpansionWasChosen() throws {
        let db = try Self.randomGraph(seed: 7, nodes: 6, relations: 12)
        func uses(_ query: String, _ name: String) throws -> Bool {
            try Self.operators(db, query).contains { $0.contains(name) }
        }
        // De-duplicated far ends, relations not read: breadth first.
        #expect(try uses("MATCH (a {id: 'n1'})<-[*]-(x) RETURN count(DISTINCT x) AS n", "BreadthFirstExpand"))
        #expect(try uses("MATCH (a {id: 'n1'})-[:T1*..4]-(x) RETURN DISTINCT x.id", "BreadthFirstExpand"))
        #expect(try uses("MATCH (a {id: 'n1'})-[*]->(x) RETURN min(x.k) AS lo", "BreadthFirstExpand"))
        // Every path counts, or the relations or the path are read, or the bounds need longer paths: enumerate.
        #expect(try uses("MATCH (a {id: 'n1'})<-[*]-(x) RETURN count(x) AS n", "VarLengthExpand"))
        #expect(try uses("MATCH (a {id: 'n1'})<-[*]-(x) RETURN x.id", "VarLengthExpand"))
        #expect(try uses("MATCH (a {id: 'n1'})<-[r*]-(x) RETURN DISTINCT x.id, size(r)", "VarLengthExpand"))
        #expect(try uses("MATCH p = (a {id: 'n1'})<-[*]-(x) RETURN DISTINCT x.id", "VarLengthExpand"))
        #expect(try uses("MATCH (a {id: 'n1'})-[*2..5]->(x) RETURN DISTINCT x.id", "VarLengthExpand"))
        #expect(try uses("MATCH (a {id: 'n1'})-[*]->(x) RETURN DISTINCT x.id, count(*) AS n", "VarLengthExpand"))
        #expect(try uses("MATCH (a {id: 'n1'})-[*]->(x) WITH x LIMIT 3 RETURN DISTINCT x.id", "VarLengthExpand"))
        #expect(try uses("MATCH (a {id: 'n1'})-[*]->(x)-[:T1]->(y) RETURN DISTINCT y.id", "VarLengthExpand"))
        #expect(try uses("MATCH (a {id: 'n1'})-[*]->(x) RETURN DISTINCT rand() < 2 AS r", "VarLengthExpand"))
        #expect(try !uses("MATCH (a {id: 'n1'})<-[*]-(x) RETURN count(x) AS n", "BreadthFirstExpand"))
        // The ends of one start are distinct already: count(DISTINCT x) counts them without a second set.
        func details(_ query: String) throws -> [String] {
            try db.engine.query("EXPLAIN " + query).rows.map { row in
                row.map { value in
                    if case .string(let s) = value { return s }
                    return ""
                }.joined(separator: " ")
            }
        }
        func says(_ query: String, _ detail: String) throws -> Bool { try details(query).contains { $0.contains(detail) } }
        let undistinct = "(ends already distinct)"
        #expect(try says("MATCH (a {id: 'n1'})<-[*]-(x) RETURN count(DISTINCT x) AS n", undistinct))
        #expect(try says("MATCH (a {id: 'n1'})-[*]->(x) WHERE x.k = 1 RETURN count(DISTINCT x) AS n", undistinct))
        #expect(try !says("MATCH (a {k: 1})-[*]->(x) RETURN count(DISTINCT x) AS n", undistinct))
        #expect(try !says("UNWIND ['n1', 'n1'] AS i MATCH (a {id: i})-[*]->(x) RETURN count(DISTINCT x) AS n", undistinct))
        #expect(try !says("MATCH (a {id: 'n1'})-[*]->(x) RETURN count(DISTINCT x.k) AS n", undistinct))
        #expect(try !says("MATCH (a {id: 'n1'})-[*]->(x) RETURN x.k AS k, count(DISTINCT x) AS n", undistinct))
    }

    /// Chains like the benchmark's Q6: middle variables never read, the result de-duplicated.
    static let chainPairs: [(String, String)] = [
        ("MATCH (a)-[:T3]->(v)-[:T2]->(h)-[:T1]->(r)-[:T1]->(d {id: $s}) WHERE a.k >= 1 RETURN count(DISTINCT a) AS n",
         "MATCH p = (a)-[:T3]->(v)-[:T2]->(h)-[:T1]->(r)-[:T1]->(d {id: $s}) WHERE a.k >= 1 RETURN count(DISTINCT a) AS n"),
        ("MATCH (a)-[:T1]->(b)-[:T2]->(c)-[:T1]->(d {id: $s}) RETURN count(DISTINCT a) AS n",
         "MATCH p = (a)-[:T1]->(b)-[:T2]->(c)-[:T1]->(d {id: $s}) RETURN count(DISTINCT a) AS n"),
        ("MATCH (a)-[:T1]->(b)-[:T1]->(c)-[:T1]->(d {id: $s}) WHERE a.k >= 1 RETURN count(DISTINCT a) AS n",
         "MATCH p = (a)-[:T1]->(b)-[:T1]->(c)-[:T1]->(d {id: $s}) WHERE a.k >= 1 RETURN count(DISTINCT a) AS n"),
        ("MATCH (d {id: $s})-[:T1|T2]-(b)-[:T1]-(c)<-[:T3]-(a) RETURN DISTINCT a.id",
         "MATCH p = (d {id: $s})-[:T1|T2]-(b)-[:T1]-(c)<-[:T3]-(a) RETURN DISTINCT a.id"),
        ("MATCH (d {id: $s})-->(b)-->(c)-->(a) RETURN collect(DISTINCT a.id) AS c",
         "MATCH p = (d {id: $s})-->(b)-->(c)-->(a) RETURN collect(DISTINCT a.id) AS c"),
        ("MATCH (d {id: $s})<--(b)<--(c) WHERE c.k = 0 RETURN DISTINCT c.id",
         "MATCH p = (d {id: $s})<--(b)<--(c) WHERE c.k = 0 RETURN DISTINCT c.id"),
        // One type throughout, undirected, self-loops in the graph: relation uniqueness decides, so the steps
        // whose relations it compares must not go level by level.
        ("MATCH (d {id: $s})-[:T1]-(b)-[:T1]-(c)-[:T1]-(a) RETURN DISTINCT a.id",
         "MATCH p = (d {id: $s})-[:T1]-(b)-[:T1]-(c)-[:T1]-(a) RETURN DISTINCT a.id"),
        ("MATCH (d {id: $s})-[:T2]-(b)-[:T2]-(a) RETURN count(DISTINCT a) AS n",
         "MATCH p = (d {id: $s})-[:T2]-(b)-[:T2]-(a) RETURN count(DISTINCT a) AS n"),
        // A named relation nobody reads later, a second part, a later MATCH on the frontier.
        ("MATCH (d {id: $s})<-[r:T1]-(b)<-[:T2]-(c) RETURN DISTINCT c.id",
         "MATCH p = (d {id: $s})<-[r:T1]-(b)<-[:T2]-(c) RETURN DISTINCT c.id"),
        ("MATCH (d {id: $s})<-[:T1]-(b)<-[:T2]-(c), (e {id: $s})-[:T3]->(f) RETURN count(DISTINCT c) AS n, collect(DISTINCT f.id) AS fs",
         "MATCH p = (d {id: $s})<-[:T1]-(b)<-[:T2]-(c), (e {id: $s})-[:T3]->(f) RETURN count(DISTINCT c) AS n, collect(DISTINCT f.id) AS fs"),
        ("MATCH (d {id: $s})<--(b)<--(c) WITH DISTINCT c MATCH (c)<-[:T1]-(x)<-[:T3]-(y) RETURN count(DISTINCT y) AS n",
         "MATCH p = (d {id: $s})<--(b)<--(c) WITH DISTINCT c MATCH q = (c)<-[:T1]-(x)<-[:T3]-(y) RETURN count(DISTINCT y) AS n"),
        ("MATCH (d {id: $s})-[:T1|T3]->(b)-[:T2|T3]->(c)-->(a) WHERE a.k <> 1 RETURN min(a.id) AS lo, max(a.id) AS hi",
         "MATCH p = (d {id: $s})-[:T1|T3]->(b)-[:T2|T3]->(c)-->(a) WHERE a.k <> 1 RETURN min(a.id) AS lo, max(a.id) AS hi"),
    ]

    @Test(arguments: [UInt64(11), 12, 13])
    func deduplicatedFrontierGivesWhatEveryPathGives(seed: UInt64) throws {
        let nodes = 8
        let db = try Self.randomGraph(seed: seed, nodes: nodes, relations: 30)
        var found = 0
        defer { #expect(found > 0, "the graphs have matches") }
        for (collapsed, everyPath) in Self.chainPairs {
            for s in 0..<nodes {
                let q = { (text: String) in text.replacingOccurrences(of: "$s", with: "'n\(s)'") }
                let collapsedRows = try Self.sortedRows(db, q(collapsed))
                let everyPathRows = try Self.sortedRows(db, q(everyPath))
                found += everyPathRows.filter { $0 != "int(0)" && $0 != "[]" }.count
                #expect(collapsedRows == everyPathRows, "\(q(collapsed))")
            }
        }
    }

    @Test func explainShowsTheFrontier() throws {
        let db = try Self.randomGraph(seed: 5, nodes: 6, relations: 12)
        // Shaped like Q6: from d, the steps to v and to a go level by level (r still holds its relation for the
        // uniqueness check of the two T1 relations, which is made as soon as both are bound; h's frontier is the
        // step to v's sources; a has predicates waiting).
        let q6 = "MATCH (a)-[:T3]->(v)-[:T2]->(h)-[:T1]->(r)-[:T1]->(d {id: 'n1'}) WHERE a.k >= 1 RETURN count(DISTINCT a) AS n"
        let ops = try Self.operators(db, q6)
        #expect(ops.filter { $0.contains("FrontierExpand") }.count == 2, "\(ops)")
        #expect(ops.filter { $0.contains("Frontier") }.count == 2, "\(ops)")
        #expect(ops.contains { $0.contains("RelationUniqueness") })
        // The uniqueness check comes before the first level-by-level step (it needs the relations of every path).
        let check = ops.firstIndex { $0.contains("RelationUniqueness") } ?? 0
        #expect(ops.indices.filter { ops[$0].contains("FrontierExpand") }.allSatisfy { $0 < check }, "\(ops)")
        // Paths observable, every row counted, or a LIMIT that may stop early: no frontier.
        for query in [
            "MATCH p = (a)-[:T1]->(v)-[:T2]->(h {id: 'n1'}) RETURN count(DISTINCT a) AS n",
            "MATCH (a)-[:T1]->(v)-[:T2]->(h {id: 'n1'}) RETURN count(a) AS n",
            "MATCH (a)-[:T1]->(v)-[:T2]->(h {id: 'n1'}) RETURN DISTINCT a.id, h.id",
            "MATCH (a)-[:T1]->(v)-[:T2]->(h {id: 'n1'}) RETURN DISTINCT a.id LIMIT 2",
            "MATCH (a)-[:T1]->(v)-[:T2]->(h {id: 'n1'}) RETURN a.id",
        ] {
            let ops = try Self.operators(db, query)
            #expect(!ops.contains { $0.contains("Frontier") }, "\(query): \(ops)")
        }
    }
}

