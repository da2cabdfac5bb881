import CLMDB

/// Reads and writes for the verification and audit jobs: verification stamps, duplicate groups straight from the
/// property index, node histories in one sequential pass, and a bounded view of a transaction's log.
///
/// Verification stamps (`last_verified_at`) are kept in the auxiliary collection `verified`, keyed by node id,
/// not in the node record. A nightly verify stamps every CI it matches; writing the stamp into the record would
/// write a full earlier version of each CI per night (1M CIs × 365 nights), and the next import of a CI line
/// without the stamp (a CI line is the CI's whole state) would drop it and record yet another version. A stamp
/// is 16 bytes beside the record, survives imports, and is not versioned: only the latest stamp of a CI is kept.
///
/// ```
/// aux "verified"  [nid u64]  → [verified at, µs since the epoch, i64 BE]
/// ```
extension GraphTransaction {
    static let verificationCollection = "verified"

    /// When a CI was last verified by discovery (µs since the epoch, UTC), or nil when it never was.
    public func verificationStamp(of nid: NodeID) throws -> Int64? {
        guard let value = try auxValue(Self.verificationCollection, key: bigEndianBytes(nid)), value.count == 8 else {
            return nil
        }
        return unsafe Int64(bitPattern: value.withUnsafeBytes { unsafe $0.loadBE64(at: 0) })
    }

    /// Stamps CIs as verified at `time`, keeping a later stamp where one exists.
    ///
    /// The write is recorded as a change (its record counts no CI or relation changes) and writes no history.
    /// - Complexity: O(n log n) for n stamps; stamps are written in node-id order so LMDB appends to its pages.
    public func stampVerified(_ nids: some Sequence<NodeID>, at time: Int64) throws {
        precondition(isWritable, "stampVerified on a read transaction")
        for nid in nids.sorted() {
            if let existing = try verificationStamp(of: nid), existing >= time { continue }
            try setAuxValue(Self.verificationCollection, key: bigEndianBytes(nid),
                value: bigEndianBytes(UInt64(bitPattern: time)))
        }
    }

    /// Calls `body` with every verification stamp, in node-id order (including stamps of deleted CIs).
    public func forEachVerificationStamp(_ body: (_ nid: NodeID, _ time: Int64) throws -> Void) throws {
        for (key, value) in try auxEntries(Self.verificationCollection) where key.count == 8 && value.count == 8 {
            let nid = unsafe key.withUnsafeBytes { unsafe $0.loadBE64(at: 0) }
            unsafe try body(nid, Int64(bitPattern: value.withUnsafeBytes { unsafe $0.loadBE64(at: 0) }))
        }
    }

    private func bigEndianBytes(_ v: UInt64) -> [UInt8] {
        unsafe withUnsafeBytes(of: v.bigEndian) { unsafe Array($0) }
    }

    // MARK: - Duplicates from the index

    /// Calls `body` with each group of two or more live nodes that share a value of the indexed property `key`.
    ///
    /// Reads the index in order, so memory is one group at a time. Strings longer than the indexed prefix share an
    /// index entry when their prefixes agree: callers compare the full values. Returns false when `key` is not
    /// indexed (the caller must find groups another way).
    public func forEachIndexedValueGroup(property key: String, _ body: ([NodeID]) throws -> Void) throws -> Bool {
        guard try isIndexed(key) else { return false }
        guard let keyID = names.id(key, .propertyKey) else { return true }
        var prefix = ByteWriter(capacity: 4)
        prefix.u32BE(keyID)
        let cursor = unsafe try raw.openCursor(dbs.propidx)
        defer { unsafe cursor.close() }
        var entry = unsafe try prefix.bytes.withUnsafeBytes { (k) in unsafe try cursor.get(MDB_SET_RANGE, key: k) }
        var groupKey: [UInt8] = []
        var group: [NodeID] = []
        while let (k, v) = unsafe entry, k.count >= 4, unsafe k.loadBE32(at: 0) == keyID {
            guard v.count == 8 else { throw StorageError(.corrupted, "the property index is damaged") }
            if unsafe !k.elementsEqual(groupKey) {
                if group.count > 1 { try body(group) }
                group.removeAll(keepingCapacity: true)
                groupKey = unsafe Array(k)
            }
            unsafe group.append(v.loadBE64(at: 0))
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
        if group.count > 1 { try body(group) }
        return true
    }

    // MARK: - Histories

    /// Calls `body` with the versions of every node that has more than one, oldest first: nil marks a deletion,
    /// and the current version, when the node is live, comes last.
    ///
    /// One sequential pass over the history table; nodes that were written once are skipped without a lookup.
    public func forEachNodeHistory(_ body: (_ nid: NodeID, _ versions: [NodeVersion]) throws -> Void) throws {
        let cursor = unsafe try raw.openCursor(dbs.hist)
        defer { unsafe cursor.close() }
        var current: NodeID?
        var versions: [NodeVersion] = []
        func flush() throws {
            guard let nid = current else { return }
            if let live = try storedNode(nid) { versions.append(NodeVersion(transaction: live.version, node: live)) }
            try body(nid, versions)
            versions.removeAll(keepingCapacity: true)
        }
        var entry = unsafe try cursor.get(MDB_FIRST)
        while let (key, value) = unsafe entry {
            guard key.count == 16 else { throw StorageError(.corrupted, "a history key is damaged") }
            let nid = unsafe key.loadBE64(at: 0)
            if nid != current {
                try flush()
                current = nid
            }
            let node = unsafe value.isEmpty ? nil : try RecordCodec.decodeNode(value, nid: nid, names: names)
            unsafe versions.append(NodeVersion(transaction: key.loadBE64(at: 8), node: node))
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
        try flush()
    }

    /// At most `limit` of the entities transaction `number` created, updated or deleted, in the order it did so.
    ///
    /// For large transactions (a bulk import logs millions of entries) where only the first few are needed.
    public func loggedChanges(of number: TransactionNumber, limit: Int) throws -> [LoggedChange] {
        let cursor = unsafe try raw.openCursor(dbs.txlog)
        defer { unsafe cursor.close() }
        var result: [LoggedChange] = []
        var start = ByteWriter(capacity: 12)
        start.u64BE(number)
        start.u32BE(0)
        var entry = unsafe try start.bytes.withUnsafeBytes { (k) in unsafe try cursor.get(MDB_SET_RANGE, key: k) }
        while let (key, value) = unsafe entry, key.count == 12, unsafe key.loadBE64(at: 0) == number, result.count < limit {
            guard value.count >= 2, let op = unsafe LogOperation(rawValue: value[0]), let kind = unsafe LogEntity(rawValue: value[1])
            else { throw StorageError(.corrupted, "the transaction log is damaged") }
            let operation: LoggedChange.Operation = op == .create ? .create : op == .update ? .update : .delete
            switch kind {
            case .node where value.count == 10:
                unsafe result.append(LoggedChange(operation: operation, entity: .node(value.loadBE64(at: 2))))
            case .nodeRun where value.count == 18 && op == .create:
                let first = unsafe value.loadBE64(at: 2), count = unsafe value.loadBE64(at: 10)
                guard count <= KeyLayout.maxNodeID, first <= KeyLayout.maxNodeID - count else {
                    throw StorageError(.corrupted, "the transaction log is damaged")
                }
                var nid = first
                while nid < first + count, result.count < limit {
                    result.append(LoggedChange(operation: .create, entity: .node(nid)))
                    nid += 1
                }
            case .relation where value.count == 2 + KeyLayout.relationKeySize:
                let type = unsafe try names.name(UInt32(value.loadBE16(at: 10)), .relationType)
                unsafe result.append(LoggedChange(operation: operation,
                    entity: .relation(from: value.loadBE64(at: 2), type: type, to: value.loadBE64(at: 12))))
            default:
                throw StorageError(.corrupted, "the transaction log is damaged")
            }
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
        return result
    }
}
