@testable import CIQL
import CIQLSyntax
import CIQLValues
import Testing

/// The row layout the planner hands out (`SlotLayout`): which slot each visible variable lives in, how wide rows
/// are, which slots a `WITH` gives back and clears, how UNION parts, OPTIONAL MATCH and subqueries share the row;
/// and, for each query, that it still answers what it should on a small real database.
@Suite struct SlotLayoutTests {
    let db: FixtureDatabase

    /// a→b, a→c, b→c (all :T), d alone; k is 1, 2, 3, 4.
    init() throws {
        db = try FixtureDatabase(sample: false)
        _ = try db.rows("UNWIND [['a', 1], ['b', 2], ['c', 3], ['d', 4]] AS p CREATE (:N {id: p[0], k: p[1]})")
        _ = try db.rows(
            "UNWIND [['a', 'b'], ['a', 'c'], ['b', 'c']] AS e MATCH (x {id: e[0]}), (y {id: e[1]}) CREATE (x)-[:T]->(y)")
    }

    private func plan(_ text: String) throws -> QueryPlan {
        guard let statement = try CIQLParser.parse(text).first, case .query(let query) = statement.body else {
            throw CIQLError(.semantic, .semantic(.invalidQuery), "not a query: \(text)")
        }
        let planner = Planner(schema: db.database.schema, statistics: .none, procedures: db.engine.procedureTable)
        return try planner.plan(query)
    }

    /// The stages at the query's own level (not inside subqueries), as text.
    private func stages(_ plan: QueryPlan, depth: Int = 0) -> [String] {
        plan.stages.filter { $0.depth == depth }.map(\.description)
    }

    /// Every slot of every row the plan yields, straight from the operators (nodes as their internal values).
    private func rawRows(_ plan: QueryPlan) throws -> [[Value]] {
        try db.database.store.read { tx in
            let source = LiveGraph(tx)
            defer { source.close() }
            let ctx = ExecutionContext(
                source: source, writer: nil, live: source, schema: db.database.schema, parameters: [:],
                statementTime: 0, cancellation: nil)
            try plan.root.open(Row(repeating: .null, count: plan.width), ctx)
            var rows: [[Value]] = []
            while let row = try plan.root.next(ctx) { rows.append(row) }
            return rows
        }
    }

    private func isNull(_ v: Value) -> Bool {
        if case .null = v { return true }
        return false
    }

    // MARK: - WITH

    /// An `EXISTS { query }` may read any variable before it (its outer variables are not worked out), so neither
    /// the rows a grouping keeps nor a WITH … WHERE may lose one it reads. Each answers as the pattern form does.
    @Test func existsSubqueriesKeepEveryVariableTheyMightRead() throws {
        let pairs = [
            ("MATCH (n) WITH n, count(*) + CASE WHEN EXISTS { MATCH (n)-->() RETURN 1 } THEN 10 ELSE 0 END AS d "
                + "RETURN d, count(*) AS k ORDER BY d",
             "MATCH (n) WITH n, count(*) + CASE WHEN EXISTS { (n)-->() } THEN 10 ELSE 0 END AS d "
                + "RETURN d, count(*) AS k ORDER BY d"),
            ("MATCH (n) WITH n.id AS id WHERE EXISTS { MATCH (n)-->() RETURN 1 } RETURN id ORDER BY id",
             "MATCH (n) WITH n.id AS id WHERE EXISTS { (n)-->() } RETURN id ORDER BY id"),
        ]
        for (subquery, pattern) in pairs {
            let expected = try db.rows(pattern)
            #expect(!expected.isEmpty)
            #expect(try db.rows(subquery) == expected, "\(subquery)")
        }
        #expect(try db.rows(pairs[0].1) == [[1, 2], [11, 2]])
        #expect(try db.rows(pairs[1].1) == [["a"], ["b"]])
    }

    @Test func withGivesBackTheSlotsOfVariablesItDropsAndClearsThem() throws {
        let text = "UNWIND [1, 2, 3] AS i WITH i, range(1, 1000) AS big WITH i, size(big) AS n RETURN i, n"
        let p = try plan(text)
        #expect(stages(p) == [
            "WITH [big@1 i@0] cleared []",
            "WITH [i@0 n@2] cleared [1]",
            "RETURN [i@0 n@2] cleared []",
        ])
        #expect(p.width == 3)
        #expect(p.columnSlots == [0, 2])
        // The 1000-element list is gone from every row once `big` is out of scope.
        let rows = try rawRows(p)
        #expect(rows.count == 3)
        for row in rows {
            #expect(row.count == 3)
            #expect(isNull(row[1]))
            #expect(row[2] == 1000)
        }
        #expect(try db.rows(text) == [[1, 1000], [2, 1000], [3, 1000]])
    }

    @Test func aChainOfWithStagesKeepsRowsAsWideAsOneStage() throws {
        // Each stage drops the previous value: two slots, taken in turn, however many stages there are.
        let text = "UNWIND [1] AS x WITH x + 1 AS y WITH y + 1 AS x WITH x + 1 AS y WITH y + 1 AS x RETURN x"
        let p = try plan(text)
        #expect(stages(p) == [
            "WITH [y@1] cleared [0]", "WITH [x@0] cleared [1]", "WITH [y@1] cleared [0]", "WITH [x@0] cleared [1]",
            "RETURN [x@0] cleared []",
        ])
        #expect(p.width == 2)
        #expect(try rawRows(p) == [[5, .null]])
        #expect(try db.rows(text) == [[5]])
    }

    @Test func laterStagesReuseTheSlotsAWithGaveBack() throws {
        // `a` keeps slot 0 (projected as it is); the relation and `b` are dropped, so the RETURN's new columns
        // and the second MATCH's variables take their slots again: the row never grows past four slots.
        let text = """
            MATCH (a:N)-[r:T]->(b:N) WITH a, b.id AS bid \
            MATCH (a)-[:T]->(c) RETURN a.id AS aid, bid, c.id AS cid ORDER BY aid, bid, cid
            """
        let p = try plan(text)
        #expect(stages(p) == [
            "WITH [a@0 bid@3] cleared [1, 2]",
            "RETURN [aid@4 bid@3 cid@5] cleared []",
        ])
        // The second MATCH's relation and `c` took slots 1 and 2 back; the RETURN took the next free ones.
        #expect(p.width == 6)
        #expect(try db.rows(text) == [["a", "b", "b"], ["a", "b", "c"], ["a", "c", "b"], ["a", "c", "c"], ["b", "c", "c"]])
    }

    @Test func projectingAVariableAsItIsKeepsItsSlotAndSwappingNamesSwapsValues() throws {
        let text = "MATCH (a)-[:T]->(b) WITH a AS b, b AS a RETURN b.id AS x, a.id AS y ORDER BY x, y"
        let p = try plan(text)
        #expect(stages(p)[0] == "WITH [a@2 b@0] cleared [1]")
        #expect(try db.rows(text) == [["a", "b"], ["a", "c"], ["b", "c"]])
        // Computed items are evaluated before any is assigned, whatever slots they land in.
        let computed = "UNWIND [[1, 2]] AS p WITH p[0] AS a, p[1] AS b WITH b + 0 AS a, a + 0 AS b RETURN a, b"
        #expect(try db.rows(computed) == [[2, 1]])
        let renamed = "UNWIND [[1, 2]] AS p WITH p[0] AS a, p[1] AS b WITH b AS a, a AS b RETURN a, b"
        #expect(try db.rows(renamed) == [[2, 1]])
    }

    @Test func aNameShadowedOrReusedAfterWithGetsItsOwnSlot() throws {
        // `n` becomes a number in a new slot; the node's slot is given back.
        let shadow = "MATCH (n:N) WITH n.k AS n RETURN n ORDER BY n"
        let p = try plan(shadow)
        #expect(stages(p)[0] == "WITH [n@1] cleared [0]")
        #expect(try db.rows(shadow) == [[1], [2], [3], [4]])
        // After WITH drops `n`, a new MATCH may bind `n` again: it takes the freed slot, not the old value.
        let reuse = "MATCH (n:N {id: 'a'}) WITH n.k AS k MATCH (n:N) WHERE n.k > k RETURN n.id AS id ORDER BY id"
        let q = try plan(reuse)
        #expect(stages(q)[0] == "WITH [k@1] cleared [0]")
        #expect(stages(q)[1] == "RETURN [id@2] cleared []")
        #expect(try db.rows(reuse) == [["b"], ["c"], ["d"]])
    }

    @Test func withWhereAndOrderByStillSeeTheVariablesBeforeTheWith() throws {
        // WHERE reads `a` through a hidden column and ORDER BY reads it directly: both slots are cleared only
        // after them, by the stage's last operator.
        let text = "MATCH (a:N) WITH a.id AS id WHERE a.k % 2 = 0 WITH id ORDER BY id DESC RETURN id"
        let p = try plan(text)
        #expect(stages(p)[0] == "WITH [id@1] cleared [0]")
        #expect(try db.rows(text) == [["d"], ["b"]])
        let sorted = "MATCH (a:N) WITH a.id AS id ORDER BY a.k DESC LIMIT 2 RETURN id"
        let q = try plan(sorted)
        #expect(stages(q)[0] == "WITH [id@1] cleared [0]")
        #expect(try db.rows(sorted) == [["d"], ["c"]])
        for row in try rawRows(q) { #expect(isNull(row[0])) }
    }

    // MARK: - Aggregation

    @Test func groupingKeepsOnlyItsKeysAndAggregatesInTheRow() throws {
        let text = "UNWIND [1, 1, 2] AS i WITH i, range(1, 100) AS big WITH i, count(*) AS c RETURN i, c ORDER BY i"
        let p = try plan(text)
        // Keys and aggregates get new slots (2, 3) and count(*) its own (4); the rest is given back.
        #expect(stages(p)[1] == "WITH [c@3 i@2] cleared [0, 1, 4]")
        #expect(p.width == 5)
        for row in try rawRows(p) {
            #expect(isNull(row[0]) && isNull(row[1]) && isNull(row[4]))
        }
        #expect(try db.rows(text) == [[1, 2], [2, 1]])
        // An item computed after grouping reads the keys' variables from the group's row: they stay until then.
        let computed = "UNWIND [1, 1, 2] AS i WITH i, [i] + collect(i * 10) AS l RETURN i, l ORDER BY i"
        #expect(try db.rows(computed) == [[1, .list([1, 10, 10])], [2, .list([2, 20])]])
        // ORDER BY cannot read a variable the grouping dropped (a group's rows differ in it), only the columns and
        // what the items compute: `a.id` is the column `id`.
        let dropped = "MATCH (a:N)-[:T]->(b) WITH a.id AS id, count(b) AS n ORDER BY a.k DESC RETURN id, n"
        #expect(throws: CIQLError.self) { try db.rows(dropped) }
        let ordered = "MATCH (a:N)-[:T]->(b) WITH a.id AS id, count(b) AS n ORDER BY a.id DESC RETURN id, n"
        #expect(try db.rows(ordered) == [["b", 1], ["a", 2]])
    }

    // MARK: - OPTIONAL MATCH

    @Test func optionalMatchNullFillsExactlyTheSlotsItsPatternIntroduces() throws {
        let text = """
            MATCH (x:N) WITH x.id AS xid MATCH (a:N {id: xid}) OPTIONAL MATCH (a)-[:T]->(b) \
            RETURN xid, b.id AS bid ORDER BY xid, bid
            """
        let p = try plan(text)
        #expect(stages(p)[0] == "WITH [xid@1] cleared [0]")
        var optional: OptionalOperator?
        p.root.walk { op, _ in if let o = op as? OptionalOperator { optional = o } }
        // `a` took slot 0 back; the anonymous relation and `b` are the pattern's own (2, 3), and only they are filled.
        #expect(optional?.introducedSlots.sorted() == [2, 3])
        #expect(stages(p)[1] == "RETURN [bid@4 xid@1] cleared []")
        #expect(try db.rows(text) == [["a", "b"], ["a", "c"], ["b", "c"], ["c", .null], ["d", .null]])
    }

    // MARK: - UNION

    @Test func unionPartsWriteTheirColumnsIntoTheSameSlots() throws {
        let text = "MATCH (a:N) WHERE a.k <= 2 RETURN a.id AS id UNION MATCH (b:N)-[:T]->(c) RETURN c.id AS id"
        let p = try plan(text)
        #expect(p.stages.last?.description == "UNION [id@1] cleared []")
        #expect(p.columnSlots == [1])
        var union: UnionOperator?
        p.root.walk { op, _ in if let u = op as? UnionOperator { union = u } }
        // Each part's RETURN projects straight into the shared slot; no part copies its columns again.
        for part in union?.children ?? [] {
            #expect(part is ProjectOperator)
            #expect((part as? ProjectOperator)?.items.map(\.slot) == [1])
        }
        #expect(union?.children.count == 2)
        let ids = try db.rows(text).map { row -> String in
            if case .string(let s) = row.first { return s }
            return "\(row)"
        }
        #expect(ids.sorted() == ["a", "b", "c"])
        // The second part keeps the shared slot free for its RETURN, so its own variables (and ORDER BY's reads of
        // them) never land there.
        let all = "UNWIND ['x', 'y'] AS v RETURN v AS id UNION ALL MATCH (n:N) WITH n ORDER BY n.k DESC LIMIT 2 RETURN n.id AS id"
        let q = try plan(all)
        #expect(q.columnSlots == [0])
        #expect(stages(q).contains("WITH [n@1] cleared []"))
        #expect(try db.rows(all) == [["x"], ["y"], ["d"], ["c"]])
        // Grouped parts write their aggregates into the shared slot as well.
        let counts = "MATCH (a:N) RETURN count(*) AS n UNION ALL MATCH (a)-[:T]->(b) WITH b RETURN count(b) AS n"
        let r = try plan(counts)
        #expect(r.stages.filter { $0.clause == "RETURN" }.map { $0.variables["n"] } == [r.columnSlots[0], r.columnSlots[0]])
        #expect(try db.rows(counts) == [[4], [3]])
    }

    // MARK: - Per-row checks without per-row sets

    @Test func aMatchUsesEachRelationOnceAndDistinctKeepsEachRowOnce() throws {
        // The undirected second relation may not walk back along the first.
        let chain = "MATCH (x)-[:T]->(y)-[:T]-(z) RETURN x.id AS x, y.id AS y, z.id AS z ORDER BY x, y, z"
        #expect(try db.rows(chain) == [["a", "b", "c"], ["a", "c", "b"], ["b", "c", "a"]])
        let distinct = "MATCH (x)-[:T]->(y) RETURN DISTINCT x.k > 1 AS late, y.k > 2 AS far ORDER BY late, far"
        #expect(try db.rows(distinct) == [[.bool(false), .bool(false)], [.bool(false), .bool(true)], [.bool(true), .bool(true)]])
    }

    // MARK: - Subqueries

    @Test func existsSubqueriesTakeFreeSlotsAndGiveThemBack() throws {
        let text = "MATCH (a:N) WHERE EXISTS { MATCH (a)-[:T]->(x) WITH x WHERE x.k > 2 RETURN x } RETURN a.id AS id ORDER BY id"
        let p = try plan(text)
        // Inside, `x` and the relation take slots the outer query is not using; its WITH drops `a` (in its copy of
        // the row only). Afterwards the outer RETURN takes those slots again.
        #expect(stages(p, depth: 1) == ["WITH [x@2] cleared [0, 1]", "RETURN [x@2] cleared []"])
        #expect(stages(p) == ["EXISTS [a@0] cleared []", "RETURN [id@1] cleared []"])
        #expect(try db.rows(text) == [["a"], ["b"]])
        let pattern = "MATCH (a:N) WHERE EXISTS { (a)-[:T]->(:N {k: 3}) } AND NOT (a)<-[:T]-() RETURN a.id AS id"
        #expect(try db.rows(pattern) == [["a"]])
    }

    @Test func patternComprehensionsSeeTheOuterSlotsAndUseTheirOwn() throws {
        let text = "MATCH (a:N) WITH a, a.k AS k RETURN a.id AS id, [(a)-[:T]->(b) WHERE b.k > k | b.id] AS out ORDER BY id"
        let p = try plan(text)
        let inner = p.stages.filter { $0.depth == 1 }
        #expect(inner.count == 1)
        let outerSlots: Set<Int> = [0, 1, 2, 3]  // a, k, id, out
        // The comprehension sees `a` and `k` where the outer query keeps them, and binds its own variables elsewhere.
        #expect(inner.first?.variables["a"] == 0)
        #expect(inner.first?.variables["k"] == 1)
        if let b = inner.first?.variables["b"] { #expect(!outerSlots.contains(b)) } else { Issue.record("no b") }
        #expect(stages(p).last == "RETURN [id@2 out@3] cleared []")
        let rows = try db.rows(text).map { row in row.map { v -> Value in
            if case .list(let l) = v { return .list(l.sorted { "\($0)" < "\($1)" }) }
            return v
        } }
        #expect(rows == [["a", .list(["b", "c"])], ["b", .list(["c"])], ["c", .list([])], ["d", .list([])]])
    }
}
