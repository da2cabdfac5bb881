import Testing
@testable import GraphStorage

struct RecordCodecTests {
    @Test("node records round-trip every value kind")
    func nodeRoundTrip() throws {
        var names = NameTable()
        var next: UInt32 = 0
        var ids: [String: UInt32] = [:]
        let props: Properties = [
            "name": .string("web01"), "cpu": .int(-42), "ratio": .float(0.1), "nan": .float(.nan),
            "ok": .bool(true), "off": .bool(false), "seen": .datetime(micros: 1_700_000_000_123_456),
            "tags": .list([.string("a"), .int(1), .list([.bool(true)])]), "big": .int(Int64.min),
        ]
        var w = ByteWriter()
        try RecordCodec.encodeNode(&w, version: 7, created: 3, labelID: 2, externalID: "vm-1", properties: props) { key in
            if let id = ids[key] { return id }
            ids[key] = next
            names.insert(key, id: next, .propertyKey)
            next += 1
            return next - 1
        }
        names.insert("A", id: 0, .label)
        names.insert("B", id: 1, .label)
        names.insert("Server", id: 2, .label)
        let node = try w.bytes.withUnsafeBytes { try RecordCodec.decodeNode($0, nid: 9, names: names) }
        #expect(node.externalID == "vm-1")
        #expect(node.label == "Server")
        #expect(node.version == 7 && node.created == 3 && node.nid == 9)
        #expect(node.properties == props)
        #expect(node.properties.map(\.key) == props.map(\.key), "property order is kept")
    }

    @Test("a truncated record is reported as damaged, not a crash")
    func truncated() throws {
        var w = ByteWriter()
        try RecordCodec.encodeNode(&w, version: 1, created: 1, labelID: nil, externalID: "x", properties: ["a": .string("long value")]) { _ in 0 }
        var names = NameTable()
        names.insert("a", id: 0, .propertyKey)
        for cut in 0..<w.bytes.count {
            let prefix = Array(w.bytes.prefix(cut))
            #expect(throws: StorageError.self) {
                _ = try prefix.withUnsafeBytes { try RecordCodec.decodeNode($0, nid: 1, names: names) }
            }
        }
    }

    @Test("varints and zigzag encode the extremes", arguments: [Int64.min, -1, 0, 1, 127, 128, Int64.max])
    func signedVarints(_ value: Int64) throws {
        var w = ByteWriter()
        w.signedVarint(value)
        var r = w.bytes.withUnsafeBytes { ByteReader($0) }
        let decoded = try w.bytes.withUnsafeBytes { buffer -> Int64 in
            r = ByteReader(buffer)
            return try r.signedVarint()
        }
        #expect(decoded == value)
    }

    @Test("indexed values sort like the values they encode")
    func orderedIndexEncoding() {
        func key(_ v: PropertyValue) -> [UInt8] {
            var w = ByteWriter()
            _ = KeyLayout.indexedValue(&w, v)
            return w.bytes
        }
        let ints: [Int64] = [Int64.min, -5, -1, 0, 1, 300, Int64.max]
        for (a, b) in zip(ints, ints.dropFirst()) { #expect(key(.int(a)).lexicographicallyPrecedes(key(.int(b)))) }
        let floats: [Double] = [-.infinity, -2.5, -0.5, 0, 0.25, 3, .infinity]
        for (a, b) in zip(floats, floats.dropFirst()) {
            #expect(key(.float(a)).lexicographicallyPrecedes(key(.float(b))))
        }
    }

    @Test("ISO-8601 date-times parse and print", arguments: [
        ("2026-11-22T02:00:00Z", "2026-11-22T02:00:00Z"),
        ("2026-11-22", "2026-11-22T00:00:00Z"),
        ("2026-11-22T02:00:00.5+01:00", "2026-11-22T01:00:00.5Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"),
    ])
    func dateTimes(_ input: String, _ expected: String) throws {
        let micros = try #require(ISODateTime.parse(input))
        #expect(ISODateTime.format(micros) == expected)
    }

    @Test("impossible date-times are rejected", arguments: ["2026-02-30", "2026-13-01", "2026-11-22T25:00:00Z", "yesterday", "2026-11-22T02:00:00Zjunk", ""])
    func badDateTimes(_ input: String) {
        #expect(ISODateTime.parse(input) == nil)
    }
}

/// Lists nested as deep as the reader reads are written; deeper ones are refused on write, so that no record is
/// ever stored that its reader would take for a damaged one.
struct ListNestingLimitTests {
    static func nested(_ depth: Int) -> PropertyValue {
        var v = PropertyValue.int(1)
        for _ in 0..<depth { v = .list([v]) }
        return v
    }

    @Test("a list nested to the limit is written and read back, node and relation")
    func atTheLimit() throws {
        let limit = PropertyValue.maximumListNesting
        #expect(limit == 64, "the reader of every database written so far reads 64 levels")
        let t = try TestStore()
        try t.store.write(TestStore.change) { (tx) throws in
            let a = try tx.upsertNode(externalID: "a", label: "X", properties: ["x": Self.nested(limit)]).nid
            let b = try tx.upsertNode(externalID: "b", label: "X", properties: [:]).nid
            _ = try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["y": Self.nested(limit)])
        }
        try t.store.read { (tx) throws in
            let a = try #require(try tx.node(externalID: "a"))
            #expect(a.properties["x"] == Self.nested(limit))
            let b = try #require(try tx.nodeID(forExternalID: "b"))
            #expect(try tx.relation(from: a.nid, type: "USES", to: b)?.properties["y"] == Self.nested(limit))
        }
    }

    @Test("a list nested one level deeper is refused on write, naming the attribute and the limit; nothing is written")
    func overTheLimit() throws {
        let limit = PropertyValue.maximumListNesting
        let t = try TestStore()
        let (a, b) = try t.store.write(TestStore.change) { (tx) throws in
            (try tx.upsertNode(externalID: "a", label: "X", properties: [:]).nid,
                try tx.upsertNode(externalID: "b", label: "X", properties: [:]).nid)
        }
        let writes: [(GraphTransaction) throws -> Void] = [
            { tx in _ = try tx.upsertNode(externalID: "c", label: "X", properties: ["ok": .int(1), "x": Self.nested(limit + 1)]) },
            { tx in _ = try tx.upsertNode(externalID: "a", label: "X", properties: ["x": .list([.int(2), Self.nested(limit)])]) },
            { tx in _ = try tx.upsertRelation(from: a, type: "USES", to: b, properties: ["x": Self.nested(limit + 1)]) },
        ]
        for write in writes {
            do {
                try t.store.write(TestStore.change) { tx in try write(tx) }
                Issue.record("a list nested \(limit + 1) deep was written")
            } catch let error as StorageError {
                #expect(error.code == .nestingTooDeep, "\(error)")
                #expect(error.message.contains("'x'") && error.message.contains("64"), "\(error.message)")
            }
        }
        try t.store.read { (tx) throws in
            #expect(try tx.node(externalID: "c") == nil)
            #expect(try tx.node(externalID: "a")?.properties.isEmpty == true)
            #expect(try tx.relation(from: a, type: "USES", to: b) == nil)
            #expect(try tx.changes().count == 1, "only the first write committed")
        }
    }
}
