/// Key layouts of the store's named databases. Integers are big-endian so byte order is numeric order.
///
/// ```
/// meta      utf8 name                                   → value bytes (format, counters, schema text)
/// names     [kind u8][utf8 name]                        → [id u32]
/// namesById [kind u8][id u32]                           → utf8 name
/// ids       utf8 external id                            → [nid u64]
/// nodes     [nid u64]                                   → node record (current version)
/// hist      [nid u64][txn u64]                          → earlier node record, or empty = deleted at txn
/// rels      [from u64][type u16][to u64]                → relation record (current version)
/// relhist   [from u64][type u16][to u64][txn u64]       → earlier relation record, or empty = deleted at txn
/// adj       [nid u64][dir u8]  (DUPSORT, DUPFIXED)      → [type u16][other nid u48]
/// relgone   [nid u64][dir u8]  (DUPSORT, DUPFIXED)      → [txn u64][type u16][other nid u48]: a relation of nid
///                                                         deleted at txn (format 2; nothing is written on create)
/// labels    [label u32]        (DUPSORT, DUPFIXED)      → [nid u64]
/// bystatus  utf8 status        (DUPSORT, DUPFIXED)      → [nid u64]: the live nodes whose `status` property is that
///                                                         string, up to maxIndexedValueBytes long (format 3)
/// propidx   [key u32][ordered value] (DUPSORT, DUPFIXED) → [nid u64]
/// counts    [label u32][utf8 status]                    → [count u64]
/// changes   [txn u64]                                   → change record
/// txlog     [txn u64][seq u32]                          → [op u8][entity u8][entity key], or for CIs created with
///                                                          consecutive ids: [create][nodeRun][first nid u64][count u64]
/// aux       [collection len u8][collection][key]        → value bytes (baselines, planned changes, audit runs)
/// ```
enum KeyLayout {
    static let relationKeySize = 18
    /// Node ids in adjacency values use 48 bits.
    static let maxNodeID: NodeID = (1 << 48) - 1
    static let maxIndexedValueBytes = 400

    static func nodeKey(_ nid: NodeID) -> UInt64 { nid.bigEndian }

    /// The key a node is filed under in `bystatus`: its `status` property when that is a non-empty string short
    /// enough to be a key; nil (not filed) otherwise.
    static func statusKey(_ properties: Properties?) -> [UInt8]? {
        guard case .string(let status)? = properties?["status"] else { return nil }
        return statusKey(utf8: Array(status.utf8))
    }

    static func statusKey(utf8 bytes: [UInt8]) -> [UInt8]? {
        bytes.isEmpty || bytes.count > maxIndexedValueBytes ? nil : bytes
    }

    static func relationKey(_ w: inout ByteWriter, from: NodeID, type: UInt16, to: NodeID) {
        w.u64BE(from)
        w.u16BE(type)
        w.u64BE(to)
    }

    /// An adjacency value: relation type in the top 16 bits, the other node below.
    @inline(__always) static func adjacencyValue(type: UInt16, other: NodeID) -> UInt64 {
        (UInt64(type) << 48 | (other & maxNodeID)).bigEndian
    }

    @inline(__always) static func decodeAdjacency(_ raw: UInt64) -> (type: UInt16, other: NodeID) {
        let v = UInt64(bigEndian: raw)
        return (UInt16(truncatingIfNeeded: v >> 48), v & maxNodeID)
    }

    /// The property index keys (`[key u32][ordered value]`) of every value CIQL's `=` holds equal to `value`: ints
    /// and floats are filed apart, and 0.0 apart from -0.0, so `2` is looked up as `2` and `2.0`, `-0.0` as `-0.0`,
    /// `0.0` and `0`. An int past 2^53 has no equal float (and a float with a fraction no equal int): one key. NaN
    /// equals nothing: no key. Nil when `value` cannot be indexed.
    static func indexKeys(keyID: UInt32, equalTo value: PropertyValue) -> [[UInt8]]? {
        var equal: [PropertyValue] = [value]
        switch value {
        case .int(let i):
            if let d = Double(exactly: i) { equal += d == 0 ? [.float(0.0), .float(-0.0)] : [.float(d)] }
        case .float(let d):
            if d.isNaN { return [] }
            if d == 0 { equal = [.float(0.0), .float(-0.0)] }
            if let i = Int64(exactly: d) { equal.append(.int(i)) }
        default: break
        }
        var keys: [[UInt8]] = []
        for v in equal {
            var w = ByteWriter()
            w.u32BE(keyID)
            guard indexedValue(&w, v) else { return nil }
            keys.append(w.bytes)
        }
        return keys
    }

    /// Appends an order-preserving encoding of `value` for the property index. Lists are not indexed.
    /// Returns false for values that cannot be indexed.
    static func indexedValue(_ w: inout ByteWriter, _ value: PropertyValue) -> Bool {
        switch value {
        case .bool(let b):
            w.u8(1)
            w.u8(b ? 1 : 0)
        case .int(let i):
            w.u8(2)
            w.u64BE(UInt64(bitPattern: i) ^ (1 << 63))
        case .float(let d):
            w.u8(3)
            let bits = d.bitPattern
            w.u64BE(d.sign == .minus ? ~bits : bits | (1 << 63))
        case .string(let s):
            w.u8(4)
            var s = s
            s.withUTF8 { unsafe w.bytes.append(contentsOf: $0.prefix(maxIndexedValueBytes)) }
        case .temporal(let t):
            // Datetimes by instant (CIQL's `=`), when whole microseconds; dates by day; other kinds not at all.
            switch t {
            case .dateTime(_, let nanos, _, _) where nanos % 1000 == 0:
                guard let micros = t.epochMicros else { return false }
                w.u8(5)
                w.u64BE(UInt64(bitPattern: micros) ^ (1 << 63))
            case .date(let day):
                w.u8(6)
                w.u64BE(UInt64(bitPattern: day) ^ (1 << 63))
            default: return false
            }
        case .list, .duration:
            return false
        }
        return true
    }
}

/// Kinds of interned names.
enum NameKind: UInt8, CaseIterable {
    case label = 1, relationType = 2, propertyKey = 3
}

/// Operations in the transaction log.
enum LogOperation: UInt8 {
    case create = 1, update = 2, delete = 3
}

/// Entities in the transaction log.
enum LogEntity: UInt8 {
    case node = 1, relation = 2
    /// Nodes created one after the other with consecutive ids (a bulk import): one entry instead of one per node.
    case nodeRun = 3
}
