import CLMDB
import Dispatch
import Glibc
import Synchronization

/// An open LMDB environment: one memory map over `data.mdb` and its lock file.
///
/// `@unchecked Sendable`: LMDB serializes writers with its own lock and readers use MVCC snapshots; the
/// environment is opened with `MDB_NOTLS`, so a read transaction may be used by whichever thread owns it.
/// Transactions themselves never cross threads (they live inside a `read`/`write` closure). The one call that
/// is not safe beside open transactions, `mdb_env_set_mapsize`, runs only under `mapLock` held exclusively,
/// while every transaction holds it shared (`begin` … `commit`/`abort`).
// `@safe`: the handle is owned (closed in deinit) and never handed out; transactions begin and end here.
@safe
final class LMDBEnvironment: @unchecked Sendable {
    let handle: OpaquePointer
    let path: String
    let isReadOnly: Bool
    let mapLock = MapLock()
    /// Whether the current map is advised `MADV_HUGEPAGE` (see `adviseHugePages()`).
    let mapIsAdvisedHugePages = Atomic<Bool>(false)
    /// The largest data file whose map is advised `MADV_HUGEPAGE`; tests lower it.
    let hugePageAdviceLimit = Atomic<Int>(LMDBEnvironment.pageCacheRefillLimit)
    /// Nil for read-only environments.
    let writerLock: WriterLock?

    /// The reader slots LMDB's lock file has room for.
    static let maxReaders: UInt32 = 254
    /// The size LMDB gives `lock.mdb` for `maxReaders` slots: a 192-byte header and 64 bytes per slot after the
    /// first (LMDB 0.9: `(maxreaders - 1) * sizeof(MDB_reader) + sizeof(MDB_txninfo)`).
    static var lockFileSize: Int { Int(maxReaders - 1) * 64 + 192 }

    /// Opens the environment in directory `path`, creating its files when they are missing (unless read-only).
    init(path: String, mapSize: Int, maxDatabases: UInt32, readOnly: Bool = false) throws {
        try Self.refuseLinkedFiles(in: path)
        // LMDB maps lock.mdb and writes its reader table through the map: on a full file system a sparse page
        // there is a SIGBUS, not an error. Allocating the file's blocks first turns that into ENOSPC here.
        try Self.preallocateLockFile(in: path, readOnly: readOnly)
        var env: OpaquePointer?
        unsafe try check(mdb_env_create(&env), "mdb_env_create")
        guard let env = unsafe env else { throw StorageError(.lmdb, "mdb_env_create returned no environment") }
        do {
            unsafe try check(mdb_env_set_maxdbs(env, maxDatabases), "mdb_env_set_maxdbs")
            unsafe try check(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize")
            unsafe try check(mdb_env_set_maxreaders(env, Self.maxReaders), "mdb_env_set_maxreaders")
            let flags = UInt32(MDB_NOTLS) | (readOnly ? UInt32(MDB_RDONLY) : 0)
            // Owner-only: a CMDB maps an organisation's attack surface.
            let rc = unsafe mdb_env_open(env, path, flags, 0o600)
            if rc == ENOENT {
                throw StorageError(.notADatabase, "no database at '\(path)'; create one with 'cmdb init'")
            }
            try check(rc, "mdb_env_open", path: path)
        } catch {
            // The LMDB documentation: the environment handle must be closed even when mdb_env_open fails.
            unsafe mdb_env_close(env)
            throw error
        }
        unsafe self.handle = unsafe env
        self.path = path
        self.isReadOnly = readOnly
        if readOnly {
            writerLock = nil
        } else {
            var fd: Int32 = -1
            if unsafe mdb_env_get_fd(env, &fd) == MDB_SUCCESS, fd >= 0 {
                writerLock = WriterLock(descriptor: fd)
            } else {
                writerLock = nil
            }
        }
        // Reader slots left by processes that died inside a read transaction pin old pages: the file grows.
        _ = try? clearStaleReaders()
        adviseHugePages()
    }

    deinit { unsafe mdb_env_close(handle) }

    /// Refuses a `data.mdb` or `lock.mdb` that is there but is not a regular file, before LMDB opens (and
    /// follows) it: through a symlink LMDB would overwrite the target with lock data, read-only or not, or give
    /// two directories one data file and two lock files, whose writers then lose each other's commits.
    /// The directory itself may be a symlink.
    static func refuseLinkedFiles(in directory: String) throws {
        for name in ["data.mdb", "lock.mdb"] {
            let file = directory + "/" + name
            var st = stat()
            guard unsafe lstat(file, &st) == 0 else { continue }
            let type = st.st_mode & S_IFMT
            guard type != S_IFREG else { continue }
            let what = type == S_IFLNK ? "a symbolic link" : type == S_IFDIR ? "a directory" : "not a regular file"
            throw StorageError(
                .notADatabase,
                "'\(file)' is \(what); cmdb opens only regular files in a database directory, so that nothing is "
                    + "written elsewhere through it. Nothing was opened or changed; remove it (for a database elsewhere, "
                    + "give --db that database's own directory)")
        }
    }

    private static func preallocateLockFile(in directory: String, readOnly: Bool) throws {
        let file = directory + "/lock.mdb"
        let fd = unsafe open(file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            let code = errno
            // A directory or lock file this user cannot write: LMDB reports it (or, read-only, copes).
            if readOnly || code == EACCES || code == EROFS || code == ENOENT || code == ENOTDIR { return }
            throw StorageError.lmdb(code, "open", path: file)
        }
        defer { close(fd) }
        var st = stat()
        guard unsafe fstat(fd, &st) == 0, Int(st.st_size) < lockFileSize else { return }
        let rc = posix_fallocate(fd, 0, off_t(lockFileSize))
        if rc == 0 || rc == EOPNOTSUPP || rc == EINVAL { return }
        // Leave no empty lock file behind for the next attempt to trip over.
        if st.st_size == 0 { unsafe unlink(file) }
        throw StorageError.lmdb(rc, "posix_fallocate", path: directory)
    }

    /// Releases the reader slots of processes that ended without closing their read transactions.
    ///
    /// - Returns: how many slots were cleared.
    @discardableResult
    func clearStaleReaders() throws -> Int {
        var dead: Int32 = 0
        unsafe try check(mdb_reader_check(handle, &dead), "mdb_reader_check")
        return Int(dead)
    }

    /// The current size of the memory map in bytes. Read under the map lock: LMDB reads the meta pages through the
    /// map, which another thread's resize would move.
    var mapSize: Int {
        mapLock.lockShared()
        defer { mapLock.unlockShared() }
        var info = unsafe MDB_envinfo()
        unsafe mdb_env_info(handle, &info)
        return unsafe info.me_mapsize
    }

    /// Grows the map, once no transaction of this process is open (waits for them).
    func setMapSize(_ size: Int) throws {
        try mapLock.exclusive {
            unsafe try check(mdb_env_set_mapsize(handle, size), "mdb_env_set_mapsize")
            // LMDB has mapped the file anew: the advice went with the old map.
            adviseHugePages()
        }
    }

    /// Begins a transaction, adopting a map that another process has grown meanwhile.
    ///
    /// The map lock is held shared from here until `commit` or `abort`; end every transaction through them.
    /// A write transaction first takes the cross-process writer lock, waiting as `wait` says.
    func begin(readOnly: Bool, wait: WriteLockWait = .silent) throws -> OpaquePointer {
        var attempts = 0
        let writer = readOnly ? nil : writerLock
        try writer?.acquire(wait)
        // A writer that is not cmdb (mdb_load, an older cmdb) holds LMDB's mutex without the record lock: the
        // wait then happens inside mdb_txn_begin, which cannot time out, but it can still be reported.
        let notice = DispatchWorkItem { wait.notice("waiting for the write lock held by another process…") }
        if !readOnly {
            DispatchQueue.global().asyncAfter(
                deadline: .now() + .milliseconds(Int(wait.noticeAfter / .milliseconds(1))), execute: notice)
        }
        defer { notice.cancel() }
        while true {
            mapLock.lockShared()
            var txn: OpaquePointer?
            let rc = unsafe mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
            if rc == MDB_SUCCESS, let txn = unsafe txn { return unsafe txn }
            mapLock.unlockShared()
            do {
                if rc == MDB_MAP_RESIZED && attempts < 3 {
                    attempts += 1
                    try setMapSize(0)
                    continue
                }
                try check(rc, "mdb_txn_begin", path: path)
                throw StorageError(.lmdb, "mdb_txn_begin returned no transaction")
            } catch {
                writer?.release()
                throw error
            }
        }
    }

    /// Commits `txn`; LMDB frees the transaction whether or not the commit succeeds, so never abort it after.
    func commit(_ txn: OpaquePointer, readOnly: Bool) throws {
        let rc = unsafe mdb_txn_commit(txn)
        end(readOnly: readOnly)
        try check(rc, "mdb_txn_commit", path: path)
    }

    /// Aborts `txn` and frees it.
    func abort(_ txn: OpaquePointer, readOnly: Bool) {
        unsafe mdb_txn_abort(txn)
        end(readOnly: readOnly)
    }

    /// Renews a reset read transaction on the latest commit, holding the map lock shared as `begin` does; false
    /// when LMDB refuses (e.g. another process grew the map): free it with `discardReset` and `begin` anew.
    func renew(_ txn: OpaquePointer) -> Bool {
        mapLock.lockShared()
        if unsafe mdb_txn_renew(txn) == MDB_SUCCESS { return true }
        mapLock.unlockShared()
        return false
    }

    /// Resets a read transaction, which then holds no snapshot, and releases the map lock as `abort` does; keep
    /// it for `renew` or free it with `discardReset`.
    func reset(_ txn: OpaquePointer) {
        unsafe mdb_txn_reset(txn)
        mapLock.unlockShared()
    }

    /// Frees a reset read transaction (it holds no lock).
    func discardReset(_ txn: OpaquePointer) {
        unsafe mdb_txn_abort(txn)
    }

    private func end(readOnly: Bool) {
        mapLock.unlockShared()
        if !readOnly { writerLock?.release() }
    }

    /// Size in bytes of the data file.
    var dataFileSize: Int {
        var st = stat()
        guard unsafe stat(path + "/data.mdb", &st) == 0 else { return 0 }
        return Int(st.st_size)
    }
}
