import CLMDB
import Glibc

/// An open LMDB environment: one memory map over `data.mdb` and its lock file.
///
/// `@unchecked Sendable`: LMDB serializes writers with its own lock and readers use MVCC snapshots; the
/// environment is opened with `MDB_NOTLS`, so a read transaction may be used by whichever thread owns it.
/// Transactions themselves never cross threads (they live inside a `read`/`write` closure).
final class LMDBEnvironment: @unchecked Sendable {
    let handle: OpaquePointer
    let path: String

    /// Opens the environment in directory `path`, creating its files when they are missing.
    init(path: String, mapSize: Int, maxDatabases: UInt32) throws {
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw StorageError(.lmdb, "mdb_env_create returned no environment") }
        do {
            try check(mdb_env_set_maxdbs(env, maxDatabases), "mdb_env_set_maxdbs")
            try check(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize")
            try check(mdb_env_set_maxreaders(env, 254), "mdb_env_set_maxreaders")
            let flags = UInt32(MDB_NOTLS)
            // Owner-only: a CMDB maps an organisation's attack surface.
            let rc = mdb_env_open(env, path, flags, 0o600)
            if rc == ENOENT {
                throw StorageError(.notADatabase, "no database at '\(path)'; create one with 'cmdb init'")
            }
            try check(rc, "mdb_env_open")
        } catch {
            // The LMDB documentation: the environment handle must be closed even when mdb_env_open fails.
            mdb_env_close(env)
            throw error
        }
        self.handle = env
        self.path = path
    }

    deinit { mdb_env_close(handle) }

    /// The current size of the memory map in bytes.
    var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// Grows the map; only valid while this process has no open transaction.
    func setMapSize(_ size: Int) throws {
        try check(mdb_env_set_mapsize(handle, size), "mdb_env_set_mapsize")
    }

    /// Begins a transaction, adopting a map that another process has grown meanwhile.
    func begin(readOnly: Bool) throws -> OpaquePointer {
        var attempts = 0
        while true {
            var txn: OpaquePointer?
            let rc = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
            if rc == MDB_MAP_RESIZED && attempts < 3 {
                attempts += 1
                try setMapSize(0)
                continue
            }
            try check(rc, "mdb_txn_begin")
            guard let txn else { throw StorageError(.lmdb, "mdb_txn_begin returned no transaction") }
            return txn
        }
    }

    /// Size in bytes of the data file.
    var dataFileSize: Int {
        var st = stat()
        guard stat(path + "/data.mdb", &st) == 0 else { return 0 }
        return Int(st.st_size)
    }
}
