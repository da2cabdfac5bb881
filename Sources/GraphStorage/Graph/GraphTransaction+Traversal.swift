import CLMDB

// What traversals over many nodes need from a transaction (impact analysis, closures): one adjacency cursor
// reused for every node, the upper bound of node ids for dense visited arrays, and single properties read
// straight from a node record without decoding the rest of it.

extension GraphTransaction {
    /// One more than the largest node id ever assigned: dense per-node arrays of this size can hold any node.
    public var nodeIDUpperBound: NodeID {
        get throws {
            if let nextNodeID { return nextNodeID }
            return try metaUInt64("next_nid") ?? 1
        }
    }

    /// Runs `body` with one adjacency cursor, reused for every scan: cheaper than a cursor per node, and scans
    /// of node ids in ascending order mostly stay on the cursor's current page.
    ///
    /// The cursor is valid only inside `body`.
    public func withAdjacencyCursor<R>(_ body: (AdjacencyCursor) throws -> R) throws -> R {
        if !pendingAdjacency.isEmpty { try flushAdjacency() }
        let cursor = unsafe try raw.openCursor(dbs.adj)
        defer { unsafe cursor.close() }
        return unsafe try body(AdjacencyCursor(cursor: cursor))
    }

    /// CI ids that start with `prefix`, in byte order, at most `limit` of them (ids of deleted CIs included):
    /// candidates for a "did you mean" hint without reading every id.
    public func externalIDs(withPrefix prefix: String, limit: Int) throws -> [String] {
        let cursor = unsafe try raw.openCursor(dbs.ids)
        defer { unsafe cursor.close() }
        let p = Array(prefix.utf8)
        var result: [String] = []
        var entry = unsafe p.isEmpty
            ? try cursor.get(MDB_FIRST) : try p.withUnsafeBytes { (k) in unsafe try cursor.get(MDB_SET_RANGE, key: k) }
        while let (key, _) = unsafe entry, result.count < limit, key.count >= p.count, unsafe key.prefix(p.count).elementsEqual(p) {
            unsafe result.append(String(decoding: key, as: UTF8.self))
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
        return result
    }

    /// A property key resolved once, for reading one property of many nodes.
    public func propertyKey(_ name: String) -> ResolvedPropertyKey {
        ResolvedPropertyKey(name: name, id: names.id(name, .propertyKey))
    }

    /// One property of a live node, decoding only that value; nil when the node or the property is absent.
    public func property(_ key: ResolvedPropertyKey, of nid: NodeID) throws -> PropertyValue? {
        guard key.id != nil else { return nil }
        return try nodeRecord(nid)?.property(key)
    }
}

extension GraphTransaction {
    /// Runs `body` with a reader of one property of many nodes through one kept cursor: reads in ascending node
    /// id order mostly stay on the cursor's current page, and nothing is copied but the value.
    ///
    /// The reader is valid only inside `body`.
    public func withPropertyReader<R>(_ key: ResolvedPropertyKey, _ body: (PropertyReader) throws -> R) throws -> R {
        let cursor = unsafe try raw.openCursor(dbs.nodes)
        defer { unsafe cursor.close() }
        return unsafe try body(PropertyReader(cursor: cursor, keyID: key.id))
    }
}

extension GraphTransaction {
    /// Runs `body` with a reader of the status index through one kept cursor, or with nil when the database has
    /// no status index (an older format opened read-only): read the `status` property of the records then.
    ///
    /// The reader is valid only inside `body`.
    public func withStatusIndex<R>(_ body: (StatusIndex?) throws -> R) throws -> R {
        guard dbs.hasStatusIndex else { return try body(nil) }
        let cursor = unsafe try raw.openCursor(dbs.bystatus)
        defer { unsafe cursor.close() }
        return unsafe try body(StatusIndex(cursor: cursor))
    }
}

/// Which live nodes have a status, read from the index `bystatus` (see `GraphTransaction.withStatusIndex(_:)`):
/// one small B-tree per status, instead of the node records.
///
/// `@safe`: it is handed out only inside `withStatusIndex`'s closure, and it hands out nothing from the map.
@safe
public struct StatusIndex {
    let cursor: LMDBCursor

    /// Whether the live node `nid` has `status` (UTF-8 bytes) as its `status` property.
    public func contains(_ nid: NodeID, status: [UInt8]) throws -> Bool {
        guard KeyLayout.statusKey(utf8: status) != nil else { return false }
        var value = nid.bigEndian
        return unsafe try status.withUnsafeBytes { (k) in
            unsafe try withUnsafeBytes(of: &value) { (v) in unsafe try cursor.get(MDB_GET_BOTH, key: k, value: v) != nil }
        }
    }

    /// How many live nodes have `status`.
    public func count(status: [UInt8]) throws -> Int {
        guard KeyLayout.statusKey(utf8: status) != nil else { return 0 }
        return unsafe try status.withUnsafeBytes { (k) in
            guard unsafe try cursor.get(MDB_SET, key: k) != nil else { return 0 }
            return unsafe try cursor.duplicateCount()
        }
    }

    /// Calls `body` with every live node that has `status`, in node id order, reading the index a page at a time.
    public func forEachNode(status: [UInt8], _ body: (NodeID) throws -> Void) throws {
        guard KeyLayout.statusKey(utf8: status) != nil else { return }
        unsafe try status.withUnsafeBytes { (k) in
            unsafe try cursor.forEachDuplicatePage(key: k) { (page) in
                for i in 0..<(page.count / 8) { try body(unsafe page.loadBE64(at: i * 8)) }
                return true
            }
        }
    }
}

/// One property of many nodes read through a kept cursor (see `GraphTransaction.withPropertyReader(_:_:)`).
///
/// `@safe`: it is handed out only inside `withPropertyReader`'s closure, and values are copied out of the map.
@safe
public struct PropertyReader {
    let cursor: LMDBCursor
    let keyID: UInt32?

    /// The property of a live node; nil when the node or the property is absent.
    public func value(of nid: NodeID) throws -> PropertyValue? {
        guard let keyID else { return nil }
        var key = nid.bigEndian
        return unsafe try withUnsafeBytes(of: &key) { (k) in
            guard let found = unsafe try cursor.get(MDB_SET_KEY, key: k) else { return nil }
            return unsafe try RecordCodec.nodeProperty(keyID, in: found.value)
        }
    }
}

extension PropertyReader {
    /// Whether the property of a live node is a string equal to one of `candidates` (UTF-8 bytes); false when
    /// the node or the property is absent or the value is not a string. Compares the stored bytes: nothing is
    /// decoded or copied (an impact analysis asks this of every CI it reaches: is it withdrawn or disposed?).
    public func string(of nid: NodeID, isOneOf candidates: [[UInt8]]) throws -> Bool {
        guard let keyID else { return false }
        var key = nid.bigEndian
        return unsafe try withUnsafeBytes(of: &key) { (k) in
            guard let found = unsafe try cursor.get(MDB_SET_KEY, key: k),
                let bytes = unsafe try RecordCodec.nodeStringProperty(keyID, in: found.value)
            else { return false }
            return candidates.contains { unsafe $0.elementsEqual(bytes) }
        }
    }
}

extension RecordCodec {
    /// The UTF-8 bytes of a string property of an encoded node record, in place; nil when the property is absent
    /// or not a string.
    static func nodeStringProperty(_ keyID: UInt32, in raw: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? {
        var r = unsafe ByteReader(raw)
        guard unsafe try seekNodeProperty(keyID, &r, count: UInt64(raw.count)), unsafe try r.u8() == 5 else { return nil }
        let n = unsafe try r.varint()
        guard n <= UInt64(raw.count) else { throw RecordCodec.unknownFormat }
        return unsafe try r.bytes(Int(n))
    }

    /// One property of an encoded node record, decoding only its value; nil when absent.
    static func nodeProperty(_ keyID: UInt32, in raw: UnsafeRawBufferPointer) throws -> PropertyValue? {
        var r = unsafe ByteReader(raw)
        guard unsafe try seekNodeProperty(keyID, &r, count: UInt64(raw.count)) else { return nil }
        return unsafe try RecordCodec.decodeValue(&r, depth: 0)
    }

    /// Moves `r`, at the start of an encoded node record of `count` bytes, to the value of property `keyID`; false
    /// when the record has no such property.
    private static func seekNodeProperty(_ keyID: UInt32, _ r: inout ByteReader, count: UInt64) throws -> Bool {
        _ = unsafe try RecordCodec.decodeNodeHeader(&r)
        let idLength = unsafe try r.varint()
        guard idLength <= count else { throw RecordCodec.unknownFormat }
        _ = unsafe try r.bytes(Int(idLength))
        let properties = unsafe try r.varint()
        guard properties <= count else { throw RecordCodec.unknownFormat }
        for _ in 0..<properties {
            if unsafe try r.varint() == UInt64(keyID) { return true }
            unsafe try RecordCodec.skipValue(&r, depth: 0)
        }
        return false
    }
}

/// A property key resolved against one transaction's name table (see `GraphTransaction.propertyKey(_:)`).
public struct ResolvedPropertyKey: Sendable {
    public let name: String
    let id: UInt32?
}

/// An adjacency cursor kept open across many scans (see `GraphTransaction.withAdjacencyCursor(_:)`).
///
/// `@safe`: it is handed out only inside `withAdjacencyCursor`'s closure or owned by an `OwnedAdjacencyCursor`
/// that its caller closes before the transaction ends, and everything it reports is copied out of the map.
@safe
public struct AdjacencyCursor {
    let cursor: LMDBCursor

    /// Calls `body` with the relation type id and the other node of every relation of `nid` in `direction`,
    /// sorted by type id, then node id. Type ids are those of `GraphTransaction.relationTypeID(_:)`.
    ///
    /// - Complexity: O(degree), reading adjacency a page at a time.
    public func forEach(
        of nid: NodeID, direction: Direction, _ body: (_ typeID: UInt16, _ other: NodeID) throws -> Void
    ) throws {
        var key: (UInt64, UInt8) = (nid.bigEndian, direction.rawValue)
        unsafe try withUnsafeBytes(of: &key) { (raw) in
            // The tuple is 16 bytes with padding; the key is its first 9.
            unsafe try cursor.forEachDuplicatePage(key: UnsafeRawBufferPointer(rebasing: raw[0..<9])) { page in
                let count = page.count / 8
                var i = 0
                while i < count {
                    let v = unsafe UInt64(bigEndian: page.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                    try body(UInt16(truncatingIfNeeded: v >> 48), v & KeyLayout.maxNodeID)
                    i += 1
                }
                return true
            }
        }
    }
}

extension AdjacencyCursor {
    /// Calls `body` with every relation of `nid`, outgoing ones first, then incoming ones (each sorted by type
    /// id, then node id), with one seek for both: the two directions' keys are neighbours, so the second is one
    /// step on from the first. For traversals that follow some types each way (impact across `reverse` types).
    ///
    /// - Complexity: O(degree), reading adjacency a page at a time.
    public func forEachInBothDirections(
        of nid: NodeID, _ body: (_ direction: Direction, _ typeID: UInt16, _ other: NodeID) throws -> Void
    ) throws {
        var key: (UInt64, UInt8) = (nid.bigEndian, Direction.outgoing.rawValue)
        unsafe try withUnsafeBytes(of: &key) { (raw) in
            var entry = unsafe try cursor.get(MDB_SET_RANGE, key: UnsafeRawBufferPointer(rebasing: raw[0..<9]))
            while let (found, first) = unsafe entry, found.count == 9,
                unsafe found.loadUnaligned(as: UInt64.self) == nid.bigEndian,
                let direction = unsafe Direction(rawValue: found[8])
            {
                unsafe try cursor.forEachDuplicatePageOfCurrentKey(first: first) { page in
                    let count = page.count / 8
                    var i = 0
                    while i < count {
                        let v = unsafe UInt64(bigEndian: page.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                        try body(direction, UInt16(truncatingIfNeeded: v >> 48), v & KeyLayout.maxNodeID)
                        i += 1
                    }
                    return true
                }
                guard direction == .outgoing else { break }
                unsafe entry = unsafe try cursor.get(MDB_NEXT_NODUP)
            }
        }
    }
}

extension RecordCodec {
    /// Moves past one encoded value without building it.
    static func skipValue(_ r: inout ByteReader, depth: Int) throws {
        switch unsafe try r.u8() {
        case 1, 2: return
        case 3, 6: _ = unsafe try r.varint()
        case 4: _ = unsafe try r.bytes(8)
        case 5:
            let n = unsafe try r.varint()
            guard unsafe n <= UInt64(r.base.count) else { throw unknownFormat }
            _ = unsafe try r.bytes(Int(n))
        case 7:
            guard depth < PropertyValue.maximumListNesting else { throw unknownFormat }
            let n = unsafe try r.varint()
            guard unsafe n <= UInt64(r.base.count) else { throw unknownFormat }
            for _ in 0..<n { unsafe try skipValue(&r, depth: depth + 1) }
        case 8: _ = unsafe try decodeTemporal(&r)
        case 9:
            for _ in 0..<4 { _ = unsafe try r.varint() }
        default: throw unknownFormat
        }
    }
}
