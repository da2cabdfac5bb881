import Foundation
import Testing

/// A statement with AS OF names the classes and relation types of the past it reads, even after `schema apply`
/// dropped them.
struct AsOfSchemaChangeTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    /// A database whose class `Old` and relation type `R` were dropped by a schema change after baseline `before`.
    func databaseWithDroppedClass() throws {
        let before = "version: 1\nstatuses: [live]\nclasses:\n  Old: {}\n  Keep: {}\n  Sub: {parent: Keep}\n"
            + "relations:\n  R: {from: [Old], to: [Keep]}\n"
        let after = "version: 1\nstatuses: [live]\nclasses:\n  Keep: {}\n  Sub: {parent: Keep}\n"
        try harness.succeed("init", "--schema", harness.sandbox.write("before.yaml", before))
        try harness.succeed("query", "CREATE (:Old {id:'o1'})-[:R]->(:Keep {id:'k1'}), (:Sub {id:'s1'})")
        try harness.succeed("baseline", "create", "before")
        try harness.succeed("query", "MATCH (o:Old) DETACH DELETE o")
        try harness.succeed("schema", "apply", harness.sandbox.write("after.yaml", after))
    }

    func csv(_ statement: String) throws -> String {
        try harness.succeed("query", statement, "--format", "csv").out
    }

    @Test("MATCH with AS OF names a class and a relation type that a later schema dropped")
    func pastNames() throws {
        try databaseWithDroppedClass()
        #expect(try csv("MATCH (n:Old) RETURN n.id AS OF BASELINE 'before'") == "n.id\no1\n")
        #expect(try csv("MATCH ()-[r:R]->() RETURN count(r) AS c AS OF BASELINE 'before'") == "c\n1\n")
        #expect(try csv("MATCH (n) WHERE n:Old RETURN n.id AS OF BASELINE 'before'") == "n.id\no1\n")
        #expect(try csv("MATCH (a)-[:R]->(b:Keep) RETURN a.id, b.id AS OF BASELINE 'before'") == "a.id,b.id\no1,k1\n")
        // A class of the present schema still includes its subclasses.
        #expect(try csv("MATCH (n:Keep) RETURN n.id ORDER BY n.id AS OF BASELINE 'before'") == "n.id\nk1\ns1\n")
        // Now (no AS OF) the dropped class is unknown, and so is a name that never existed, AS OF or not.
        let now = try harness.cmdb("query", "MATCH (n:Old) RETURN n.id")
        #expect(now.exitCode == 2 && now.err.contains("SchemaError.UnknownClass"), "\(now)")
        let typo = try harness.cmdb("query", "MATCH (n:Olt) RETURN n.id AS OF BASELINE 'before'")
        #expect(typo.exitCode == 2 && typo.err.contains("SchemaError.UnknownClass"), "\(typo)")
        #expect(typo.err.contains("did you mean 'Old'?"), "\(typo.err)")
        let never = try harness.cmdb("query", "MATCH ()-[r:NEVER]->() RETURN r AS OF BASELINE 'before'")
        #expect(never.exitCode == 2 && never.err.contains("SchemaError.UnknownRelationType"), "\(never)")
    }

    @Test("SHOW CLASSES AS OF counts the CIs of classes a later schema dropped")
    func showClassesAsOf() throws {
        try databaseWithDroppedClass()
        let shown = try csv("SHOW CLASSES AS OF BASELINE 'before'")
        let lines = shown.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("Old,") && $0.contains(",1,") }, "\(shown)")
        #expect(lines.contains { $0.hasPrefix("Keep,") && $0.contains(",2,") }, "\(shown)")
        let now = try csv("SHOW CLASSES")
        #expect(!now.contains("Old"), "\(now)")
    }
}
