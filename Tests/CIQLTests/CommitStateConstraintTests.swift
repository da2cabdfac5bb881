import CIQLSyntax
import CIQLValues
import ConfigurationSchema
import GraphStorage
import Testing

@testable import CIQL

/// Unique values and class-dependent attributes are checked on the state a statement commits, not per SET item.
@Suite struct CommitStateConstraintTests {
    let db: FixtureDatabase

    init() throws {
        let schema = try Schema.parse(yaml: """
            version: 1
            statuses: [live]
            classes:
              Server: {closed: true, attributes: {hostname: {type: string, unique: true}, cpu: {type: int}}}
              Appliance: {closed: true, attributes: {hostname: {type: string, unique: true}, cpu: {type: string}}}
              PhysicalMachine: {}
              VirtualMachine: {}
              Application: {}
            relations:
              RUNS_ON: {from: [Application], to: [VirtualMachine]}
            """)
        db = try FixtureDatabase(sample: false, schema: schema)
        _ = try db.rows(
            "CREATE (:Server {id:'s1', hostname:'h1'}), (:Server {id:'s2', hostname:'h2', cpu: 4}), "
                + "(:Application {id:'app'}), (:PhysicalMachine {id:'m1'})")
    }

    private func refusal(_ text: String) throws -> CIQLError? {
        do {
            _ = try db.rows(text)
            return nil
        } catch let error as CIQLError {
            return error
        }
    }

    @Test func swappingUniqueValuesInOneStatementCommits() throws {
        _ = try db.rows("MATCH (a {id:'s1'}), (b {id:'s2'}) SET a.hostname = 'h2', b.hostname = 'h1'")
        #expect(try db.rows("MATCH (s:Server) RETURN s.id, s.hostname ORDER BY s.id") == [["s1", "h2"], ["s2", "h1"]])
    }

    @Test func aDuplicateAtCommitIsRefusedAtTheItemThatMadeIt() throws {
        let text = "MATCH (a {id:'s1'}), (b {id:'s2'}) SET a.hostname = 'h2', b.cpu = 8"
        let error = try #require(try refusal(text))
        #expect(error.code == .schema(.uniqueAttribute))
        #expect(error.message == "attribute 'hostname' must be unique among Server CIs, and 's2' already has the same value")
        #expect(error.location?.column == 40)
        #expect(try db.rows("MATCH (s:Server) RETURN s.id, s.hostname, s.cpu ORDER BY s.id") == [["s1", "h1", .null], ["s2", "h2", 4]])
    }

    @Test func ofSeveralRulesBrokenAtCommitTheFirstWriteIsNamed() throws {
        let error = try #require(try refusal("MATCH (a {id:'s1'}), (b {id:'s2'}) SET a.hostname = 'h2', b.cpu = 'x'"))
        #expect(error.code == .schema(.uniqueAttribute))
        #expect(error.location?.column == 40)
    }

    @Test func aStatusLeftOutByOneItemAndGivenByTheNextCommits() throws {
        _ = try db.rows("MATCH (a {id:'s1'}) SET a = {hostname: 'h5'}, a.status = 'live'")
        #expect(try db.rows("MATCH (a {id:'s1'}) RETURN a.hostname, a.status") == [["h5", "live"]])
        let error = try #require(try refusal("MATCH (a {id:'s1'}) SET a = {hostname: 'h6'}, a.hostname = 'h7'"))
        #expect(error.code == .schema(.unknownStatus))
        #expect(error.message.hasPrefix("CI 's1' cannot be left without a status"))
        #expect(error.location?.column == 25)
        #expect(try db.rows("MATCH (a {id:'s1'}) RETURN a.hostname, a.status") == [["h5", "live"]])
    }

    @Test func aClassChangeWithTheNewClassesAttributeCommitsInEitherOrder() throws {
        _ = try db.rows("MATCH (a {id:'s2'}) SET a:Appliance, a.cpu = '4 cores'")
        _ = try db.rows("MATCH (a {id:'s2'}) SET a.cpu = 2, a:Server")
        #expect(try db.rows("MATCH (a {id:'s2'}) RETURN class(a), a.cpu") == [["Server", 2]])
        let error = try #require(try refusal("MATCH (a {id:'s2'}) SET a:Appliance, a.hostname = 'h7'"))
        #expect(error.code == .schema(.invalidAttributeValue))
        #expect(error.message == "attribute 'cpu' of class 'Appliance' must be a string, not int")
        #expect(error.location?.column == 27)
        #expect(try db.rows("MATCH (a {id:'s2'}) RETURN class(a), a.hostname") == [["Server", "h2"]])
    }

    @Test func aRelationIsCheckedAgainstTheClassesItsEndsHaveAtCommit() throws {
        let runsOn = "MATCH (a)-[:RUNS_ON]->(m) RETURN a.id, class(m)"
        _ = try db.rows("MATCH (a {id:'app'}), (m {id:'m1'}) CREATE (a)-[:RUNS_ON]->(m) SET m:VirtualMachine")
        #expect(try db.rows(runsOn) == [["app", "VirtualMachine"]])
        // A class change that breaks the relation, unless the same statement removes the relation too.
        let broken = try #require(try refusal("MATCH (m {id:'m1'}) SET m:PhysicalMachine"))
        #expect(broken.code == .schema(.classChangeBreaksRelation))
        #expect(broken.message.hasPrefix("cannot make 'm1' a PhysicalMachine: its RUNS_ON relation would break the schema"))
        #expect(broken.location?.column == 27)
        _ = try db.rows("MATCH (a)-[r:RUNS_ON]->(m {id:'m1'}) SET m:PhysicalMachine DELETE r")
        #expect(try db.rows(runsOn) == [])
        // A relation whose end never gets a class it may connect is refused at its CREATE.
        let notAllowed = try #require(
            try refusal("MATCH (a {id:'app'}), (m {id:'m1'}) CREATE (a)-[:RUNS_ON]->(m) SET m:Application"))
        #expect(notAllowed.code == .schema(.relationNotAllowed))
        #expect(notAllowed.message.hasPrefix("relation RUNS_ON may not connect Application to Application"))
        #expect(notAllowed.location?.column == 47)
        #expect(try db.rows("MATCH (m {id:'m1'}) RETURN class(m)") == [["PhysicalMachine"]])
    }

    @Test func aFailureKeepsTheWriteThatCausedItAndWaitingIsBounded() throws {
        var checks = DeferredChecks()
        let at = { (column: Int) in SourceLocation(line: 1, column: column, offset: column - 1) }
        let failure = { (column: Int, message: String) in CIQLError(.runtime, .schema(.invalidAttributeValue), message, at: at(column)) }
        try checks.noteOwnRules(of: 1, failure(5, "cpu"))
        try checks.noteOwnRules(of: 1, failure(9, "cpu"))
        #expect(checks.invalidNodes[1]?.location?.column == 5)
        try checks.noteOwnRules(of: 1, failure(12, "name"))
        #expect(checks.invalidNodes[1]?.location?.column == 12)
        try checks.noteOwnRules(of: 1, nil)
        #expect(checks.isEmpty)
        for nid in 0..<NodeID(DeferredChecks.capacity) { try checks.noteOwnRules(of: nid, failure(1, "cpu")) }
        // Past the limit a new failure is refused at once; one already waiting may still change.
        #expect(throws: CIQLError.self) { try checks.noteUniqueness(of: 1, failure(3, "unique")) }
        try checks.noteOwnRules(of: 1, failure(4, "name"))
        #expect(checks.invalidNodes[1]?.location?.column == 4)
    }
}
