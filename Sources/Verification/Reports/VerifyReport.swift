import GraphStorage
import JSONLines

/// Writes verify's findings, one section per discovery source.
///
/// JSON (the public contract) is an array with one object per source:
/// `{"source","matched","missing":[ids],"unregistered":[records],"drift":[{"id","attr","cmdb","discovered"}],
/// "ambiguous":[{"candidates","identified_by","record"}],"relations":{"missing":[…],"unregistered":[…]}}`.
/// A record is the import object without `kind` (with the `id` it was registered under after `--apply`); a relation
/// is `{"type","from","to"}`, an end being a CI id or, when discovery's end matched no single CI, the attributes it
/// was named by.
public struct VerifyReport {
    public var sources: [Reconciliation]

    public init(sources: [Reconciliation]) { self.sources = sources }

    public func write(_ format: ReportFormat, to out: ReportWriter) throws {
        switch format {
        case .json: try writeJSON(out)
        case .text: try writeText(out)
        case .markdown: try writeMarkdown(out)
        case .html: try writeHTML(out)
        case .junit: try writeJUnit(out)
        }
        try out.flush()
    }

    // MARK: - JSON

    private func writeJSON(_ out: ReportWriter) throws {
        try out.write("[")
        for (n, r) in sources.enumerated() {
            var w = JSONWriter(capacity: 4096)
            if n > 0 { w.writeRaw(",") }
            w.writeRaw("\n{\"source\":")
            w.writeString(r.source.name)
            w.writeRaw(",\"matched\":")
            w.writeInt(Int64(r.matched.count))
            w.writeRaw(",\"missing\":[")
            for (i, id) in r.missing.enumerated() {
                if i > 0 { w.writeRaw(",") }
                w.writeString(id)
            }
            w.writeRaw("],\"unregistered\":[")
            for (i, item) in r.unregistered.enumerated() {
                if i > 0 { w.writeRaw(",") }
                writeRecord(&w, item, id: r.registeredIDs[item.line])
                if w.bytes.count >= 1 << 16 {
                    try out.write(w)
                    w.removeAll()
                }
            }
            w.writeRaw("],\"drift\":[")
            for (i, d) in r.drift.enumerated() {
                if i > 0 { w.writeRaw(",") }
                w.writeRaw("{\"id\":")
                w.writeString(d.id)
                w.writeRaw(",\"attr\":")
                w.writeString(d.attribute)
                w.writeRaw(",\"cmdb\":")
                if let v = d.recorded { writeValue(&w, v) } else { w.writeRaw("null") }
                w.writeRaw(",\"discovered\":")
                writeValue(&w, d.discovered)
                w.writeRaw("}")
            }
            w.writeRaw("],\"ambiguous\":[")
            for (i, a) in r.ambiguous.enumerated() {
                if i > 0 { w.writeRaw(",") }
                w.writeRaw("{\"candidates\":[")
                for (j, id) in a.candidates.enumerated() {
                    if j > 0 { w.writeRaw(",") }
                    w.writeString(id)
                }
                w.writeRaw("],\"identified_by\":")
                writeProperties(&w, a.identifiedBy)
                w.writeRaw(",\"record\":")
                writeRecord(&w, a.item, id: nil)
                w.writeRaw("}")
            }
            w.writeRaw("],\"relations\":{\"missing\":[")
            for (i, rel) in r.missingRelations.enumerated() {
                if i > 0 { w.writeRaw(",") }
                w.writeRaw("{\"type\":")
                w.writeString(rel.type)
                w.writeRaw(",\"from\":")
                w.writeString(rel.from)
                w.writeRaw(",\"to\":")
                w.writeString(rel.to)
                w.writeRaw("}")
            }
            w.writeRaw("],\"unregistered\":[")
            for (i, rel) in r.unregisteredRelations.enumerated() {
                if i > 0 { w.writeRaw(",") }
                w.writeRaw("{\"type\":")
                w.writeString(rel.relation.type)
                w.writeRaw(",\"from\":")
                writeEnd(&w, rel.from)
                w.writeRaw(",\"to\":")
                writeEnd(&w, rel.to)
                w.writeRaw(",\"attrs\":")
                writeProperties(&w, rel.relation.properties)
                w.writeRaw("}")
            }
            w.writeRaw("]}}")
            try out.write(w)
        }
        try out.write("\n]\n")
    }

    private func writeRecord(_ w: inout JSONWriter, _ item: DiscoveredItem, id: String?) {
        w.writeRaw("{")
        if let id {
            w.writeRaw("\"id\":")
            w.writeString(id)
            w.writeRaw(",")
        }
        w.writeRaw("\"class\":")
        w.writeString(item.label)
        for key in ["name", "status"] {
            if let v = item.properties[key] {
                w.writeRaw(",")
                w.writeString(key)
                w.writeRaw(":")
                writeValue(&w, v)
            }
        }
        var attrs = item.properties
        attrs["name"] = nil
        attrs["status"] = nil
        w.writeRaw(",\"attrs\":")
        writeProperties(&w, attrs)
        w.writeRaw("}")
    }

    private func writeEnd(_ w: inout JSONWriter, _ end: RelationEndReference) {
        switch end {
        case .ci(let id): w.writeString(id)
        case .discovered(let e):
            var p = e.attributes
            if let label = e.label { p["class"] = .string(label) }
            writeProperties(&w, p)
        }
    }

    // MARK: - Text lines shared by the human formats

    /// (finding kind, severity, subject, detail) rows for one source.
    func rows(_ r: Reconciliation) -> [(kind: VerifyFinding, subject: String, detail: String)] {
        var rows: [(VerifyFinding, String, String)] = []
        for id in r.missing { rows.append((.missing, id, "in scope and \(kindText(r)), not seen by discovery")) }
        for item in r.unregistered {
            let registered = r.registeredIDs[item.line].map { "; registered as '\($0)'" } ?? ""
            rows.append((.unregistered, describe(item), "line \(item.line)\(registered)"))
        }
        for a in r.ambiguous {
            rows.append((.ambiguous, describe(a.item), "line \(a.item.line): matches \(a.candidates.joined(separator: ", "))"
                + " by \(plain(a.identifiedBy))"))
        }
        for d in r.drift {
            rows.append((.drift, d.id, "\(d.attribute): CMDB \(Markup.text(d.recorded)), discovered "
                + "\(Markup.text(d.discovered))\(r.isApplied ? " (corrected)" : "")"))
        }
        for rel in r.missingRelations {
            rows.append((.relationMissing, rel.from, "\(rel.type) → \(rel.to) recorded, not discovered"))
        }
        for rel in r.unregisteredRelations {
            rows.append((.relationUnregistered, endText(rel.from), "\(rel.relation.type) → \(endText(rel.to)) "
                + "discovered (line \(rel.relation.line))\(rel.isApplied ? "; registered" : "")"))
        }
        return rows
    }

    private func kindText(_ r: Reconciliation) -> String { "live or in maintenance" }

    private func describe(_ item: DiscoveredItem) -> String {
        let rules = item.properties.filter { $0.key != "name" && $0.key != "status" }.prefix(3)
        return "\(item.label) " + rules.map { "\($0.key)=\(Markup.text($0.value))" }.joined(separator: " ")
    }

    private func plain(_ p: Properties) -> String {
        p.map { "\($0.key)=\(Markup.text($0.value))" }.joined(separator: " ")
    }

    private func endText(_ end: RelationEndReference) -> String {
        switch end {
        case .ci(let id): id
        case .discovered(let e): "{" + plain(e.attributes) + "}"
        }
    }

    public func summary(_ r: Reconciliation) -> String {
        "\(r.matched.count) matched, \(r.missing.count) missing, \(r.unregistered.count) unregistered, "
            + "\(r.drift.count) drift, \(r.ambiguous.count) ambiguous, relations: \(r.missingRelations.count) missing, "
            + "\(r.unregisteredRelations.count) unregistered"
    }

    // MARK: - Text, Markdown, HTML, JUnit

    private func writeText(_ out: ReportWriter) throws {
        for r in sources {
            try out.write("source \(r.source.name) (\(r.source.file)): \(summary(r))\(r.isApplied ? "; applied" : "")\n")
            for row in rows(r) {
                try out.write("  \(row.kind.rawValue) [\(row.kind.severity.rawValue)] \(row.subject): \(row.detail)\n")
            }
        }
    }

    private func writeMarkdown(_ out: ReportWriter) throws {
        try out.write("# Verification against discovery\n\n")
        for r in sources {
            try out.write("## \(Markup.cell(r.source.name))\n\n`\(Markup.cell(r.source.file))`: \(summary(r))"
                + "\(r.isApplied ? " (applied)" : "")\n\n")
            let rows = rows(r)
            if rows.isEmpty {
                try out.write("No differences.\n\n")
                continue
            }
            try out.write("| finding | severity | CI or item | detail |\n|---|---|---|---|\n")
            for row in rows {
                try out.write("| \(row.kind.rawValue) | \(row.kind.severity.rawValue) | \(Markup.cell(row.subject)) | "
                    + "\(Markup.cell(row.detail)) |\n")
            }
            try out.write("\n")
        }
    }

    private func writeHTML(_ out: ReportWriter) throws {
        try out.write(htmlHead("cmdb verify"))
        try out.write("<h1>Verification against discovery</h1>\n")
        for r in sources {
            try out.write("<h2>\(Markup.xml(r.source.name))</h2>\n<p><code>\(Markup.xml(r.source.file))</code>: "
                + "\(Markup.xml(summary(r)))\(r.isApplied ? " (applied)" : "")</p>\n")
            let rows = rows(r)
            if rows.isEmpty {
                try out.write("<p>No differences.</p>\n")
                continue
            }
            try out.write("<table><thead><tr><th>finding</th><th>severity</th><th>CI or item</th><th>detail</th></tr>"
                + "</thead><tbody>\n")
            for row in rows {
                let s = row.kind.severity.rawValue
                try out.write("<tr><td>\(row.kind.rawValue)</td><td class=\"\(s)\">\(s)</td>"
                    + "<td>\(Markup.xml(row.subject))</td><td>\(Markup.xml(row.detail))</td></tr>\n")
            }
            try out.write("</tbody></table>\n")
        }
        try out.write("</body></html>\n")
    }

    private func writeJUnit(_ out: ReportWriter) throws {
        let total = sources.reduce(0) { $0 + $1.findingCount + 1 }
        let failures = sources.reduce(0) { $0 + $1.findingCount }
        try out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cmdb verify\" tests=\"\(total)\" "
            + "failures=\"\(failures)\">\n")
        for r in sources {
            let name = Markup.xml(r.source.name)
            try out.write("  <testsuite name=\"\(name)\" tests=\"\(r.findingCount + 1)\" failures=\"\(r.findingCount)\">\n")
            try out.write("    <testcase classname=\"verify.\(name)\" name=\"matched \(r.matched.count) CIs\"/>\n")
            for row in rows(r) {
                let subject = Markup.xml(row.subject)
                try out.write("    <testcase classname=\"verify.\(name).\(row.kind.rawValue)\" name=\"\(subject)\">"
                    + "<failure type=\"\(row.kind.severity.rawValue)\" message=\"\(Markup.xml(row.detail))\">"
                    + "\(row.kind.rawValue): \(subject): \(Markup.xml(row.detail))</failure></testcase>\n")
            }
            try out.write("  </testsuite>\n")
        }
        try out.write("</testsuites>\n")
    }
}
