import Testing

@testable import CIQLSyntax

/// Every error of `text`, as "line:column Code message", in the order reported.
func parseErrors(_ text: String) -> [String] {
    do {
        _ = try CIQLParser.parse(text)
        return []
    } catch {
        return error.all.map { "\($0.location?.description ?? "-") \($0.code) \($0.message)" }
    }
}

struct ErrorCodeTests {
    @Test(
        "syntax errors carry openCypher's detail as their code",
        arguments: [
            ("MATCH (n WHERE RETURN n", "SyntaxError.UnexpectedSyntax"),
            ("RETURN 9223372036854775808", "SyntaxError.IntegerOverflow"),
            ("RETURN 1e400", "SyntaxError.FloatingPointOverflow"),
            ("RETURN 0x", "SyntaxError.InvalidNumberLiteral"),
            ("RETURN '\\u12'", "SyntaxError.InvalidUnicodeLiteral"),
            ("RETURN 42 \u{2014} 41", "SyntaxError.InvalidUnicodeCharacter"),
            ("RETURN #", "SyntaxError.UnexpectedSyntax"),
            ("MATCH (a)-[:T..]->(b) RETURN b", "SyntaxError.InvalidRelationshipPattern"),
            ("MATCH (a)-[:T*-2]->(b) RETURN b", "SyntaxError.InvalidRelationshipPattern"),
            ("RETURN 1 AS a UNION RETURN 2 AS a UNION ALL RETURN 3 AS a", "SyntaxError.InvalidClauseComposition"),
        ])
    func codes(text: String, code: String) {
        let errors = parseErrors(text)
        #expect(errors.first?.split(separator: " ").dropFirst().first.map(String.init) == code, "\(errors)")
    }

    @Test("the code leads the message: error[Type.Detail] line:column: message, then the line and a caret")
    func messageShowsCode() {
        let source = "MATCH (n)\nWHERE n.x = \nRETURN n"
        do {
            _ = try CIQLParser.parse(source)
            Issue.record("parsed")
        } catch {
            #expect(error.description == "error[SyntaxError.UnexpectedSyntax] 3:1: expected an expression after '=', found 'RETURN'")
            #expect(
                error.rendered(source: source, file: "q.ciql") == """
                    error[SyntaxError.UnexpectedSyntax] q.ciql:3:1: expected an expression after '=', found 'RETURN'
                      RETURN n
                      ^
                    """)
        }
    }

    @Test("an error built without a code gets the general code of its phase, and every code is in the catalogue")
    func generalCodes() {
        #expect(CIQLError(.syntax, "x").code == .syntax(.unexpectedSyntax))
        #expect(CIQLError(.semantic, "x").code.description == "SemanticError.InvalidQuery")
        #expect(CIQLError(.runtime, "x").code.description == "RuntimeError.ExecutionFailed")
        let catalogue = CIQLError.Code.catalogue.map(\.description)
        #expect(Set(catalogue).count == catalogue.count, "codes are unique")
        #expect(catalogue.contains("TypeError.InvalidArgumentType"))
        #expect(catalogue.contains("EntityNotFound.DeletedEntityAccess"))
        #expect(catalogue.contains("SchemaError.UnknownClass"))
        #expect(catalogue.contains("Storage.NoSpace"))
        #expect(CIQLError.Code(text: "Limit.Timeout") == .limit(.timeout))
    }

    @Test("a minimum above the maximum (*2..1) is no syntax error: the pattern parses and matches nothing")
    func emptyLengthParses() throws {
        let statements = try CIQLParser.parse("MATCH (a)-[*2..1]->(b) RETURN b")
        #expect(statements.count == 1)
    }
}

struct ParserRecoveryTests {
    @Test("errors in several statements are all reported, each at its place")
    func severalStatements() {
        #expect(
            parseErrors("MATCH (n RETURN n;\nRETURN 1 +;\nMATCH (m) RETURN m;\nCREATE (x {a: })")
                == [
                    "1:10 SyntaxError.UnexpectedSyntax expected ')' to close the node pattern opened at 1:7, found 'RETURN'",
                    "2:11 SyntaxError.UnexpectedSyntax expected an expression after '+', found ';'",
                    "4:15 SyntaxError.UnexpectedSyntax expected an expression after ':', found '}'",
                ])
    }

    @Test("within one statement, parsing goes on at the next clause")
    func severalClauses() {
        #expect(
            parseErrors("MATCH (n:Server WHERE n.x = 1\nWITH n, AS m\nRETURN m +")
                == [
                    "1:17 SyntaxError.UnexpectedSyntax expected ')' to close the node pattern opened at 1:7, found 'WHERE'",
                    "2:9 SyntaxError.UnexpectedSyntax expected an expression after ',', found 'AS'",
                    "3:11 SyntaxError.UnexpectedSyntax expected an expression after '+', found the end of the input",
                ])
    }

    @Test("keywords that are part of a clause or a name are not where parsing resumes")
    func noFalseResumption() {
        // ON CREATE, STARTS WITH and n.set belong to the statement; resuming there would report errors that are not.
        #expect(
            parseErrors("MERGE (n {a: 1) ON CREATE SET n.b = 2 RETURN n")
                == ["1:15 SyntaxError.UnexpectedSyntax expected '}' to close the map opened at 1:10, found ')'"])
        #expect(
            parseErrors("MATCH (n {a: }) WHERE n.s STARTS WITH 'x' AND n.set = 1 RETURN n")
                == ["1:14 SyntaxError.UnexpectedSyntax expected an expression after ':', found '}'"])
    }

    @Test("a mistake in the first word still lets the rest be read")
    func firstToken() {
        #expect(
            parseErrors("MATHC (n) RETURN n +")
                == [
                    "1:1 SyntaxError.UnexpectedSyntax unknown keyword 'MATHC'; did you mean MATCH?",
                    "1:21 SyntaxError.UnexpectedSyntax expected an expression after '+', found the end of the input",
                ])
    }

    @Test("each error is rendered with its own line and caret")
    func renderedSeveral() {
        let source = "RETURN 1 +;\nRETURN [1, 2"
        do {
            _ = try CIQLParser.parse(source)
            Issue.record("parsed")
        } catch {
            #expect(error.further.count == 1)
            #expect(
                error.rendered(source: source) == """
                    error[SyntaxError.UnexpectedSyntax] 1:11: expected an expression after '+', found ';'
                      RETURN 1 +;
                                ^
                    error[SyntaxError.UnexpectedSyntax] 2:13: expected ']' to close the list opened at 2:8, found the end of the input
                      RETURN [1, 2
                                  ^
                    """)
        }
    }

    @Test("at most ten errors are reported")
    func bounded() {
        let text = Array(repeating: "RETURN 1 +", count: 30).joined(separator: ";\n")
        #expect(parseErrors(text).count == Parser.maximumErrors)
    }
}
