import GraphStorage
import JSONLines

/// Writes an audit run: scores, rules, violations, and what is new or fixed since the previous run.
///
/// JSON (the public contract): `{"run","at","scores":{"completeness","correctness","compliance","overall"},
/// "violations":[{"rule","category","severity","ci","message"}]}`.
public struct AuditReport {
    public var result: AuditResult

    public init(result: AuditResult) { self.result = result }

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

    private var at: String { ISODateTime.format(result.at / 1_000_000 * 1_000_000) }

    private var headline: String {
        let s = result.scores
        return "audit run \(result.run) at \(at): overall \(Markup.score(s.overall)) (completeness "
            + "\(Markup.score(s.completeness)), correctness \(Markup.score(s.correctness)), compliance "
            + "\(Markup.score(s.compliance)))"
    }

    private var counts: String {
        let bySeverity = Severity.allCases.reversed().map { s in
            "\(s.rawValue) \(result.violations.filter { $0.severity == s }.count)"
        }
        var text = "\(result.violations.count) violations (\(bySeverity.joined(separator: ", ")))"
        if let previous = result.previousRun {
            text += "; since run \(previous): \(result.new.count) new, \(result.fixed.count) fixed"
        } else {
            text += "; first run"
        }
        return text
    }

    private func ruleRows() -> [[String]] {
        result.outcomes.map { o in
            [o.rule, o.category.rawValue, o.severity.rawValue, String(o.checked), String(o.failing),
                o.score.map(Markup.score) ?? "—"]
        }
    }

    private static let ruleHeader = ["rule", "category", "severity", "checked", "failing", "score"]

    private func fixedText(_ k: ViolationKey) -> String {
        k.detail.isEmpty ? "" : " (\(k.detail))"
    }

    // MARK: - JSON

    private func writeJSON(_ out: ReportWriter) throws {
        var w = JSONWriter(capacity: 1 << 16)
        w.writeRaw("{\"run\":")
        w.writeInt(Int64(result.run))
        w.writeRaw(",\"at\":")
        w.writeString(at)
        w.writeRaw(",\"scores\":{")
        for c in AuditCategory.allCases {
            w.writeString(c.rawValue)
            w.writeRaw(":")
            w.writeDouble(result.scores[c])
            w.writeRaw(",")
        }
        w.writeRaw("\"overall\":")
        w.writeDouble(result.scores.overall)
        w.writeRaw("},\"violations\":[")
        for (i, v) in result.violations.enumerated() {
            w.writeRaw(i > 0 ? ",\n" : "\n")
            w.writeRaw("{\"rule\":")
            w.writeString(v.rule)
            w.writeRaw(",\"category\":")
            w.writeString(v.category.rawValue)
            w.writeRaw(",\"severity\":")
            w.writeString(v.severity.rawValue)
            w.writeRaw(",\"ci\":")
            w.writeString(v.ci)
            w.writeRaw(",\"message\":")
            w.writeString(v.message)
            w.writeRaw("}")
            if w.bytes.count >= 1 << 16 {
                try out.write(w)
                w.removeAll()
            }
        }
        w.writeRaw("\n]}\n")
        try out.write(w)
    }

    // MARK: - Text

    private func writeText(_ out: ReportWriter) throws {
        try out.write(headline + "\n" + counts + "\n\n")
        try out.write(TextColumns(rows: [Self.ruleHeader] + ruleRows()).rendered + "\n")
        if result.previousRun != nil {
            try out.write("new since run \(result.previousRun ?? 0): \(result.new.count)\n")
            for v in result.new { try out.write("  \(v.severity.rawValue) \(v.rule) \(v.ci): \(v.message)\n") }
            try out.write("fixed since run \(result.previousRun ?? 0): \(result.fixed.count)\n")
            for k in result.fixed { try out.write("  \(k.rule) \(k.ci)\(fixedText(k))\n") }
            try out.write("\n")
        }
        try out.write("violations: \(result.violations.count)\n")
        for v in result.violations {
            try out.write("  \(v.severity.rawValue) \(v.rule) \(v.ci): \(v.message)\n")
        }
    }

    // MARK: - Markdown

    private func writeMarkdown(_ out: ReportWriter) throws {
        try out.write("# CMDB audit, run \(result.run)\n\n\(Markup.cell(headline))\n\n\(counts)\n\n")
        try out.write("| category | score |\n|---|---:|\n")
        for c in AuditCategory.allCases { try out.write("| \(c.rawValue) | \(Markup.score(result.scores[c])) |\n") }
        try out.write("| **overall** | **\(Markup.score(result.scores.overall))** |\n\n## Rules\n\n")
        try out.write("| " + Self.ruleHeader.joined(separator: " | ") + " |\n|---|---|---|---:|---:|---:|\n")
        for row in ruleRows() { try out.write("| " + row.map(Markup.cell).joined(separator: " | ") + " |\n") }
        if let previous = result.previousRun {
            try out.write("\n## New since run \(previous) (\(result.new.count))\n\n")
            try writeMarkdownViolations(result.new, out)
            try out.write("\n## Fixed since run \(previous) (\(result.fixed.count))\n\n")
            if !result.fixed.isEmpty { try out.write("| rule | CI | detail |\n|---|---|---|\n") }
            for k in result.fixed {
                try out.write("| \(Markup.cell(k.rule)) | \(Markup.cell(k.ci)) | \(Markup.cell(k.detail)) |\n")
            }
        }
        try out.write("\n## Violations (\(result.violations.count))\n\n")
        try writeMarkdownViolations(result.violations, out)
    }

    private func writeMarkdownViolations(_ list: [Violation], _ out: ReportWriter) throws {
        guard !list.isEmpty else {
            try out.write("None.\n")
            return
        }
        try out.write("| severity | rule | category | CI | message |\n|---|---|---|---|---|\n")
        for v in list {
            try out.write("| \(v.severity.rawValue) | \(Markup.cell(v.rule)) | \(v.category.rawValue) | "
                + "\(Markup.cell(v.ci)) | \(Markup.cell(v.message)) |\n")
        }
    }

    // MARK: - HTML

    private func writeHTML(_ out: ReportWriter) throws {
        try out.write(htmlHead("cmdb audit run \(result.run)"))
        try out.write("<h1>CMDB audit, run \(result.run)</h1>\n<p>\(Markup.xml(headline))</p>\n"
            + "<p>\(Markup.xml(counts))</p>\n<table><thead><tr><th>category</th><th>score</th></tr></thead><tbody>\n")
        for c in AuditCategory.allCases {
            try out.write("<tr><td>\(c.rawValue)</td><td>\(Markup.score(result.scores[c]))</td></tr>\n")
        }
        try out.write("<tr><th>overall</th><th>\(Markup.score(result.scores.overall))</th></tr></tbody></table>\n"
            + "<h2>Rules</h2>\n<table><thead><tr>" + Self.ruleHeader.map { "<th>\($0)</th>" }.joined()
            + "</tr></thead><tbody>\n")
        for row in ruleRows() {
            try out.write("<tr>" + row.map { "<td>\(Markup.xml($0))</td>" }.joined() + "</tr>\n")
        }
        try out.write("</tbody></table>\n")
        if let previous = result.previousRun {
            try out.write("<h2>New since run \(previous) (\(result.new.count))</h2>\n")
            try writeHTMLViolations(result.new, out)
            try out.write("<h2>Fixed since run \(previous) (\(result.fixed.count))</h2>\n")
            if result.fixed.isEmpty {
                try out.write("<p>None.</p>\n")
            } else {
                try out.write("<table><thead><tr><th>rule</th><th>CI</th><th>detail</th></tr></thead><tbody>\n")
                for k in result.fixed {
                    try out.write("<tr><td>\(Markup.xml(k.rule))</td><td>\(Markup.xml(k.ci))</td>"
                        + "<td>\(Markup.xml(k.detail))</td></tr>\n")
                }
                try out.write("</tbody></table>\n")
            }
        }
        try out.write("<h2>Violations (\(result.violations.count))</h2>\n")
        try writeHTMLViolations(result.violations, out)
        try out.write("</body></html>\n")
    }

    private func writeHTMLViolations(_ list: [Violation], _ out: ReportWriter) throws {
        guard !list.isEmpty else {
            try out.write("<p>None.</p>\n")
            return
        }
        try out.write("<table><thead><tr><th>severity</th><th>rule</th><th>category</th><th>CI</th><th>message</th>"
            + "</tr></thead><tbody>\n")
        for v in list {
            let s = v.severity.rawValue
            try out.write("<tr><td class=\"\(s)\">\(s)</td><td>\(Markup.xml(v.rule))</td><td>\(v.category.rawValue)</td>"
                + "<td>\(Markup.xml(v.ci))</td><td>\(Markup.xml(v.message))</td></tr>\n")
        }
        try out.write("</tbody></table>\n")
    }

    // MARK: - JUnit

    /// One test suite per category; a passing test case per rule without violations, a failing one per violation.
    private func writeJUnit(_ out: ReportWriter) throws {
        let byRule = Dictionary(grouping: result.violations, by: \.rule)
        let passing = result.outcomes.filter { (byRule[$0.rule] ?? []).isEmpty }
        try out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cmdb audit run \(result.run)\" "
            + "tests=\"\(passing.count + result.violations.count)\" failures=\"\(result.violations.count)\">\n")
        for c in AuditCategory.allCases {
            let outcomes = result.outcomes.filter { $0.category == c }
            let violations = result.violations.filter { $0.category == c }
            let pass = outcomes.filter { (byRule[$0.rule] ?? []).isEmpty }
            try out.write("  <testsuite name=\"\(c.rawValue)\" tests=\"\(pass.count + violations.count)\" "
                + "failures=\"\(violations.count)\">\n")
            for o in pass {
                try out.write("    <testcase classname=\"audit.\(c.rawValue)\" name=\"\(Markup.xml(o.rule))\"/>\n")
            }
            for v in violations {
                let message = Markup.xml(v.message)
                try out.write("    <testcase classname=\"audit.\(c.rawValue).\(Markup.xml(v.rule))\" "
                    + "name=\"\(Markup.xml(v.ci))\"><failure type=\"\(v.severity.rawValue)\" message=\"\(message)\">"
                    + "\(Markup.xml(v.rule)) \(Markup.xml(v.ci)): \(message)</failure></testcase>\n")
            }
            try out.write("  </testsuite>\n")
        }
        try out.write("</testsuites>\n")
    }
}

/// Plain aligned columns; the first row is the header.
struct TextColumns {
    var rows: [[String]]

    var rendered: String {
        guard let header = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        var lines: [String] = []
        for (r, row) in rows.enumerated() {
            var line = ""
            for (i, cell) in row.enumerated() where i < widths.count {
                line += cell + String(repeating: " ", count: widths[i] - cell.count + 2)
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
            if r == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
