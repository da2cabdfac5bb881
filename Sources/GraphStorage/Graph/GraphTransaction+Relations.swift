import CLMDB

extension GraphTransaction {
    /// The relation (from, type, to), or nil.
    public func relation(from: NodeID, type: String, to: NodeID) throws -> StoredRelation? {
        guard let typeID = names.id(type, .relationType) else { return nil }
        var key = ByteWriter(capacity: KeyLayout.relationKeySize)
        KeyLayout.relationKey(&key, from: from, type: UInt16(typeID), to: to)
        guard let bytes = unsafe try raw.get(dbs.rels, key.bytes) else { return nil }
        return unsafe try RecordCodec.decodeRelation(bytes, from: from, type: type, to: to, names: names)
    }

    /// Calls `body` with every relation of `nid` in `direction`: its type and the node at the other end.
    ///
    /// Entries arrive sorted by type, then other node id.
    /// - Complexity: O(degree), reading adjacency a page at a time.
    public func forEachNeighbor(
        of nid: NodeID, direction: Direction, _ body: (_ type: String, _ other: NodeID) throws -> Void
    ) throws {
        try forEachAdjacency(of: nid, direction: direction) { typeID, other in
            try body(try names.name(UInt32(typeID), .relationType), other)
        }
    }

    /// The relations of `nid` in `direction`, optionally only those of the given types.
    public func neighbors(of nid: NodeID, direction: Direction, types: Set<String>? = nil) throws
        -> [(type: String, other: NodeID)]
    {
        var typeIDs: Set<UInt16>?
        if let types {
            typeIDs = Set(types.compactMap { names.id($0, .relationType).map { UInt16($0) } })
            if typeIDs?.isEmpty == true { return [] }
        }
        var result: [(type: String, other: NodeID)] = []
        try forEachAdjacency(of: nid, direction: direction) { typeID, other in
            if let typeIDs, !typeIDs.contains(typeID) { return }
            result.append((try names.name(UInt32(typeID), .relationType), other))
        }
        return result
    }

    /// The id a relation type is stored under, for callers that compare types in tight loops.
    public func relationTypeID(_ type: String) -> UInt16? {
        names.id(type, .relationType).map { UInt16($0) }
    }

    /// The relation type stored under `id`.
    public func relationTypeName(_ id: UInt16) throws -> String {
        try names.name(UInt32(id), .relationType)
    }

    /// The raw adjacency scan: relation type ids and neighbour node ids, a page at a time.
    public func forEachAdjacency(
        of nid: NodeID, direction: Direction, _ body: (_ typeID: UInt16, _ other: NodeID) throws -> Void
    ) throws {
        if !pendingAdjacency.isEmpty { try flushAdjacency() }
        let cursor = unsafe try raw.openCursor(dbs.adj)
        defer { unsafe cursor.close() }
        var key = ByteWriter(capacity: 9)
        key.u64BE(nid)
        key.u8(direction.rawValue)
        unsafe try key.bytes.withUnsafeBytes { k in
            unsafe try cursor.forEachDuplicatePage(key: k) { page in
                for i in 0..<(page.count / 8) {
                    let v = unsafe page.loadBE64(at: i * 8)
                    try body(UInt16(truncatingIfNeeded: v >> 48), v & KeyLayout.maxNodeID)
                }
                return true
            }
        }
    }

    /// Whether `nid` has any relation in either direction.
    public func hasRelations(_ nid: NodeID) throws -> Bool {
        var found = false
        for direction in Direction.allCases where !found {
            try forEachAdjacency(of: nid, direction: direction) { _, _ in found = true }
        }
        return found
    }

    /// Calls `body` with every live relation, ordered by (from, type, to), until it returns false.
    public func forEachRelation(_ body: (StoredRelation) throws -> Bool) throws {
        let cursor = unsafe try raw.openCursor(dbs.rels)
        defer { unsafe cursor.close() }
        var entry = unsafe try cursor.get(MDB_FIRST)
        while let (key, value) = unsafe entry {
            guard key.count == KeyLayout.relationKeySize else { throw StorageError(.corrupted, "a relation key is damaged") }
            let from = unsafe key.loadBE64(at: 0)
            let type = unsafe try names.name(UInt32(key.loadBE16(at: 8)), .relationType)
            let to = unsafe key.loadBE64(at: 10)
            if unsafe try !body(try RecordCodec.decodeRelation(value, from: from, type: type, to: to, names: names)) { return }
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
    }

    /// Live relation counts per type.
    public func relationCountsByType() throws -> [String: Int] {
        var counts: [UInt16: Int] = [:]
        let cursor = unsafe try raw.openCursor(dbs.rels)
        defer { unsafe cursor.close() }
        var entry = unsafe try cursor.get(MDB_FIRST)
        while let (key, _) = unsafe entry {
            guard key.count == KeyLayout.relationKeySize else { throw StorageError(.corrupted, "a relation key is damaged") }
            unsafe counts[key.loadBE16(at: 8), default: 0] += 1
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
        var result: [String: Int] = [:]
        for (id, n) in counts { result[try names.name(UInt32(id), .relationType)] = n }
        return result
    }
}
