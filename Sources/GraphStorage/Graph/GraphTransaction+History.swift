import CLMDB

extension GraphTransaction {
    /// Change records, newest first, at most `limit`.
    public func changes(limit: Int = Int.max) throws -> [ChangeRecord] {
        let cursor = try raw.openCursor(dbs.changes)
        defer { cursor.close() }
        var result: [ChangeRecord] = []
        var entry = try cursor.get(MDB_LAST)
        while let (key, value) = entry, result.count < limit {
            guard key.count == 8 else { throw StorageError(.corrupted, "a change record key is damaged") }
            result.append(try ChangeRecordCodec.decode(value, transaction: key.loadBE64(at: 0)))
            entry = try cursor.get(MDB_PREV)
        }
        return result
    }

    /// The change record of transaction `number`.
    public func change(_ number: TransactionNumber) throws -> ChangeRecord? {
        guard let bytes = try raw.get(dbs.changes, u64: number) else { return nil }
        return try ChangeRecordCodec.decode(bytes, transaction: number)
    }

    /// One entry of a node's history: the version written by `transaction`, or nil when it was deleted then.
    public struct NodeVersion: Sendable {
        public var transaction: TransactionNumber
        public var node: StoredNode?
    }

    /// Every version of a node, oldest first, ending with the current one when it is live.
    public func history(of nid: NodeID) throws -> [NodeVersion] {
        var versions: [NodeVersion] = []
        let cursor = try raw.openCursor(dbs.hist)
        defer { cursor.close() }
        var prefix = nid.bigEndian
        var entry = try withUnsafeBytes(of: &prefix) { (k) in
            try cursor.get(MDB_SET_RANGE, key: k)
        }
        while let (key, value) = entry, key.count == 16, key.loadBE64(at: 0) == nid {
            let txn = key.loadBE64(at: 8)
            let node = value.isEmpty ? nil : try RecordCodec.decodeNode(value, nid: nid, names: names)
            versions.append(NodeVersion(transaction: txn, node: node))
            entry = try cursor.get(MDB_NEXT)
        }
        if let current = try storedNode(nid) {
            versions.append(NodeVersion(transaction: current.version, node: current))
        }
        return versions
    }

    /// What one transaction did, in the order it did it.
    public struct LoggedChange: Sendable, Hashable {
        public enum Operation: Sendable, Hashable { case create, update, delete }
        public enum Entity: Sendable, Hashable {
            case node(NodeID)
            case relation(from: NodeID, type: String, to: NodeID)
        }
        public var operation: Operation
        public var entity: Entity
    }

    /// The entities transaction `number` created, updated or deleted.
    public func loggedChanges(of number: TransactionNumber) throws -> [LoggedChange] {
        let cursor = try raw.openCursor(dbs.txlog)
        defer { cursor.close() }
        var result: [LoggedChange] = []
        var start = ByteWriter(capacity: 12)
        start.u64BE(number)
        start.u32BE(0)
        var entry = try start.bytes.withUnsafeBytes { (k) in try cursor.get(MDB_SET_RANGE, key: k) }
        while let (key, value) = entry, key.count == 12, key.loadBE64(at: 0) == number {
            guard value.count >= 2, let op = LogOperation(rawValue: value[0]), let kind = LogEntity(rawValue: value[1])
            else { throw StorageError(.corrupted, "the transaction log is damaged") }
            let operation: LoggedChange.Operation = op == .create ? .create : op == .update ? .update : .delete
            switch kind {
            case .node where value.count == 10:
                result.append(LoggedChange(operation: operation, entity: .node(value.loadBE64(at: 2))))
            case .relation where value.count == 2 + KeyLayout.relationKeySize:
                let type = try names.name(UInt32(value.loadBE16(at: 10)), .relationType)
                result.append(LoggedChange(operation: operation,
                    entity: .relation(from: value.loadBE64(at: 2), type: type, to: value.loadBE64(at: 12))))
            default:
                throw StorageError(.corrupted, "the transaction log is damaged")
            }
            entry = try cursor.get(MDB_NEXT)
        }
        return result
    }
}
