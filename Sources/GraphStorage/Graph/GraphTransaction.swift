import CLMDB
import Glibc

/// One transaction on the graph store, valid only inside the `read` or `write` closure that received it.
///
/// Not `Sendable`: LMDB transactions must not be shared between threads.
///
/// `@safe`: every LMDB access goes through `raw`, which traps once the closure has returned, and everything
/// read is copied out of the map before it is returned.
@safe
public final class GraphTransaction {
    let store: GraphStore
    private let handle: LMDBTransaction
    var names: NameTable
    /// The number this transaction commits as (0 for reads).
    public let number: TransactionNumber
    public let isWritable: Bool
    private(set) var isValid = true
    var isDiscarded = false

    /// What the write has done so far.
    public internal(set) var record: ChangeRecord
    var logSequence: UInt32 = 0
    /// Nodes created with consecutive ids and not logged yet: logged as one entry before the next entry or at commit.
    var pendingCreatedRun: (first: NodeID, count: UInt64)?
    var pendingAdjacency: [AdjacencyEntry] = []
    /// The greatest (from, type, to) in `rels` as this write knows it, once read (nil then: no relations): a new
    /// relation whose key sorts after it is appended. Deletions leave it as it was, which is still safe.
    var greatestRelationKey: (from: NodeID, type: UInt16, to: NodeID)?
    var isGreatestRelationKeyKnown = false
    var countDeltas: [CountKey: Int] = [:]
    /// The log entries of the updates of committed nodes and relations this write made, by what they updated:
    /// an update that a later write in the same transaction undoes is taken out of the log again.
    var updateLogSequences = UpdateLogSequences()
    var indexedKeyCache: [(name: String, id: UInt32)]?
    var nextNodeID: NodeID?
    var scratch = ByteWriter()
    /// Names interned lately, by a cheap slot of their length, first and last byte and kind: a bulk write asks for
    /// the same few property keys and classes on every record, and this spares hashing each (SipHash) in `names`.
    /// Ids never change once given, so a hit is always right. Empty until the first name is asked for (most reads
    /// never ask).
    var recentNames: [(name: String, kind: NameKind, id: UInt32)?] = []
    /// Cursors kept open for appends in a write transaction; LMDB frees them when the transaction ends.
    var appendCursors: [MDB_dbi: LMDBCursor] = unsafe [:]

    var dbs: GraphStore.Databases { store.dbs }

    init(store: GraphStore, handle: OpaquePointer, names: NameTable, number: TransactionNumber, isWritable: Bool) {
        self.store = store
        unsafe self.handle = unsafe LMDBTransaction(handle: handle)
        self.names = names
        self.number = number
        self.isWritable = isWritable
        self.record = ChangeRecord(transaction: number, time: 0, info: ChangeInfo(actor: "", changeReference: nil,
            origin: ""))
    }

    func invalidate() { isValid = false }

    /// The LMDB transaction; using it after the closure returned would touch freed LMDB memory, so that traps.
    var raw: LMDBTransaction {
        precondition(isValid, "a GraphTransaction was used after its read or write closure returned")
        return unsafe handle
    }

    /// Appends `value` at `key`, which must sort after every key in `dbi`, through a cursor kept at the end.
    func append(_ dbi: MDB_dbi, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws {
        let cursor: LMDBCursor
        if let c = unsafe appendCursors[dbi] {
            unsafe cursor = unsafe c
        } else {
            unsafe cursor = unsafe try raw.openCursor(dbi)
            unsafe appendCursors[dbi] = unsafe cursor
        }
        // A key that does not sort last throws (see `LMDBCursor.put`).
        unsafe try cursor.put(key, value, flags: MDB_APPEND)
    }

    /// Rolls the write back when the closure returns (for dry runs).
    public func discard() {
        precondition(isWritable, "discard() on a read transaction")
        isDiscarded = true
    }

    /// Reloads interned names when another process added some since this process last looked.
    func refreshNamesIfStale() throws {
        if unsafe try raw.entryCount(dbs.namesByID) != names.totalCount {
            names = unsafe try GraphStore.loadNames(raw, dbs)
            if !isWritable { store.publish(names) }
        }
    }

    // MARK: - Names

    /// All class names in use, in the order they were first written.
    public var labelNames: [String] { names.names(.label) }
    /// All relation type names in use.
    public var relationTypeNames: [String] { names.names(.relationType) }
    /// All property keys in use.
    public var propertyKeyNames: [String] { names.names(.propertyKey) }

    func nameID(_ name: String, _ kind: NameKind) -> UInt32? { names.id(name, kind) }

    /// The id of `name`, interning it when this is a write transaction.
    func internedID(_ name: String, _ kind: NameKind) throws -> UInt32 {
        let utf8 = name.utf8
        let slot = (utf8.count &* 31 &+ Int(utf8.first ?? 0) &* 7 &+ Int(utf8.last ?? 0) &+ Int(kind.rawValue)) & 63
        if recentNames.isEmpty { recentNames = Array(repeating: nil, count: 64) }
        if let recent = recentNames[slot], recent.kind == kind, recent.name == name { return recent.id }
        let id = try lookUpOrIntern(name, kind)
        recentNames[slot] = (name, kind, id)
        return id
    }

    private func lookUpOrIntern(_ name: String, _ kind: NameKind) throws -> UInt32 {
        if let id = names.id(name, kind) { return id }
        precondition(isWritable, "interning a name in a read transaction")
        if kind == .relationType && names.count(kind) >= Int(UInt16.max) {
            throw StorageError(.constraint, "too many relation types (65535 at most)")
        }
        var key = ByteWriter()
        key.u8(kind.rawValue)
        key.raw(name)
        if key.bytes.count > 511 { throw StorageError(.keyTooLong, "a name is longer than 510 bytes") }
        if let existing = unsafe try raw.get(dbs.names, key.bytes), existing.count == 4 {
            let id = unsafe existing.loadBE32(at: 0)
            names.insert(name, id: id, kind)
            return id
        }
        let id = UInt32(names.count(kind))
        unsafe try raw.put(dbs.names, key.bytes, withUnsafeBytes(of: id.bigEndian) { unsafe Array($0) })
        var byID = ByteWriter()
        byID.u8(kind.rawValue)
        byID.u32BE(id)
        unsafe try raw.put(dbs.namesByID, byID.bytes, Array(name.utf8))
        names.insert(name, id: id, kind)
        return id
    }

    // MARK: - Metadata

    /// A metadata value stored by an upper layer (schema text, settings).
    public func metadata(_ key: String) throws -> [UInt8]? {
        unsafe try raw.get(dbs.meta, Array(key.utf8)).map { unsafe Array($0) }
    }

    public func setMetadata(_ key: String, _ value: [UInt8]?) throws {
        precondition(isWritable, "setMetadata on a read transaction")
        if let value { unsafe try raw.put(dbs.meta, Array(key.utf8), value) } else { unsafe try raw.delete(dbs.meta, Array(key.utf8)) }
        metadataChanged = true
    }

    /// Set when metadata or an auxiliary collection changed: such a write is committed and recorded too.
    var metadataChanged = false

    /// Whether this write changed anything.
    public var hasChanges: Bool { metadataChanged || !record.isEmpty }

    func metaUInt64(_ key: String) throws -> UInt64? {
        guard let v = unsafe try raw.get(dbs.meta, Array(key.utf8)), v.count == 8 else { return nil }
        return unsafe v.loadBE64(at: 0)
    }

    func setMetaUInt64(_ key: String, _ value: UInt64) throws {
        unsafe try raw.put(dbs.meta, Array(key.utf8), withUnsafeBytes(of: value.bigEndian) { unsafe Array($0) })
    }

    /// The number of the last committed write transaction visible to this one.
    public var lastCommittedTransaction: TransactionNumber {
        get throws { try metaUInt64("last_txn") ?? 0 }
    }

    // MARK: - Auxiliary collections

    private func auxKey(_ collection: String, _ key: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        let name = Array(collection.utf8.prefix(255))
        w.u8(UInt8(name.count))
        w.bytes.append(contentsOf: name)
        w.bytes.append(contentsOf: key)
        return w.bytes
    }

    /// A value in a named collection kept for an upper layer (baselines, planned changes, audit runs).
    public func auxValue(_ collection: String, key: [UInt8]) throws -> [UInt8]? {
        unsafe try raw.get(dbs.aux, auxKey(collection, key)).map { unsafe Array($0) }
    }

    public func setAuxValue(_ collection: String, key: [UInt8], value: [UInt8]?) throws {
        precondition(isWritable, "setAuxValue on a read transaction")
        let k = auxKey(collection, key)
        if let value { unsafe try raw.put(dbs.aux, k, value) } else { unsafe try raw.delete(dbs.aux, k) }
        metadataChanged = true
    }

    /// Every (key, value) of a collection, in key order.
    public func auxEntries(_ collection: String) throws -> [(key: [UInt8], value: [UInt8])] {
        let prefix = auxKey(collection, [])
        let cursor = unsafe try raw.openCursor(dbs.aux)
        defer { unsafe cursor.close() }
        var result: [(key: [UInt8], value: [UInt8])] = []
        var entry = unsafe try prefix.withUnsafeBytes { (p) in unsafe try cursor.get(MDB_SET_RANGE, key: p) }
        while let (k, v) = unsafe entry, k.count >= prefix.count, unsafe k.prefix(prefix.count).elementsEqual(prefix) {
            unsafe result.append((Array(k.dropFirst(prefix.count)), Array(v)))
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
        return result
    }
}

/// A buffered adjacency write: sorted before it is applied so LMDB mostly stays on the cursor's page.
struct AdjacencyEntry: Comparable {
    /// `nid << 1 | direction`
    var key: UInt64
    var value: UInt64

    static func < (a: AdjacencyEntry, b: AdjacencyEntry) -> Bool {
        a.key != b.key ? a.key < b.key : UInt64(bigEndian: a.value) < UInt64(bigEndian: b.value)
    }
}

/// A (class, status) pair whose count a transaction changes. Statuses compare by code point, as the count store
/// keys them (`'caf\u{e9}'` and `'cafe\u{301}'` are two statuses, not one).
struct CountKey: Hashable {
    var label: UInt32
    var status: String

    static func == (a: CountKey, b: CountKey) -> Bool {
        a.label == b.label && a.status.hasSameCodePoints(as: b.status)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(label)
        status.hashCodePoints(into: &hasher)
    }
}
