public import GraphStorage
public import JSONLines

extension JSONWriter {
    /// Writes a stored value as JSON: date-times as ISO-8601 strings, lists as arrays.
    public mutating func write(_ value: PropertyValue) {
        switch value {
        case .bool(let b): writeRaw(b ? "true" : "false")
        case .int(let i): writeInt(i)
        case .float(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .temporal(let t): writeString(t.fileText)
        case .duration(let d): writeString(d.description)
        case .list(let items):
            writeRaw("[")
            for (i, item) in items.enumerated() {
                if i > 0 { writeRaw(",") }
                write(item)
            }
            writeRaw("]")
        }
    }

    /// Writes a node as the import object: `{"kind":"ci","id","class","name","status","attrs":{…}}`.
    public mutating func writeNode(_ node: StoredNode, includeKind: Bool) {
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
                write(value)
            }
        }
        writeRaw(",\"attrs\":{")
        var first = true
        for (key, value) in node.properties where key != "name" && key != "status" {
            if !first { writeRaw(",") }
            first = false
            writeString(key)
            writeRaw(":")
            write(value)
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
            write(value)
        }
        writeRaw("}}")
    }
}

extension PropertyValue {
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
