/// The compact binary encoding of node and relation records.
///
/// ```
/// node      [fmt u8 = 1][version varint][created varint][label id + 1 varint, 0 = none]
///           [external id: len varint, utf8][property count varint] { [key id varint][value] }
/// relation  [fmt u8 = 1][version varint][created varint][property count varint] { [key id varint][value] }
/// value     [tag u8] then: 1 false | 2 true | 3 int: zigzag varint | 4 float: 8 bytes LE bits
///           | 5 string: len varint, utf8 | 6 datetime: zigzag varint µs | 7 list: count varint, values
///           | 8 temporal: kind u8, then by kind: 1 date: day | 2 localtime: nanos | 3 time: nanos, offset
///             | 4 localdatetime: day, nanos | 5 datetime: day, nanos, offset, zone (len varint, utf8; 0 = none)
///             (day, nanos, offset: zigzag varints; day and nanos local)
///           | 9 duration: months, days, seconds: zigzag varints, nanos varint
/// ```
/// A UTC datetime with whole microseconds keeps tag 6, so databases written before tag 8 read the same and
/// such values are still written as before.
enum RecordCodec {
    static let format: UInt8 = 1

    static func encodeNode(
        _ w: inout ByteWriter, version: TransactionNumber, created: TransactionNumber, labelID: UInt32?,
        externalID: String, properties: Properties, keyID: (String) throws -> UInt32
    ) throws {
        w.u8(format)
        w.varint(version)
        w.varint(created)
        w.varint(labelID.map { UInt64($0) + 1 } ?? 0)
        w.string(externalID)
        try encodeProperties(&w, properties, of: "CI '\(externalID)'", keyID: keyID)
    }

    static func encodeRelation(
        _ w: inout ByteWriter, version: TransactionNumber, created: TransactionNumber, properties: Properties,
        keyID: (String) throws -> UInt32
    ) throws {
        w.u8(format)
        w.varint(version)
        w.varint(created)
        try encodeProperties(&w, properties, of: "a relation", keyID: keyID)
    }

    /// `owner` names the CI or relation in an error.
    private static func encodeProperties(
        _ w: inout ByteWriter, _ properties: Properties, of owner: @autoclosure () -> String,
        keyID: (String) throws -> UInt32
    ) throws {
        w.varint(UInt64(properties.count))
        for (key, value) in properties {
            if case .list = value, value.listNesting() > PropertyValue.maximumListNesting {
                throw StorageError(
                    .nestingTooDeep,
                    "\(owner()): attribute '\(key)' nests lists more than \(PropertyValue.maximumListNesting) deep; "
                        + "an attribute may nest them at most \(PropertyValue.maximumListNesting) deep")
            }
            w.varint(UInt64(try keyID(key)))
            encodeValue(&w, value)
        }
    }

    static func encodeValue(_ w: inout ByteWriter, _ value: PropertyValue) {
        switch value {
        case .bool(let b): w.u8(b ? 2 : 1)
        case .int(let i): w.u8(3); w.signedVarint(i)
        case .float(let d):
            w.u8(4)
            let bits = d.bitPattern
            for i in 0..<8 { w.u8(UInt8(truncatingIfNeeded: bits >> UInt64(8 * i))) }
        case .string(let s): w.u8(5); w.string(s)
        case .temporal(let t): encodeTemporal(&w, t)
        case .duration(let d):
            w.u8(9)
            w.signedVarint(d.months)
            w.signedVarint(d.days)
            w.signedVarint(d.seconds)
            w.varint(UInt64(d.nanos))
        case .list(let items):
            w.u8(7)
            w.varint(UInt64(items.count))
            for item in items { encodeValue(&w, item) }
        }
    }

    static func encodeTemporal(_ w: inout ByteWriter, _ t: TemporalValue) {
        if case .dateTime(_, let nanos, 0, nil) = t, nanos % 1000 == 0, let micros = t.epochMicros,
            TemporalValue.instant(micros: micros) == t
        {
            w.u8(6)
            w.signedVarint(micros)
            return
        }
        w.u8(8)
        switch t {
        case .date(let d): w.u8(1); w.signedVarint(d)
        case .localTime(let n): w.u8(2); w.signedVarint(n)
        case .time(let n, let o): w.u8(3); w.signedVarint(n); w.signedVarint(Int64(o))
        case .localDateTime(let d, let n): w.u8(4); w.signedVarint(d); w.signedVarint(n)
        case .dateTime(let d, let n, let o, let zone):
            w.u8(5)
            w.signedVarint(d)
            w.signedVarint(n)
            w.signedVarint(Int64(o))
            w.string(zone ?? "")
        }
    }

    static func decodeTemporal(_ r: inout ByteReader) throws -> TemporalValue {
        func offset() throws -> Int32 {
            let o = unsafe try r.signedVarint()
            guard o >= -18 * 3600, o <= 18 * 3600 else { throw unknownFormat }
            return Int32(o)
        }
        func nanos() throws -> Int64 {
            let n = unsafe try r.signedVarint()
            guard n >= 0, n < CivilCalendar.nanosPerDay else { throw unknownFormat }
            return n
        }
        func day() throws -> Int64 {
            let d = unsafe try r.signedVarint()
            guard TemporalValue.days.contains(d) else { throw unknownFormat }
            return d
        }
        switch unsafe try r.u8() {
        case 1: return .date(day: try day())
        case 2: return .localTime(nanos: try nanos())
        case 3: return .time(nanos: try nanos(), offset: try offset())
        case 4: return .localDateTime(day: try day(), nanos: try nanos())
        case 5:
            let d = try day(), n = try nanos(), o = try offset(), zone = unsafe try r.string()
            return .dateTime(day: d, nanos: n, offset: o, zone: zone.isEmpty ? nil : zone)
        default: throw unknownFormat
        }
    }

    /// The header of a node record, without decoding its properties.
    struct NodeHeader {
        var version: TransactionNumber
        var created: TransactionNumber
        var labelID: UInt32?
    }

    static func decodeNodeHeader(_ r: inout ByteReader) throws -> NodeHeader {
        guard unsafe try r.u8() == format else { throw unknownFormat }
        let version = unsafe try r.varint()
        let created = unsafe try r.varint()
        let label = unsafe try r.varint()
        return NodeHeader(
            version: version, created: created, labelID: label == 0 ? nil : UInt32(truncatingIfNeeded: label - 1))
    }

    static func decodeNode(_ bytes: UnsafeRawBufferPointer, nid: NodeID, names: borrowing NameTable)
        throws -> StoredNode
    {
        var r = unsafe ByteReader(bytes)
        let header = unsafe try decodeNodeHeader(&r)
        let externalID = unsafe try r.string()
        let label = try header.labelID.map { (id) in try names.name(id, .label) }
        let properties = unsafe try decodeProperties(&r, names: names)
        return StoredNode(
            nid: nid, externalID: externalID, label: label, properties: properties, version: header.version,
            created: header.created)
    }

    static func decodeRelation(
        _ bytes: UnsafeRawBufferPointer, from: NodeID, type: String, to: NodeID, names: borrowing NameTable
    ) throws -> StoredRelation {
        var r = unsafe ByteReader(bytes)
        guard unsafe try r.u8() == format else { throw unknownFormat }
        let version = unsafe try r.varint()
        let created = unsafe try r.varint()
        let properties = unsafe try decodeProperties(&r, names: names)
        return StoredRelation(
            from: from, type: type, to: to, properties: properties, version: version, created: created)
    }

    static func decodeProperties(_ r: inout ByteReader, names: borrowing NameTable) throws
        -> Properties
    {
        let count = unsafe try r.varint()
        guard unsafe count <= UInt64(r.base.count) else { throw unknownFormat }
        var properties = Properties()
        properties.reserveCapacity(Int(count))
        for _ in 0..<count {
            let key = unsafe try names.name(UInt32(truncatingIfNeeded: try r.varint()), .propertyKey)
            unsafe properties.appendUnchecked(key, try decodeValue(&r, depth: 0))
        }
        return properties
    }

    static func decodeValue(_ r: inout ByteReader, depth: Int) throws -> PropertyValue {
        switch unsafe try r.u8() {
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return unsafe .int(try r.signedVarint())
        case 4: return unsafe .float(Double(bitPattern: try r.u64LE()))
        case 5: return unsafe .string(try r.string())
        case 6: return unsafe .temporal(.instant(micros: try r.signedVarint()))
        case 8: return unsafe .temporal(try decodeTemporal(&r))
        case 9:
            let m = unsafe try r.signedVarint(), d = unsafe try r.signedVarint(), s = unsafe try r.signedVarint()
            let n = unsafe try r.varint()
            guard n < UInt64(CivilCalendar.nanosPerSecond),
                let duration = TemporalDuration(months: m, days: d, seconds: s, nanos: Int64(n))
            else { throw unknownFormat }
            return .duration(duration)
        case 7:
            guard depth < PropertyValue.maximumListNesting else { throw unknownFormat }
            let n = unsafe try r.varint()
            guard unsafe n <= UInt64(r.base.count) else { throw unknownFormat }
            var items: [PropertyValue] = []
            items.reserveCapacity(Int(n))
            for _ in 0..<n { unsafe items.append(try decodeValue(&r, depth: depth + 1)) }
            return .list(items)
        default: throw unknownFormat
        }
    }

    static var unknownFormat: StorageError {
        StorageError(.corrupted, "a database record has an unknown layout; the file is damaged or newer")
    }
}
