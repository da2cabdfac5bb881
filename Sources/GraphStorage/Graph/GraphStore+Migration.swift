import CLMDB

// Format 2 adds `relgone`: every relation deletion, filed under both endpoints, so the relations a node had
// at an earlier transaction can be found without reading every relation's history (see `PastState`).
// Format 3 adds `bystatus`: the live nodes of each status, so an impact analysis learns whether a CI is withdrawn
// from a small index instead of reading its record.

extension GraphStore {
    /// Brings a format-1 or -2 database to the current format in one write transaction: builds what it lacks
    /// (`relgone` from the deletion entries of `relhist`, `bystatus` from the node records) and records the
    /// current format. Safe to repeat and to race (the format is read again under the write lock; each index is
    /// rebuilt from scratch).
    static func migrate(_ env: LMDBEnvironment) throws {
        var attempt = 0
        while true {
            do {
                return try migrateOnce(env)
            } catch let error as StorageError where error.code == .mapFull && attempt < 16 {
                attempt += 1
                let size = max(env.mapSize * 2, env.dataFileSize * 2)
                try env.setMapSize((size + (1 << 20) - 1) & ~((1 << 20) - 1))
            }
        }
    }

    private static func migrateOnce(_ env: LMDBEnvironment) throws {
        let txn = unsafe try env.begin(readOnly: false, wait: defaultWriteLockWait)
        var isOpen = true
        defer { if isOpen { unsafe env.abort(txn, readOnly: false) } }
        let t = unsafe LMDBTransaction(handle: txn)
        var meta: MDB_dbi = 0
        unsafe try check(mdb_dbi_open(txn, "meta", 0, &meta), "mdb_dbi_open")
        guard let raw = unsafe try t.get(meta, Array("format".utf8)), raw.count == 4 else {
            throw StorageError(.corrupted, "the database's format record is damaged")
        }
        let format = unsafe raw.loadBE32(at: 0)
        guard format < formatVersion else { return }
        if format < 2 { try buildRelationDeletions(t) }
        if format < 3 { try buildStatusIndex(t) }
        unsafe try t.put(meta, Array("format".utf8), withUnsafeBytes(of: formatVersion.bigEndian) { unsafe Array($0) })
        isOpen = false
        unsafe try env.commit(txn, readOnly: false)
    }

    /// Builds `relgone` from the deletion entries of `relhist`.
    private static func buildRelationDeletions(_ t: LMDBTransaction) throws {
        let txn = t.handle
        var relhist: MDB_dbi = 0, relgone: MDB_dbi = 0
        unsafe try check(mdb_dbi_open(txn, "relhist", 0, &relhist), "mdb_dbi_open")
        unsafe try check(mdb_dbi_open(txn, "relgone", UInt32(MDB_DUPSORT | MDB_DUPFIXED | MDB_CREATE), &relgone), "mdb_dbi_open")
        unsafe try check(mdb_drop(txn, relgone, 0), "mdb_drop")
        let cursor = unsafe try t.openCursor(relhist)
        defer { unsafe cursor.close() }
        var entry = unsafe try cursor.get(MDB_FIRST)
        while let (key, value) = unsafe entry {
            guard key.count == KeyLayout.relationKeySize + 8 else {
                throw StorageError(.corrupted, "a relation history key is damaged")
            }
            if value.isEmpty {
                let (from, type, to, txn) = unsafe (key.loadBE64(at: 0), key.loadBE16(at: 8), key.loadBE64(at: 10), key.loadBE64(at: 18))
                unsafe try putRelationDeletion(t, relgone, from: from, type: type, to: to, at: txn)
            }
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
    }

    /// Builds `bystatus` from the `status` property of every node record.
    private static func buildStatusIndex(_ t: LMDBTransaction) throws {
        let txn = t.handle
        var names: MDB_dbi = 0, nodes: MDB_dbi = 0, bystatus: MDB_dbi = 0
        unsafe try check(mdb_dbi_open(txn, "names", 0, &names), "mdb_dbi_open")
        unsafe try check(mdb_dbi_open(txn, "nodes", 0, &nodes), "mdb_dbi_open")
        unsafe try check(mdb_dbi_open(txn, "bystatus", UInt32(MDB_DUPSORT | MDB_DUPFIXED | MDB_CREATE), &bystatus), "mdb_dbi_open")
        unsafe try check(mdb_drop(txn, bystatus, 0), "mdb_drop")
        // No node has a status before the property key `status` is interned.
        guard let keyID = unsafe try t.get(names, [NameKind.propertyKey.rawValue] + Array("status".utf8)) else { return }
        guard keyID.count == 4 else { throw StorageError(.corrupted, "the name table is damaged") }
        let statusKeyID = unsafe keyID.loadBE32(at: 0)
        let cursor = unsafe try t.openCursor(nodes)
        defer { unsafe cursor.close() }
        var entry = unsafe try cursor.get(MDB_FIRST)
        while let (key, value) = unsafe entry {
            guard key.count == 8 else { throw StorageError(.corrupted, "a node key is damaged") }
            if let bytes = unsafe try RecordCodec.nodeStringProperty(statusKeyID, in: value),
                let status = unsafe KeyLayout.statusKey(utf8: Array(bytes))
            {
                // Node ids come in ascending order: each is appended to its status's list.
                _ = unsafe try t.put(bystatus, status, Array(key), flags: MDB_APPENDDUP)
            }
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
    }

    /// Files the deletion of (from, type, to) at `txn` under both endpoints.
    static func putRelationDeletion(
        _ t: LMDBTransaction, _ dbi: MDB_dbi, from: NodeID, type: UInt16, to: NodeID, at txn: TransactionNumber
    ) throws {
        for (key, value) in relationDeletionEntries(from: from, type: type, to: to, at: txn) {
            unsafe try t.put(dbi, key, value)
        }
    }

    /// The two `relgone` entries (key, value) of the deletion of (from, type, to) at `txn`: one per endpoint.
    static func relationDeletionEntries(from: NodeID, type: UInt16, to: NodeID, at txn: TransactionNumber)
        -> [(key: [UInt8], value: [UInt8])]
    {
        [(from, Direction.outgoing, to), (to, Direction.incoming, from)].map { (nid, direction, other) in
            var key = ByteWriter(capacity: 9)
            key.u64BE(nid)
            key.u8(direction.rawValue)
            var value = ByteWriter(capacity: 16)
            value.u64BE(txn)
            value.u64BE(UInt64(bigEndian: KeyLayout.adjacencyValue(type: type, other: other)))
            return (key.bytes, value.bytes)
        }
    }
}

extension GraphTransaction {
    /// Records in `relgone` that this transaction deleted relation (from, type, to).
    func recordRelationDeletion(from: NodeID, type: UInt16, to: NodeID) throws {
        precondition(dbs.hasRelationDeletions, "a write to a database opened read-only")
        unsafe try GraphStore.putRelationDeletion(raw, dbs.relgone, from: from, type: type, to: to, at: number)
    }
}
