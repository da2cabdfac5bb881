import CIQL
import CIQLSyntax
import Shell
import Testing

/// What tab offers, by the text before the cursor.
struct CompletionSourceTests {
    static let ids = ["db-01", "hv-bb-01", "hv-bb-02", "web-01", "web-02"]

    func makeSource() -> CompletionSource {
        let source = CompletionSource(
            keywords: CIQLLexer.keywords,
            vocabulary: {
                CompletionSource.Vocabulary(
                    classes: ["Application", "Hypervisor", "Server", "VirtualServer"],
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
}
