import Testing

@testable import CIQLSyntax

/// Every statement of `text`, printed and joined by " ; ".
func parsedStatements(_ text: String) throws -> String {
    try CIQLParser.parse(text).map(SyntaxPrinter.print).joined(separator: " ; ")
}

struct StatementParserTests {
    @Test(
        "clauses",
        arguments: [
            ("MATCH (n:Server {id: 'web-01'}) RETURN n.name", "(match (n:Server {id: 'web-01'})) (return n.name)"),
            ("OPTIONAL MATCH (a)-->(b) WHERE b.x RETURN b", "(optional-match (a)-->(b) (where b.x)) (return b)"),
            ("UNWIND [1, 2] AS x RETURN x", "(unwind [1 2] x) (return x)"),
            (
                "MATCH (n) WITH DISTINCT n.a AS a, n ORDER BY a DESC, n.b ASCENDING SKIP 1 LIMIT 2 WHERE a > 1 RETURN a",
                "(match (n)) (with distinct n.a as a, n (order a desc, n.b) (skip 1) (limit 2) (where (> a 1))) (return a)"
            ),
            ("MATCH (n) WITH * RETURN *", "(match (n)) (with *) (return *)"),
            ("MATCH (n) RETURN *, n.x AS x ORDER BY x DESCENDING", "(match (n)) (return *, n.x as x (order x desc))"),
            ("CREATE (a:A {k: 1})-[:R]->(b), (c)", "(create (a:A {k: 1})-[:R]->(b), (c))"),
            (
                "MERGE (n:S {id: 1}) ON MATCH SET n.seen = 1 ON CREATE SET n.new = true ON MATCH SET n.x = 2",
                "(merge (n:S {id: 1}) (on-create (= n.new true)) (on-match (= n.seen 1) (= n.x 2)))"
            ),
            (
                "MATCH (n) SET n.k = 1, n = {a: 1}, n += $p, n:Server:X, (n).y = 2",
                "(match (n)) (set (= n.k 1) (= n {a: 1}) (+= n $p) n:Server:X (= n.y 2))"
            ),
            ("MATCH (n) REMOVE n.k, n:Server", "(match (n)) (remove n.k n:Server)"),
            ("MATCH (n)-[r]->() DELETE r, n", "(match (n)-[r]->()) (delete r n)"),
            ("MATCH (n) DETACH DELETE n", "(match (n)) (detach-delete n)"),
            (
                "CALL impact(['hv-1'], {depth: 6}) YIELD ci, level AS l WHERE l = 'down' RETURN ci",
                "(call impact (['hv-1'] {depth: 6}) (yield ci, level as l) (where (= l 'down'))) (return ci)"
            ),
            ("CALL db.labels", "(call db.labels)"),
            ("CALL db.labels() YIELD *", "(call db.labels () (yield *))"),
            (
                "MATCH (a) RETURN a UNION MATCH (b) RETURN b UNION MATCH (c) RETURN c",
                "(match (a)) (return a) union (match (b)) (return b) union (match (c)) (return c)"
            ),
            ("RETURN 1 AS a UNION ALL RETURN 2 AS a", "(return 1 as a) union-all (return 2 as a)"),
            ("match (n) return n", "(match (n)) (return n)"),
        ])
    func clause(text: String, tree: String) throws {
        #expect(try parsedStatements(text) == tree)
    }

    @Test(
        "patterns",
        arguments: [
            ("(a)-->(b)<--(c)--(d)<-->(e)", "(a)-->(b)<--(c)--(d)--(e)"),
            ("(a)-[r:T|U*1..3 {k: 1}]->(b)", "(a)-[r:T|U*1..3 {k: 1}]->(b)"),
            ("(a)<-[:T|:U]-(b)", "(a)<-[:T|U]-(b)"),
            ("(a)-[*]->(b)", "(a)-[*..]->(b)"),
            ("(a)-[*2]->(b)", "(a)-[*2..2]->(b)"),
            ("(a)-[*..3]->(b)", "(a)-[*..3]->(b)"),
            ("(a)-[*2..]->(b)", "(a)-[*2..]->(b)"),
            ("(a)-[*0..0]->(b)", "(a)-[*0..0]->(b)"),
            ("p = (a)-->(b)", "p = (a)-->(b)"),
            ("p = shortestPath((a)-[*]-(b))", "p = shortest((a)-[*..]-(b))"),
            ("allShortestPaths((a)-[*]-(b))", "all-shortest((a)-[*..]-(b))"),
            ("((a)-->(b))", "(a)-->(b)"),
            ("(:A:B), (n $p), ()", "(:A:B), (n $p), ()"),
            ("(n:Match)-[:Return]->(`odd``name`)", "(n:Match)-[:Return]->(odd`name)"),
        ])
    func pattern(text: String, tree: String) throws {
        #expect(try parsedStatements("MATCH " + text + " RETURN 1") == "(match \(tree)) (return 1)")
    }

    @Test("relationship directions")
    func directions() throws {
        let statements = try CIQLParser.parse("MATCH (a)-->(b)<--(c)--(d)<-->(e)-[]->(f) RETURN a")
        guard case .query(let query) = statements[0].body,
            case .match(_, let pattern, _) = query.parts[0].clauses[0].kind
        else { return }
        #expect(pattern[0].element.steps.map(\.relationship.direction) == [.right, .left, .both, .both, .right])
        #expect(pattern[0].element.steps[1].relationship.location == SourceLocation(line: 1, column: 16, offset: 15))
    }

    @Test(
        "statement prefixes, suffixes and CMDB statements",
        arguments: [
            ("EXPLAIN MATCH (n) RETURN n", "explain (match (n)) (return n)"),
            ("PROFILE MATCH (n) RETURN n", "profile (match (n)) (return n)"),
            ("USING CHANGE 'CHG-1' CREATE (n)", "(change 'CHG-1') (create (n))"),
            ("AS OF '2026-01-01' MATCH (n) RETURN n", "(as-of '2026-01-01') (match (n)) (return n)"),
            ("AS OF TX 812 MATCH (n) RETURN n", "(as-of-tx 812) (match (n)) (return n)"),
            ("AS OF BASELINE 'q3' MATCH (n) RETURN n", "(as-of-baseline 'q3') (match (n)) (return n)"),
            ("MATCH (n) RETURN n AS OF TX 5", "(as-of-tx 5) (match (n)) (return n)"),
            ("MATCH (n) RETURN n AS x AS OF '2026'", "(as-of '2026') (match (n)) (return n as x)"),
            ("MATCH (n) RETURN n AS OF", "(match (n)) (return n as OF)"),
            (
                "MATCH (n) RETURN n ORDER BY n.x LIMIT 3 AS OF BASELINE 'q3'",
                "(as-of-baseline 'q3') (match (n)) (return n (order n.x) (limit 3))"
            ),
            (
                "EXPLAIN USING CHANGE 'C' AS OF TX 1 MATCH (n) RETURN n",
                "explain (change 'C') (as-of-tx 1) (match (n)) (return n)"
            ),
            ("CREATE BASELINE 'q3' DESCRIPTION 'end of Q3'", "(create-baseline 'q3' 'end of Q3')"),
            ("create baseline 'q3'", "(create-baseline 'q3')"),
            ("CREATE baseline = (a)-->(b)", "(create baseline = (a)-->(b))"),
            ("SHOW BASELINES", "(show-baselines)"),
            ("DIFF BASELINE 'a' AND 'b'", "(diff-baseline 'a' 'b')"),
            ("DIFF BASELINE 'a'", "(diff-baseline 'a')"),
            ("SHOW CLASSES", "(show-classes)"),
            ("SHOW RELATION TYPES", "(show-relation-types)"),
            ("DESCRIBE CLASS Server", "(describe-class Server)"),
            ("SHOW CLASSES; SHOW BASELINES;", "(show-classes) ; (show-baselines)"),
            ("", ""),
            (" ;; // nothing\n", ""),
            ("MATCH /* a */ (n) // b\nRETURN n", "(match (n)) (return n)"),
        ])
    func statement(text: String, tree: String) throws {
        #expect(try parsedStatements(text) == tree)
    }

    @Test("a column without alias is named by the expression as written")
    func columnNames() throws {
        let statements = try CIQLParser.parse("MATCH (n) RETURN n.name, count(*),  n.x  +  1 , n.y AS y, `n`")
        guard case .query(let query) = statements[0].body, case .return(let projection) = query.parts[0].clauses[1].kind
        else { return }
        #expect(projection.items.map(\.columnName) == ["n.name", "count(*)", "n.x  +  1", "y", "`n`"])
        #expect(projection.items[3].text == "n.y")
    }

    @Test("the keyword list is complete and sorted")
    func keywords() {
        #expect(CIQLLexer.keywords.contains("MATCH"))
        #expect(CIQLLexer.keywords.contains("BASELINE"))
        #expect(CIQLLexer.keywords == CIQLLexer.keywords.sorted())
    }

    @Test("locations print as line:column")
    func locationDescription() {
        #expect(SourceLocation(line: 3, column: 7, offset: 20).description == "3:7")
    }

    @Test(
        "splitStatements splits at ';' outside strings, quoted names and comments",
        arguments: [
            ("MATCH (n) RETURN n;", ["MATCH (n) RETURN n"], ""),
            ("a; b;\n c", ["a", "b"], "\n c"),
            ("RETURN 'a;b'; RETURN \"c;\\\"d;\"", ["RETURN 'a;b'"], " RETURN \"c;\\\"d;\""),
            ("RETURN `x;``y`;", ["RETURN `x;``y`"], ""),
            ("RETURN 1 // no;\n;", ["RETURN 1 // no;"], ""),
            ("RETURN /* ; */ 1; RETURN 'open;", ["RETURN /* ; */ 1"], " RETURN 'open;"),
            ("RETURN 'it\\'s;'", [], "RETURN 'it\\'s;'"),
            (";;  ", [], ""),
            ("RETURN 1 /* open ;", [], "RETURN 1 /* open ;"),
        ])
    func split(text: String, complete: [String], remainder: String) {
        let result = CIQLParser.splitStatements(text)
        #expect(result.complete == complete)
        #expect(result.remainder == remainder)
    }
}
