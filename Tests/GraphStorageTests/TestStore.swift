import CLMDB
import Foundation
import Testing
@testable import GraphStorage

/// A fresh store in its own temporary directory, removed when the test is done.
final class TestStore {
    let directory: String
    let store: GraphStore

    init(initialMapSize: Int? = nil) throws {
        directory = NSTemporaryDirectory() + "cmdb-test-" + UUID().uuidString
        store = try GraphStore.create(at: directory, initialMapSize: initialMapSize)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    static let change = ChangeInfo(actor: "tester", changeReference: "CHG1", origin: "test")
}

extension GraphStore {
    /// Every entry of the named database `dbi` (each duplicate on its own), as `describe` puts it, in key order.
    func entries(of dbi: KeyPath<Databases, MDB_dbi>, _ describe: ([UInt8], [UInt8]) -> String) throws -> [String] {
        try read { tx in
            let cursor = unsafe try tx.raw.openCursor(tx.dbs[keyPath: dbi])
            defer { unsafe cursor.close() }
            var entries: [String] = []
            var entry = unsafe try cursor.get(MDB_FIRST)
            while let (key, value) = unsafe entry {
                unsafe entries.append(describe(Array(key), Array(value)))
                unsafe entry = unsafe try cursor.get(MDB_NEXT)
            }
            return entries
        }
    }

    /// Turns the store's files into what another cmdb wrote: `databases` dropped, `format` recorded.
    func recordFormat(_ format: UInt32, dropping databases: [MDB_dbi]) throws {
        let txn = unsafe try env.begin(readOnly: false)
        for dbi in databases { unsafe #expect(mdb_drop(txn, dbi, 1) == MDB_SUCCESS) }
        let t = unsafe LMDBTransaction(handle: txn)
        unsafe try t.put(dbs.meta, Array("format".utf8), withUnsafeBytes(of: format.bigEndian) { unsafe Array($0) })
        unsafe try env.commit(txn, readOnly: false)
    }
}
