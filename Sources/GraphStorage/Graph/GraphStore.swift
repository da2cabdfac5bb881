import CLMDB
import Glibc
import Synchronization

/// The LMDB-backed property graph that a CMDB lives in.
///
/// Access is scoped to closures: `read { tx in … }` sees one consistent snapshot and never blocks or is blocked
/// by a writer (only a read begun while this process waits to grow the map waits for the growth, see `MapLock`);
/// `write(change) { tx in … }` is one atomic transaction, serialized across processes by LMDB. A
/// throw aborts, a normal return commits. Every committed write that changed something gets a transaction
/// number and a change record, and earlier versions of what it changed are kept.
///
/// `@unchecked Sendable`: the environment is thread-safe (see `LMDBEnvironment`) and the shared name table is
/// guarded by a `Mutex`.
public final class GraphStore: @unchecked Sendable {
    /// The on-disk format this build reads and writes: 2 added `relgone` (relation deletions by endpoint), 3 added
    /// `bystatus` (the nodes of each status).
    public static let formatVersion: UInt32 = 3

    public let path: String
    let env: LMDBEnvironment
    let dbs: Databases
    private let sharedNames: Mutex<NameTable>
    /// The snapshot (LMDB transaction id) at which the shared name table was last checked against the store.
    private let namesCheckedAt = Atomic<Int>(-1)
    /// A reset read transaction kept for the next `read` (its address; 0 when none).
    private let idleReader = Atomic<Int>(0)
    /// A commit that grows the used file by at least this many bytes refills the page cache (see
    /// `LMDBEnvironment.refillPageCache()`).
    let pageCacheRefillThreshold = Atomic<Int>(LMDBEnvironment.pageCacheRefillThreshold)

    struct Databases {
        var meta: MDB_dbi = 0, names: MDB_dbi = 0, namesByID: MDB_dbi = 0, ids: MDB_dbi = 0, nodes: MDB_dbi = 0
        var hist: MDB_dbi = 0, rels: MDB_dbi = 0, relhist: MDB_dbi = 0, adj: MDB_dbi = 0, labels: MDB_dbi = 0
        var propidx: MDB_dbi = 0, counts: MDB_dbi = 0, changes: MDB_dbi = 0, txlog: MDB_dbi = 0, aux: MDB_dbi = 0
        var relgone: MDB_dbi = 0, bystatus: MDB_dbi = 0
        /// False for a format-1 database opened read-only (not migrated): `relgone` is missing, and readers
        /// derive relation deletions from `relhist` instead.
        var hasRelationDeletions = true
        /// False for a database of format 1 or 2 opened read-only (not migrated): `bystatus` is missing, and
        /// readers read statuses from the node records instead.
        var hasStatusIndex = true
    }

    // Immutable after initialization; key paths are not Sendable, hence nonisolated(unsafe).
    private static let dupFixed = UInt32(MDB_DUPSORT) | UInt32(MDB_DUPFIXED)
    nonisolated(unsafe) private static let layout: [(String, WritableKeyPath<Databases, MDB_dbi>, UInt32)] = [
        ("meta", \.meta, 0), ("names", \.names, 0), ("namesById", \.namesByID, 0), ("ids", \.ids, 0),
        ("nodes", \.nodes, 0), ("hist", \.hist, 0), ("rels", \.rels, 0), ("relhist", \.relhist, 0),
        ("adj", \.adj, dupFixed), ("labels", \.labels, dupFixed), ("propidx", \.propidx, dupFixed),
        ("counts", \.counts, 0), ("changes", \.changes, 0), ("txlog", \.txlog, 0), ("aux", \.aux, 0),
        ("relgone", \.relgone, dupFixed), ("bystatus", \.bystatus, dupFixed),
    ]

    /// The map size a new environment starts with; `CMDB_MAP_SIZE` (bytes) overrides it, for tests.
    static var initialMapSize: Int {
        if let text = unsafe getenv("CMDB_MAP_SIZE").map({ unsafe String(cString: $0) }), let n = Int(text), n > 0 { return n }
        return 4 << 30
    }

    private init(path: String, env: LMDBEnvironment, dbs: Databases, names: NameTable) {
        self.path = path
        self.env = env
        self.dbs = dbs
        self.sharedNames = Mutex(names)
    }

    deinit {
        if let txn = unsafe OpaquePointer(bitPattern: idleReader.exchange(0, ordering: .acquiringAndReleasing)) {
            unsafe env.discardReset(txn)
        }
    }

    // MARK: - Opening

    /// Creates a new, empty database in directory `path` (created owner-only if missing).
    ///
    /// When creation fails (a full file system, say), what it made is removed again: the directory if it
    /// made it, else the files it made in it, so a later `create` starts clean.
    ///
    /// - Throws: `StorageError` with code `.alreadyExists` when a database is already there, `.noSpace` when
    ///   the file system is full.
    public static func create(at path: String, initialMapSize mapSize: Int? = nil) throws -> GraphStore {
        let madeDirectory = try prepareDirectory(path)
        var st = stat()
        let hadLockFile = unsafe lstat(path + "/lock.mdb", &st) == 0
        do {
            return try makeEmpty(at: path, mapSize: mapSize ?? initialMapSize)
        } catch {
            unsafe unlink(path + "/data.mdb")
            if !hadLockFile { unsafe unlink(path + "/lock.mdb") }
            if madeDirectory { unsafe rmdir(path) }
            throw error
        }
    }

    private static func makeEmpty(at path: String, mapSize: Int) throws -> GraphStore {
        let env = unsafe try LMDBEnvironment(path: path, mapSize: mapSize, maxDatabases: UInt32(layout.count + 1))
        let txn = unsafe try env.begin(readOnly: false)
        var isOpen = true
        defer { if isOpen { unsafe env.abort(txn, readOnly: false) } }
        var dbs = Databases()
        for (name, keyPath, flags) in unsafe layout {
            var dbi: MDB_dbi = 0
            unsafe try check(mdb_dbi_open(txn, name, flags | UInt32(MDB_CREATE), &dbi), "mdb_dbi_open")
            dbs[keyPath: keyPath] = dbi
        }
        let t = unsafe LMDBTransaction(handle: txn)
        unsafe try t.put(dbs.meta, Array("format".utf8), withUnsafeBytes(of: formatVersion.bigEndian) { unsafe Array($0) })
        isOpen = false
        unsafe try env.commit(txn, readOnly: false)
        return GraphStore(path: path, env: env, dbs: dbs, names: NameTable())
    }

    /// Opens an existing database.
    ///
    /// `readOnly` opens it for reading only (`MDB_RDONLY`): nothing is ever written to its files, and a
    /// `write` fails.
    ///
    /// - Throws: `StorageError` `.notADatabase` when there is none, `.permissionDenied` when this user may not
    ///   use it, `.newerFormat` when a newer cmdb wrote it (the files are left untouched).
    public static func open(at path: String, readOnly: Bool = false, initialMapSize mapSize: Int? = nil) throws
        -> GraphStore
    {
        let file = path + "/data.mdb"
        var st = stat()
        try LMDBEnvironment.refuseLinkedFiles(in: path)
        if unsafe stat(file, &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR {
                throw StorageError(.notADatabase, "no database at '\(path)'; create one with 'cmdb init'")
            }
            throw StorageError.lmdb(errno, "stat", path: file)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw StorageError(.notADatabase, "'\(file)' is not a regular file; '\(path)' is not a cmdb database")
        }
        guard unsafe access(file, readOnly ? R_OK : R_OK | W_OK) == 0 else {
            throw StorageError(
                .permissionDenied,
                "permission denied: cannot \(readOnly ? "read" : "read and write") '\(file)'")
        }
        // LMDB would take an empty file for a new one and write a fresh database into it.
        guard st.st_size >= 8192 else {
            throw StorageError(.notADatabase, "'\(path)' is not a cmdb database: '\(file)' is empty or truncated")
        }
        let env = unsafe try LMDBEnvironment(
            path: path, mapSize: mapSize ?? initialMapSize, maxDatabases: UInt32(layout.count + 1), readOnly: readOnly)
        try checkWhole(env, file: file)
        var txn = unsafe try env.begin(readOnly: true)
        var isOpen = true
        defer { if isOpen { unsafe env.abort(txn, readOnly: true) } }
        unsafe try MainDatabaseCheck.validate(env, txn, file: file, expected: layout.map { ($0.0, $0.2) })
        var dbs = Databases()
        var metaDBI: MDB_dbi = 0
        let rc = unsafe mdb_dbi_open(txn, "meta", 0, &metaDBI)
        if rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE {
            throw StorageError(.notADatabase, "'\(path)' holds an LMDB file that is not a cmdb database")
        }
        try check(rc, "mdb_dbi_open")
        let t = unsafe LMDBTransaction(handle: txn)
        guard let raw = unsafe try t.get(metaDBI, Array("format".utf8)), raw.count == 4 else {
            throw StorageError(.notADatabase, "'\(path)' holds an LMDB file that is not a cmdb database")
        }
        let format = unsafe raw.loadBE32(at: 0)
        if format > formatVersion {
            throw StorageError(
                .newerFormat,
                "the database at '\(path)' has format \(format), newer than this cmdb (format \(formatVersion)); "
                    + "upgrade cmdb to open it (the database was not changed)")
        }
        if format < formatVersion {
            if readOnly {
                // Read-only: nothing may be written, so the missing indexes are derived when needed.
                dbs.hasRelationDeletions = format >= 2
                dbs.hasStatusIndex = false
            } else {
                isOpen = false
                unsafe try env.commit(txn, readOnly: true)
                try migrate(env)
                unsafe txn = unsafe try env.begin(readOnly: true)
                isOpen = true
            }
        }
        for (name, keyPath, flags) in unsafe layout {
            if keyPath == \Databases.relgone && !dbs.hasRelationDeletions { continue }
            if keyPath == \Databases.bystatus && !dbs.hasStatusIndex { continue }
            var dbi: MDB_dbi = 0
            unsafe try check(mdb_dbi_open(txn, name, flags, &dbi), "mdb_dbi_open")
            dbs[keyPath: keyPath] = dbi
        }
        let names = unsafe try loadNames(LMDBTransaction(handle: txn), dbs)
        // Committing a read transaction publishes the database handles to the environment.
        isOpen = false
        unsafe try env.commit(txn, readOnly: true)
        return GraphStore(path: path, env: env, dbs: dbs, names: names)
    }

    /// Refuses a data file shorter than the pages its last commit uses (a copy cut short): LMDB reads the file
    /// through its memory map, and a page past the end of the file would kill the process with SIGBUS. Checked
    /// before any page is read; LMDB read only the meta pages, with `read`, to open it.
    private static func checkWhole(_ env: LMDBEnvironment, file: String) throws {
        var info = unsafe MDB_envinfo()
        var environment = MDB_stat()
        unsafe mdb_env_info(env.handle, &info)
        unsafe try check(mdb_env_stat(env.handle, &environment), "mdb_env_stat")
        var st = stat()
        guard unsafe stat(file, &st) == 0 else { throw StorageError.lmdb(errno, "stat", path: file) }
        let (pages, overflow) = unsafe Int(info.me_last_pgno).addingReportingOverflow(1)
        let (needed, overflow2) = pages.multipliedReportingOverflow(by: Int(environment.ms_psize))
        if overflow || overflow2 || needed > Int(st.st_size) {
            throw StorageError(
                .corrupted,
                "'\(file)' is truncated: it holds \(st.st_size) bytes, its last commit uses \(overflow || overflow2 ? "more" : String(needed)); "
                    + "restore the database from a backup or an export (the file was not changed)")
        }
    }

    static func loadNames(_ t: LMDBTransaction, _ dbs: Databases) throws -> NameTable {
        var table = NameTable()
        let cursor = unsafe try t.openCursor(dbs.namesByID)
        defer { unsafe cursor.close() }
        var entry = unsafe try cursor.get(MDB_FIRST)
        while let (key, value) = unsafe entry {
            guard key.count == 5, let kind = unsafe NameKind(rawValue: key[0]) else {
                throw StorageError(.corrupted, "the name table is damaged")
            }
            unsafe table.insert(String(decoding: value, as: UTF8.self), id: key.loadBE32(at: 1), kind)
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
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
        let txn = unsafe try beginRead()
        let tx = unsafe GraphTransaction(store: self, handle: txn, names: currentNames(), number: 0, isWritable: false)
        defer {
            tx.invalidate()
            unsafe endRead(txn)
        }
        let snapshot = Int(truncatingIfNeeded: unsafe mdb_txn_id(txn))
        if namesCheckedAt.load(ordering: .acquiring) != snapshot {
            try tx.refreshNamesIfStale()
            namesCheckedAt.store(snapshot, ordering: .releasing)
        }
        return try body(tx)
    }

    /// A read transaction on the latest commit: the kept one renewed, or a new one.
    private func beginRead() throws -> OpaquePointer {
        if let kept = unsafe OpaquePointer(bitPattern: idleReader.exchange(0, ordering: .acquiringAndReleasing)) {
            if unsafe env.renew(kept) { return unsafe kept }
            // MDB_MAP_RESIZED (another process grew the map) and the like: begin() adopts the new map.
            unsafe env.discardReset(kept)
        }
        return unsafe try env.begin(readOnly: true)
    }

    /// Ends a read transaction: reset and kept for the next `read` (it holds no snapshot and not the map lock
    /// then, so writers and map growth are not held up), or freed when one is kept already.
    private func endRead(_ txn: OpaquePointer) {
        unsafe env.reset(txn)
        if !idleReader.compareExchange(
            expected: 0, desired: Int(bitPattern: txn), ordering: .acquiringAndReleasing
        ).exchanged {
            unsafe env.discardReset(txn)
        }
    }

    /// Runs `body` in one write transaction and commits it, recording `change`.
    ///
    /// A transaction that changed nothing, or that `body` discarded, is rolled back and leaves no record.
    /// When the map is full the transaction is rolled back, the map grown, and `body` run again: `body` must
    /// be safe to repeat (read its input anew, and send nothing anywhere before this returns). When another
    /// process is writing, this waits as `writeLockWait` says, and gives up with what the interrupt of the
    /// enclosing `WriteLockWait.whileWaiting` throws (a statement's time limit counts its wait for the lock).
    ///
    /// - Throws: `StorageError` `.noSpace` when the file system is full (nothing was changed), `.locked` when
    ///   the wait for another writer timed out, what the interrupt threw, or what `body` threw.
    public func write<R>(_ change: ChangeInfo, _ body: (GraphTransaction) throws -> R) throws -> R {
        var attempt = 0
        while true {
            do {
                return try writeOnce(change, body)
            } catch let error as StorageError where error.code == .mapFull && attempt < 16 {
                attempt += 1
                try grow()
            }
        }
    }

    /// One attempt of `write`: the transaction is committed, or aborted exactly once (never after a commit,
    /// which frees it whether or not it succeeds).
    private func writeOnce<R>(_ change: ChangeInfo, _ body: (GraphTransaction) throws -> R) throws -> R {
        let txn = unsafe try env.begin(readOnly: false, wait: writeLockWait.scoped)
        let usedPages = env.lastPageNumber
        var isOpen = true
        let t = unsafe LMDBTransaction(handle: txn)
        var tx: GraphTransaction?
        defer {
            tx?.invalidate()
            if isOpen { unsafe env.abort(txn, readOnly: false) }
        }
        // A newer cmdb may have migrated the files since this process opened them (a long-running `serve` or
        // `shell`): writing now would leave the indexes of the newer format behind the records.
        if let raw = unsafe try t.get(dbs.meta, Array("format".utf8)), raw.count == 4, unsafe raw.loadBE32(at: 0) > Self.formatVersion {
            throw StorageError(
                .newerFormat,
                "the database at '\(path)' was upgraded to format \(unsafe raw.loadBE32(at: 0)) by a newer cmdb after this "
                    + "one (format \(Self.formatVersion)) opened it; nothing was written: run it with the newer cmdb")
        }
        let last = unsafe try t.get(dbs.meta, Array("last_txn".utf8)).map { unsafe $0.count == 8 ? $0.loadBE64(at: 0) : 0 } ?? 0
        let writing = unsafe GraphTransaction(
            store: self, handle: txn, names: currentNames(), number: last + 1, isWritable: true)
        tx = writing
        try writing.refreshNamesIfStale()
        let result = try body(writing)
        if writing.isDiscarded || !writing.hasChanges { return result }
        try writing.finish(change)
        let names = writing.names
        writing.invalidate()
        isOpen = false
        do {
            unsafe try env.commit(txn, readOnly: false)
        } catch let error as StorageError where error.code == .noSpace {
            throw StorageError(
                .noSpace, error.message + "; nothing was changed (free some space and run it again)",
                lmdbCode: error.lmdbCode, operation: error.operation)
        }
        publish(names)
        // Most commits add no pages at the end of the file: only those that did look up the page size.
        let grewPages = env.lastPageNumber - usedPages
        if grewPages > 0 {
            env.withdrawHugePageAdviceIfOverLimit()
            let grewBy = grewPages.multipliedReportingOverflow(by: env.pageSize)
            if grewBy.overflow || grewBy.partialValue >= pageCacheRefillThreshold.load(ordering: .relaxed) {
                env.refillPageCache()
            }
        }
        return result
    }

    /// How a write waits for another process's write to end: when to say so, and how long at most.
    public var writeLockWait: WriteLockWait {
        get { writeLockWaitSetting.withLock { $0 } }
        set { writeLockWaitSetting.withLock { $0 = newValue } }
    }
    private let writeLockWaitSetting = Mutex(GraphStore.defaultWriteLockWait)

    /// What new stores start with as `writeLockWait`; the CLI sets it once, before opening anything.
    public static var defaultWriteLockWait: WriteLockWait {
        get { defaultWriteLockWaitSetting.withLock { $0 } }
        set { defaultWriteLockWaitSetting.withLock { $0 = newValue } }
    }
    private static let defaultWriteLockWaitSetting = Mutex(WriteLockWait.silent)

    /// Releases the reader slots of processes that died inside a read transaction (kill -9): they pin old
    /// pages, so every later write grows the file. Opening does this; a long-lived process (the shell, a
    /// server) calls it now and then.
    ///
    /// - Returns: how many stale slots were cleared.
    @discardableResult
    public func clearStaleReaders() throws -> Int { try env.clearStaleReaders() }

    /// Whether the store was opened read-only.
    public var isReadOnly: Bool { env.isReadOnly }

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
