import Foundation
import Testing

/// Schema rules that depend on more than one write (unique values, attributes of a class set in the same statement,
/// relation ends whose class a later import line changes) hold for the state a statement or import commits, not for
/// each SET item or import line on its way there; a write whose committed state breaks them is still refused, naming
/// what and where, and changes nothing.
struct CommitStateConstraintTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    static let schema = """
        version: 1
        statuses: [live, retired]
        classes:
          Server:
            closed: true
            attributes:
              hostname: {type: string, unique: true}
              cpu: {type: int, min: 1}
          Appliance:
            closed: true
            attributes:
              hostname: {type: string, unique: true}
              cpu: {type: string}
          PhysicalMachine: {}
          VirtualMachine: {}
          Application: {}
        relations:
          RUNS_ON: {from: [Application], to: [VirtualMachine]}
          HOSTED_ON:
            connects:
              - {from: [VirtualMachine], to: [PhysicalMachine]}
              - {from: [Application], to: [VirtualMachine]}

        """

    /// A database with the schema above: servers s1 (h1) and s2 (h2), s3 (h3, 4 CPUs), an application and a machine.
    private func makeDatabase() throws {
        try harness.succeed("init", "--schema", harness.sandbox.write("schema.yaml", Self.schema))
        try harness.succeed(
            "query",
            "CREATE (:Server {id:'s1', hostname:'h1'}), (:Server {id:'s2', hostname:'h2'}), "
                + "(:Server {id:'s3', hostname:'h3', cpu: 4}), (:Application {id:'app'}), (:PhysicalMachine {id:'m1'})")
    }

    private func hostnames() throws -> String {
        try harness.succeed(
            "query", "MATCH (s) WHERE s.hostname IS NOT NULL RETURN s.id, s.hostname ORDER BY s.id", "--format", "csv"
        ).out
    }

    @Test("one statement swapping two unique values commits; one leaving a duplicate is refused, naming it")
    func swapInOneStatement() throws {
        try makeDatabase()
        let swap = try harness.cmdb("query", "MATCH (a {id:'s1'}), (b {id:'s2'}) SET a.hostname = 'h2', b.hostname = 'h1'")
        #expect(swap.exitCode == 0, "\(swap)")
        #expect(try hostnames() == "s.id,s.hostname\ns1,h2\ns2,h1\ns3,h3\n")

        let before = try harness.export()
        let duplicate = try harness.cmdb(
            "query", "MATCH (a {id:'s1'}), (b {id:'s2'}) SET a.hostname = 'h3', b.hostname = 'h2'")
        #expect(duplicate.exitCode == 2, "\(duplicate)")
        #expect(
            duplicate.err.contains(
                "error[SchemaError.UniqueAttribute] 1:40: attribute 'hostname' must be unique among Server CIs, and 's3' "
                    + "already has the same value"),
            "\(duplicate.err)")
        #expect(try harness.export() == before)

        // A value taken and given up again in one statement was never a duplicate that commits.
        let passing = try harness.cmdb(
            "query", "MATCH (a {id:'s1'}), (b {id:'s3'}) SET a.hostname = 'h3', a.hostname = 'h9'")
        #expect(passing.exitCode == 0, "\(passing)")
        // Nor is a CREATE whose duplicate the same statement renames.
        let created = try harness.cmdb(
            "query", "MATCH (b {id:'s3'}) CREATE (:Server {id:'s4', hostname:'h3'}) SET b.hostname = 'h4'")
        #expect(created.exitCode == 0, "\(created)")
        #expect(try hostnames() == "s.id,s.hostname\ns1,h9\ns2,h1\ns3,h4\ns4,h3\n")
    }

    @Test("one import swapping two unique values commits; one leaving a duplicate is refused at its line")
    func swapInOneImport() throws {
        try makeDatabase()
        let swap = try harness.sandbox.write(
            "swap.jsonl",
            #"{"kind":"ci","id":"s1","class":"Server","attrs":{"hostname":"h2"}}"# + "\n"
                + #"{"kind":"ci","id":"s2","class":"Server","attrs":{"hostname":"h1"}}"# + "\n")
        let swapped = try harness.cmdb("import", swap)
        #expect(swapped.exitCode == 0, "\(swapped)")
        #expect(try hostnames() == "s.id,s.hostname\ns1,h2\ns2,h1\ns3,h3\n")

        let before = try harness.export()
        let bad = try harness.sandbox.write(
            "bad.jsonl",
            #"{"kind":"ci","id":"s1","class":"Server","attrs":{"hostname":"h1"}}"# + "\n"
                + #"{"kind":"ci","id":"s2","class":"Server","attrs":{"hostname":"h3"}}"# + "\n")
        let refused = try harness.cmdb("import", bad)
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(
            refused.err.contains(
                "error[SchemaError.UniqueAttribute] \(bad):2: attribute 'hostname' must be unique among Server CIs, and "
                    + "'s3' already has the same value"),
            "\(refused.err)")
        #expect(try harness.export() == before)
        // A dry run lists it too, at the same line.
        let dry = try harness.cmdb("import", bad, "--dry-run")
        #expect(dry.exitCode == 2 && dry.err.contains("\(bad):2:") && dry.err.contains("UniqueAttribute"), "\(dry)")
    }

    @Test("a class change with an attribute only the new class allows commits in either order; an invalid result is refused")
    func classChangeWithItsAttributes() throws {
        try makeDatabase()
        let first = try harness.cmdb("query", "MATCH (a {id:'s3'}) SET a:Appliance, a.cpu = '4 cores'")
        #expect(first.exitCode == 0, "\(first)")
        let back = try harness.cmdb("query", "MATCH (a {id:'s3'}) SET a.cpu = 8, a:Server")
        #expect(back.exitCode == 0, "\(back)")
        let other = try harness.cmdb("query", "MATCH (a {id:'s3'}) SET a.cpu = '8 cores', a:Appliance")
        #expect(other.exitCode == 0, "\(other)")
        let shown = try harness.succeed("query", "MATCH (a {id:'s3'}) RETURN class(a), a.cpu", "--format", "csv").out
        #expect(shown == "class(a),a.cpu\nAppliance,8 cores\n", "\(shown)")

        let before = try harness.export()
        // The result is a Server with a string cpu: refused, naming the attribute, the class and the SET item.
        let bad = try harness.cmdb("query", "MATCH (a {id:'s3'}) SET a:Server, a.hostname = 'h8'")
        #expect(bad.exitCode == 2, "\(bad)")
        #expect(
            bad.err.contains(
                "error[SchemaError.InvalidAttributeValue] 1:27: attribute 'cpu' of class 'Server' must be an int, not string"),
            "\(bad.err)")
        // An attribute the final class does not declare, set before the class changes.
        let undeclared = try harness.cmdb("query", "MATCH (a {id:'s1'}) SET a.cpu = 2, a:PhysicalMachine, a:Appliance")
        #expect(undeclared.exitCode == 2, "\(undeclared)")
        #expect(
            undeclared.err.contains("error[SchemaError.InvalidAttributeValue]")
                && undeclared.err.contains("attribute 'cpu' of class 'Appliance' must be a string, not int"),
            "\(undeclared.err)")
        #expect(try harness.export() == before)
    }

    @Test("a map that replaces a CI's properties may leave its status to the next SET item")
    func statusGivenByALaterItem() throws {
        try makeDatabase()
        let given = try harness.cmdb("query", "MATCH (a {id:'s1'}) SET a = {hostname: 'h5'}, a.status = 'retired'")
        #expect(given.exitCode == 0, "\(given)")
        let before = try harness.export()
        let left = try harness.cmdb("query", "MATCH (a {id:'s1'}) SET a = {hostname: 'h6'}, a.hostname = 'h7'")
        #expect(left.exitCode == 2, "\(left)")
        #expect(left.err.contains("error[SchemaError.UnknownStatus] 1:25: CI 's1' cannot be left without a status"), "\(left.err)")
        #expect(try harness.export() == before)
    }

    @Test("a relation line is checked against the class its end has when the import commits")
    func relationEndClassChangedLater() throws {
        try makeDatabase()
        let lines = try harness.sandbox.write(
            "rel.jsonl",
            #"{"kind":"rel","type":"RUNS_ON","from":"app","to":"m1"}"# + "\n"
                + #"{"kind":"ci","id":"m1","class":"VirtualMachine"}"# + "\n")
        let imported = try harness.cmdb("import", lines)
        #expect(imported.exitCode == 0, "\(imported)")
        let runsOn = try harness.succeed(
            "query", "MATCH (a)-[:RUNS_ON]->(m) RETURN a.id, class(m), m.id", "--format", "csv").out
        #expect(runsOn == "a.id,class(m),m.id\napp,VirtualMachine,m1\n", "\(runsOn)")

        // Still refused, at the relation's line, when the end's class at commit does not fit either.
        try harness.succeed("query", "CREATE (:PhysicalMachine {id:'m2'})")
        let before = try harness.export()
        let bad = try harness.sandbox.write(
            "bad.jsonl",
            #"{"kind":"ci","id":"m3","class":"PhysicalMachine"}"# + "\n"
                + #"{"kind":"rel","type":"RUNS_ON","from":"app","to":"m2"}"# + "\n"
                + #"{"kind":"ci","id":"m2","class":"Application"}"# + "\n")
        let refused = try harness.cmdb("import", bad)
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(
            refused.err.contains(
                "error[SchemaError.RelationNotAllowed] \(bad):2: relation RUNS_ON may not connect Application to Application"),
            "\(refused.err)")
        #expect(try harness.export() == before)
    }

    @Test("a statement's relation is checked against the classes its ends have when the statement commits")
    func relationInOneStatement() throws {
        try makeDatabase()
        let created = try harness.cmdb(
            "query", "MATCH (a {id:'app'}), (m {id:'m1'}) CREATE (a)-[:RUNS_ON]->(m) SET m:VirtualMachine")
        #expect(created.exitCode == 0, "\(created)")
        let before = try harness.export()
        let refused = try harness.cmdb("query", "MATCH (m {id:'m1'}) SET m:PhysicalMachine, m:Application")
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(
            refused.err.contains(
                "error[SchemaError.ClassChangeBreaksRelation] 1:27: cannot make 'm1' a Application: its RUNS_ON relation "
                    + "would break the schema: relation RUNS_ON may not connect Application to Application"),
            "\(refused.err)")
        #expect(try harness.export() == before)
    }

    @Test("a class change that breaks a relation is checked once the other end's class is final too")
    func classChangesOfBothEnds() throws {
        try makeDatabase()
        try harness.succeed(
            "query", "CREATE (:VirtualMachine {id:'vm1'})-[:HOSTED_ON]->(:PhysicalMachine {id:'pm1'})")
        let before = try harness.export()
        // Alone, making pm1 a VirtualMachine breaks vm1's HOSTED_ON; with vm1 an Application it fits again.
        let broken = try harness.sandbox.write(
            "broken.jsonl", #"{"kind":"ci","id":"pm1","class":"VirtualMachine"}"# + "\n")
        let refused = try harness.cmdb("import", broken)
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(
            refused.err.contains(
                "error[SchemaError.ClassChangeBreaksRelation] \(broken):1: changing the class of 'pm1' to VirtualMachine "
                    + "breaks its relation <-[HOSTED_ON]- 'vm1': relation HOSTED_ON may not connect VirtualMachine to "
                    + "VirtualMachine"),
            "\(refused.err)")
        #expect(try harness.export() == before)
        let both = try harness.sandbox.write(
            "both.jsonl",
            #"{"kind":"ci","id":"pm1","class":"VirtualMachine"}"# + "\n"
                + #"{"kind":"ci","id":"vm1","class":"Application"}"# + "\n")
        let imported = try harness.cmdb("import", both)
        #expect(imported.exitCode == 0, "\(imported)")
        let hosted = try harness.succeed(
            "query", "MATCH (a)-[:HOSTED_ON]->(b) RETURN class(a), class(b)", "--format", "csv").out
        #expect(hosted == "class(a),class(b)\nApplication,VirtualMachine\n", "\(hosted)")
    }
}
