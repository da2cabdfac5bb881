import CLMDB

// Reading a node's class and single properties from its stored record, looking the record up once: what a
// query's filters need (`a:Application AND a.criticality >= 4`) without decoding the whole CI.

/// A node's stored record as it lies in the database map: valid until the transaction ends or writes.
public struct NodeRecordView {
    let bytes: UnsafeRawBufferPointer
    let tx: GraphTransaction

    /// The node's class (nil when it has none).
    public func label() throws -> String? {
        var r = ByteReader(bytes)
        guard let id = try RecordCodec.decodeNodeHeader(&r).labelID else { return nil }
        return try tx.names.name(id, .label)
    }

    /// The CI's id (its external id), decoding nothing else.
    public func externalID() throws -> String {
        var r = ByteReader(bytes)
        _ = try RecordCodec.decodeNodeHeader(&r)
        return try r.string()
    }

    /// One property, decoding only its value; nil when absent.
    public func property(_ key: ResolvedPropertyKey) throws -> PropertyValue? {
        guard let keyID = key.id else { return nil }
        var r = ByteReader(bytes)
        _ = try RecordCodec.decodeNodeHeader(&r)
        let idLength = try r.varint()
        guard idLength <= UInt64(bytes.count) else { throw RecordCodec.unknownFormat }
        _ = try r.bytes(Int(idLength))
        let count = try r.varint()
        guard count <= UInt64(bytes.count) else { throw RecordCodec.unknownFormat }
        for _ in 0..<count {
            if try r.varint() == UInt64(keyID) { return try RecordCodec.decodeValue(&r, depth: 0) }
            try RecordCodec.skipValue(&r, depth: 0)
        }
        return nil
    }
}

extension GraphTransaction {
    /// The stored record of a live node, or nil.
    public func nodeRecord(_ nid: NodeID) throws -> NodeRecordView? {
        guard let bytes = try raw.get(dbs.nodes, u64: nid) else { return nil }
        return NodeRecordView(bytes: bytes, tx: self)
    }

    /// An adjacency cursor the caller keeps across many scans and must `close()` before the transaction ends
    /// (read transactions only).
    public func openAdjacencyCursor() throws -> OwnedAdjacencyCursor {
        precondition(!isWritable, "openAdjacencyCursor is for read transactions")
        return OwnedAdjacencyCursor(cursor: AdjacencyCursor(cursor: try raw.openCursor(dbs.adj)))
    }
}

/// An adjacency cursor owned by its caller (see `GraphTransaction.openAdjacencyCursor()`).
public final class OwnedAdjacencyCursor {
    public let cursor: AdjacencyCursor
    private var isOpen = true

    init(cursor: AdjacencyCursor) { self.cursor = cursor }

    public func close() {
        if isOpen { cursor.cursor.close() }
        isOpen = false
    }
}
