import CLMDB
import Glibc

extension GraphTransaction {
    // MARK: - Nodes

    /// Creates the node with CI id `externalID`, or replaces its class and properties when it exists.
    ///
    /// The previous version is kept in the history. Writing what is already there changes nothing.
    @discardableResult
    public func upsertNode(externalID: String, label: String?, properties: Properties) throws -> NodeWrite {
        precondition(isWritable, "upsertNode on a read transaction")
        let idBytes = Array(externalID.utf8)
        guard !idBytes.isEmpty else { throw StorageError(.keyTooLong, "a CI id must not be empty") }
        guard idBytes.count <= 511 else {
            throw StorageError(.keyTooLong, "the CI id '\(externalID.prefix(40))…' is longer than 511 bytes")
        }
        let labelID = try label.map { (l) in try internedID(l, .label) }
        // A new CI's id goes in with the node id it would get, unless the id is there: one B-tree search, not a
        // lookup and then a put.
        let existingNID: NodeID?
        let candidate = try nextNodeID ?? (metaUInt64("next_nid") ?? 1)
        if candidate <= KeyLayout.maxNodeID {
            var be = candidate.bigEndian
            let stored = unsafe try idBytes.withUnsafeBytes { (k) in
                unsafe try withUnsafeBytes(of: &be) { (v) in
                    unsafe try raw.putIfAbsent(dbs.ids, k, v).map { (found) in
                        guard found.count == 8 else { throw StorageError(.corrupted, "a CI id entry is damaged") }
                        return unsafe found.loadBE64(at: 0)
                    }
                }
            }
            existingNID = stored
            if stored == nil { nextNodeID = candidate + 1 }
        } else {
            existingNID = try lookupNodeID(externalID)
        }
        var previous: (bytes: [UInt8], node: StoredNode)?
        if let nid = existingNID, let bytes = unsafe try raw.get(dbs.nodes, u64: nid) {
            let old = unsafe try RecordCodec.decodeNode(bytes, nid: nid, names: names)
            if old.label == label && old.properties == properties { return NodeWrite(nid: nid, outcome: .unchanged) }
            previous = unsafe (Array(bytes), old)
        }
        if previous == nil, let nid = existingNID, let write = try recreateNode(
            nid, label: label, labelID: labelID, externalID: externalID, properties: properties)
        {
            return write
        }
        // Written before in this transaction: one version per transaction, so the record is replaced in place.
        if let previous, previous.node.version == number {
            try rewriteNode(previous.node, previousBytes: previous.bytes, label: label, labelID: labelID,
                externalID: externalID, properties: properties)
            return NodeWrite(nid: previous.node.nid, outcome: .updated, previousLabel: previous.node.label,
                previousVersion: number)
        }
        let nid: NodeID
        let isFresh: Bool
        if let existingNID {
            nid = existingNID
            isFresh = false
        } else {
            // The id was put above with this node id; past the last node id there is none to give.
            guard candidate <= KeyLayout.maxNodeID else {
                throw StorageError(.constraint, "the database is full: too many CIs")
            }
            nid = candidate
            isFresh = true
        }
        scratch.removeAll()
        try RecordCodec.encodeNode(
            &scratch, version: number, created: previous?.node.created ?? number, labelID: labelID,
            externalID: externalID, properties: properties, keyID: { (k) in try internedID(k, .propertyKey) })
        var key = nid.bigEndian
        unsafe try withUnsafeBytes(of: &key) { (k) in
            unsafe try scratch.bytes.withUnsafeBytes { (v) in
                if isFresh { unsafe try append(dbs.nodes, k, v) } else { _ = unsafe try raw.put(dbs.nodes, k, v) }
            }
        }
        if let previous {
            try putHistory(nid: nid, version: previous.node.version, bytes: previous.bytes)
            if previous.node.label != label {
                try removeFromLabelIndex(nid, label: previous.node.label)
                try addToLabelIndex(nid, labelID: labelID, append: false)
            }
            adjustCount(label: previous.node.label, properties: previous.node.properties, by: -1)
            try updatePropertyIndex(nid, old: previous.node.properties, new: properties)
            try updateStatusIndex(nid, old: previous.node.properties, new: properties, append: false)
            record.nodesUpdated += 1
            updateLogSequences.nodes[nid] = try log(.update, .node, nodeKey: nid)
        } else {
            try addToLabelIndex(nid, labelID: labelID, append: isFresh)
            try updatePropertyIndex(nid, old: nil, new: properties)
            try updateStatusIndex(nid, old: nil, new: properties, append: isFresh)
            record.nodesCreated += 1
            try logCreated(nid)
        }
        adjustCount(label: label, properties: properties, by: 1)
        guard let previous else { return NodeWrite(nid: nid, outcome: .created) }
        return NodeWrite(nid: nid, outcome: .updated, previousLabel: previous.node.label,
            previousVersion: previous.node.version)
    }

    /// Deletes a node that has no relations; returns false when it does not exist.
    ///
    /// - Throws: when the node still has relations (delete them first).
    @discardableResult
    public func deleteNode(_ nid: NodeID) throws -> Bool {
        precondition(isWritable, "deleteNode on a read transaction")
        guard let bytes = unsafe try raw.get(dbs.nodes, u64: nid) else { return false }
        let old = unsafe try RecordCodec.decodeNode(bytes, nid: nid, names: names)
        let oldBytes = unsafe Array(bytes)
        if try hasRelations(nid) {
            throw StorageError(.constraint, "the CI '\(old.externalID)' still has relations; delete them first")
        }
        let createdHere = old.version == number && old.created == number
        if createdHere {
            // Created in this transaction: it was not there before and is not after, so no history and no log.
            try forgetNodeCreation(nid)
        } else {
            if old.version == number {
                // Changed earlier in this transaction: its committed version is in the history already, and the
                // deletion is what this transaction did to it.
                try forgetNodeUpdate(nid)
            } else {
                try putHistory(nid: nid, version: old.version, bytes: oldBytes)
            }
            try putHistory(nid: nid, version: number, bytes: [])
        }
        var key = nid.bigEndian
        _ = unsafe try withUnsafeBytes(of: &key) { (k) in unsafe try raw.delete(dbs.nodes, k) }
        try removeFromLabelIndex(nid, label: old.label)
        try updatePropertyIndex(nid, old: old.properties, new: nil)
        try updateStatusIndex(nid, old: old.properties, new: nil, append: false)
        adjustCount(label: old.label, properties: old.properties, by: -1)
        if !createdHere {
            record.nodesDeleted += 1
            updateLogSequences.deletedNodes[nid] = try log(.delete, .node, nodeKey: nid)
        }
        return true
    }

    func putHistory(nid: NodeID, version: TransactionNumber, bytes: [UInt8]) throws {
        var key = ByteWriter(capacity: 16)
        key.u64BE(nid)
        key.u64BE(version)
        unsafe try raw.put(dbs.hist, key.bytes, bytes)
    }

    func addToLabelIndex(_ nid: NodeID, labelID: UInt32?, append: Bool) throws {
        guard let labelID else { return }
        var k = labelID.bigEndian
        var v = nid.bigEndian
        unsafe try withUnsafeBytes(of: &k) { (kb) in
            unsafe try withUnsafeBytes(of: &v) { (vb) in
                _ = unsafe try raw.put(dbs.labels, kb, vb, flags: append ? MDB_APPENDDUP : 0)
            }
        }
    }

    func removeFromLabelIndex(_ nid: NodeID, label: String?) throws {
        guard let label, let labelID = names.id(label, .label) else { return }
        var k = labelID.bigEndian
        var v = nid.bigEndian
        unsafe try withUnsafeBytes(of: &k) { (kb) in
            unsafe try withUnsafeBytes(of: &v) { (vb) in _ = unsafe try raw.delete(dbs.labels, kb, value: vb) }
        }
    }

    /// Files `nid` in `bystatus` under its new status instead of its old one; `append` when `nid` is the largest
    /// node id yet (a new node), so it goes at the end of its status's list.
    func updateStatusIndex(_ nid: NodeID, old: Properties?, new: Properties?, append: Bool) throws {
        let before = KeyLayout.statusKey(old)
        let after = KeyLayout.statusKey(new)
        guard before != after else { return }
        var v = nid.bigEndian
        try unsafe withUnsafeBytes(of: &v) { (value) in
            if let before {
                unsafe try before.withUnsafeBytes { (k) in _ = unsafe try raw.delete(dbs.bystatus, k, value: value) }
            }
            if let after {
                unsafe try after.withUnsafeBytes { (k) in
                    _ = unsafe try raw.put(dbs.bystatus, k, value, flags: append ? MDB_APPENDDUP : 0)
                }
            }
        }
    }

    func adjustCount(label: String?, properties: Properties, by delta: Int) {
        let labelID = label.flatMap { names.id($0, .label) } ?? UInt32.max
        var status = ""
        if case .string(let s)? = properties["status"] { status = s }
        countDeltas[CountKey(label: labelID, status: status), default: 0] += delta
    }

    func updatePropertyIndex(_ nid: NodeID, old: Properties?, new: Properties?) throws {
        for (name, keyID) in try indexedKeys() {
            let before = old?[name]
            let after = new?[name]
            guard before != after else { continue }
            if let before { try indexEntry(nid, keyID: keyID, value: before, add: false) }
            if let after { try indexEntry(nid, keyID: keyID, value: after, add: true) }
        }
    }

    func indexEntry(_ nid: NodeID, keyID: UInt32, value: PropertyValue, add: Bool) throws {
        var w = ByteWriter()
        w.u32BE(keyID)
        guard KeyLayout.indexedValue(&w, value) else { return }
        var v = nid.bigEndian
        unsafe try w.bytes.withUnsafeBytes { (kb) in
            unsafe try withUnsafeBytes(of: &v) { (vb) in
                if add { _ = unsafe try raw.put(dbs.propidx, kb, vb) } else { _ = unsafe try raw.delete(dbs.propidx, kb, value: vb) }
            }
        }
    }

    /// Declares which property keys are indexed, and rebuilds the property index to match.
    public func setIndexedProperties(_ keys: [String]) throws {
        precondition(isWritable, "setIndexedProperties on a read transaction")
        let sorted = Array(Set(keys)).sorted()
        guard sorted != (try indexedPropertyNames()) else { return }
        try setMetadata("indexed_properties", Array(sorted.joined(separator: "\n").utf8))
        indexedKeyCache = nil
        unsafe try check(mdb_drop(raw.handle, dbs.propidx, 0), "mdb_drop")
        let keys = try indexedKeys()
        try forEachNode { node in
            for (name, keyID) in keys {
                if let value = node.properties[name] { try indexEntry(node.nid, keyID: keyID, value: value, add: true) }
            }
            return true
        }
    }

    // MARK: - Relations

    /// Creates the relation (from, type, to), or replaces its properties when it exists.
    @discardableResult
    public func upsertRelation(from: NodeID, type: String, to: NodeID, properties: Properties = Properties()) throws
        -> RelationWrite
    {
        precondition(isWritable, "upsertRelation on a read transaction")
        let typeID = UInt16(try internedID(type, .relationType))
        var key = ByteWriter(capacity: KeyLayout.relationKeySize)
        KeyLayout.relationKey(&key, from: from, type: typeID, to: to)
        // One B-tree search: a new relation is put (appended when it sorts last) without a lookup first; a relation
        // that is there comes back and is compared, and, when it changed, written again with its history.
        scratch.removeAll()
        try RecordCodec.encodeRelation(
            &scratch, version: number, created: number, properties: properties,
            keyID: { (k) in try internedID(k, .propertyKey) })
        if let bytes = unsafe try insertRelationRecord(key.bytes, (from, typeID, to), scratch.bytes) {
            let old = unsafe try RecordCodec.decodeRelation(bytes, from: from, type: type, to: to, names: names)
            if old.properties == properties { return RelationWrite(outcome: .unchanged) }
            if old.version == number {
                // Written before in this transaction: replaced in place (one version per transaction).
                try rewriteRelation(old, key: key.bytes, properties: properties)
                return RelationWrite(outcome: .updated, previousVersion: number)
            }
            let previousBytes = unsafe Array(bytes)
            scratch.removeAll()
            try RecordCodec.encodeRelation(
                &scratch, version: number, created: old.created, properties: properties,
                keyID: { (k) in try internedID(k, .propertyKey) })
            unsafe try raw.put(dbs.rels, key.bytes, scratch.bytes)
            try putRelationHistory(key.bytes, version: old.version, bytes: previousBytes)
            record.relationsUpdated += 1
            updateLogSequences.relations[key.bytes] = try log(.update, .relation, key: key.bytes)
            return RelationWrite(outcome: .updated, previousVersion: old.version)
        }
        pendingAdjacency.append(AdjacencyEntry(key: from << 1, value: KeyLayout.adjacencyValue(type: typeID, other: to)))
        pendingAdjacency.append(AdjacencyEntry(key: to << 1 | 1, value: KeyLayout.adjacencyValue(type: typeID, other: from)))
        if pendingAdjacency.count >= 1 << 22 { try flushAdjacency() }
        // Deleted earlier in this transaction: one version per transaction, so the net change, not a new relation.
        if !updateLogSequences.deletedRelations.isEmpty, let deletion = updateLogSequences.deletedRelations[key.bytes],
            let write = try recreateRelation(
                key: key.bytes, from: from, type: type, typeID: typeID, to: to, properties: properties, deletion: deletion)
        {
            return write
        }
        record.relationsCreated += 1
        rememberRelationCreation(key.bytes, sequence: try log(.create, .relation, key: key.bytes))
        return RelationWrite(outcome: .created)
    }

    /// Puts a new relation's record at `key` unless a relation is stored there; returns that one's record then.
    /// A key after every stored one is appended (a bulk load's relations mostly come in key order).
    private func insertRelationRecord(
        _ key: [UInt8], _ order: (from: NodeID, type: UInt16, to: NodeID), _ value: [UInt8]
    ) throws -> UnsafeRawBufferPointer? {
        if !isGreatestRelationKeyKnown {
            let cursor = unsafe try raw.openCursor(dbs.rels)
            defer { unsafe cursor.close() }
            if let (last, _) = unsafe try cursor.get(MDB_LAST) {
                guard last.count == KeyLayout.relationKeySize else {
                    throw StorageError(.corrupted, "a relation key is damaged")
                }
                greatestRelationKey = unsafe (last.loadBE64(at: 0), last.loadBE16(at: 8), last.loadBE64(at: 10))
            }
            isGreatestRelationKeyKnown = true
        }
        if let greatest = greatestRelationKey, !(order > greatest) {
            return unsafe try key.withUnsafeBytes { (k) in
                unsafe try value.withUnsafeBytes { (v) in unsafe try raw.putIfAbsent(dbs.rels, k, v) }
            }
        }
        unsafe try key.withUnsafeBytes { (k) in
            unsafe try value.withUnsafeBytes { (v) in unsafe try append(dbs.rels, k, v) }
        }
        greatestRelationKey = order
        return nil
    }

    /// Deletes the relation (from, type, to); returns false when it does not exist.
    @discardableResult
    public func deleteRelation(from: NodeID, type: String, to: NodeID) throws -> Bool {
        precondition(isWritable, "deleteRelation on a read transaction")
        guard let typeID32 = names.id(type, .relationType) else { return false }
        let typeID = UInt16(typeID32)
        var key = ByteWriter(capacity: KeyLayout.relationKeySize)
        KeyLayout.relationKey(&key, from: from, type: typeID, to: to)
        guard let bytes = unsafe try raw.get(dbs.rels, key.bytes) else { return false }
        let old = unsafe try RecordCodec.decodeRelation(bytes, from: from, type: type, to: to, names: names)
        let oldBytes = unsafe Array(bytes)
        try flushAdjacency()
        unsafe try raw.delete(dbs.rels, key.bytes)
        try deleteAdjacency(nid: from, direction: .outgoing, value: KeyLayout.adjacencyValue(type: typeID, other: to))
        try deleteAdjacency(nid: to, direction: .incoming, value: KeyLayout.adjacencyValue(type: typeID, other: from))
        if old.created == number {
            // Created in this transaction: it was not there before and is not after, so no history and no log.
            try forgetRelationCreation(key.bytes)
            return true
        }
        if old.version == number {
            try forgetRelationUpdate(key.bytes)
        } else {
            try putRelationHistory(key.bytes, version: old.version, bytes: oldBytes)
        }
        try putRelationHistory(key.bytes, version: number, bytes: [])
        try recordRelationDeletion(from: from, type: typeID, to: to)
        record.relationsDeleted += 1
        updateLogSequences.deletedRelations[key.bytes] = try log(.delete, .relation, key: key.bytes)
        return true
    }

    private func deleteAdjacency(nid: NodeID, direction: Direction, value: UInt64) throws {
        var k = ByteWriter(capacity: 9)
        k.u64BE(nid)
        k.u8(direction.rawValue)
        var v = value
        unsafe try k.bytes.withUnsafeBytes { (kb) in
            unsafe try withUnsafeBytes(of: &v) { (vb) in _ = unsafe try raw.delete(dbs.adj, kb, value: vb) }
        }
    }

    func putRelationHistory(_ relationKey: [UInt8], version: TransactionNumber, bytes: [UInt8])
        throws
    {
        var key = ByteWriter(capacity: 26)
        key.bytes.append(contentsOf: relationKey)
        key.u64BE(version)
        unsafe try raw.put(dbs.relhist, key.bytes, bytes)
    }

    /// Applies buffered adjacency entries in key order.
    func flushAdjacency() throws {
        guard !pendingAdjacency.isEmpty else { return }
        pendingAdjacency.sort()
        let cursor = unsafe try raw.openCursor(dbs.adj)
        defer { unsafe cursor.close() }
        var keyBytes = [UInt8](repeating: 0, count: 9)
        for entry in pendingAdjacency {
            let nid = entry.key >> 1
            for i in 0..<8 { keyBytes[i] = UInt8(truncatingIfNeeded: nid >> UInt64(56 - 8 * i)) }
            keyBytes[8] = UInt8(entry.key & 1)
            var v = entry.value
            _ = unsafe try keyBytes.withUnsafeBytes { (kb) in
                unsafe try withUnsafeBytes(of: &v) { (vb) in unsafe try cursor.put(kb, vb) }
            }
        }
        pendingAdjacency.removeAll(keepingCapacity: false)
    }

    // MARK: - Log and commit

    @discardableResult
    func log(_ op: LogOperation, _ entity: LogEntity, nodeKey: NodeID) throws -> UInt32 {
        var key = ByteWriter(capacity: 8)
        key.u64BE(nodeKey)
        return try log(op, entity, key: key.bytes)
    }

    /// Logs a created node, as part of a run when its id follows the previous created node's.
    private func logCreated(_ nid: NodeID) throws {
        if let run = pendingCreatedRun, run.first &+ run.count == nid {
            pendingCreatedRun = (run.first, run.count + 1)
            return
        }
        try flushCreatedRun()
        pendingCreatedRun = (nid, 1)
    }

    /// Logs the pending run of created nodes: a single node as before, more as one `nodeRun` entry.
    func flushCreatedRun() throws {
        guard let run = pendingCreatedRun else { return }
        pendingCreatedRun = nil
        let sequence: UInt32
        if run.count == 1 {
            sequence = try log(.create, .node, nodeKey: run.first)
        } else {
            var key = ByteWriter(capacity: 16)
            key.u64BE(run.first)
            key.u64BE(run.count)
            sequence = try log(.create, .nodeRun, key: key.bytes)
        }
        updateLogSequences.rememberCreated(first: run.first, count: run.count, sequence: sequence)
    }

    /// Appends an entry to this transaction's log; returns its sequence number.
    @discardableResult
    func log(_ op: LogOperation, _ entity: LogEntity, key entityKey: [UInt8]) throws -> UInt32 {
        // Entries keep the order of the writes: a pending run of created nodes goes first.
        if pendingCreatedRun != nil { try flushCreatedRun() }
        var key = ByteWriter(capacity: 12)
        key.u64BE(number)
        let sequence = logSequence
        key.u32BE(sequence)
        logSequence &+= 1
        var value = ByteWriter(capacity: 2 + entityKey.count)
        value.u8(op.rawValue)
        value.u8(entity.rawValue)
        value.bytes.append(contentsOf: entityKey)
        unsafe try key.bytes.withUnsafeBytes { k in unsafe try value.bytes.withUnsafeBytes { v in unsafe try append(dbs.txlog, k, v) } }
        return sequence
    }

    /// Writes what was buffered, the counts, the change record and the counters; called just before commit.
    func finish(_ info: ChangeInfo) throws {
        try flushCreatedRun()
        try flushAdjacency()
        for (key, delta) in countDeltas where delta != 0 {
            var k = ByteWriter()
            k.u32BE(key.label)
            k.raw(key.status)
            let current = unsafe try raw.get(dbs.counts, k.bytes).map { unsafe $0.count == 8 ? Int64(bitPattern: $0.loadBE64(at: 0)) : 0 } ?? 0
            let updated = current + Int64(delta)
            if updated <= 0 { unsafe try raw.delete(dbs.counts, k.bytes) }
            else { unsafe try raw.put(dbs.counts, k.bytes, withUnsafeBytes(of: UInt64(updated).bigEndian) { unsafe Array($0) }) }
        }
        if let nextNodeID { try setMetaUInt64("next_nid", nextNodeID) }
        var now = timespec()
        unsafe clock_gettime(CLOCK_REALTIME, &now)
        record.time = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000)
        record.info = info
        var key = ByteWriter(capacity: 8)
        key.u64BE(number)
        unsafe try raw.put(dbs.changes, key.bytes, ChangeRecordCodec.encode(record), flags: MDB_APPEND)
        try setMetaUInt64("last_txn", number)
    }
}
