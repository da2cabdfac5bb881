import CIQL
import CIQLSyntax
import Shell
import Testing

/// What tab offers, by the text before the cursor.
struct CompletionSourceTests {
    static let ids = [
        "a.b", "a.c", "db-01", "evil\u{1B}[2J\u{1B}]0;PWNED\u{07}a", "evilplain", "hv-bb-01", "hv-bb-02", "o'brien",
        "two words", "web-01", "web-02",
    ]

    func makeSource() -> CompletionSource {
        let source = CompletionSource(
            keywords: CIQLLexer.keywords,
            vocabulary: {
                CompletionSource.Vocabulary(
                    classes: ["Application", "Hypervisor", "Server", "Server\u{1B}[2J", "VirtualServer"],
                    relationTypes: ["HOSTED_ON", "RUNS_ON"], propertyKeys: ["id", "name", "owner", "status"])
            },
            ids: { prefix, limit in Array(Self.ids.filter { $0.hasPrefix(prefix) }.prefix(limit)) })
        source.parameterNames = { ["team", "ids"] }
        return source
    }

    @Test("keywords, in the case the user types")
    func keywords() {
        let source = makeSource()
        #expect(source.completions(of: "MAT", after: "").candidates == ["MATCH"])
        #expect(source.completions(of: "ret", after: "MATCH (n) ").candidates == ["return"])
        #expect(source.completions(of: "MAT", after: "").terminator == " ")
        #expect(source.completions(of: "", after: "MATCH (n) ").candidates.isEmpty)
    }

    @Test("classes after ':' in a node, relation types after ':' or '|' in a relationship")
    func classesAndRelationTypes() {
        let source = makeSource()
        #expect(source.completions(of: "Ser", after: "MATCH (n:").candidates == ["Server"])
        #expect(source.completions(of: "", after: "MATCH (n:").candidates.count == 4)
        #expect(source.completions(of: "vir", after: "MATCH (n:").candidates == ["VirtualServer"])
        #expect(source.completions(of: "R", after: "MATCH (a)-[r:").candidates == ["RUNS_ON"])
        #expect(source.completions(of: "H", after: "MATCH (a)-[:RUNS_ON|").candidates == ["HOSTED_ON"])
        #expect(source.completions(of: "App", after: "MATCH (a)-[:RUNS_ON]->(b:").candidates == ["Application"])
    }

    @Test("properties after '.', parameters after '$'")
    func propertiesAndParameters() {
        let source = makeSource()
        #expect(source.completions(of: "na", after: "MATCH (n) RETURN n.").candidates == ["name"])
        #expect(source.completions(of: "t", after: "MATCH (n) WHERE n.owner = $").candidates == ["team"])
    }

    @Test("CI ids inside a quoted string, closed by the quote")
    func ids() {
        let source = makeSource()
        let found = source.completions(of: "hv-", after: "MATCH (n {id: '")
        #expect(found.candidates == ["hv-bb-01", "hv-bb-02"])
        #expect(found.terminator == "'")
        #expect(source.completions(of: "web", after: "RETURN \"").terminator == "\"")
        // A closed string is no longer an id.
        #expect(source.completions(of: "RE", after: "MATCH (n {id: 'x'}) ").candidates == ["REDUCE", "RELATION", "REMOVE", "RETURN"])
    }

    @Test("meta-commands at the start of a statement, ids after :describe, :history and :impact")
    func metaCommands() {
        let source = makeSource()
        #expect(source.completions(of: "des", after: ":").candidates == ["describe"])
        #expect(source.completions(of: "web", after: ":describe ").candidates == ["web-01", "web-02"])
        #expect(source.completions(of: "db", after: ":impact web-01 ").candidates == ["db-01"])
        #expect(source.completions(of: "cs", after: ":format ").candidates == ["csv"])
        source.isContinuation = true
        #expect(source.completions(of: "Ser", after: ":").candidates == ["Server"])
    }

    @Test("ids are offered as the string they complete in writes them: escapes for control characters and quotes")
    func escapedIDs() {
        let source = makeSource()
        let evil = "evil\\u001B[2J\\u001B]0;PWNED\\u0007a"
        #expect(source.completions(of: "ev", after: "MATCH (n {id: '").candidates == [evil, "evilplain"])
        #expect(source.completions(of: "o", after: "MATCH (n {id: '").candidates == ["o\\'brien"])
        #expect(source.completions(of: "o", after: "MATCH (n {id: \"").candidates == ["o'brien"])
        // What was typed may hold escapes, a cut one at the end too; it must be how the id is written.
        #expect(source.completions(of: "evil\\u00", after: "RETURN '").candidates == [evil])
        #expect(source.completions(of: "evil\\u001b[", after: "RETURN '").candidates == ["evil\\u001b[" + evil.dropFirst(11)])
        #expect(source.completions(of: "evil\\u00", after: "RETURN \"").candidates == [evil])
        #expect(source.completions(of: "2J", after: "RETURN 'evil\\u001B[").candidates == [String(evil.dropFirst(11))])
        // The word ends at '.', but the id's prefix is everything after the quote.
        #expect(source.completions(of: "", after: "RETURN 'a.").candidates == ["b", "c"])
        #expect(source.completions(of: "b", after: "RETURN 'a\\u002E").candidates == ["b"])
        #expect(source.completions(of: "x", after: "RETURN 'a\\q").candidates.isEmpty)
        // After :describe an id that cannot stand bare is offered quoted; a quote already typed is continued.
        #expect(source.completions(of: "ev", after: ":describe ").candidates == ["'" + evil + "'", "evilplain"])
        #expect(source.completions(of: "tw", after: ":impact web-01 ").candidates == ["'two words'"])
        let quoted = source.completions(of: "o", after: ":history \"")
        #expect(quoted.candidates == ["o'brien"] && quoted.terminator == "\"")
        // Names that cannot be typed back are not offered.
        #expect(source.completions(of: "Ser", after: "MATCH (n:").candidates == ["Server"])
        for candidate in source.completions(of: "", after: "RETURN '").candidates {
            #expect(!candidate.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        }
    }
}
