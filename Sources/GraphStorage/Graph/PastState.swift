import CLMDB

/// The graph as it was after transaction `txn`, read lazily inside one read transaction: each read costs
/// about what the same read of the present costs, and memory does not grow with the database.
///
/// A node's version at `txn` is its current record when that is not newer, else one seek in `hist`. The
/// relations of a node at `txn` are its current adjacency, without those created after `txn`, plus those that
/// existed then and were deleted since (`relgone`, keyed by endpoint).
///
/// When few transactions followed `txn` (at most `deltaLimit` logged changes), the changes since are read from
/// the transaction log once, up front: nodes and relations they did not touch are read as they are now, with
/// no per-read check. Otherwise every read checks the history itself (memory stays bounded either way).
///
/// Close it (`close()`) before the transaction ends. Read transactions only.
package final class PastState {
    package let tx: GraphTransaction
    package let txn: TransactionNumber
    /// What changed after `txn`, when that is small enough to hold.
    private let delta: Delta?
    private var adjacency: OwnedAdjacencyCursor?
    /// Relation deletions after `txn` by endpoint, derived from `relhist` for a database opened read-only before
    /// its migration to format 2 (no `relgone`).
    private var derivedDeletions: [UInt64: [UInt64]]?
    private var record: NodeRecord

    /// The most logged changes after `txn` read up front (about 40 bytes each).
    package static let deltaLimit = 1 << 17

    struct RelationKey: Hashable {
        var from: NodeID, type: UInt16, to: NodeID
    }

    /// The changes after `txn`, from the transaction log.
    struct Delta {
        /// Nodes created, updated or deleted after `txn`; every other node is now as it was then.
        var changedNodes = NodeIDSet()
        var changedNodeList: [NodeID] = []
        /// Relations that exist now but did not at `txn` (created since, or deleted and created again).
        var hidden = Set<RelationKey>()
        var hiddenEndpoints = NodeIDSet()
        /// Relations that existed at `txn` and are no longer the same relation now, by `nid << 1 | direction`,
        /// as adjacency values.
        var added: [UInt64: [UInt64]] = [:]
    }

    /// - Parameter deltaLimit: how many logged changes after `txn` to read up front at most (tests set 0 to
    ///   check the path without).
    package init(_ tx: GraphTransaction, asOf txn: TransactionNumber, deltaLimit: Int = PastState.deltaLimit) throws {
        self.tx = tx
        self.txn = txn
        record = NodeRecord(in: tx)
        delta = try Self.readDelta(tx, after: txn, limit: deltaLimit)
    }

    /// Whether the changes after `txn` were read up front.
    package var readsChangesUpFront: Bool { delta != nil }

    package func close() {
        adjacency?.close()
        adjacency = nil
    }

    // MARK: - Nodes

    /// Loads the record of `nid` as it was at `txn` into `into`; false when the node did not exist then.
    package func loadNode(_ nid: NodeID, into out: inout NodeRecord) throws -> Bool {
        if let delta, !delta.changedNodes.contains(nid) { return try tx.loadNodeRecord(nid, into: &out) }
        if try tx.loadNodeRecord(nid, into: &out), try Self.header(out).version <= txn { return true }
        var key = ByteWriter(capacity: 16)
        key.u64BE(nid)
        key.u64BE(txn &+ 1)
        guard let bytes = try tx.earlierVersion(tx.dbs.hist, seek: key.bytes, prefixLength: 8) else { return false }
        out.bytes = bytes
        return true
    }

    /// The node as it was at `txn`, decoded.
    package func node(_ nid: NodeID) throws -> StoredNode? {
        guard try loadNode(nid, into: &record) else { return nil }
        return unsafe try record.bytes.withUnsafeBytes { unsafe try RecordCodec.decodeNode($0, nid: nid, names: tx.names) }
    }

    /// The node with CI id `externalID` at `txn`.
    package func nodeID(externalID: String) throws -> NodeID? {
        guard let nid = try tx.nodeID(forExternalID: externalID), try loadNode(nid, into: &record) else { return nil }
        return nid
    }

    /// Calls `body` with every node of exactly class `label` (nil: every node) at `txn`, in id order, until it
    /// returns false.
    package func forEachNodeID(label: String?, _ body: (NodeID) throws -> Bool) throws {
        var labelID: UInt32?
        if let label {
            guard let id = tx.names.id(label, .label) else { return }
            labelID = id
        }
        func qualifies(_ nid: NodeID) throws -> Bool {
            guard try loadNode(nid, into: &record) else { return false }
            return try labelID == nil || Self.header(record).labelID == labelID
        }
        guard let delta else {
            let upper = try tx.nodeIDUpperBound
            var nid: NodeID = 1
            while nid < upper {
                if try qualifies(nid), try !body(nid) { return }
                nid += 1
            }
            return
        }
        // The unchanged nodes from the present indexes, merged in id order with the changed ones that qualify.
        var next = 0
        var go = true
        let present = { (nid: NodeID) throws -> Bool in
            if delta.changedNodes.contains(nid) { return true }
            while next < delta.changedNodeList.count, delta.changedNodeList[next] < nid {
                let changed = delta.changedNodeList[next]
                next += 1
                if try qualifies(changed), try !body(changed) {
                    go = false
                    return false
                }
            }
            go = try body(nid)
            return go
        }
        if let label { try tx.forEachNodeID(label: label, present) } else { try tx.forEachNodeID(present) }
        while go, next < delta.changedNodeList.count {
            let changed = delta.changedNodeList[next]
            next += 1
            if try qualifies(changed) { go = try body(changed) }
        }
    }

    /// The number of nodes of exactly class `label` (nil: all nodes) at `txn`.
    package func nodeCount(label: String?) throws -> Int {
        guard let delta else {
            var n = 0
            try forEachNodeID(label: label) { _ in
                n += 1
                return true
            }
            return n
        }
        var n = try label.map { try tx.nodeCount(label: $0) } ?? tx.nodeCount()
        let labelID = label.flatMap { tx.names.id($0, .label) }
        if label != nil && labelID == nil { return 0 }
        for nid in delta.changedNodeList {
            if try tx.loadNodeRecord(nid, into: &record), try label == nil || Self.header(record).labelID == labelID { n -= 1 }
            if try loadNode(nid, into: &record), try label == nil || Self.header(record).labelID == labelID { n += 1 }
        }
        return n
    }

    private struct CountKey: Hashable {
        var label: String?, status: String
    }

    /// Node counts per (class, status) at `txn`; status "" when a node has none. Groups with no nodes are left
    /// out.
    package func countsByLabelAndStatus() throws -> [(label: String?, status: String, count: Int)] {
        let statusKey = tx.propertyKey("status")
        var counts: [CountKey: Int] = [:]
        func key(_ record: NodeRecord) throws -> CountKey {
            var status = ""
            if case .string(let s)? = try record.property(statusKey) { status = s }
            return CountKey(label: try record.label(), status: status)
        }
        if let delta {
            for (label, status, count) in try tx.countsByLabelAndStatus() {
                counts[CountKey(label: label, status: status), default: 0] += count
            }
            for nid in delta.changedNodeList {
                if try tx.loadNodeRecord(nid, into: &record) { counts[try key(record), default: 0] -= 1 }
                if try loadNode(nid, into: &record) { counts[try key(record), default: 0] += 1 }
            }
        } else {
            var scanned = NodeRecord(in: tx)
            try forEachNodeID(label: nil) { nid in
                if try loadNode(nid, into: &scanned) { counts[try key(scanned), default: 0] += 1 }
                return true
            }
        }
        return counts.filter { $0.value > 0 }.map { ($0.key.label, $0.key.status, $0.value) }
    }

    /// The nodes whose `key` equalled `value` at `txn` (as the property index compares), or nil when the
    /// property is not indexed.
    package func nodeIDs(property key: String, equalTo value: PropertyValue) throws -> [NodeID]? {
        guard let present = try tx.nodeIDs(withProperty: key, equalTo: value) else { return nil }
        let resolved = tx.propertyKey(key)
        guard let keyID = tx.names.id(key, .propertyKey), let wanted = KeyLayout.indexKeys(keyID: keyID, equalTo: value)
        else { return present }
        let isLong: Bool
        if case .string(let s) = value { isLong = s.utf8.count >= KeyLayout.maxIndexedValueBytes } else { isLong = false }
        func matches(_ nid: NodeID) throws -> Bool {
            guard try loadNode(nid, into: &record), let stored = try record.property(resolved) else { return false }
            var encoded = ByteWriter()
            encoded.u32BE(keyID)
            guard KeyLayout.indexedValue(&encoded, stored), wanted.contains(encoded.bytes) else { return false }
            return !isLong || stored == value
        }
        guard let delta else {
            var found: [NodeID] = []
            try forEachNodeID(label: nil) { nid in
                if try matches(nid) { found.append(nid) }
                return true
            }
            return found
        }
        var found = present.filter { !delta.changedNodes.contains($0) }
        for nid in delta.changedNodeList where try matches(nid) { found.append(nid) }
        return found.sorted()
    }

    // MARK: - Relations

    /// Calls `body` with the type id and other end of every relation `nid` had in `direction` at `txn`.
    package func forEachRelation(
        of nid: NodeID, direction: Direction, _ body: (_ typeID: UInt16, _ other: NodeID) throws -> Void
    ) throws {
        if adjacency == nil { adjacency = try tx.openAdjacencyCursor() }
        guard let cursor = adjacency?.cursor else { return }
        func key(_ type: UInt16, _ other: NodeID) -> RelationKey {
            direction == .outgoing ? RelationKey(from: nid, type: type, to: other) : RelationKey(from: other, type: type, to: nid)
        }
        let slot = nid << 1 | UInt64(direction.rawValue)
        if let delta {
            if delta.hiddenEndpoints.contains(nid) {
                try cursor.forEach(of: nid, direction: direction) { type, other in
                    if !delta.hidden.contains(key(type, other)) { try body(type, other) }
                }
            } else {
                try cursor.forEach(of: nid, direction: direction, body)
            }
            for value in delta.added[slot] ?? [] {
                let (type, other) = KeyLayout.decodeAdjacency(value)
                try body(type, other)
            }
            return
        }
        try cursor.forEach(of: nid, direction: direction) { type, other in
            if let created = try presentCreated(key(type, other)), created <= txn { try body(type, other) }
        }
        var gone = try deletions(slot)
        gone.sort()
        var previous: UInt64?
        for value in gone where value != previous {
            previous = value
            let (type, other) = KeyLayout.decodeAdjacency(value)
            let k = key(type, other)
            if let created = try presentCreated(k), created <= txn { continue }  // reported above
            if try existed(k) { try body(type, other) }
        }
    }

    /// The relations of `nid << 1 | direction` deleted after `txn`, as adjacency values (duplicates possible).
    private func deletions(_ slot: UInt64) throws -> [UInt64] {
        guard tx.dbs.hasRelationDeletions else {
            if derivedDeletions == nil { derivedDeletions = try deriveDeletions() }
            return derivedDeletions?[slot] ?? []
        }
        let cursor = unsafe try tx.raw.openCursor(tx.dbs.relgone)
        defer { unsafe cursor.close() }
        var key = ByteWriter(capacity: 9)
        key.u64BE(slot >> 1)
        key.u8(UInt8(slot & 1))
        var start = ByteWriter(capacity: 16)
        start.u64BE(txn &+ 1)
        start.u64BE(0)
        var found: [UInt64] = []
        var entry = unsafe try key.bytes.withUnsafeBytes { k in
            unsafe try start.bytes.withUnsafeBytes { v in unsafe try cursor.get(MDB_GET_BOTH_RANGE, key: k, value: v) }
        }
        while let (_, value) = unsafe entry {
            guard value.count == 16 else { throw StorageError(.corrupted, "a relation deletion entry is damaged") }
            unsafe found.append(value.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            unsafe entry = unsafe try cursor.get(MDB_NEXT_DUP)
        }
        return found
    }

    /// Every relation deletion after `txn`, from the deletion entries of `relhist` (one pass).
    private func deriveDeletions() throws -> [UInt64: [UInt64]] {
        let cursor = unsafe try tx.raw.openCursor(tx.dbs.relhist)
        defer { unsafe cursor.close() }
        var result: [UInt64: [UInt64]] = [:]
        var entry = unsafe try cursor.get(MDB_FIRST)
        while let (key, value) = unsafe entry {
            guard key.count == KeyLayout.relationKeySize + 8 else {
                throw StorageError(.corrupted, "a relation history key is damaged")
            }
            if value.isEmpty, unsafe key.loadBE64(at: 18) > txn {
                let (from, type, to) = unsafe (key.loadBE64(at: 0), key.loadBE16(at: 8), key.loadBE64(at: 10))
                result[from << 1, default: []].append(KeyLayout.adjacencyValue(type: type, other: to))
                result[to << 1 | 1, default: []].append(KeyLayout.adjacencyValue(type: type, other: from))
            }
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
        return result
    }

    /// The transaction that created the current incarnation of relation `k`, or nil when it does not exist now.
    private func presentCreated(_ k: RelationKey) throws -> TransactionNumber? {
        try Self.presentCreated(tx, k)
    }

    /// Whether relation `k` existed at `txn`.
    private func existed(_ k: RelationKey) throws -> Bool { try Self.existed(tx, k, asOf: txn) }

    // MARK: - Reading the changes since

    private static func readDelta(_ tx: GraphTransaction, after txn: TransactionNumber, limit: Int) throws -> Delta? {
        let cursor = unsafe try tx.raw.openCursor(tx.dbs.txlog)
        defer { unsafe cursor.close() }
        var start = ByteWriter(capacity: 12)
        start.u64BE(txn &+ 1)
        start.u32BE(0)
        var delta = Delta()
        var relations = Set<RelationKey>()
        var seen = 0
        var entry = unsafe try start.bytes.withUnsafeBytes { k in unsafe try cursor.get(MDB_SET_RANGE, key: k) }
        while let (_, value) = unsafe entry {
            seen += 1
            if seen > limit { return nil }
            guard value.count >= 2, let op = unsafe LogOperation(rawValue: value[0]),
                let kind = unsafe LogEntity(rawValue: value[1])
            else { throw StorageError(.corrupted, "the transaction log is damaged") }
            switch kind {
            case .node where value.count == 10:
                let nid = unsafe value.loadBE64(at: 2)
                if delta.changedNodes.insert(nid) { delta.changedNodeList.append(nid) }
            case .nodeRun where value.count == 18 && op == .create:
                // CIs created with consecutive ids (a bulk import): each counts against the limit.
                let first = unsafe value.loadBE64(at: 2), count = unsafe value.loadBE64(at: 10)
                guard count >= 1, count <= KeyLayout.maxNodeID, first <= KeyLayout.maxNodeID - count else {
                    throw StorageError(.corrupted, "the transaction log is damaged")
                }
                if count > UInt64(limit - seen + 1) { return nil }
                seen += Int(count) - 1
                for nid in first..<(first + count) where delta.changedNodes.insert(nid) {
                    delta.changedNodeList.append(nid)
                }
            case .relation where value.count == 2 + KeyLayout.relationKeySize:
                // Updates change properties, not whether the relation exists: `relation(…asOf:)` reads those.
                if op != .update {
                    unsafe relations.insert(RelationKey(from: value.loadBE64(at: 2), type: value.loadBE16(at: 10), to: value.loadBE64(at: 12)))
                }
            default:
                throw StorageError(.corrupted, "the transaction log is damaged")
            }
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
        delta.changedNodeList.sort()
        for k in relations {
            let created = try presentCreated(tx, k)
            let isNew = created.map { $0 > txn } ?? false
            if isNew {
                delta.hidden.insert(k)
                _ = delta.hiddenEndpoints.insert(k.from)
                _ = delta.hiddenEndpoints.insert(k.to)
            }
            if created == nil || isNew, try existed(tx, k, asOf: txn) {
                delta.added[k.from << 1, default: []].append(KeyLayout.adjacencyValue(type: k.type, other: k.to))
                delta.added[k.to << 1 | 1, default: []].append(KeyLayout.adjacencyValue(type: k.type, other: k.from))
            }
        }
        return delta
    }

    private static func relationKeyBytes(_ k: RelationKey) -> [UInt8] {
        var key = ByteWriter(capacity: KeyLayout.relationKeySize)
        KeyLayout.relationKey(&key, from: k.from, type: k.type, to: k.to)
        return key.bytes
    }

    private static func presentCreated(_ tx: GraphTransaction, _ k: RelationKey) throws -> TransactionNumber? {
        guard let bytes = unsafe try tx.raw.get(tx.dbs.rels, relationKeyBytes(k)) else { return nil }
        return unsafe try relationHeader(bytes).created
    }

    private static func existed(_ tx: GraphTransaction, _ k: RelationKey, asOf txn: TransactionNumber) throws -> Bool {
        let key = relationKeyBytes(k)
        if let bytes = unsafe try tx.raw.get(tx.dbs.rels, key), unsafe try relationHeader(bytes).version <= txn {
            return true
        }
        var seek = ByteWriter(capacity: 26)
        seek.bytes.append(contentsOf: key)
        seek.u64BE(txn &+ 1)
        return try tx.earlierVersion(tx.dbs.relhist, seek: seek.bytes, prefixLength: KeyLayout.relationKeySize) != nil
    }

    private static func relationHeader(_ bytes: UnsafeRawBufferPointer) throws -> (version: TransactionNumber, created: TransactionNumber) {
        var r = unsafe ByteReader(bytes)
        guard unsafe try r.u8() == RecordCodec.format else { throw RecordCodec.unknownFormat }
        return unsafe (try r.varint(), try r.varint())
    }

    private static func header(_ record: NodeRecord) throws -> RecordCodec.NodeHeader {
        unsafe try record.bytes.withUnsafeBytes { raw in
            var r = unsafe ByteReader(raw)
            return unsafe try RecordCodec.decodeNodeHeader(&r)
        }
    }
}
