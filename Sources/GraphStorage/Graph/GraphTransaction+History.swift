import CLMDB

extension GraphTransaction {
    /// Change records, newest first, at most `limit`.
    public func changes(limit: Int = Int.max) throws -> [ChangeRecord] {
        let cursor = unsafe try raw.openCursor(dbs.changes)
        defer { unsafe cursor.close() }
        var result: [ChangeRecord] = []
        var entry = unsafe try cursor.get(MDB_LAST)
        while let (key, value) = unsafe entry, result.count < limit {
            guard key.count == 8 else { throw StorageError(.corrupted, "a change record key is damaged") }
            unsafe result.append(try ChangeRecordCodec.decode(value, transaction: key.loadBE64(at: 0)))
            unsafe entry = unsafe try cursor.get(MDB_PREV)
        }
        return result
    }

    /// The change record of transaction `number`.
    public func change(_ number: TransactionNumber) throws -> ChangeRecord? {
        guard let bytes = unsafe try raw.get(dbs.changes, u64: number) else { return nil }
        return unsafe try ChangeRecordCodec.decode(bytes, transaction: number)
    }

    /// One entry of a node's history: the version written by `transaction`, or nil when it was deleted then.
    public struct NodeVersion: Sendable {
        public var transaction: TransactionNumber
        public var node: StoredNode?
    }

    /// Every version of a node, oldest first, ending with the current one when it is live.
    public func history(of nid: NodeID) throws -> [NodeVersion] {
        var versions: [NodeVersion] = []
        let cursor = unsafe try raw.openCursor(dbs.hist)
        defer { unsafe cursor.close() }
        var prefix = nid.bigEndian
        var entry = unsafe try withUnsafeBytes(of: &prefix) { (k) in
            unsafe try cursor.get(MDB_SET_RANGE, key: k)
        }
        while let (key, value) = unsafe entry, key.count == 16, unsafe key.loadBE64(at: 0) == nid {
            let txn = unsafe key.loadBE64(at: 8)
            let node = unsafe value.isEmpty ? nil : try RecordCodec.decodeNode(value, nid: nid, names: names)
            versions.append(NodeVersion(transaction: txn, node: node))
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
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
        try loggedChanges(of: number, limit: .max)
    }
}
