import CLMDB

// One version of a relation per transaction, when it is deleted: as for CIs (see GraphTransaction+OneVersion).
//
// A committed relation deleted and created again in the same transaction is the update from its committed version
// (or that version itself, put back, when the properties are the same): not a deletion marker in `relhist`, two
// `relgone` entries and a creation. A relation created and deleted again in the same transaction was never
// committed: it leaves no history, deletion entry, log entry or count.

extension GraphTransaction {
    /// Creates relation `key` again when this transaction deleted it: `deletion` is the log entry of that deletion.
    /// The relation's record was just put as a new one (version and creation this transaction); nil when its
    /// committed version is not in the history (it is left a creation then).
    func recreateRelation(
        key: [UInt8], from: NodeID, type: String, typeID: UInt16, to: NodeID, properties: Properties,
        deletion: UInt32
    ) throws -> RelationWrite? {
        guard let committed = try committedVersion(dbs.relhist, prefix: key), !committed.bytes.isEmpty else {
            return nil
        }
        let before = unsafe try committed.bytes.withUnsafeBytes { (b) in
            unsafe try RecordCodec.decodeRelation(b, from: from, type: type, to: to, names: names)
        }
        // Take the deletion back: its marker, its entries by endpoint, its log entry and its count.
        var marker = ByteWriter(capacity: KeyLayout.relationKeySize + 8)
        marker.bytes.append(contentsOf: key)
        marker.u64BE(number)
        unsafe try raw.delete(dbs.relhist, marker.bytes)
        for (gone, value) in GraphStore.relationDeletionEntries(from: from, type: typeID, to: to, at: number) {
            unsafe try raw.delete(dbs.relgone, gone, value: value)
        }
        updateLogSequences.deletedRelations[key] = nil
        try deleteLogEntry(deletion)
        record.relationsDeleted -= 1
        if before.properties == properties {
            // As it was committed: the committed record again, and no history.
            unsafe try raw.put(dbs.rels, key, committed.bytes)
            unsafe try raw.delete(dbs.relhist, committed.key)
            return RelationWrite(outcome: .created)
        }
        scratch.removeAll()
        try RecordCodec.encodeRelation(
            &scratch, version: number, created: before.created, properties: properties,
            keyID: { (k) in try internedID(k, .propertyKey) })
        unsafe try raw.put(dbs.rels, key, scratch.bytes)
        record.relationsUpdated += 1
        updateLogSequences.relations[key] = try log(.update, .relation, key: key)
        return RelationWrite(outcome: .created)
    }

    /// Takes relation `key`, created in this transaction, out of its log and counts: it is being deleted again.
    func forgetRelationCreation(_ key: [UInt8]) throws {
        record.relationsCreated -= 1
        guard let sequence = try creationLogSequence(key) else { return }
        updateLogSequences.createdRelations?[key] = nil
        try deleteLogEntry(sequence)
    }

    /// Notes the log entry of the creation of relation `key`, once creations are being indexed.
    func rememberRelationCreation(_ key: [UInt8], sequence: UInt32) {
        if updateLogSequences.createdRelations != nil { updateLogSequences.createdRelations?[key] = sequence }
    }

    /// How many of this transaction's last log entries are searched for a creation before all are indexed.
    static let recentCreationsSearched = 64

    /// The log entry of the creation of relation `key` in this transaction: among the last few entries (a
    /// statement mostly deletes what it created a moment ago), else from an index of every creation logged, built
    /// once (one pass over this transaction's log) and kept up to date from then on.
    private func creationLogSequence(_ key: [UInt8]) throws -> UInt32? {
        if let index = updateLogSequences.createdRelations { return index[key] }
        var wanted: [UInt8] = [LogOperation.create.rawValue, LogEntity.relation.rawValue]
        wanted.append(contentsOf: key)
        let cursor = unsafe try raw.openCursor(dbs.txlog)
        defer { unsafe cursor.close() }
        var entry = unsafe try cursor.get(MDB_LAST)
        var searched = 0
        while let (k, value) = unsafe entry, k.count == 12, unsafe k.loadBE64(at: 0) == number,
            searched < Self.recentCreationsSearched
        {
            if unsafe value.elementsEqual(wanted) { return unsafe k.loadBE32(at: 8) }
            searched += 1
            unsafe entry = unsafe try cursor.get(MDB_PREV)
        }
        var index: [[UInt8]: UInt32] = [:]
        var start = ByteWriter(capacity: 12)
        start.u64BE(number)
        start.u32BE(0)
        entry = unsafe try start.bytes.withUnsafeBytes { (s) in unsafe try cursor.get(MDB_SET_RANGE, key: s) }
        while let (k, value) = unsafe entry, k.count == 12, unsafe k.loadBE64(at: 0) == number {
            if value.count == wanted.count, unsafe value[0] == wanted[0] && value[1] == wanted[1] {
                unsafe index[Array(value.dropFirst(2))] = k.loadBE32(at: 8)
            }
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
        updateLogSequences.createdRelations = index
        return index[key]
    }
}
