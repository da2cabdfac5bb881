extension ImpactReport {
    /// Fill colours by level, shared by the DOT and Mermaid graphs.
    static let targetColour = "#616161", downColour = "#d32f2f", degradedColour = "#ffa000"

    /// A Graphviz graph of the impact: targets grey, down red, degraded amber; an arrow from each CI to those
    /// it impacts along the explaining paths. `cmdb impact … --format dot | dot -Tsvg > impact.svg`.
    public func renderDOT(_ write: (String) throws -> Void) throws {
        var out = "digraph impact {\n  rankdir=LR;\n"
        out += "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n"
        out += "  edge [color=\"#757575\"];\n"
        for t in targets {
            out += "  \(Self.dotQuoted(t.id)) [label=\(Self.dotQuoted("\(t.id)\n\(t.label ?? "")\ntarget"))"
            out += ", fillcolor=\"\(Self.targetColour)\", fontcolor=\"white\"];\n"
        }
        for entry in impacted {
            let down = entry.level == .down
            out += "  \(Self.dotQuoted(entry.item.id)) [label="
            out += Self.dotQuoted("\(entry.item.id)\n\(entry.item.label ?? "")\n\(entry.level.rawValue)")
            out += ", fillcolor=\"\(down ? Self.downColour : Self.degradedColour)\""
            out += down ? ", fontcolor=\"white\"];\n" : ", fontcolor=\"black\"];\n"
            if out.utf8.count >= 1 << 16 {
                try write(out)
                out = ""
            }
        }
        for entry in impacted where entry.path.count >= 2 {
            out += "  \(Self.dotQuoted(entry.path[entry.path.count - 2])) -> \(Self.dotQuoted(entry.item.id));\n"
            if out.utf8.count >= 1 << 16 {
                try write(out)
                out = ""
            }
        }
        out += "}\n"
        try write(out)
    }

    /// A Mermaid flowchart of the impact, coloured as the DOT graph; paste it into Markdown that renders Mermaid.
    public func renderMermaid(_ write: (String) throws -> Void) throws {
        var out = "flowchart LR\n"
        // Keyed by code point (UTF-8 bytes): canonically equivalent ids are two CIs, two nodes.
        var names: [[UInt8]: String] = [:]
        func name(_ id: String) -> String {
            if let n = names[Array(id.utf8)] { return n }
            let n = "n\(names.count)"
            names[Array(id.utf8)] = n
            return n
        }
        for t in targets {
            out += "  \(name(t.id))[\"\(Self.mermaidText(t.id))<br/>\(Self.mermaidText(t.label ?? ""))<br/>target\"]:::target\n"
        }
        for entry in impacted {
            out += "  \(name(entry.item.id))[\"\(Self.mermaidText(entry.item.id))<br/>"
            out += "\(Self.mermaidText(entry.item.label ?? ""))<br/>\(entry.level.rawValue)\"]:::\(entry.level.rawValue)\n"
        }
        for entry in impacted where entry.path.count >= 2 {
            out += "  \(name(entry.path[entry.path.count - 2])) --> \(name(entry.item.id))\n"
            if out.utf8.count >= 1 << 16 {
                try write(out)
                out = ""
            }
        }
        out += "  classDef target fill:\(Self.targetColour),color:#fff\n"
        out += "  classDef down fill:\(Self.downColour),color:#fff\n"
        out += "  classDef degraded fill:\(Self.degradedColour),color:#000\n"
        try write(out)
    }

    static func dotQuoted(_ s: String) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out + "\""
    }

    /// Text inside a quoted Mermaid label: quotes and angle brackets as entities.
    static func mermaidText(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            default: out.append(ch)
            }
        }
        return out
    }
}
