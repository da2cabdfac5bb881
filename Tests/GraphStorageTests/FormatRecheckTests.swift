import Testing
@testable import GraphStorage

/// A process checks the database's format only when it opens it. A long-running one (`cmdb serve`, `cmdb shell`)
/// keeps writing after a newer cmdb migrated the database under it, without the indexes the newer format keeps
/// (format 3: `bystatus`), so they no longer match the records and nothing rebuilds them (the format is current).
/// A write should refuse a database whose format moved past this build's since it was opened.
struct FormatRecheckTests {
    @Test("a write to a database that a newer cmdb migrated after it was opened is refused, and changes nothing")
    func writeAfterNewerMigrationIsRefused() throws {
        let t = try TestStore()
        try t.store.write(TestStore.change) { tx in
            _ = try tx.upsertNode(externalID: "srv-1", label: "Server", properties: ["status": .string("live")])
        }
        // What a newer cmdb's migration leaves behind: a higher format.
        try t.store.recordFormat(GraphStore.formatVersion + 1, dropping: [])

        var refused: StorageError?
        do {
            try t.store.write(TestStore.change) { tx in
                _ = try tx.upsertNode(externalID: "srv-1", label: "Server", properties: ["status": .string("withdrawn")])
            }
        } catch let error as StorageError {
            refused = error
        }
        #expect(refused?.code == .newerFormat, "a format-\(GraphStore.formatVersion) writer wrote into a newer database")
        let status = try t.store.read { tx in
            try tx.nodeID(forExternalID: "srv-1").flatMap { try tx.node($0) }?.properties["status"]
        }
        #expect(status == .string("live"), "the write went through")
    }
}
