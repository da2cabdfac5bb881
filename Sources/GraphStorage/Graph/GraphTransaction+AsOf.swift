import CLMDB

extension GraphTransaction {
    /// The last transaction committed at or before `time` (µs since the epoch, UTC); 0 when there is none.
    public func transaction(atTime time: Int64) throws -> TransactionNumber {
        let cursor = unsafe try raw.openCursor(dbs.changes)
        defer { unsafe cursor.close() }
        var entry = unsafe try cursor.get(MDB_LAST)
        while let (key, value) = unsafe entry {
            guard key.count == 8 else { throw StorageError(.corrupted, "a change record key is damaged") }
            let txn = unsafe key.loadBE64(at: 0)
            if unsafe try ChangeRecordCodec.decode(value, transaction: txn).time <= time { return txn }
            unsafe entry = unsafe try cursor.get(MDB_PREV)
        }
        return 0
    }

    /// The version of a node that was current after transaction `txn`, or nil when it did not exist then.
    public func node(_ nid: NodeID, asOf txn: TransactionNumber) throws -> StoredNode? {
        if let current = try storedNode(nid), current.version <= txn { return current }
        var key = ByteWriter(capacity: 16)
        key.u64BE(nid)
        key.u64BE(txn &+ 1)
        guard let bytes = try earlierVersion(dbs.hist, seek: key.bytes, prefixLength: 8) else { return nil }
        return unsafe try bytes.withUnsafeBytes { unsafe try RecordCodec.decodeNode($0, nid: nid, names: names) }
    }

    /// Calls `body` with every node as it was after transaction `txn`, in creation order.
    public func forEachNode(asOf txn: TransactionNumber, _ body: (StoredNode) throws -> Bool) throws {
        let next = try metaUInt64("next_nid") ?? 1
        var nid: NodeID = 1
        while nid < next {
            if let node = try node(nid, asOf: txn), try !body(node) { return }
            nid += 1
        }
    }

    /// Calls `body` with every relation as it was after transaction `txn`, ordered by (from, type, to).
    public func forEachRelation(asOf txn: TransactionNumber, _ body: (StoredRelation) throws -> Bool) throws {
        let live = unsafe try raw.openCursor(dbs.rels)
        defer { unsafe live.close() }
        let past = unsafe try raw.openCursor(dbs.relhist)
        defer { unsafe past.close() }
        var liveKey = unsafe try live.get(MDB_FIRST).map { unsafe Array($0.key) }
        var pastKey = unsafe try past.get(MDB_FIRST).map { unsafe Array($0.key.prefix(KeyLayout.relationKeySize)) }
        while liveKey != nil || pastKey != nil {
            let key: [UInt8]
            if let l = liveKey, let p = pastKey {
                key = l.lexicographicallyPrecedes(p) ? l : p
            } else {
                key = liveKey ?? pastKey ?? []
            }
            if let relation = try relation(key: key, asOf: txn), try !body(relation) { return }
            if liveKey == key { liveKey = unsafe try live.get(MDB_NEXT).map { unsafe Array($0.key) } }
            if pastKey == key {
                // Skip the other versions of the same relation.
                var after = key
                after.append(contentsOf: [UInt8](repeating: 0xFF, count: 8))
                pastKey = unsafe try after.withUnsafeBytes { k in
                    try unsafe past.get(MDB_SET_RANGE, key: k).map { unsafe Array($0.key.prefix(KeyLayout.relationKeySize)) }
                }
            }
        }
    }

    /// The version of relation (from, type, to) current after transaction `txn`, or nil when it did not exist then.
    public func relation(from: NodeID, type: String, to: NodeID, asOf txn: TransactionNumber) throws -> StoredRelation? {
        guard let typeID = names.id(type, .relationType) else { return nil }
        var key = ByteWriter(capacity: KeyLayout.relationKeySize)
        KeyLayout.relationKey(&key, from: from, type: UInt16(typeID), to: to)
        return try relation(key: key.bytes, asOf: txn)
    }

    private func relation(key: [UInt8], asOf txn: TransactionNumber) throws -> StoredRelation? {
        guard key.count == KeyLayout.relationKeySize else { throw StorageError(.corrupted, "a relation key is damaged") }
        let (from, typeID, to) = unsafe key.withUnsafeBytes { unsafe ($0.loadBE64(at: 0), $0.loadBE16(at: 8), $0.loadBE64(at: 10)) }
        let type = try names.name(UInt32(typeID), .relationType)
        if let bytes = unsafe try raw.get(dbs.rels, key) {
            let current = unsafe try RecordCodec.decodeRelation(bytes, from: from, type: type, to: to, names: names)
            if current.version <= txn { return current }
        }
        var seek = ByteWriter(capacity: 26)
        seek.bytes.append(contentsOf: key)
        seek.u64BE(txn &+ 1)
        guard let bytes = try earlierVersion(dbs.relhist, seek: seek.bytes, prefixLength: KeyLayout.relationKeySize)
        else { return nil }
        return unsafe try bytes.withUnsafeBytes {
            unsafe try RecordCodec.decodeRelation($0, from: from, type: type, to: to, names: names)
        }
    }

    /// The history entry just before `seek` with the same entity prefix: the version current at that point.
    /// Nil when there is none or it is a deletion.
    func earlierVersion(_ dbi: MDB_dbi, seek: [UInt8], prefixLength: Int) throws -> [UInt8]? {
        let cursor = unsafe try raw.openCursor(dbi)
        defer { unsafe cursor.close() }
        let positioned = unsafe try seek.withUnsafeBytes { k in unsafe try cursor.get(MDB_SET_RANGE, key: k) }
        let previous = unsafe positioned == nil ? try cursor.get(MDB_LAST) : try cursor.get(MDB_PREV)
        guard let (key, value) = unsafe previous, key.count == prefixLength + 8,
            unsafe key.prefix(prefixLength).elementsEqual(seek.prefix(prefixLength)), unsafe !value.isEmpty
        else { return nil }
        return unsafe Array(value)
    }
}
