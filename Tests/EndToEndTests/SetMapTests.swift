import Foundation
import Testing

/// `SET n = {…}`, `SET n += {…}`, `SET n.key`, `REMOVE n.key` through the binary: a CI's id and lifecycle status
/// are kept as `SET n.id` and import keep them, and the summary line counts what was written and names only a
/// transaction that was committed (checked against `cmdb history`).
@Suite(.serialized)
struct SetMapTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase()
        try harness.succeed("query", "CREATE (:Application {id: 'app-1', name: 'App one', vendor: 'a'})", "--change", "C1")
    }

    /// The transactions `cmdb history ID` lists, oldest first.
    private func history(_ id: String, db: String? = nil) throws -> [Int] {
        let result = try harness.succeed("history", id, "--format", "jsonl", db: db)
        return try result.out.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["tx"] as? Int, "\(line)")
        }
    }

    private func query(_ statement: String, db: String? = nil) throws -> CommandResult {
        try harness.cmdb("query", statement, "--change", "CHG-T", db: db)
    }

    @Test(
        "a map that would change, remove or null the id is refused like SET n.id, exit 2, and writes nothing",
        arguments: [
            "MATCH (a {id: 'app-1'}) SET a += {id: 'app-2'}",
            "MATCH (a {id: 'app-1'}) SET a = {id: 'app-3', vendor: 'b', status: 'live'}",
            "MATCH (a {id: 'app-1'}) SET a = {id: 5, status: 'live'}",
            "MATCH (a {id: 'app-1'}) SET a = {id: null, status: 'live'}",
            "MATCH (a {id: 'app-1'}) SET a += {vendor: 'b', id: null}",
            "MATCH (a {id: 'app-1'}) SET a.id = 'app-4'",
            "MATCH (a {id: 'app-1'}) REMOVE a.id",
        ])
    func idIsImmutable(statement: String) throws {
        let before = try history("app-1")
        let result = try query(statement)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("GraphError.ImmutableID"), "\(result)")
        #expect(!result.err.contains("in transaction"), "\(result)")
        #expect(try history("app-1") == before)
        let row = try harness.succeed("query", "MATCH (a {id: 'app-1'}) RETURN a.vendor, a.status", "--format", "json")
        #expect(row.out.contains(#"["a","live"]"#), "\(row)")
    }

    @Test("a map carrying the CI's own unchanged id is accepted: the id stays, the rest is written")
    func ownIDIsAccepted() throws {
        let result = try query("MATCH (a {id: 'app-1'}) SET a += {id: 'app-1', vendor: 'c'}")
        #expect(result.exitCode == 0, "\(result)")
        let last = try #require(try history("app-1").last)
        #expect(result.err.contains("1 property set in transaction \(last) "), "\(result)")
    }

    @Test(
        "a statement that changes nothing names no transaction, and the next real write's number is the one recorded",
        arguments: [
            "MATCH (a {id: 'app-1'}) SET a.vendor = 'a'",
            "MATCH (a {id: 'app-1'}) REMOVE a.absent",
            "MATCH (a {id: 'app-1'}) SET a += {vendor: 'a', id: 'app-1'}",
            "MATCH (a {id: 'app-1'}) SET a = {name: 'App one', vendor: 'a', status: 'live'}",
            "MATCH (a {id: 'app-1'}) SET a:Application",
        ])
    func nothingChanged(statement: String) throws {
        let before = try history("app-1")
        let unchanged = try query(statement)
        #expect(unchanged.exitCode == 0, "\(unchanged)")
        #expect(!unchanged.err.contains("in transaction") && !unchanged.err.contains("set"), "\(unchanged)")
        #expect(unchanged.err.hasPrefix("nothing changed ("), "\(unchanged)")
        #expect(try history("app-1") == before)
        let real = try query("MATCH (a {id: 'app-1'}) SET a.vendor = 'z'")
        let after = try history("app-1")
        #expect(after.count == before.count + 1)
        let last = try #require(after.last)
        #expect(real.err.contains("1 property set in transaction \(last) "), "\(real)")
    }

    @Test("the summary counts the properties written and removed by SET n = {…}, SET n += {…} and REMOVE")
    func summaryCounts() throws {
        let replaced = try query("MATCH (a {id: 'app-1'}) SET a = {vendor: 'b', os: 'x', status: 'live'}")
        #expect(replaced.exitCode == 0, "\(replaced)")
        var last = try #require(try history("app-1").last)
        // vendor changed and os added; name removed; status unchanged.
        #expect(replaced.err.contains("2 properties set, 1 property removed in transaction \(last) "), "\(replaced)")
        let class_ = try harness.succeed("query", "MATCH (a {id: 'app-1'}) RETURN class(a), a.name", "--format", "json")
        #expect(class_.out.contains(#"["Application",null]"#), "SET = keeps the class: \(class_)")
        let merged = try query("MATCH (a {id: 'app-1'}) SET a += {vendor: 'b', os: null, owner: 'me'}")
        last = try #require(try history("app-1").last)
        #expect(merged.err.contains("1 property set, 1 property removed in transaction \(last) "), "\(merged)")
        let removed = try query("MATCH (a {id: 'app-1'}) REMOVE a.owner, a.vendor")
        last = try #require(try history("app-1").last)
        #expect(removed.err.contains("2 properties removed in transaction \(last) "), "\(removed)")
    }

    @Test("SET n = {} in a schemaless graph removes every property and says so, with the committed transaction")
    func emptyMapInSchemalessGraph() throws {
        let open = harness.sandbox.path("open")
        try harness.succeed("init", "--schema", "none", db: open)
        try harness.succeed("query", "CREATE ({id: 'x-1', a: 1, b: 'two'})", db: open)
        let result = try query("MATCH (n {id: 'x-1'}) SET n = {}", db: open)
        #expect(result.exitCode == 0, "\(result)")
        let last = try #require(try history("x-1", db: open).last)
        #expect(result.err.contains("2 properties removed in transaction \(last) "), "\(result)")
        let again = try query("MATCH (n {id: 'x-1'}) SET n = {}", db: open)
        #expect(!again.err.contains("in transaction"), "\(again)")
        #expect(try history("x-1", db: open).last == last)
    }

    @Test(
        "in a database with a schema, a write that would leave a CI without its status is refused as import refuses a bad status",
        arguments: [
            "MATCH (a {id: 'app-1'}) SET a.status = null",
            "MATCH (a {id: 'app-1'}) REMOVE a.status",
            "MATCH (a {id: 'app-1'}) SET a = {vendor: 'b'}",
            "MATCH (a {id: 'app-1'}) SET a = {}",
            "MATCH (a {id: 'app-1'}) SET a += {status: null}",
        ])
    func statusIsKept(statement: String) throws {
        let before = try history("app-1")
        let result = try query(statement)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("SchemaError.UnknownStatus") && result.err.contains("live"), "\(result)")
        #expect(try history("app-1") == before)
    }

    @Test("a CI created by the statement itself takes the default status again, as CREATE gives it: MERGE … ON CREATE SET n = {…}")
    func createdInTheStatementTakesTheDefaultStatus() throws {
        let merge = try query("MERGE (n:Application {id: 'app-z'}) ON CREATE SET n = {name: 'Z', vendor: 'v'} RETURN n.status AS s")
        #expect(merge.exitCode == 0 && merge.out.contains("live"), "\(merge)")
        let create = try query("CREATE (n:Application {id: 'app-y'}) SET n = {name: 'Y'} RETURN n.status AS s")
        #expect(create.exitCode == 0 && create.out.contains("live"), "\(create)")
        // A CI that existed before the statement still keeps its status only if the map names it.
        let existing = try query("MERGE (n:Application {id: 'app-1'}) ON MATCH SET n = {name: 'One'}")
        #expect(existing.exitCode == 2 && existing.err.contains("SchemaError.UnknownStatus"), "\(existing)")
        let message = existing.err.split(separator: "\n").first.map(String.init) ?? ""
        #expect(message.contains("must name the status") && !message.contains("SET n = {"), "the message fits MERGE too: \(message)")
    }

    @Test("an attribute named class, as earlier builds stored it, does not block later writes, re-imports or a restore")
    func attributeNamedClassStaysWritable() throws {
        let line = #"{"kind":"ci","id":"srv-1","class":"Server","name":"S1","status":"live","attrs":{"class":"gold","owner":"x"}}"#
        let file = try harness.sandbox.write("class-attr.jsonl", line + "\n")
        try harness.succeed("import", file, "--change", "C2")
        #expect(try query("MATCH (n {id: 'srv-1'}) SET n.owner = 'y' RETURN n.owner AS o").exitCode == 0)
        try harness.succeed("import", file, "--change", "C3")
        let other = harness.sandbox.path("restored")
        try harness.makeDatabase(other)
        try harness.succeed("import", try harness.sandbox.write("backup.jsonl", data: try harness.export()), db: other)
        let restored = try harness.export(other)
        #expect(restored == (try harness.export()))
    }
}

