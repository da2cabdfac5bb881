import Testing

@testable import CIQLSyntax

/// The tree of `RETURN <text>`'s single item, printed.
func parsedExpression(_ text: String) throws -> String {
    let statements = try CIQLParser.parse("RETURN " + text)
    guard case .query(let query)? = statements.first?.body,
        case .return(let projection)? = query.parts.first?.clauses.first?.kind,
        let item = projection.items.first
    else { return "<not a RETURN>" }
    return SyntaxPrinter.print(item.expression)
}

/// The tree of `MATCH (a), (b) WHERE <text> RETURN a`'s condition, printed.
func parsedCondition(_ text: String) throws -> String {
    let statements = try CIQLParser.parse("MATCH (a), (b) WHERE " + text + " RETURN a")
    guard case .query(let query)? = statements.first?.body,
        case .match(_, _, let condition?)? = query.parts.first?.clauses.first?.kind
    else { return "<no condition>" }
    return SyntaxPrinter.print(condition)
}

struct ExpressionParserTests {
    @Test(
        "literals",
        arguments: [
            ("null", "null"), ("TRUE", "true"), ("false", "false"), ("42", "42"), ("0x1F", "31"), ("0o17", "15"),
            ("1.5", "1.5"), (".5", "0.5"), ("1e3", "1000.0"), ("1.5E-3", "0.0015"), ("'it\\'s'", "'it's'"),
            ("\"a\\\"b\"", "'a\"b'"), ("'\\u00e9\\n'", "'é\n'"), ("-9223372036854775808", "-9223372036854775808"),
            ("9223372036854775807", "9223372036854775807"), ("-0x10", "-16"), ("-1.5", "-1.5"), ("$name", "$name"),
            ("$0", "$0"), ("$`odd name`", "$odd name"),
        ])
    func literal(text: String, tree: String) throws {
        #expect(try parsedExpression(text) == tree)
    }

    @Test(
        "operator precedence follows openCypher",
        arguments: [
            ("a OR b XOR c AND d", "(or a (xor b (and c d)))"),
            ("NOT a AND b", "(and (not a) b)"),
            ("NOT a = b", "(not (= a b))"),
            ("NOT NOT a", "(not (not a))"),
            ("a = b OR c", "(or (= a b) c)"),
            ("a + 1 IN list", "(in (+ a 1) list)"),
            ("x IN list = true", "(= (in x list) true)"),
            ("a STARTS WITH 'x' AND b ENDS WITH 'y'", "(and (starts with a 'x') (ends with b 'y'))"),
            ("a CONTAINS b + c", "(contains a (+ b c))"),
            ("a =~ 'x.*'", "(=~ a 'x.*')"),
            ("a IS NULL OR b IS NOT NULL", "(or (is-null a) (is-not-null b))"),
            ("1 + 2 * 3", "(+ 1 (* 2 3))"),
            ("1 - 2 - 3", "(- (- 1 2) 3)"),
            ("8 / 4 % 3", "(% (/ 8 4) 3)"),
            ("2 ^ 3 ^ 2", "(^ (^ 2 3) 2)"),
            ("-2 ^ 2", "(^ -2 2)"),
            ("-a ^ 2", "(^ (- a) 2)"),
            ("2 * -a", "(* 2 (- a))"),
            ("- -a", "(- (- a))"),
            ("+a", "(+ a)"),
            ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
            ("a.b.c", "a.b.c"),
            ("a[0].b", "(index a 0).b"),
            ("a[1..2]", "(slice a 1 2)"),
            ("a[..2]", "(slice a _ 2)"),
            ("a[1..]", "(slice a 1 _)"),
            ("n:Server", "(labels n Server)"),
            ("n:A:B AND m:C", "(and (labels n A:B) (labels m C))"),
            ("a <> b", "(<> a b)"),
            ("a != b", "(<> a b)"),
        ])
    func precedence(text: String, tree: String) throws {
        #expect(try parsedExpression(text) == tree)
    }

    @Test("comparison chains share the middle operand")
    func comparisonChain() throws {
        #expect(try parsedExpression("a < b < c") == "(and (< a b) (< b c))")
        #expect(try parsedExpression("1 < 2 <= 3 = 3") == "(and (and (< 1 2) (<= 2 3)) (= 3 3))")
        let statements = try CIQLParser.parse("RETURN a < b + 1 < c")
        guard case .query(let query) = statements[0].body,
            case .return(let projection) = query.parts[0].clauses[0].kind,
            case .binary(.and, let first, let second) = projection.items[0].expression.kind,
            case .binary(.less, _, let middle1) = first.kind, case .binary(.less, let middle2, _) = second.kind
        else {
            Issue.record("not a chain")
            return
        }
        #expect(SyntaxPrinter.print(middle1) == "(+ b 1)")
        #expect(middle1.location == middle2.location)
    }

    @Test(
        "compound atoms",
        arguments: [
            ("[]", "[]"), ("[1, 'a', [2]]", "[1 'a' [2]]"), ("{}", "{}"),
            ("{id: 1, return: 2, `odd key`: 3}", "{id: 1, return: 2, odd key: 3}"),
            ("n {.id, cost: 2, x, .*}", "n{.id, cost: 2, x, .*}"), ("n {}", "n{}"),
            ("count(*)", "(count *)"), ("count(DISTINCT n.os)", "(count distinct n.os)"),
            ("toLower(n.name)", "(toLower n.name)"),
            ("db.x.y(1, 2)", "(db.x.y 1 2)"), ("rand()", "(rand)"), ("exists(n.prop)", "(exists n.prop)"),
            (
                "CASE n.c WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END",
                "(case n.c (when 1 'a') (when 2 'b') (else 'c'))"
            ),
            ("CASE WHEN a THEN 1 END", "(case (when a 1))"),
            ("[x IN l WHERE x > 1 | x * 2]", "[x in l where (> x 1) | (* x 2)]"), ("[x IN l]", "[x in l]"),
            ("[x IN l | x]", "[x in l | x]"),
            ("[(a)-[:R]->(b) WHERE b.x | b.y]", "[(a)-[:R]->(b) where b.x | b.y]"),
            ("[p = (a)-->() | p]", "[p = (a)-->() | p]"),
            ("[(a)-->(b)]", "<error>"),
            ("all(x IN l WHERE x > 0)", "(all x l (> x 0))"), ("any(x IN l WHERE x)", "(any x l x)"),
            ("none(x IN l WHERE x)", "(none x l x)"), ("single(x IN l)", "(single x l)"),
            ("reduce(acc = 0, x IN l | acc + x)", "(reduce acc 0 x l (+ acc x))"),
            ("EXISTS { MATCH (a)-->(b) WHERE b.x = 1 }", "(exists (a)-->(b) (= b.x 1))"),
            ("EXISTS { (a)-->() }", "(exists (a)-->())"),
            ("`my var`", "my var"), ("count", "count"), ("(a)", "a"), ("((1))", "1"),
        ])
    func compound(text: String, tree: String) throws {
        let printed: String
        do { printed = try parsedExpression(text) } catch { printed = "<error>" }
        #expect(printed == tree)
    }

    @Test(
        "pattern predicates in WHERE, tried before a parenthesised expression",
        arguments: [
            ("(a)-[:R]->(b)", "(pattern (a)-[:R]->(b))"),
            ("(a)<--(b)", "(pattern (a)<--(b))"),
            ("NOT (a)--()", "(not (pattern (a)--()))"),
            ("(a)-->() AND (b)-->()", "(and (pattern (a)-->()) (pattern (b)-->()))"),
            ("(a) - 1 > 0", "(> (- a 1) 0)"),
            ("(a.x) < -1", "(< a.x -1)"),
            ("(a)<-1", "(< a -1)"),
            ("(a) = (b)", "(= a b)"),
            ("any(x IN [1] WHERE (a)-->())", "(any x [1] (pattern (a)-->()))"),
        ])
    func patternPredicate(text: String, tree: String) throws {
        #expect(try parsedCondition(text) == tree)
    }

    @Test("a pattern outside WHERE is refused with a hint")
    func patternOutsideWhere() {
        #expect(throws: CIQLError.self) { try CIQLParser.parse("MATCH (n) RETURN (n)-->()") }
        do {
            _ = try CIQLParser.parse("MATCH (n) RETURN (n)-->()")
        } catch {
            #expect(
                error.message == "a pattern can only be a predicate in WHERE; here use EXISTS { (n)-->() } or a "
                    + "pattern comprehension [(n)-->() | …]")
            #expect(error.location == SourceLocation(line: 1, column: 18, offset: 17))
        }
    }

    @Test("a parenthesised expression starts at its '('")
    func parenthesisLocation() throws {
        let statements = try CIQLParser.parse("RETURN (1 + 2) * 3")
        guard case .query(let query) = statements[0].body, case .return(let projection) = query.parts[0].clauses[0].kind
        else { return }
        #expect(projection.items[0].expression.location.column == 8)
        #expect(projection.items[0].text == "(1 + 2) * 3")
    }

    @Test("every node records where its first token is")
    func locations() throws {
        let statements = try CIQLParser.parse("MATCH (n)\nWHERE  n.x + 1 > 2\nRETURN é.name, 'é' + n.y")
        guard case .query(let query) = statements[0].body,
            case .match(_, _, let condition?) = query.parts[0].clauses[0].kind,
            case .return(let projection) = query.parts[0].clauses[1].kind
        else {
            Issue.record("unexpected shape")
            return
        }
        #expect(condition.location == SourceLocation(line: 2, column: 8, offset: 17))
        guard case .binary(_, let sum, let two) = condition.kind else { return }
        #expect(sum.location.column == 8)
        #expect(two.location == SourceLocation(line: 2, column: 18, offset: 27))
        #expect(query.parts[0].clauses[1].location == SourceLocation(line: 3, column: 1, offset: 29))
        #expect(projection.items[1].expression.location == SourceLocation(line: 3, column: 16, offset: 45))
        guard case .binary(_, _, let ny) = projection.items[1].expression.kind else { return }
        #expect(ny.location == SourceLocation(line: 3, column: 22, offset: 52))
    }
}
