import CIQL
import CIQLResults
import CIQLSyntax
import CMDB
import ConfigurationSchema
import Foundation
import GraphStorage
import Testing

/// The id index's prefix walk behind id completion.
struct IDPrefixTests {
    @Test("ids starting with a prefix, in order, live ones only, at most the limit")
    func prefixSearch() throws {
        let directory = NSTemporaryDirectory() + "cmdb-shell-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try ConfigurationDatabase.create(at: directory, schema: .open, actor: "test")
        let engine = QueryEngine(database: database)
        let change = ChangeInfo(actor: "test", changeReference: nil, origin: "test")
        for statement in try CIQLParser.parse(
            "UNWIND ['web-02', 'web-01', 'db-01', 'web-10', 'wex', 'we'] AS i CREATE (:Server {id: i}); "
                + "MATCH (n {id: 'web-10'}) DELETE n")
        {
            try engine.execute(statement, change: change, into: CollectingSink())
        }
        let found = try database.store.read { tx in
            [
                try tx.externalIDs(startingWith: "web-", limit: 10), try tx.externalIDs(startingWith: "we", limit: 10),
                try tx.externalIDs(startingWith: "we", limit: 2), try tx.externalIDs(startingWith: "", limit: 1),
                try tx.externalIDs(startingWith: "zz", limit: 10),
            ]
        }
        #expect(found[0] == ["web-01", "web-02"])
        #expect(found[1] == ["we", "web-01", "web-02", "wex"])
        #expect(found[2] == ["we", "web-01"])
        #expect(found[3] == ["db-01"])
        #expect(found[4].isEmpty)
    }
}
