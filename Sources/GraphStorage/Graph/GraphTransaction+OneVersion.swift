import CLMDB

// One version of a CI or relation per transaction: the history holds committed states only.
//
// The first write of a committed CI in a transaction files its committed record in `hist` under the version that
// wrote it, as ever. A later write in the same transaction replaces the current record in place, adding nothing
// to the history (the state in between was never committed); when it brings the CI back to its committed state,
// the committed record is put back as it was, its history entry and log entry are taken out, and the update is
// no longer counted: a transaction whose writes cancel out has no changes and commits nothing. A CI created in
// the transaction stays one created version, with its final state. Relations alike, in `rels` and `relhist`.

/// The log entries of updates and deletions of committed nodes and relations in one write transaction, and of
/// the last runs of created nodes logged.
struct UpdateLogSequences {
    var nodes: [NodeID: UInt32] = [:]
    /// By relation key (from, type, to).
    var relations: [[UInt8]: UInt32] = [:]
    var deletedNodes: [NodeID: UInt32] = [:]
    /// The deletions of committed relations, by relation key.
    var deletedRelations: [[UInt8]: UInt32] = [:]
    /// The creations of relations this transaction logged, by relation key: nil until a relation created here is
    /// deleted again and its entry is not among the last few logged (a bulk load never builds it).
    var createdRelations: [[UInt8]: UInt32]?
    /// The last few runs of created nodes logged (a node deleted again soon after its creation is mostly in one).
    private(set) var createdRuns: [(first: NodeID, count: UInt64, sequence: UInt32)] = []
    static let createdRunsKept = 64

    mutating func rememberCreated(first: NodeID, count: UInt64, sequence: UInt32) {
        if createdRuns.count >= Self.createdRunsKept { createdRuns.removeFirst(createdRuns.count / 2) }
        createdRuns.append((first, count, sequence))
    }

    mutating func replaceCreated(at index: Int, first: NodeID, count: UInt64) {
        if count == 0 { createdRuns.remove(at: index) } else { createdRuns[index] = (first, count, createdRuns[index].sequence) }
    }

    /// Follows log entry `value` from sequence `old` to `new` (one later): whatever refers to it there refers to
    /// it here.
    mutating func moveEntry(_ value: [UInt8], from old: UInt32, to new: UInt32) {
        guard value.count >= 2 else { return }
        let key = Array(value.dropFirst(2))
        if value[1] == LogEntity.node.rawValue && key.count == 8 {
            let nid = key.reduce(NodeID(0)) { $0 << 8 | NodeID($1) }
            if nodes[nid] == old { nodes[nid] = new }
            if deletedNodes[nid] == old { deletedNodes[nid] = new }
        } else if value[1] == LogEntity.relation.rawValue {
            if relations[key] == old { relations[key] = new }
            if deletedRelations[key] == old { deletedRelations[key] = new }
            if createdRelations?[key] == old { createdRelations?[key] = new }
        }
        for i in createdRuns.indices where createdRuns[i].sequence == old { createdRuns[i].sequence = new }
    }
}

extension GraphTransaction {
    /// Replaces `current`, a node this transaction wrote before, with the given class and properties.
    func rewriteNode(
        _ current: StoredNode, previousBytes: [UInt8], label: String?, labelID: UInt32?, externalID: String,
        properties: Properties
    ) throws {
        let nid = current.nid
        var key = nid.bigEndian
        let createdHere = current.created == number
        if !createdHere, let committed = try committedVersion(dbs.hist, prefix: withUnsafeBytes(of: &key) { Array($0) }),
            !committed.bytes.isEmpty,
            case let node = unsafe try committed.bytes.withUnsafeBytes({ (b) in
                unsafe try RecordCodec.decodeNode(b, nid: nid, names: names)
            }),
            node.label == label && node.properties == properties
        {
            // Back where the transaction found it: the committed record again, no history, no update.
            unsafe try withUnsafeBytes(of: &key) { (k) in
                unsafe try committed.bytes.withUnsafeBytes { (v) in _ = unsafe try raw.put(dbs.nodes, k, v) }
            }
            unsafe try raw.delete(dbs.hist, committed.key)
            try forgetNodeUpdate(nid)
        } else {
            scratch.removeAll()
            try RecordCodec.encodeNode(
                &scratch, version: number, created: current.created, labelID: labelID, externalID: externalID,
                properties: properties, keyID: { (k) in try internedID(k, .propertyKey) })
            unsafe try withUnsafeBytes(of: &key) { (k) in
                unsafe try scratch.bytes.withUnsafeBytes { (v) in _ = unsafe try raw.put(dbs.nodes, k, v) }
            }
        }
        if current.label != label {
            try removeFromLabelIndex(nid, label: current.label)
            try addToLabelIndex(nid, labelID: labelID, append: false)
        }
        adjustCount(label: current.label, properties: current.properties, by: -1)
        try updatePropertyIndex(nid, old: current.properties, new: properties)
        try updateStatusIndex(nid, old: current.properties, new: properties, append: false)
        adjustCount(label: label, properties: properties, by: 1)
    }

    /// Replaces `current`, a relation this transaction wrote before, with the given properties.
    func rewriteRelation(_ current: StoredRelation, key: [UInt8], properties: Properties) throws {
        if current.created != number, let committed = try committedVersion(dbs.relhist, prefix: key),
            !committed.bytes.isEmpty,
            case let relation = unsafe try committed.bytes.withUnsafeBytes({ (b) in
                unsafe try RecordCodec.decodeRelation(
                    b, from: current.from, type: current.type, to: current.to, names: names)
            }),
            relation.properties == properties
        {
            unsafe try raw.put(dbs.rels, key, committed.bytes)
            unsafe try raw.delete(dbs.relhist, committed.key)
            try forgetRelationUpdate(key)
            return
        }
        scratch.removeAll()
        try RecordCodec.encodeRelation(
            &scratch, version: number, created: current.created, properties: properties,
            keyID: { (k) in try internedID(k, .propertyKey) })
        unsafe try raw.put(dbs.rels, key, scratch.bytes)
    }

    /// Takes the update of committed node `nid` out of this transaction's log and counts, if it made one.
    func forgetNodeUpdate(_ nid: NodeID) throws {
        guard let sequence = updateLogSequences.nodes.removeValue(forKey: nid) else { return }
        try deleteLogEntry(sequence)
        record.nodesUpdated -= 1
    }

    /// Takes the update of the committed relation at `key` out of this transaction's log and counts.
    func forgetRelationUpdate(_ key: [UInt8]) throws {
        guard let sequence = updateLogSequences.relations.removeValue(forKey: key) else { return }
        try deleteLogEntry(sequence)
        record.relationsUpdated -= 1
    }

    /// Takes node `nid`, created in this transaction, out of its log and counts: it is being deleted again.
    /// A node in the middle of a run of created nodes logged already splits that entry in two.
    func forgetNodeCreation(_ nid: NodeID) throws {
        record.nodesCreated -= 1
        if let run = pendingCreatedRun, nid >= run.first, nid - run.first < run.count {
            let left = nid - run.first
            let right = run.count - left - 1
            pendingCreatedRun = left > 0 ? (run.first, left) : nil
            if right > 0 {
                try flushCreatedRun()
                pendingCreatedRun = (nid + 1, right)
            }
            return
        }
        guard let index = updateLogSequences.createdRuns.lastIndex(where: { nid >= $0.first && nid - $0.first < $0.count })
        else { return }
        let run = updateLogSequences.createdRuns[index]
        if run.count == 1 {
            try deleteLogEntry(run.sequence)
            updateLogSequences.replaceCreated(at: index, first: run.first, count: 0)
        } else if nid == run.first || nid == run.first + run.count - 1 {
            let first = nid == run.first ? run.first + 1 : run.first
            try putCreatedRun(at: run.sequence, first: first, count: run.count - 1)
            updateLogSequences.replaceCreated(at: index, first: first, count: run.count - 1)
        } else if try openLogSlot(after: run.sequence) {
            // In the middle: the run becomes two entries, the nodes before and the nodes after.
            let left = nid - run.first
            let right = run.count - left - 1
            try putCreatedRun(at: run.sequence, first: run.first, count: left)
            try putCreatedRun(at: run.sequence + 1, first: nid + 1, count: right)
            updateLogSequences.replaceCreated(at: index, first: run.first, count: left)
            updateLogSequences.rememberCreated(first: nid + 1, count: right, sequence: run.sequence + 1)
        }
    }

    /// Writes the log entry of a run of `count` created nodes from `first` at `sequence` (one node: a plain entry).
    private func putCreatedRun(at sequence: UInt32, first: NodeID, count: UInt64) throws {
        var key = ByteWriter(capacity: 12)
        key.u64BE(number)
        key.u32BE(sequence)
        var value = ByteWriter(capacity: 18)
        value.u8(LogOperation.create.rawValue)
        if count == 1 {
            value.u8(LogEntity.node.rawValue)
            value.u64BE(first)
        } else {
            value.u8(LogEntity.nodeRun.rawValue)
            value.u64BE(first)
            value.u64BE(count)
        }
        unsafe try raw.put(dbs.txlog, key.bytes, value.bytes)
    }

    /// The most log entries `openLogSlot` moves.
    static let logEntriesMovedAtMost = 256

    /// Frees sequence `sequence + 1` of this transaction's log for an entry that belongs right after entry
    /// `sequence`: the entries after it move one on, and what refers to them follows. False, changing nothing,
    /// when more than `logEntriesMovedAtMost` entries follow (a node deleted then stays in its run's entry, a
    /// create of a CI with no version, which every reader of the log passes over).
    private func openLogSlot(after sequence: UInt32) throws -> Bool {
        guard sequence < UInt32.max - 1, logSequence < UInt32.max else { return false }
        var moved: [(sequence: UInt32, value: [UInt8])] = []
        do {
            let cursor = unsafe try raw.openCursor(dbs.txlog)
            defer { unsafe cursor.close() }
            var start = ByteWriter(capacity: 12)
            start.u64BE(number)
            start.u32BE(sequence + 1)
            var entry = unsafe try start.bytes.withUnsafeBytes { (k) in unsafe try cursor.get(MDB_SET_RANGE, key: k) }
            while let (key, value) = unsafe entry, key.count == 12, unsafe key.loadBE64(at: 0) == number {
                if moved.count == Self.logEntriesMovedAtMost { return false }
                unsafe moved.append((key.loadBE32(at: 8), Array(value)))
                unsafe entry = unsafe try cursor.get(MDB_NEXT)
            }
        }
        guard moved.first?.sequence == sequence + 1 else {
            // The slot is free; when entry `sequence` is the last one, the next entry logged must still go after it.
            logSequence = max(logSequence, sequence + 2)
            return true
        }
        for entry in moved { try deleteLogEntry(entry.sequence) }
        // Last first: an entry refers to what the next one referred to before it moved on.
        for entry in moved.reversed() {
            var key = ByteWriter(capacity: 12)
            key.u64BE(number)
            key.u32BE(entry.sequence + 1)
            unsafe try raw.put(dbs.txlog, key.bytes, entry.value)
            updateLogSequences.moveEntry(entry.value, from: entry.sequence, to: entry.sequence + 1)
        }
        if let last = moved.last { logSequence = max(logSequence, last.sequence + 2) }
        return true
    }

    /// Creates node `nid` again when this transaction deleted it: as the update from its committed version (or
    /// that version itself, when the properties are the same), not a deletion and a creation. Nil when the node
    /// was not deleted in this transaction.
    func recreateNode(
        _ nid: NodeID, label: String?, labelID: UInt32?, externalID: String, properties: Properties
    ) throws -> NodeWrite? {
        var markerKey = ByteWriter(capacity: 16)
        markerKey.u64BE(nid)
        markerKey.u64BE(number)
        guard let marker = unsafe try raw.get(dbs.hist, markerKey.bytes), marker.isEmpty,
            let deletion = updateLogSequences.deletedNodes[nid]
        else { return nil }
        var key = nid.bigEndian
        guard let committed = try committedVersion(dbs.hist, prefix: withUnsafeBytes(of: &key) { Array($0) }),
            !committed.bytes.isEmpty
        else { return nil }
        let before = unsafe try committed.bytes.withUnsafeBytes { (b) in
            unsafe try RecordCodec.decodeNode(b, nid: nid, names: names)
        }
        updateLogSequences.deletedNodes[nid] = nil
        unsafe try raw.delete(dbs.hist, markerKey.bytes)
        try deleteLogEntry(deletion)
        record.nodesDeleted -= 1
        if before.label == label && before.properties == properties {
            unsafe try withUnsafeBytes(of: &key) { (k) in
                unsafe try committed.bytes.withUnsafeBytes { (v) in _ = unsafe try raw.put(dbs.nodes, k, v) }
            }
            unsafe try raw.delete(dbs.hist, committed.key)
        } else {
            scratch.removeAll()
            try RecordCodec.encodeNode(
                &scratch, version: number, created: before.created, labelID: labelID, externalID: externalID,
                properties: properties, keyID: { (k) in try internedID(k, .propertyKey) })
            unsafe try withUnsafeBytes(of: &key) { (k) in
                unsafe try scratch.bytes.withUnsafeBytes { (v) in _ = unsafe try raw.put(dbs.nodes, k, v) }
            }
            record.nodesUpdated += 1
            updateLogSequences.nodes[nid] = try log(.update, .node, nodeKey: nid)
        }
        try addToLabelIndex(nid, labelID: labelID, append: false)
        try updatePropertyIndex(nid, old: nil, new: properties)
        try updateStatusIndex(nid, old: nil, new: properties, append: false)
        adjustCount(label: label, properties: properties, by: 1)
        return NodeWrite(nid: nid, outcome: .created)
    }

    func deleteLogEntry(_ sequence: UInt32) throws {
        var key = ByteWriter(capacity: 12)
        key.u64BE(number)
        key.u32BE(sequence)
        unsafe try raw.delete(dbs.txlog, key.bytes)
    }

    /// The newest history entry under `prefix` (a node id or relation key) older than this transaction: the
    /// committed record a first write in this transaction filed there.
    func committedVersion(_ dbi: MDB_dbi, prefix: [UInt8]) throws -> (key: [UInt8], bytes: [UInt8])? {
        var seek = ByteWriter(capacity: prefix.count + 8)
        seek.bytes.append(contentsOf: prefix)
        seek.u64BE(number)
        let cursor = unsafe try raw.openCursor(dbi)
        defer { unsafe cursor.close() }
        let at = unsafe try seek.bytes.withUnsafeBytes { (k) in unsafe try cursor.get(MDB_SET_RANGE, key: k) }
        let entry = unsafe try at == nil ? cursor.get(MDB_LAST) : cursor.get(MDB_PREV)
        guard let (key, value) = unsafe entry, key.count == prefix.count + 8,
            unsafe key.prefix(prefix.count).elementsEqual(prefix), unsafe key.loadBE64(at: prefix.count) < number
        else { return nil }
        return unsafe (Array(key), Array(value))
    }
}
