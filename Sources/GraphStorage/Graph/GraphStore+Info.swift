import CLMDB

/// Figures about the environment, for a server's metrics and housekeeping.
extension GraphStore {
    /// The current size of the memory map in bytes.
    public var mapSize: Int { env.mapSize }

    /// Reader slots in use and available (LMDB's reader table, shared by every process on the file).
    public var readerSlots: (used: Int, maximum: Int) {
        // The environment handle is valid while the store is open; mdb_env_info only fills `info`.
        var info = unsafe MDB_envinfo()
        unsafe mdb_env_info(env.handle, &info)
        return unsafe (Int(info.me_numreaders), Int(info.me_maxreaders))
    }

    /// The id of the latest committed LMDB transaction (any process's): what `GraphTransaction.snapshotID` of a
    /// read begun now would be. Read without a transaction, so a server can tell cheaply whether anything changed.
    public var latestSnapshotID: Int {
        var info = unsafe MDB_envinfo()
        unsafe mdb_env_info(env.handle, &info)
        return unsafe Int(truncatingIfNeeded: info.me_last_txnid)
    }

    /// Grows the map so that `bytes` more can be written without the writer growing it on the way.
    ///
    /// Only call this while no transaction of this process is open (LMDB remaps the file).
    public func ensureHeadroom(bytes: Int) throws {
        if env.dataFileSize + bytes > env.mapSize { try reserve(bytes: bytes) }
    }
}
