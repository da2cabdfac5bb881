import CIQLValues
import CIQLSyntax
import GraphStorage

/// What the executor reads: the graph as it is in an LMDB transaction, or as it was at a point in history.
protocol GraphSource: AnyObject {
    func node(_ nid: NodeID) throws -> StoredNode?
    /// One stored property of a node (nil when the node or the property is absent), without decoding the rest.
    func property(_ key: String, of nid: NodeID) throws -> PropertyValue?
    /// The class of a node: nil when there is no such node, .some(nil) when it has none.
    func label(of nid: NodeID) throws -> String??
    /// The id of a node (nil when there is no such node), without decoding its properties.
    func externalID(of nid: NodeID) throws -> String?
    func nodeID(externalID: String) throws -> NodeID?
    /// Every node, or the nodes of exactly the given classes (callers expand subclasses).
    func forEachNodeID(labels: [String]?, _ body: (NodeID) throws -> Bool) throws
    /// The nodes whose `key` equals `value`, or nil when the property is not indexed here.
    func nodeIDs(property key: String, equalTo value: PropertyValue) throws -> [NodeID]?
    /// The relations of `nid` in `direction`, of the given types (nil = any).
    func forEachRelation(
        of nid: NodeID, direction: Direction, types: Set<String>?, _ body: (String, NodeID) throws -> Bool
    ) throws
    func relation(from: NodeID, type: String, to: NodeID) throws -> StoredRelation?
    /// The number of nodes of exactly `label` (nil = all nodes).
    func nodeCount(label: String?) throws -> Int
    /// `nodeCount`, or a cheap estimate of it: what the planner reads.
    func estimatedNodeCount(label: String?) throws -> Int
    /// Live node counts per (class, status); status "" when a node has none.
    func countsByLabelAndStatus() throws -> [(label: String?, status: String, count: Int)]
}

extension GraphSource {
    func estimatedNodeCount(label: String?) throws -> Int { try nodeCount(label: label) }
}

/// The graph in an LMDB transaction: reads go to the store, with a small cache of decoded nodes.
final class LiveGraph: GraphSource {
    let tx: GraphTransaction
    private var cache: [NodeID: StoredNode] = [:]

    init(_ tx: GraphTransaction) { self.tx = tx }

    private var keys: [String: ResolvedPropertyKey] = [:]
    /// The last node record looked up (a copy, reused): filters on one node's class and properties read it once.
    private var lastRecord: (nid: NodeID, found: Bool)?
    private lazy var recordBuffer = NodeRecord(in: tx)
    /// One adjacency cursor for every expansion of a read-only statement.
    private var adjacency: OwnedAdjacencyCursor?
    private var idIndexIsLive: Bool?

    /// Forgets cached nodes, resolved keys and the last record (their contents are stale); called after every
    /// write.
    func invalidate() {
        cache.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        lastRecord = nil
    }

    /// Closes the kept cursor; call before the transaction ends.
    func close() {
        adjacency?.close()
        adjacency = nil
    }

    private func record(_ nid: NodeID) throws -> NodeRecord? {
        if let last = lastRecord, last.nid == nid { return last.found ? recordBuffer : nil }
        let found = try tx.loadNodeRecord(nid, into: &recordBuffer)
        lastRecord = (nid, found)
        return found ? recordBuffer : nil
    }

    func property(_ key: String, of nid: NodeID) throws -> PropertyValue? {
        let stored: PropertyValue?
        if let cached = cache[nid] {
            stored = cached.properties[key]
        } else {
            let resolved: ResolvedPropertyKey
            if let k = keys[key] {
                resolved = k
            } else {
                resolved = tx.propertyKey(key)
                keys[key] = resolved
            }
            stored = try record(nid)?.property(resolved)
        }
        if stored == nil, key == "last_verified_at", let stamp = try tx.verificationStamp(of: nid) {
            // Verification stamps live beside the records (no history version per CI per night).
            return .datetime(micros: stamp)
        }
        return stored
    }

    func label(of nid: NodeID) throws -> String?? {
        if let cached = cache[nid] { return .some(cached.label) }
        guard let record = try record(nid) else { return nil }
        return .some(try record.label())
    }

    func externalID(of nid: NodeID) throws -> String? {
        if let cached = cache[nid] { return cached.externalID }
        return try record(nid)?.externalID()
    }

    func node(_ nid: NodeID) throws -> StoredNode? {
        if let cached = cache[nid] { return cached }
        guard let node = try tx.node(nid) else { return nil }
        if cache.count > 4096 { cache.removeAll(keepingCapacity: true) }
        cache[nid] = node
        return node
    }

    func nodeID(externalID: String) throws -> NodeID? {
        guard let nid = try tx.nodeID(forExternalID: externalID) else { return nil }
        // The id index keeps ids of deleted CIs (ids are never reused); only live ones count. When no CI was ever
        // deleted there is nothing to check; else the record is read (and kept for the properties read next).
        if try idsAreLive() { return nid }
        return try record(nid) == nil ? nil : nid
    }

    /// `GraphTransaction.idIndexHoldsOnlyLiveIDs`, asked once per read-only statement (a write may delete).
    private func idsAreLive() throws -> Bool {
        if tx.isWritable { return try tx.idIndexHoldsOnlyLiveIDs() }
        if let known = idIndexIsLive { return known }
        let live = try tx.idIndexHoldsOnlyLiveIDs()
        idIndexIsLive = live
        return live
    }

    func forEachNodeID(labels: [String]?, _ body: (NodeID) throws -> Bool) throws {
        guard let labels else { return try tx.forEachNodeID(body) }
        var go = true
        for label in labels where go {
            try tx.forEachNodeID(label: label) { nid in
                go = try body(nid)
                return go
            }
        }
    }

    func nodeIDs(property key: String, equalTo value: PropertyValue) throws -> [NodeID]? {
        try tx.nodeIDs(withProperty: key, equalTo: value)
    }

    func forEachRelation(
        of nid: NodeID, direction: Direction, types: Set<String>?, _ body: (String, NodeID) throws -> Bool
    ) throws {
        var typeIDs: Set<UInt16>?
        if let types {
            typeIDs = Set(types.compactMap { tx.relationTypeID($0) })
            if typeIDs?.isEmpty == true { return }
        }
        var go = true
        var lastTypeID: UInt16 = .max
        var lastTypeName = ""
        let visit = { (typeID: UInt16, other: NodeID) throws in
            guard go else { return }
            if let typeIDs, !typeIDs.contains(typeID) { return }
            if typeID != lastTypeID {
                lastTypeName = try self.tx.relationTypeName(typeID)
                lastTypeID = typeID
            }
            go = try body(lastTypeName, other)
        }
        if tx.isWritable {
            try tx.forEachAdjacency(of: nid, direction: direction, visit)
        } else {
            if adjacency == nil { adjacency = try tx.openAdjacencyCursor() }
            try adjacency?.cursor.forEach(of: nid, direction: direction, visit)
        }
    }

    /// The stored ids of relation types, for `forEachNeighbour` (types the store never saw are left out).
    func relationTypeIDs(_ types: Set<String>) -> [UInt16] {
        types.compactMap { tx.relationTypeID($0) }.sorted()
    }

    /// The type id and other end of every relation of `nid` in `direction`, read with the statement's kept
    /// cursor and no type names: for traversals over many nodes.
    func forEachNeighbour(
        of nid: NodeID, direction: Direction, _ body: (_ typeID: UInt16, _ other: NodeID) throws -> Void
    ) throws {
        if tx.isWritable { return try tx.forEachAdjacency(of: nid, direction: direction, body) }
        if adjacency == nil { adjacency = try tx.openAdjacencyCursor() }
        try adjacency?.cursor.forEach(of: nid, direction: direction, body)
    }

    func relation(from: NodeID, type: String, to: NodeID) throws -> StoredRelation? {
        try tx.relation(from: from, type: type, to: to)
    }

    func nodeCount(label: String?) throws -> Int {
        guard let label else { return try tx.nodeCount() }
        return try tx.nodeCount(label: label)
    }

    func countsByLabelAndStatus() throws -> [(label: String?, status: String, count: Int)] {
        try tx.countsByLabelAndStatus()
    }
}
