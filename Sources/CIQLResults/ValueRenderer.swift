public import CIQLValues
import GraphStorage
import CIQLSyntax
import CMDB
public import JSONLines

/// Writes result values as the public JSON contract fixes them, and as text for tables and CSV.
///
/// JSON: nodes as the import object without `kind`, relations as `{"type","from","to","attrs"}`, paths as
/// `{"nodes","rels"}`, datetimes and durations as ISO-8601 strings, floats always with `.` or an exponent.
public struct ValueRenderer {
    public let graph: ResultGraph

    public init(graph: ResultGraph) { self.graph = graph }

    public func writeJSON(_ v: Value, to w: inout JSONWriter) throws {
        switch v {
        case .null: w.writeRaw("null")
        case .bool(let b): w.writeRaw(b ? "true" : "false")
        case .int(let i): w.writeInt(i)
        case .float(let d): w.writeDouble(d)
        case .string(let s): w.writeString(s)
        case .temporal(let t): w.writeString(t.fileText)
        case .duration(let d): w.writeString(d.description)
        case .list(let l):
            w.writeRaw("[")
            for (i, e) in l.enumerated() {
                if i > 0 { w.writeRaw(",") }
                try writeJSON(e, to: &w)
            }
            w.writeRaw("]")
        case .map(let m):
            w.writeRaw("{")
            for (i, e) in m.entries.enumerated() {
                if i > 0 { w.writeRaw(",") }
                w.writeString(e.key)
                w.writeRaw(":")
                try writeJSON(e.value, to: &w)
            }
            w.writeRaw("}")
        case .node(let nid):
            if let node = try graph.node(nid) {
                w.writeNode(node, includeKind: false)
            } else {
                w.writeRaw("null")
            }
        case .relationship(let r):
            let props = try graph.relation(r)?.properties ?? Properties()
            w.writeRelation(
                type: r.type, from: try graph.externalID(r.from), to: try graph.externalID(r.to), properties: props,
                includeKind: false)
        case .path(let p):
            w.writeRaw("{\"nodes\":")
            try writeJSON(.list(p.nodes.map(Value.node)), to: &w)
            w.writeRaw(",\"rels\":")
            try writeJSON(.list(p.relationships.map(Value.relationship)), to: &w)
            w.writeRaw("}")
        }
    }

    /// A value as one table cell or CSV field: strings bare, nodes as `(:Class {id: …, …})`.
    public func text(_ v: Value) throws -> String {
        switch v {
        case .null: return "null"
        case .string(let s): return s
        case .list(let l): return "[" + (try l.map(nested)).joined(separator: ", ") + "]"
        case .map(let m): return "{" + (try m.entries.map { "\($0.key): \(try nested($0.value))" }).joined(separator: ", ") + "}"
        case .node, .relationship, .path: return try nested(v)
        case .temporal(let t): return t.fileText
        default: return ValueText.plain(v)
        }
    }

    /// Inside lists and maps strings are quoted, so `['a, b']` and `['a', 'b']` differ.
    private func nested(_ v: Value) throws -> String {
        switch v {
        case .string(let s): return ValueText.quoted(s)
        case .temporal(let t): return ValueText.quoted(t.fileText)
        case .duration: return ValueText.quoted(ValueText.plain(v))
        case .node(let nid):
            guard let node = try graph.node(nid) else { return "(#\(nid) deleted)" }
            // A schemaless graph's node may hold a property called `id` (`{id: 5}`), which `n.id` reads: the map then
            // shows that one, and the CI's own id stands before it, as paths and relations show it: `(_1:P {id: 5})`.
            let ownID = node.properties["id"] == nil
            var parts = ownID ? ["id: " + ValueText.quoted(node.externalID)] : []
            for (k, p) in node.properties { parts.append(k + ": " + ValueText.literal(Value(p))) }
            let label = node.label.map { ":" + $0 } ?? ""
            let head = ownID ? label : node.externalID + label
            return "(" + head + (head.isEmpty ? "" : " ") + "{" + parts.joined(separator: ", ") + "})"
        case .relationship(let r):
            let props = try graph.relation(r)?.properties ?? Properties()
            let attrs = props.isEmpty ? "" : " {" + props.map { "\($0.key): \(ValueText.literal(Value($0.value)))" }.joined(separator: ", ") + "}"
            return "(\(try graph.externalID(r.from)))-[:\(r.type)\(attrs)]->(\(try graph.externalID(r.to)))"
        case .path(let p):
            guard let first = p.nodes.first else { return "<>" }
            var out = "(\(try graph.externalID(first)))"
            for (i, r) in p.relationships.enumerated() where i + 1 < p.nodes.count {
                let next = p.nodes[i + 1]
                out += r.from == p.nodes[i] ? "-[:\(r.type)]->" : "<-[:\(r.type)]-"
                out += "(\(try graph.externalID(next)))"
            }
            return out
        default: return try text(v)
        }
    }
}
