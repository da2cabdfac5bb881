import Testing

@testable import CIQLSyntax

/// The error `text` raises, as "line:column message".
func parseError(_ text: String) -> String {
    do {
        _ = try CIQLParser.parse(text)
        return "<parsed>"
    } catch {
        #expect(error.kind == .syntax)
        return "\(error.location?.description ?? "-") \(error.message)"
    }
}

struct ParserErrorTests {
    @Test(
        "syntax errors point at the offending token and say what was expected",
        arguments: [
            ("MATCH (n:Server RETURN n", "1:17 expected ')' to close the node pattern opened at 1:7, found 'RETURN'"),
            ("MATHC (n) RETURN n", "1:1 unknown keyword 'MATHC'; did you mean MATCH?"),
            ("MATCH (n) RETRUN n", "1:11 unknown keyword 'RETRUN'; did you mean RETURN?"),
            ("MATCH (n) RETURN n LIMT 1", "1:20 unknown keyword 'LIMT'; did you mean LIMIT?"),
            ("foo", "1:1 expected a clause such as MATCH, CREATE or RETURN, found 'foo'"),
            ("MATCH (n) RETURN n n", "1:20 expected a clause, ';' or the end of the input after 'n', found 'n'"),
            ("MATCH (n) WHERE RETURN n", "1:17 expected an expression after 'WHERE', found 'RETURN'"),
            ("RETURN 'abc", "1:8 unterminated string literal"),
            ("RETURN\n  \"abc\ndef", "2:3 unterminated string literal"),
            ("RETURN 'a\\qb'", "1:10 invalid escape '\\q' in string; use \\\\ \\' \\\" \\n \\t \\r \\b \\f or \\uXXXX"),
            ("RETURN '\\u12'", "1:9 invalid unicode escape: '\\u' needs 4 hexadecimal digits"),
            ("RETURN '\\uD800'", "1:9 invalid unicode escape: U+D800 is not a character"),
            ("MATCH (a)-[*1.5]->(b) RETURN a", "1:13 expected whole numbers in the variable length, found '1.5'"),
            (
                "RETURN 9223372036854775808",
                "1:8 integer literal '9223372036854775808' is too large for a 64-bit integer"
            ),
            (
                "RETURN -9223372036854775809",
                "1:8 integer literal '-9223372036854775809' is too large for a 64-bit integer"
            ),
            ("RETURN 0x8000000000000000", "1:8 integer literal '0x8000000000000000' is too large for a 64-bit integer"),
            ("RETURN 1e400", "1:8 float literal '1e400' is too large"),
            ("RETURN 1a", "1:8 invalid number literal '1a'"),
            ("RETURN 0x", "1:8 invalid number literal '0x'"),
            ("RETURN 1e", "1:8 invalid number literal '1e'"),
            ("RETURN 1 /* open", "1:10 unterminated comment: '/*' has no closing '*/'"),
            ("RETURN `abc", "1:8 unterminated quoted name: '`' has no closing '`'"),
            ("RETURN #", "1:8 unexpected character '#'"),
            ("RETURN $", "1:8 expected a parameter name after '$'"),
            ("RETURN [1, 2", "1:13 expected ']' to close the list opened at 1:8, found the end of the input"),
            ("RETURN {a 1}", "1:11 expected ':' after the key 'a', found '1'"),
            ("RETURN (1 + 2", "1:14 expected ')' to close the parenthesis opened at 1:8, found the end of the input"),
            (
                "RETURN CASE WHEN a THEN 1",
                "1:26 expected END to close the CASE opened at 1:8, found the end of the input"
            ),
            ("RETURN CASE a END", "1:15 expected WHEN in the CASE opened at 1:8, found 'END'"),
            (
                "MATCH (a)-[r:T->(b) RETURN a",
                "1:15 expected ']' to close the relationship pattern opened at 1:11, found '-'"
            ),
            (
                "MATCH (a)-(b) RETURN a",
                "1:11 expected '-' to continue the relationship pattern started at 1:10, found '('"
            ),
            ("MATCH a RETURN a", "1:7 expected '(' to start a node pattern, found 'a'"),
            ("OPTIONAL RETURN 1", "1:10 expected MATCH after OPTIONAL, found 'RETURN'"),
            (
                "MATCH (n) SET n",
                "1:15 expected a property such as 'n.key' or a label such as 'n:Class' in SET, found 'n'"
            ),
            ("MATCH (n) SET n.x", "1:18 expected '=' after the property to set, found the end of the input"),
            ("UNWIND [1] AS RETURN", "1:15 expected a variable name after UNWIND … AS, found 'RETURN'"),
            ("SHOW TABLES", "1:6 expected BASELINES, CLASSES or RELATION TYPES after SHOW, found 'TABLES'"),
            (
                "USING CHANGE 42 MATCH (n) RETURN n",
                "1:14 expected the change reference as a string after USING CHANGE, found '42'"
            ),
            ("AS OF TX 1 MATCH (n) RETURN n AS OF TX 2", "1:31 AS OF is given twice"),
            ("MATCH (n) RETURN n.", "1:20 expected a property key after '.', found the end of the input"),
            ("RETURN a IS 1", "1:13 expected NULL after IS, found '1'"),
            ("RETURN count(", "1:14 expected an expression after '(', found the end of the input"),
            (
                "MATCH (n) RETURN n; MATCH (m) RETURN",
                "1:37 expected an expression after 'RETURN', found the end of the input"
            ),
            (
                "MATCH (a) WHERE (a)-[:R->(b) RETURN a",
                "1:24 expected ']' to close the relationship pattern opened at 1:21, found '-'"
            ),
            (
                "MATCH (a) WHERE (a)-->(b RETURN a",
                "1:26 expected ')' to close the node pattern opened at 1:23, found 'RETURN'"
            ),
            (
                "CALL db.x YIELD * RETURN 1",
                "1:1 YIELD * is only allowed when CALL is the whole query; name the columns to use"
            ),
        ])
    func syntaxError(text: String, expected: String) {
        #expect(parseError(text) == expected)
    }

    @Test("the rendered error draws a caret under the offending token")
    func rendered() {
        let source = "MATCH (n:Server\nRETURN n"
        do {
            _ = try CIQLParser.parse(source)
            Issue.record("parsed")
        } catch {
            #expect(
                error.rendered(source: source) == """
                    error[SyntaxError.UnexpectedSyntax] 2:1: expected ')' to close the node pattern opened at 1:7, found 'RETURN'
                      RETURN n
                      ^
                    """)
        }
    }

    @Test(
        "LF, CRLF and a lone CR each end one line: the same place, line and caret, without the CR",
        arguments: ["\n", "\r\n", "\r"])
    func lineEnds(_ end: String) {
        let source = ["RETURN 1 AS a;", "// RETURN )", "RETURN", "  'é', )", ""].joined(separator: end)
        do {
            _ = try CIQLParser.parse(source)
            Issue.record("parsed")
        } catch {
            #expect(error.location?.line == 4 && error.location?.column == 8)
            #expect(
                error.rendered(source: source) == """
                    error[SyntaxError.UnexpectedSyntax] 4:8: expected an expression after ',', found ')'
                        'é', )
                             ^
                    """)
        }
    }

    @Test("columns count characters, offsets count UTF-8 bytes")
    func unicodeColumns() {
        #expect(parseError("RETURN 'é', 'ü' +") == "1:18 expected an expression after '+', found the end of the input")
        do {
            _ = try CIQLParser.parse("RETURN 'é', 'ü' + )")
        } catch {
            #expect(error.location == SourceLocation(line: 1, column: 19, offset: 20))
        }
    }

    @Test(
        "deep nesting is an error, not a stack overflow",
        arguments: [
            "(", "[", "{a:", "-", "NOT ", "[x IN ", "EXISTS { MATCH (a {k: ", "({a: ", "[(a)-->({k: ", "CASE WHEN ",
            "n {k: ", "f(", "reduce(a = ", "-(",
        ])
    func deepNesting(opener: String) {
        // 20,000 levels (up to 180,000 tokens): far past the nesting limit, within the statement's token limit.
        let text = "MATCH (a) WHERE " + String(repeating: opener, count: 20_000) + "1"
        let result = parseError(text)
        #expect(result.contains("the statement nests too deeply ("), "\(result)")
    }

    @Test(
        "long operator chains are an error, since the tree nests to the left",
        arguments: ["1 < ", "x IS NULL AND ", "1 + ", "a OR ", "2 ^ "])
    func longChains(link: String) {
        let text = "MATCH (a) WHERE " + String(repeating: link, count: 20_000) + "1 RETURN a"
        let result = parseError(text)
        #expect(result.contains("the expression is too long: more than \(Parser.maximumDepth) operators"), "\(result)")
        let postfix = "RETURN a" + String(repeating: ".b", count: 100_000)
        #expect(parseError(postfix).contains("the expression is too long"))
        let fine = "MATCH (a) WHERE " + String(repeating: link, count: 400) + "1 RETURN a"
        #expect(parseError(fine) == "<parsed>")
    }

    @Test("deep but reasonable nesting parses")
    func moderateNesting() throws {
        let depth = 100
        let text =
            String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
            + " + " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(try parsedExpression(text).hasPrefix("(+ 1 [[["))
        let patterns =
            "MATCH (a) WHERE " + String(repeating: "(", count: depth) + "(a)-->()"
            + String(repeating: ")", count: depth) + " RETURN a"
        #expect(try CIQLParser.parse(patterns).count == 1)
    }

    @Test("nested pattern attempts stay fast")
    func nestedBacktracking() {
        // Each level could be a pattern or a parenthesised map; without memoising failures this is exponential.
        let depth = 60
        let text =
            "MATCH (a) WHERE " + String(repeating: "({a: ", count: depth) + "1"
            + String(repeating: "})-1", count: depth) + " RETURN a"
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = try? CIQLParser.parse(text) }
        #expect(elapsed < .seconds(2))
    }
}
