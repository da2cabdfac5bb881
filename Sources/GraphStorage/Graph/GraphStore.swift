import CLMDB
import Glibc
import Synchronization

/// The LMDB-backed property graph that a CMDB lives in.
///
/// Access is scoped to closures: `read { tx in … }` sees one consistent snapshot and never blocks or is blocked
/// by a writer; `write(change) { tx in … }` is one atomic transaction, serialized across processes by LMDB. A
/// throw aborts, a normal return commits. Every committed write that changed something gets a transaction
/// number and a change record, and earlier versions of what it changed are kept.
///
/// `@unchecked Sendable`: the environment is thread-safe (see `LMDBEnvironment`) and the shared name table is
/// guarded by a `Mutex`.
public final class GraphStore: @unchecked Sendable {
    /// The on-disk format this build reads and writes.
    public static let formatVersion: UInt32 = 1

    public let path: String
    let env: LMDBEnvironment
    let dbs: Databases
    private let sharedNames: Mutex<NameTable>
    /// The snapshot (LMDB transaction id) at which the shared name table was last checked against the store.
    private let namesCheckedAt = Atomic<Int>(-1)
    /// A reset read transaction kept for the next `read` (its address; 0 when none).
    private let idleReader = Atomic<Int>(0)

    struct Databases {
        var meta: MDB_dbi = 0, names: MDB_dbi = 0, namesByID: MDB_dbi = 0, ids: MDB_dbi = 0, nodes: MDB_dbi = 0
        var hist: MDB_dbi = 0, rels: MDB_dbi = 0, relhist: MDB_dbi = 0, adj: MDB_dbi = 0, labels: MDB_dbi = 0
        var propidx: MDB_dbi = 0, counts: MDB_dbi = 0, changes: MDB_dbi = 0, txlog: MDB_dbi = 0, aux: MDB_dbi = 0
    }

    // Immutable after initialization; key paths are not Sendable, hence nonisolated(unsafe).
    private static let dupFixed = UInt32(MDB_DUPSORT) | UInt32(MDB_DUPFIXED)
    nonisolated(unsafe) private static let layout: [(String, WritableKeyPath<Databases, MDB_dbi>, UInt32)] = [
        ("meta", \.meta, 0), ("names", \.names, 0), ("namesById", \.namesByID, 0), ("ids", \.ids, 0),
        ("nodes", \.nodes, 0), ("hist", \.hist, 0), ("rels", \.rels, 0), ("relhist", \.relhist, 0),
        ("adj", \.adj, dupFixed), ("labels", \.labels, dupFixed), ("propidx", \.propidx, dupFixed),
        ("counts", \.counts, 0), ("changes", \.changes, 0), ("txlog", \.txlog, 0), ("aux", \.aux, 0),
    ]

    /// The map size a new environment starts with; `CMDB_MAP_SIZE` (bytes) overrides it, for tests.
    static var initialMapSize: Int {
        if let text = getenv("CMDB_MAP_SIZE").map({ String(cString: $0) }), let n = Int(text), n > 0 { return n }
        return 4 << 30
    }

    private init(path: String, env: LMDBEnvironment, dbs: Databases, names: NameTable) {
        self.path = path
        self.env = env
        self.dbs = dbs
        self.sharedNames = Mutex(names)
    }

    deinit {
        if let txn = OpaquePointer(bitPattern: idleReader.exchange(0, ordering: .acquiringAndReleasing)) {
            mdb_txn_abort(txn)
        }
    }

    // MARK: - Opening

    /// Creates a new, empty database in directory `path` (created owner-only if missing).
    ///
    /// - Throws: `StorageError` with code `.alreadyExists` when a database is already there.
    public static func create(at path: String, initialMapSize mapSize: Int? = nil) throws -> GraphStore {
        var st = stat()
        if stat(path, &st) != 0 {
            if mkdir(path, 0o700) != 0 {
                throw StorageError(.io, "cannot create directory '\(path)': \(String(cString: strerror(errno)))",
                    lmdbCode: errno)
            }
        } else if (st.st_mode & S_IFMT) != S_IFDIR {
            throw StorageError(.io, "'\(path)' exists and is not a directory")
        }
        if access(path + "/data.mdb", F_OK) == 0 {
            throw StorageError(.alreadyExists, "a database already exists at '\(path)'")
        }
        let env = try LMDBEnvironment(
            path: path, mapSize: mapSize ?? initialMapSize, maxDatabases: UInt32(layout.count + 1))
        let txn = try env.begin(readOnly: false)
        do {
            var dbs = Databases()
            for (name, keyPath, flags) in layout {
                var dbi: MDB_dbi = 0
                try check(mdb_dbi_open(txn, name, flags | UInt32(MDB_CREATE), &dbi), "mdb_dbi_open")
                dbs[keyPath: keyPath] = dbi
            }
            let t = LMDBTransaction(handle: txn)
            try t.put(dbs.meta, Array("format".utf8), withUnsafeBytes(of: formatVersion.bigEndian) { Array($0) })
            try check(mdb_txn_commit(txn), "mdb_txn_commit")
            return GraphStore(path: path, env: env, dbs: dbs, names: NameTable())
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
    }

    /// Opens an existing database.
    ///
    /// - Throws: `StorageError` `.notADatabase` when there is none, `.newerFormat` when a newer cmdb wrote it
    ///   (the files are left untouched).
    public static func open(at path: String) throws -> GraphStore {
        guard access(path + "/data.mdb", F_OK) == 0 else {
            throw StorageError(.notADatabase, "no database at '\(path)'; create one with 'cmdb init'")
        }
        guard access(path + "/data.mdb", R_OK | W_OK) == 0 else {
            throw StorageError(.permissionDenied, "cannot read and write '\(path)/data.mdb': permission denied")
        }
        let env = try LMDBEnvironment(
            path: path, mapSize: initialMapSize, maxDatabases: UInt32(layout.count + 1))
        let txn = try env.begin(readOnly: true)
        do {
            var dbs = Databases()
            var metaDBI: MDB_dbi = 0
            let rc = mdb_dbi_open(txn, "meta", 0, &metaDBI)
            if rc == MDB_NOTFOUND {
                throw StorageError(.notADatabase, "'\(path)' holds an LMDB file that is not a cmdb database")
            }
            try check(rc, "mdb_dbi_open")
            let t = LMDBTransaction(handle: txn)
            guard let raw = try t.get(metaDBI, Array("format".utf8)), raw.count == 4 else {
                throw StorageError(.notADatabase, "'\(path)' holds an LMDB file that is not a cmdb database")
            }
            let format = raw.loadBE32(at: 0)
            if format > formatVersion {
                throw StorageError(
                    .newerFormat,
                    "the database at '\(path)' has format \(format), newer than this cmdb (format \(formatVersion)); "
                        + "upgrade cmdb to open it (the database was not changed)")
            }
            for (name, keyPath, flags) in layout {
                var dbi: MDB_dbi = 0
                try check(mdb_dbi_open(txn, name, flags, &dbi), "mdb_dbi_open")
                dbs[keyPath: keyPath] = dbi
            }
            let names = try loadNames(LMDBTransaction(handle: txn), dbs)
            // Committing a read transaction publishes the database handles to the environment.
            try check(mdb_txn_commit(txn), "mdb_txn_commit")
            return GraphStore(path: path, env: env, dbs: dbs, names: names)
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
    }

    static func loadNames(_ t: LMDBTransaction, _ dbs: Databases) throws -> NameTable {
        var table = NameTable()
        let cursor = try t.openCursor(dbs.namesByID)
        defer { cursor.close() }
        var entry = try cursor.get(MDB_FIRST)
        while let (key, value) = entry {
            guard key.count == 5, let kind = NameKind(rawValue: key[0]) else {
                throw StorageError(.corrupted, "the name table is damaged")
            }
            table.insert(String(decoding: value, as: UTF8.self), id: key.loadBE32(at: 1), kind)
            entry = try cursor.get(MDB_NEXT)
        }
        return table
    }

    // MARK: - Transactions

    /// Runs `body` on one consistent snapshot of the database.
    ///
    /// The snapshot is the latest commit when `read` is called. The LMDB read transaction behind it is reset
    /// (holding no snapshot) and renewed by the next `read` rather than begun anew; the name table is rechecked
    /// only when the snapshot moved.
    public func read<R>(_ body: (GraphTransaction) throws -> R) throws -> R {
        let txn = try beginRead()
        let tx = GraphTransaction(store: self, handle: txn, names: currentNames(), number: 0, isWritable: false)
        defer {
            tx.invalidate()
            endRead(txn)
        }
        let snapshot = Int(truncatingIfNeeded: mdb_txn_id(txn))
        if namesCheckedAt.load(ordering: .acquiring) != snapshot {
            try tx.refreshNamesIfStale()
            namesCheckedAt.store(snapshot, ordering: .releasing)
        }
        return try body(tx)
    }

    /// A read transaction on the latest commit: the kept one renewed, or a new one.
    private func beginRead() throws -> OpaquePointer {
        if let kept = OpaquePointer(bitPattern: idleReader.exchange(0, ordering: .acquiringAndReleasing)) {
            if mdb_txn_renew(kept) == MDB_SUCCESS { return kept }
            // MDB_MAP_RESIZED (another process grew the map) and the like: begin() adopts the new map.
            mdb_txn_abort(kept)
        }
        return try env.begin(readOnly: true)
    }

    /// Ends a read transaction: reset and kept for the next `read` (it holds no snapshot then, so writers and
    /// map growth are not held up), or aborted when one is kept already.
    private func endRead(_ txn: OpaquePointer) {
        mdb_txn_reset(txn)
        if !idleReader.compareExchange(expected: 0, desired: Int(bitPattern: txn), ordering: .acquiringAndReleasing)
            .exchanged
        {
            mdb_txn_abort(txn)
        }
    }

    /// Runs `body` in one write transaction and commits it, recording `change`.
    ///
    /// A transaction that changed nothing, or that `body` discarded, is rolled back and leaves no record.
    /// When the map is full the transaction is rolled back, the map grown, and `body` run again: `body` must
    /// be safe to repeat (read its input anew).
    public func write<R>(_ change: ChangeInfo, _ body: (GraphTransaction) throws -> R) throws -> R {
        var attempt = 0
        while true {
            let txn = try env.begin(readOnly: false)
            var names = currentNames()
            let t = LMDBTransaction(handle: txn)
            let last = try t.get(dbs.meta, Array("last_txn".utf8)).map { $0.count == 8 ? $0.loadBE64(at: 0) : 0 } ?? 0
            let tx = GraphTransaction(store: self, handle: txn, names: names, number: last + 1, isWritable: true)
            do {
                try tx.refreshNamesIfStale()
                let result = try body(tx)
                if tx.isDiscarded || !tx.hasChanges {
                    tx.invalidate()
                    mdb_txn_abort(txn)
                    return result
                }
                try tx.finish(change)
                names = tx.names
                tx.invalidate()
                try check(mdb_txn_commit(txn), "mdb_txn_commit")
                publish(names)
                return result
            } catch let error as StorageError where error.code == .mapFull && attempt < 16 {
                tx.invalidate()
                mdb_txn_abort(txn)
                attempt += 1
                try grow()
            } catch {
                tx.invalidate()
                mdb_txn_abort(txn)
                throw error
            }
        }
    }

    /// Makes sure the map can hold `bytes` more data without a retry; call before a large import.
    public func reserve(bytes: Int) throws {
        let needed = env.dataFileSize + bytes
        let current = env.mapSize
        if needed > current { try env.setMapSize(roundUp(max(needed, current * 2))) }
    }

    private func grow() throws {
        try env.setMapSize(roundUp(max(env.mapSize * 2, env.dataFileSize * 2)))
    }

    private func roundUp(_ n: Int) -> Int { (n + (1 << 20) - 1) & ~((1 << 20) - 1) }

    func currentNames() -> NameTable { sharedNames.withLock { $0 } }

    func publish(_ names: NameTable) {
        sharedNames.withLock { shared in
            if names.totalCount >= shared.totalCount { shared = names }
        }
    }

    /// Bytes of the data file on disk.
    public var dataFileSize: Int { env.dataFileSize }
}
