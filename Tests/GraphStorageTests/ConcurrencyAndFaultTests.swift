import Foundation
import Synchronization
import TestSupport
import Testing
@testable import GraphStorage

/// Map growth beside reader threads, the cross-process writer lock, and write errors that must not be lost.
struct ConcurrencyAndFaultTests {
    private static func properties(_ i: Int) -> Properties {
        ["status": .string("live"), "note": .string(String(repeating: "x", count: 2000) + String(i))]
    }

    @Test("map growth waits for other threads' read transactions instead of unmapping under them")
    func growthBesideReaders() throws {
        let t = try TestStore(initialMapSize: 1 << 20)
        try t.store.write(TestStore.change) { tx in
            for i in 0..<50 { _ = try tx.upsertNode(externalID: "seed-\(i)", label: "Server", properties: Self.properties(i)) }
        }
        let store = t.store
        let stop = Atomic(false)
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: group) {
                while !stop.load(ordering: .relaxed) {
                    do {
                        try store.read { tx in
                            var seen = 0
                            try tx.forEachNode { node in
                                // Touches every record's bytes in the map.
                                if node.properties["status"] != .string("live") {
                                    failures.withLock { $0.append("wrong status in \(node.externalID)") }
                                }
                                seen += 1
                                return true
                            }
                            if seen < 50 { failures.withLock { $0.append("saw \(seen) nodes") } }
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
        }
        let startSize = t.store.env.mapSize
        for batch in 0..<20 {
            try t.store.write(TestStore.change) { tx in
                for i in 0..<200 {
                    _ = try tx.upsertNode(
                        externalID: "n-\(batch)-\(i)", label: "Server", properties: Self.properties(i))
                }
            }
        }
        stop.store(true, ordering: .relaxed)
        group.wait()
        #expect(t.store.env.mapSize >= startSize * 8, "the map did not grow: the test proves nothing")
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(5) })")
    }

    @Test("a write that must grow the map inside this thread's own read fails instead of dead-locking")
    func growthInsideOwnReadFails() throws {
        let t = try TestStore(initialMapSize: 1 << 20)
        let error = #expect(throws: StorageError.self) {
            try t.store.read { _ in
                try t.store.write(TestStore.change) { tx in
                    for i in 0..<4000 {
                        _ = try tx.upsertNode(externalID: "n-\(i)", label: "Server", properties: Self.properties(i))
                    }
                }
            }
        }
        #expect(error?.code == .locked, "\(String(describing: error))")
        // Nothing was written, and the store grows normally once the read is over.
        #expect(try t.store.read { tx in try tx.node(externalID: "n-0") } == nil)
        try t.store.write(TestStore.change) { tx in
            for i in 0..<4000 {
                _ = try tx.upsertNode(externalID: "n-\(i)", label: "Server", properties: Self.properties(i))
            }
        }
    }

    @Test("an append whose key does not sort last throws instead of dropping the record")
    func appendCollisionThrows() throws {
        let t = try TestStore()
        let key = [UInt8](repeating: 0xFF, count: 16)
        let error = #expect(throws: StorageError.self) {
            try t.store.write(TestStore.change) { tx in
                _ = try tx.upsertNode(externalID: "a", label: "Server", properties: [:])
                try key.withUnsafeBytes { k in
                    try [UInt8(1)].withUnsafeBytes { v in
                        try tx.append(tx.dbs.txlog, k, v)
                        try tx.append(tx.dbs.txlog, k, v)
                    }
                }
            }
        }
        #expect(error?.code == .corrupted)
        #expect(error?.lmdbCode == -30799, "MDB_KEYEXIST")
        #expect(try t.store.read { tx in try tx.node(externalID: "a") } == nil, "the failed write was committed")
    }

    @Test("a writer gives up at its deadline, naming the process that holds the write lock")
    func writeLockDeadline() throws {
        let t = try TestStore()
        let out = Pipe()
        let holder = try ChildProcess(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import fcntl,sys,time\nf=open(sys.argv[1],'r+b')\nfcntl.lockf(f,fcntl.LOCK_EX,1,1<<40)\n"
                    + "print('ready',flush=True)\ntime.sleep(5)",
                t.directory + "/data.mdb",
            ], stdout: .pipe(out.fileHandleForWriting), stderr: .inherit)
        defer { holder.terminate() }
        #expect(String(decoding: out.fileHandleForReading.readData(ofLength: 5), as: UTF8.self) == "ready")
        let notices = Mutex<[String]>([])
        t.store.writeLockWait = WriteLockWait(
            noticeAfter: .milliseconds(100), timeout: .milliseconds(600),
            notice: { text in notices.withLock { $0.append(text) } })
        let started = ContinuousClock.now
        let error = #expect(throws: StorageError.self) {
            try t.store.write(TestStore.change) { tx in
                _ = try tx.upsertNode(externalID: "late", label: "Server", properties: [:])
            }
        }
        let waited = ContinuousClock.now - started
        #expect(error?.code == .locked)
        #expect(error?.message.contains("pid \(holder.pid)") == true, "\(String(describing: error))")
        #expect(waited >= .milliseconds(600) && waited < .seconds(4))
        #expect(notices.withLock { $0 } == ["waiting for the write lock held by pid \(holder.pid)…"])
        holder.terminate()
        holder.waitUntilExit()
        try t.store.write(TestStore.change) { tx in
            _ = try tx.upsertNode(externalID: "late", label: "Server", properties: [:])
        }
    }

    @Test("a node record stays valid across later writes in its transaction (it is a copy, not a view of the map)")
    func nodeRecordOutlivesWrites() throws {
        let t = try TestStore()
        try t.store.write(TestStore.change) { tx in
            let nid = try tx.upsertNode(externalID: "kept", label: "Server", properties: ["status": .string("live")]).nid
            let record = try #require(try tx.nodeRecord(nid))
            for i in 0..<300 {
                _ = try tx.upsertNode(externalID: "kept", label: "Server", properties: Self.properties(i))
                _ = try tx.upsertNode(externalID: "other-\(i)", label: "Server", properties: Self.properties(i))
            }
            _ = try tx.deleteNode(nid)
            #expect(try record.property(tx.propertyKey("status")) == .string("live"))
            #expect(try record.label() == "Server")
        }
    }

    @Test("file-system errors name the path")
    func fileSystemMessages() {
        #expect(StorageError.lmdb(ENOSPC, "mdb_txn_commit", path: "/srv/db").message == "no space left on device: /srv/db")
        #expect(StorageError.lmdb(EACCES, "mdb_env_open", path: "/srv/db").message == "permission denied: /srv/db")
        #expect(StorageError.lmdb(ENOSPC, "x", path: "/srv/db").code == .noSpace)
    }
}
