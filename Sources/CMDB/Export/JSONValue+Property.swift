public import GraphStorage
public import JSONLines

extension JSONWriter {
    /// Writes a stored value as JSON: date-times as ISO-8601 strings, lists as arrays. With `typed`, as an import
    /// file carries it: a date, time or duration as `{"date":"2027-01-31"}` (its type as the schema spells it,
    /// then its ISO 8601 text), which import reads back as the same value rather than as a string.
    public mutating func write(_ value: PropertyValue, typed: Bool = false) {
        switch value {
        case .bool(let b): writeRaw(b ? "true" : "false")
        case .int(let i): writeInt(i)
        case .float(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .temporal(let t): typed ? writeTyped(t.schemaTypeName, t.fileText) : writeString(t.fileText)
        case .duration(let d): typed ? writeTyped(TemporalTypeTag.duration, d.description) : writeString(d.description)
        case .list(let items):
            writeRaw("[")
            for (i, item) in items.enumerated() {
                if i > 0 { writeRaw(",") }
                write(item, typed: typed)
            }
            writeRaw("]")
        }
    }

    private mutating func writeTyped(_ type: String, _ text: String) {
        writeRaw("{")
        writeString(type)
        writeRaw(":")
        writeString(text)
        writeRaw("}")
    }

    /// Writes a node as the import object: `{"kind":"ci","id","class","name","status","attrs":{…}}`. With
    /// `includeKind` (a file for import), dates, times and durations are written typed (`write(_:typed:)`),
    /// except where `readsBackAsText(key, value)` says the attribute's schema type reads the ISO text back as the
    /// same value; without it (JSON output), as ISO strings.
    public mutating func writeNode(
        _ node: StoredNode, includeKind: Bool, readsBackAsText: ((String, PropertyValue) -> Bool)? = nil
    ) {
        func writeAttribute(_ key: String, _ v: PropertyValue) {
            write(v, typed: includeKind && v.isTemporalOrDuration && readsBackAsText?(key, v) != true)
        }
        writeRaw(includeKind ? "{\"kind\":\"ci\",\"id\":" : "{\"id\":")
        writeString(node.externalID)
        if let label = node.label {
            writeRaw(",\"class\":")
            writeString(label)
        }
        for key in ["name", "status"] {
            if let value = node.properties[key] {
                writeRaw(",\"")
                writeRaw(key)
                writeRaw("\":")
                write(value)  // import takes name and status as strings
            }
        }
        writeRaw(",\"attrs\":{")
        var first = true
        for (key, value) in node.properties where key != "name" && key != "status" {
            if !first { writeRaw(",") }
            first = false
            writeString(key)
            writeRaw(":")
            writeAttribute(key, value)
        }
        writeRaw("}}")
    }

    /// Writes a relation as the import object: `{"kind":"rel","type","from","to","attrs":{…}}`.
    public mutating func writeRelation(type: String, from: String, to: String, properties: Properties, includeKind: Bool) {
        writeRaw(includeKind ? "{\"kind\":\"rel\",\"type\":" : "{\"type\":")
        writeString(type)
        writeRaw(",\"from\":")
        writeString(from)
        writeRaw(",\"to\":")
        writeString(to)
        writeRaw(",\"attrs\":{")
        for (i, (key, value)) in properties.enumerated() {
            if i > 0 { writeRaw(",") }
            writeString(key)
            writeRaw(":")
            write(value, typed: includeKind)
        }
        writeRaw("}}")
    }
}

/// The names `write(_:typed:)` gives the temporal types in import files: the schema's type names, and
/// `duration`.
public enum TemporalTypeTag {
    public static let duration = "duration"
    public static let all = ["date", "localtime", "time", "localdatetime", "datetime", duration]
}

extension PropertyValue {
    /// Whether the value is a date, a time or a duration (or a list holding one).
    var isTemporalOrDuration: Bool {
        switch self {
        case .temporal, .duration: true
        case .list(let items): items.contains { $0.isTemporalOrDuration }
        default: false
        }
    }

    /// The value as plain text (for GraphML and DOT).
    public var plainText: String {
        switch self {
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d):
            var w = JSONWriter(capacity: 32)
            w.writeDouble(d)
            return String(decoding: w.bytes, as: UTF8.self)
        case .string(let s): return s
        case .temporal(let t): return t.fileText
        case .duration(let d): return d.description
        case .list:
            var w = JSONWriter(capacity: 64)
            w.write(self)
            return String(decoding: w.bytes, as: UTF8.self)
        }
    }
}
