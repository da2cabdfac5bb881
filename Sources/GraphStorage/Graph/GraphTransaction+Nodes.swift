import CLMDB

extension GraphTransaction {
    /// The node id for a CI id, if the id was ever used (the node may have been deleted since).
    public func nodeID(forExternalID id: String) throws -> NodeID? {
        try lookupNodeID(id)
    }

    /// Whether every id in the id index belongs to a live CI: the index keeps the ids of deleted CIs (ids are
    /// never reused), so when it has more entries than there are CIs, a found id may be a deleted CI's.
    public func idIndexHoldsOnlyLiveIDs() throws -> Bool {
        try raw.entryCount(dbs.ids) == raw.entryCount(dbs.nodes)
    }

    func lookupNodeID(_ id: String) throws -> NodeID? {
        var id = id
        return try id.withUTF8 { (utf8) throws -> NodeID? in
            guard utf8.count > 0, utf8.count <= 511 else { return nil }
            guard let raw = unsafe try self.raw.get(dbs.ids, UnsafeRawBufferPointer(utf8)), raw.count == 8 else { return nil }
            return unsafe raw.loadBE64(at: 0)
        }
    }

    /// The current version of a node, or nil when it does not exist (or was deleted).
    public func node(_ nid: NodeID) throws -> StoredNode? {
        try storedNode(nid)
    }

    func storedNode(_ nid: NodeID) throws -> StoredNode? {
        guard let bytes = unsafe try raw.get(dbs.nodes, u64: nid) else { return nil }
        return unsafe try RecordCodec.decodeNode(bytes, nid: nid, names: names)
    }

    /// The current version of the node with this CI id.
    public func node(externalID: String) throws -> StoredNode? {
        guard let nid = try lookupNodeID(externalID) else { return nil }
        return try storedNode(nid)
    }

    /// The CI id of a live node, decoding nothing else.
    public func externalID(of nid: NodeID) throws -> String? {
        guard let bytes = unsafe try raw.get(dbs.nodes, u64: nid) else { return nil }
        var r = unsafe ByteReader(bytes)
        _ = unsafe try RecordCodec.decodeNodeHeader(&r)
        return unsafe try r.string()
    }

    /// The node id and class of the live CI with this id, decoding nothing else; nil when there is none.
    public func liveNode(externalID: String) throws -> (nid: NodeID, label: String?)? {
        guard let nid = try lookupNodeID(externalID), let bytes = unsafe try raw.get(dbs.nodes, u64: nid) else { return nil }
        var r = unsafe ByteReader(bytes)
        let header = unsafe try RecordCodec.decodeNodeHeader(&r)
        return (nid, try header.labelID.map { try names.name($0, .label) })
    }

    /// The class of a live node, decoding nothing else; `.some(nil)` for a node without a class.
    public func label(of nid: NodeID) throws -> String?? {
        guard let bytes = unsafe try raw.get(dbs.nodes, u64: nid) else { return nil }
        var r = unsafe ByteReader(bytes)
        let header = unsafe try RecordCodec.decodeNodeHeader(&r)
        guard let id = header.labelID else { return .some(nil) }
        return .some(try names.name(id, .label))
    }

    /// Calls `body` with every live node in creation order until it returns false.
    public func forEachNode(_ body: (StoredNode) throws -> Bool) throws {
        let cursor = unsafe try raw.openCursor(dbs.nodes)
        defer { unsafe cursor.close() }
        var entry = unsafe try cursor.get(MDB_FIRST)
        while let (key, value) = unsafe entry {
            guard key.count == 8 else { throw StorageError(.corrupted, "a node key is damaged") }
            let node = unsafe try RecordCodec.decodeNode(value, nid: key.loadBE64(at: 0), names: names)
            if try !body(node) { return }
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
    }

    /// Calls `body` with the id of every live node in creation order until it returns false, without
    /// decoding the records.
    public func forEachNodeID(_ body: (NodeID) throws -> Bool) throws {
        let cursor = unsafe try raw.openCursor(dbs.nodes)
        defer { unsafe cursor.close() }
        var entry = unsafe try cursor.get(MDB_FIRST)
        while let (key, _) = unsafe entry {
            guard key.count == 8 else { throw StorageError(.corrupted, "a node key is damaged") }
            if unsafe try !body(key.loadBE64(at: 0)) { return }
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
    }

    /// Calls `body` with the id of every live node of exactly class `label`, in id order, until it returns false.
    public func forEachNodeID(label: String, _ body: (NodeID) throws -> Bool) throws {
        guard let labelID = names.id(label, .label) else { return }
        let cursor = unsafe try raw.openCursor(dbs.labels)
        defer { unsafe cursor.close() }
        var key = labelID.bigEndian
        unsafe try withUnsafeBytes(of: &key) { k in
            unsafe try cursor.forEachDuplicatePage(key: k) { page in
                for i in 0..<(page.count / 8) where unsafe try !body(page.loadBE64(at: i * 8)) { return false }
                return true
            }
        }
    }

    /// The number of live nodes of exactly class `label`.
    public func nodeCount(label: String) throws -> Int {
        guard let labelID = names.id(label, .label) else { return 0 }
        let cursor = unsafe try raw.openCursor(dbs.labels)
        defer { unsafe cursor.close() }
        var key = labelID.bigEndian
        let entry = unsafe try withUnsafeBytes(of: &key) { (k) in unsafe try cursor.get(MDB_SET_KEY, key: k) }
        return unsafe entry == nil ? 0 : try cursor.duplicateCount()
    }

    /// The number of live nodes.
    public func nodeCount() throws -> Int { unsafe try raw.entryCount(dbs.nodes) }

    /// The number of live relations.
    public func relationCount() throws -> Int { unsafe try raw.entryCount(dbs.rels) }

    /// Live node counts per (class, status), kept up to date by every write.
    public func countsByLabelAndStatus() throws -> [(label: String?, status: String, count: Int)] {
        let cursor = unsafe try raw.openCursor(dbs.counts)
        defer { unsafe cursor.close() }
        var result: [(label: String?, status: String, count: Int)] = []
        var entry = unsafe try cursor.get(MDB_FIRST)
        while let (key, value) = unsafe entry {
            guard key.count >= 4, value.count == 8 else { throw StorageError(.corrupted, "the counts table is damaged") }
            let labelID = unsafe key.loadBE32(at: 0)
            let label = labelID == UInt32.max ? nil : try names.name(labelID, .label)
            let status = unsafe String(decoding: UnsafeRawBufferPointer(rebasing: key[4...]), as: UTF8.self)
            unsafe result.append((label, status, Int(value.loadBE64(at: 0))))
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
        return result
    }

    /// Ids of live nodes whose indexed property `key` equals `value`; nil when `key` is not indexed.
    public func nodeIDs(withProperty key: String, equalTo value: PropertyValue) throws -> [NodeID]? {
        guard let keyID = names.id(key, .propertyKey) else { return try isIndexed(key) ? [] : nil }
        guard try indexedKeys().contains(where: { $0.id == keyID }) else { return nil }
        guard let keys = KeyLayout.indexKeys(keyID: keyID, equalTo: value) else { return nil }
        let cursor = unsafe try raw.openCursor(dbs.propidx)
        defer { unsafe cursor.close() }
        var candidates: [NodeID] = []
        for key in keys {
            unsafe try key.withUnsafeBytes { k in
                unsafe try cursor.forEachDuplicatePage(key: k) { page in
                    for i in 0..<(page.count / 8) { unsafe candidates.append(page.loadBE64(at: i * 8)) }
                    return true
                }
            }
        }
        // A node holds one value of `key`, so the keys' lists are disjoint; merged, they keep the order of one.
        if keys.count > 1 { candidates.sort() }
        // Long strings are indexed by a prefix: confirm against the record.
        if case .string(let s) = value, s.utf8.count >= KeyLayout.maxIndexedValueBytes {
            return try candidates.filter { try storedNode($0)?.properties[key] == value }
        }
        return candidates
    }

    /// Calls `body` with each live node whose indexed property `key` equals `value` until it returns false, in index
    /// order per key (not merged across an int's and a float's keys); nil when `key` is not indexed. A check that
    /// needs one other holder of a value stops at it, where `nodeIDs` lists them all (N CIs sharing a value made N
    /// uniqueness checks cost N² reads).
    @discardableResult
    public func forEachNodeID(
        withProperty key: String, equalTo value: PropertyValue, _ body: (NodeID) throws -> Bool
    ) throws -> Bool? {
        guard let keyID = names.id(key, .propertyKey) else { return try isIndexed(key) ? true : nil }
        guard try indexedKeys().contains(where: { $0.id == keyID }) else { return nil }
        guard let indexKeys = KeyLayout.indexKeys(keyID: keyID, equalTo: value) else { return nil }
        // Long strings are indexed by a prefix: confirm against the record.
        var confirms = false
        if case .string(let s) = value, s.utf8.count >= KeyLayout.maxIndexedValueBytes { confirms = true }
        let cursor = unsafe try raw.openCursor(dbs.propidx)
        defer { unsafe cursor.close() }
        var going = true
        for indexKey in indexKeys where going {
            unsafe try indexKey.withUnsafeBytes { k in
                unsafe try cursor.forEachDuplicatePage(key: k) { page in
                    for i in 0..<(page.count / 8) {
                        let nid = unsafe page.loadBE64(at: i * 8)
                        if confirms, try storedNode(nid)?.properties[key] != value { continue }
                        guard try body(nid) else {
                            going = false
                            return false
                        }
                    }
                    return true
                }
            }
        }
        return true
    }

    func isIndexed(_ key: String) throws -> Bool {
        try indexedPropertyNames().contains(key)
    }

    /// The property keys that have an index.
    public func indexedProperties() throws -> [String] { try indexedPropertyNames() }

    func indexedPropertyNames() throws -> [String] {
        guard let raw = unsafe try raw.get(dbs.meta, Array("indexed_properties".utf8)) else { return [] }
        return unsafe String(decoding: raw, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The indexed property keys with their interned ids, read once per transaction: every node write needs
    /// them. In a read transaction, keys no record uses yet have no id and are left out.
    func indexedKeys() throws -> [(name: String, id: UInt32)] {
        if let indexedKeyCache { return indexedKeyCache }
        var keys: [(name: String, id: UInt32)] = []
        for name in try indexedPropertyNames() {
            if isWritable { keys.append((name, try internedID(name, .propertyKey))) }
            else if let id = names.id(name, .propertyKey) { keys.append((name, id)) }
        }
        indexedKeyCache = keys
        return keys
    }
}
