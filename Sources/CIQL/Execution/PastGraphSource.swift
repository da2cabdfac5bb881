import CIQLSyntax
import GraphStorage

/// The graph as it was after one transaction, read lazily from the kept history (`PastState`): what `AS OF`
/// queries read. A read costs about what it costs on the present graph; nothing is read up front but the
/// changes logged after that transaction (when they are few).
///
/// Verification stamps are not versioned, so properties here are the versioned attributes only.
final class PastGraphSource: GraphSource {
    let past: PastState
    private var cache: [NodeID: StoredNode] = [:]
    private var keys: [String: ResolvedPropertyKey] = [:]
    private var lastRecord: (nid: NodeID, found: Bool)?
    private var recordBuffer: NodeRecord
    private var typeNames: [UInt16: String] = [:]

    /// - Parameter deltaLimit: see `PastState.init`.
    init(_ tx: GraphTransaction, asOf txn: TransactionNumber, deltaLimit: Int = PastState.deltaLimit) throws {
        past = try PastState(tx, asOf: txn, deltaLimit: deltaLimit)
        recordBuffer = NodeRecord(in: tx)
    }

    /// Closes the kept cursor; call before the transaction ends.
    func close() { past.close() }

    private var tx: GraphTransaction { past.tx }

    private func record(_ nid: NodeID) throws -> NodeRecord? {
        if let last = lastRecord, last.nid == nid { return last.found ? recordBuffer : nil }
        let found = try past.loadNode(nid, into: &recordBuffer)
        lastRecord = (nid, found)
        return found ? recordBuffer : nil
    }

    func node(_ nid: NodeID) throws -> StoredNode? {
        if let cached = cache[nid] { return cached }
        guard let node = try past.node(nid) else { return nil }
        if cache.count > 4096 { cache.removeAll(keepingCapacity: true) }
        cache[nid] = node
        return node
    }

    func property(_ key: String, of nid: NodeID) throws -> PropertyValue? {
        if let cached = cache[nid] { return cached.properties[key] }
        let resolved: ResolvedPropertyKey
        if let k = keys[key] {
            resolved = k
        } else {
            resolved = tx.propertyKey(key)
            keys[key] = resolved
        }
        return try record(nid)?.property(resolved)
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

    func nodeID(externalID: String) throws -> NodeID? { try past.nodeID(externalID: externalID) }

    func forEachNodeID(labels: [String]?, _ body: (NodeID) throws -> Bool) throws {
        guard let labels else { return try past.forEachNodeID(label: nil, body) }
        var go = true
        for label in labels where go {
            try past.forEachNodeID(label: label) { nid in
                go = try body(nid)
                return go
            }
        }
    }

    func nodeIDs(property key: String, equalTo value: PropertyValue) throws -> [NodeID]? {
        try past.nodeIDs(property: key, equalTo: value)
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
        try past.forEachRelation(of: nid, direction: direction) { typeID, other in
            guard go else { return }
            if let typeIDs, !typeIDs.contains(typeID) { return }
            let name: String
            if let known = typeNames[typeID] {
                name = known
            } else {
                name = try tx.relationTypeName(typeID)
                typeNames[typeID] = name
            }
            go = try body(name, other)
        }
    }

    func relation(from: NodeID, type: String, to: NodeID) throws -> StoredRelation? {
        try tx.relation(from: from, type: type, to: to, asOf: past.txn)
    }

    func nodeCount(label: String?) throws -> Int { try past.nodeCount(label: label) }

    /// The present counts: close enough to plan with, and free (the exact past count may need a scan).
    func estimatedNodeCount(label: String?) throws -> Int {
        guard let label else { return try tx.nodeCount() }
        return try tx.nodeCount(label: label)
    }

    func countsByLabelAndStatus() throws -> [(label: String?, status: String, count: Int)] {
        try past.countsByLabelAndStatus()
    }
}
