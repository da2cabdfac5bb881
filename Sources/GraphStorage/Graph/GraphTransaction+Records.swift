import CLMDB

// Reading a node's class and single properties from its stored record, looking the record up once: what a
// query's filters need (`a:Application AND a.criticality >= 4`) without decoding the whole CI.

/// A node's stored record, copied out of the database map: valid for as long as it is kept, whatever the
/// transaction does next (a pointer into the map would dangle after the next write or the transaction's end).
///
/// Copying costs one `memcpy` of the record; `GraphTransaction.loadNodeRecord(_:into:)` reuses one buffer so
/// a scan allocates nothing per node.
public struct NodeRecord {
    var bytes: [UInt8] = []
    let tx: GraphTransaction

    /// An empty record to load into.
    public init(in tx: GraphTransaction) { self.tx = tx }

    /// The node's class (nil when it has none).
    public func label() throws -> String? {
        let id = unsafe try bytes.withUnsafeBytes { raw in
            var r = unsafe ByteReader(raw)
            return unsafe try RecordCodec.decodeNodeHeader(&r).labelID
        }
        guard let id else { return nil }
        return try tx.names.name(id, .label)
    }

    /// The CI's id (its external id), decoding nothing else.
    public func externalID() throws -> String {
        unsafe try bytes.withUnsafeBytes { raw in
            var r = unsafe ByteReader(raw)
            _ = unsafe try RecordCodec.decodeNodeHeader(&r)
            return unsafe try r.string()
        }
    }

    /// One property, decoding only its value; nil when absent.
    public func property(_ key: ResolvedPropertyKey) throws -> PropertyValue? {
        guard let keyID = key.id else { return nil }
        return unsafe try bytes.withUnsafeBytes { raw in unsafe try RecordCodec.nodeProperty(keyID, in: raw) }
    }
}

extension GraphTransaction {
    /// A copy of the stored record of a live node, or nil.
    public func nodeRecord(_ nid: NodeID) throws -> NodeRecord? {
        var record = NodeRecord(in: self)
        return try loadNodeRecord(nid, into: &record) ? record : nil
    }

    /// Copies the stored record of a live node into `record`, reusing its buffer; false when there is none.
    public func loadNodeRecord(_ nid: NodeID, into record: inout NodeRecord) throws -> Bool {
        guard let bytes = unsafe try raw.get(dbs.nodes, u64: nid) else { return false }
        record.bytes.removeAll(keepingCapacity: true)
        unsafe record.bytes.append(contentsOf: bytes)
        return true
    }

    /// An adjacency cursor the caller keeps across many scans and must `close()` before the transaction ends
    /// (read transactions only).
    public func openAdjacencyCursor() throws -> OwnedAdjacencyCursor {
        precondition(!isWritable, "openAdjacencyCursor is for read transactions")
        return unsafe OwnedAdjacencyCursor(cursor: AdjacencyCursor(cursor: try raw.openCursor(dbs.adj)))
    }
}

/// An adjacency cursor owned by its caller (see `GraphTransaction.openAdjacencyCursor()`).
public final class OwnedAdjacencyCursor {
    public let cursor: AdjacencyCursor
    private var isOpen = true

    init(cursor: AdjacencyCursor) { self.cursor = cursor }

    public func close() {
        if isOpen { unsafe cursor.cursor.close() }
        isOpen = false
    }
}
