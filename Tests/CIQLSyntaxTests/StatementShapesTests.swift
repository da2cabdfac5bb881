import Testing

@testable import CIQLSyntax

/// `StatementShapes` matches repeated statements against templates instead of lexing them token by token; these
/// tests hold it to what lexing the whole text token by token gives: the same statements, keys that are equal
/// exactly when the tokens are, the same literals, locations, token offsets and parse results (or errors).
struct StatementShapesTests {
    /// Statements with `#` where a literal goes; the generator fills in literals of every form.
    static let templates = [
        "MATCH (c {id: #}) RETURN c.criticality AS k",
        "MATCH (x)-->(v {id: #}) RETURN DISTINCT x.id AS x",
        "MATCH (n:Server) WHERE n.cpu > # AND n.ram <= # RETURN n.id, # AS tag ORDER BY n.id LIMIT #",
        "RETURN [#, #, #][#] AS item",
        "RETURN x.#",
        "UNWIND range(#, #) AS i RETURN i * # AS v",
        "MATCH (a)-[:RUNS_ON*#..#]->(b) RETURN count(*)",
        "RETURN #+#",
        "MATCH (é {näme: #}) RETURN é",
    ]

    static let literals = [
        "1", "42", "0x1F", "0o17", "9223372036854775807", "9223372036854775808", "1.5", ".5", "2e10", "1E-3",
        "'vm-1'", "\"vm-2\"", "'it''s'", "'a\\nb'", "'multi\nline'", "'é'", "''", "'x;y'", "'//'", "1abc", "'open",
    ]

    static let spaces = [" ", "  ", "\n", "\t", " /* c */ ", " // c\n", "\r\n"]

    struct Generator {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }
    }

    /// Literals of one kind, so that most statements of a template keep their shape.
    static let families = [["1", "42", "0x1F", "7"], ["'vm-1'", "\"vm-2\"", "'it''s'", "'é'"], ["1.5", "2e10", "0.25"]]

    /// A script of statements drawn from a few templates, mostly with the same spacing and literal kinds (so
    /// templates match) and sometimes with other spacing, literal forms or a broken literal.
    static func script(_ g: inout Generator, statements: Int) -> String {
        var text = ""
        let chosen = (0..<3).map { _ in (g.pick(templates), (0..<8).map { _ in g.pick(families) }) }
        for _ in 0..<statements {
            var statement = ""
            var slot = 0
            let (template, slots) = g.pick(chosen)
            for ch in template {
                if ch == "#" {
                    statement += g.next(8) == 0 ? g.pick(literals) : g.pick(slots[slot % slots.count])
                    slot += 1
                } else if ch == " ", g.next(40) == 0 {
                    statement += g.pick(spaces)
                } else {
                    statement.append(ch)
                }
            }
            text += statement + (g.next(20) == 0 ? " ;;" : ";") + (g.next(8) == 0 ? g.pick(spaces) : "\n")
        }
        if g.next(3) == 0 { text += g.pick(chosen).0.replacingOccurrences(of: "#", with: "7") }
        return text
    }

    /// What a statement's key must tell apart: the tokens, with literals reduced to their kind.
    static func signature(_ tokens: ArraySlice<Token>) -> [String] {
        tokens.map { t in
            switch t.kind {
            case .integer, .float, .string: "L\(t.kind)"
            case .identifier: "I\(t.keyword == nil)\(t.text)"
            case .parameter: "P\(t.text)"
            default: "K\(t.kind)"
            }
        }
    }

    /// Checks `text`; returns how many of its statements matched a template.
    @discardableResult
    func check(_ text: String) throws -> Int {
        let bytes = Array(text.utf8)
        let reference: [Token]
        do {
            reference = try CIQLLexer.tokenize(bytes)
        } catch {
            do {
                _ = try StatementShapes(text)
                Issue.record("\(text.debugDescription) lexes, but the whole text does not: \(error.message)")
            } catch let other {
                #expect(other.message == error.message && other.location == error.location)
            }
            return 0
        }
        let shapes = try StatementShapes(text)
        // The reference statements: token ranges between semicolons.
        var ranges: [Range<Int>] = []
        var i = 0
        while reference[i].kind != .endOfInput {
            if reference[i].kind == .semicolon { i += 1; continue }
            let first = i
            while reference[i].kind != .semicolon, reference[i].kind != .endOfInput { i += 1 }
            ranges.append(first..<i)
        }
        try #require(shapes.statements.count == ranges.count, "\(text)")
        for (n, range) in ranges.enumerated() {
            let shape = shapes.statements[n]
            let own = reference[range]
            #expect(shape.location == own.first?.location)
            let literalTokens = own.filter { [.integer, .float, .string].contains($0.kind) }
            let inRange = literalTokens.allSatisfy { $0.kind != .integer || Parser.integerValue(of: $0.text) != nil }
            #expect((shape.key != nil) == inRange, "\(own.map(\.text))")
            if shape.key != nil {
                #expect(shape.literals.map(\.offset) == literalTokens.map(\.location.offset))
                #expect(shape.literals.map(\.spelling) == literalTokens.map { String(decoding: bytes[$0.location.offset..<$0.end], as: UTF8.self) })
                for (literal, token) in zip(shape.literals, literalTokens) {
                    switch literal.value {
                    case .int(let v): #expect(token.kind == .integer && Parser.integerValue(of: token.text) == v)
                    case .float(let v): #expect(token.kind == .float && Double(token.text) == v)
                    case .string(let v): #expect(token.kind == .string && token.text == v)
                    }
                }
            }
            let base = own.first?.location.offset ?? 0
            #expect(shapes.tokenOffsets(n) == own.map { $0.location.offset - base })
            for (k, token) in own.enumerated() { #expect(shapes.location(ofToken: k, inStatement: n) == token.location) }
            #expect(shapes.location(ofToken: own.count, inStatement: n) == nil)
            // Parsing: the same tree or the same error as parsing inside the whole text.
            var parser = Parser(tokens: reference, source: bytes)
            parser.index = range.lowerBound
            let expected = Result { () throws(CIQLError) in try parser.parseOneStatement() }
            let got = Result { () throws(CIQLError) in try shapes.parse(n) }
            switch (expected, got) {
            case (.success(let a), .success(let b)): #expect(SyntaxPrinter.print(a) == SyntaxPrinter.print(b))
            case (.failure(let a), .failure(let b)):
                #expect(a.message == b.message && a.location == b.location)
            default: Issue.record("statement \(n) of \(text.debugDescription): \(expected) against \(got)")
            }
            // Keys are equal exactly when the tokens are (apart from literal values), and so are shape numbers.
            for (m, other) in ranges.enumerated() where m < n {
                let o = shapes.statements[m]
                guard let k1 = shape.key, let k2 = o.key else { continue }
                let same = Self.signature(own) == Self.signature(reference[other])
                #expect((k1 == k2) == same)
                #expect((shape.shapeNumber == o.shapeNumber) == same)
            }
        }
        return shapes.statements.count { $0.matchedTemplate }
    }

    @Test("generated scripts: template matching agrees with lexing every statement token by token")
    func generatedScripts() throws {
        var g = Generator(state: 0x5AFE_C0DE)
        var matched = 0, total = 0
        for _ in 0..<300 {
            let text = Self.script(&g, statements: 1 + g.next(12))
            matched += try check(text)
            total += (try? StatementShapes(text))?.statements.count ?? 0
        }
        #expect(matched > total / 5, "many statements match a template: \(matched) of \(total)")
    }

    @Test("hand-picked texts: literal kinds change, a float after a name, comments, lines, empty statements")
    func handPicked() throws {
        for text in [
            "RETURN 1 AS a;\nRETURN 2 AS a;\nRETURN 1.5 AS a;\nRETURN .5 AS a;\nRETURN 'x' AS a;\nRETURN 3 AS a",
            "RETURN x.5;RETURN x.6;RETURN x .7;",
            "RETURN 1;;RETURN 2;; ;RETURN 3;",
            "RETURN 'a\nb' AS s;\nRETURN 'c' AS s;\nRETURN 1/0 AS s;\nRETURN 'd' AS s;",
            "RETURN 'a' /* ; */ AS s; RETURN 'b' /* ; */ AS s; RETURN 'c' // ;\n AS s;",
            "MATCH (é {näme: 'x'}) RETURN é;MATCH (é {näme: 'yy'}) RETURN é;\nMATCH (é {näme: 1}) RETURN é;",
            "RETURN 9223372036854775807;RETURN 9223372036854775808;RETURN 1;",
            "RETURN 1abc;", "RETURN 'open;", "RETURN 1; RETURN 0x;",
            "RETURN 'a'; RETURN 'a' + 'b'; RETURN 'a';",
            "RETURN 1 AS a; RETURN 2 AS a",
            // `RETURN.5` is a keyword and a float; `RETURN5.5` a name, a dot and an integer: not one shape.
            "RETURN.5 AS x;RETURN5.5 AS x;RETURN.7 AS x;",
            // CRLF and a lone CR end lines as LF does, between literals and inside them.
            "RETURN 1 AS a;\r\nRETURN 2\r AS a;\rRETURN 'x\r\ny' AS a;\r\nRETURN 'z\rw' AS a;\r\nRETURN 3 // c\r AS a;",
        ] {
            try check(text)
        }
    }
}
