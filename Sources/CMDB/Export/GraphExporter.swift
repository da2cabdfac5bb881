public import GraphStorage
public import JSONLines
import ConfigurationSchema

/// Writes the whole CMDB out in one of the export formats, from one consistent snapshot.
public struct GraphExporter {
    public let database: ConfigurationDatabase

    public init(database: ConfigurationDatabase) { self.database = database }

    /// Writes every CI, then every relation, to `sink`; with `asOf`, as they were after that transaction.
    public func export(_ format: ExportFormat, to sink: OutputSink, asOf: TransactionNumber? = nil) throws {
        try database.store.read { tx in
            let tx = SnapshotView(tx: tx, asOf: asOf)
            switch format {
            case .jsonl: try exportJSONLines(tx, sink)
            case .graphml: try exportGraphML(tx, sink)
            case .dot: try exportDOT(tx, sink)
            }
        }
        try sink.flush()
    }

    private func exportJSONLines(_ tx: SnapshotView, _ sink: OutputSink) throws {
        var w = JSONWriter(capacity: 1 << 16)
        let schema = database.schema
        try tx.forEachNode { node in
            // A date the schema types `date` goes out as its ISO text, as it came in; other dates, times and
            // durations go out typed, so that import reads them back as what they are, not as strings.
            w.writeNode(node, includeKind: true) { key, value in
                guard let label = node.label, case .temporal(let t) = value,
                    let type = schema.attribute(key, of: label)?.type
                else { return false }
                return type.temporalValue(.string(t.fileText)) == value
            }
            w.writeRaw("\n")
            if w.bytes.count >= 1 << 16 { try sink.write(w.bytes); w.removeAll() }
            return true
        }
        var ids = ExternalIDCache(tx)
        try tx.forEachRelation { rel in
            w.writeRelation(type: rel.type, from: try ids[rel.from], to: try ids[rel.to], properties: rel.properties,
                includeKind: true)
            w.writeRaw("\n")
            if w.bytes.count >= 1 << 16 { try sink.write(w.bytes); w.removeAll() }
            return true
        }
        try sink.write(w.bytes)
    }

    private func exportGraphML(_ tx: SnapshotView, _ sink: OutputSink) throws {
        let keys = tx.tx.propertyKeyNames.filter { $0 != "name" && $0 != "status" }
        try sink.write("""
            <?xml version="1.0" encoding="UTF-8"?>
            <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
              <key id="class" for="node" attr.name="class" attr.type="string"/>
              <key id="name" for="node" attr.name="name" attr.type="string"/>
              <key id="status" for="node" attr.name="status" attr.type="string"/>
              <key id="type" for="edge" attr.name="type" attr.type="string"/>

            """)
        for (i, key) in keys.enumerated() {
            try sink.write("  <key id=\"a\(i)\" for=\"all\" attr.name=\"\(xmlEscaped(key))\" attr.type=\"string\"/>\n")
        }
        try sink.write("  <graph id=\"cmdb\" edgedefault=\"directed\">\n")
        var keyIndex: [String: Int] = [:]
        for (i, key) in keys.enumerated() { keyIndex[key] = i }
        func data(_ properties: Properties) -> String {
            var text = ""
            for (key, value) in properties {
                let id = key == "name" || key == "status" ? key : keyIndex[key].map { "a\($0)" } ?? key
                text += "      <data key=\"\(id)\">\(xmlEscaped(value.plainText))</data>\n"
            }
            return text
        }
        try tx.forEachNode { node in
            var text = "    <node id=\"\(xmlEscaped(node.externalID))\">\n"
            if let label = node.label { text += "      <data key=\"class\">\(xmlEscaped(label))</data>\n" }
            text += data(node.properties) + "    </node>\n"
            try sink.write(text)
            return true
        }
        var ids = ExternalIDCache(tx)
        try tx.forEachRelation { rel in
            var text = "    <edge source=\"\(xmlEscaped(try ids[rel.from]))\" target=\"\(xmlEscaped(try ids[rel.to]))\">\n"
            text += "      <data key=\"type\">\(xmlEscaped(rel.type))</data>\n" + data(rel.properties) + "    </edge>\n"
            try sink.write(text)
            return true
        }
        try sink.write("  </graph>\n</graphml>\n")
    }

    private func exportDOT(_ tx: SnapshotView, _ sink: OutputSink) throws {
        try sink.write("digraph cmdb {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n")
        try tx.forEachNode { node in
            var label = node.externalID
            if let l = node.label { label += "\n" + l }
            if case .string(let status)? = node.properties["status"], status != "live" { label += " (\(status))" }
            try sink.write("  \(dotQuoted(node.externalID)) [label=\(dotQuoted(label))];\n")
            return true
        }
        var ids = ExternalIDCache(tx)
        try tx.forEachRelation { rel in
            try sink.write("  \(dotQuoted(try ids[rel.from])) -> \(dotQuoted(try ids[rel.to])) [label=\(dotQuoted(rel.type))];\n")
            return true
        }
        try sink.write("}\n")
    }
}

/// Escapes text for XML content and attributes.
public func xmlEscaped(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default:
            // XML 1.0 forbids most control characters even when escaped.
            if c.value < 0x20 && c != "\n" && c != "\t" && c != "\r" { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
        }
    }
    return out
}

/// Quotes a Graphviz identifier or label.
public func dotQuoted(_ s: String) -> String {
    var out = "\""
    for c in s {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: out.append(c)
        }
    }
    return out + "\""
}

/// The graph now, or as it was after one transaction.
struct SnapshotView {
    let tx: GraphTransaction
    let asOf: TransactionNumber?

    func forEachNode(_ body: (StoredNode) throws -> Bool) throws {
        if let asOf { try tx.forEachNode(asOf: asOf, body) } else { try tx.forEachNode(body) }
    }

    func forEachRelation(_ body: (StoredRelation) throws -> Bool) throws {
        if let asOf { try tx.forEachRelation(asOf: asOf, body) } else { try tx.forEachRelation(body) }
    }

    func externalID(of nid: NodeID) throws -> String? {
        if let asOf { return try tx.node(nid, asOf: asOf)?.externalID }
        return try tx.externalID(of: nid)
    }
}

/// Looks up CI ids of node ids, remembering up to 100k of them (relations come grouped by their `from`, and
/// popular `to` ends such as hypervisors recur).
struct ExternalIDCache {
    let tx: SnapshotView
    private var recent: [NodeID: String] = [:]

    init(_ tx: SnapshotView) { self.tx = tx }

    subscript(nid: NodeID) -> String {
        mutating get throws {
            if let id = recent[nid] { return id }
            let id = try tx.externalID(of: nid) ?? "?"
            if recent.count > 100_000 { recent.removeAll(keepingCapacity: true) }
            recent[nid] = id
            return id
        }
    }
}
