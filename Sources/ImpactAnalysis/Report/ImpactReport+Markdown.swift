import Foundation
import JSONLines

extension ImpactReport {
    /// A Markdown report for the change advisory board: summary, targets, affected business services by
    /// criticality with their SLAs, owners to notify, risk (and how it is computed), the window check,
    /// collisions with other planned changes, and every impacted CI with its path.
    public func renderMarkdown(title: String?, _ write: (String) throws -> Void) throws {
        let down = impacted.reduce(0) { $0 + ($1.level == .down ? 1 : 0) }
        var out = "# \(title.map(Self.cell) ?? "Impact analysis"): \(targets.map { Self.code($0.id) }.joined(separator: ", "))\n\n"
        out += "| | |\n|---|---|\n"
        out += "| Targets | \(targets.count) CI\(targets.count == 1 ? "" : "s") |\n"
        out += "| Impacted | \(impacted.count) CIs: \(down) down, \(impacted.count - down) degraded"
        out += (depth.map { " (within \($0) steps)" } ?? "") + " |\n"
        let servicesDown = services.filter { $0.level == .down }.count
        out += "| Business services | \(services.count) (\(servicesDown) down) |\n"
        out += "| Risk | **\(risk.score) — \(risk.band)** |\n"
        if let window {
            out += "| Window | \(Self.cell(window.formatted(in: timeZone) + plannedWindowNote)): "
            out += windowFindings.isEmpty ? "inside every affected maintenance window |\n"
                : "\(windowFindings.count) service\(windowFindings.count == 1 ? "" : "s") not confirmed inside |\n"
            out += "| Collisions | \(collisions.isEmpty ? "none" : collisions.map(\.change.reference).joined(separator: ", ")) |\n"
        } else {
            out += "| Window | not given\(Self.cell(unplannedNote)): no maintenance-window or collision check |\n"
        }

        out += "\n## Targets\n\n| CI | class | name | status | owner | criticality |\n|---|---|---|---|---|---|\n"
        for t in targets {
            out += "| \(Self.code(t.id)) | \(Self.cell(t.label ?? "")) | \(Self.cell(t.name ?? "")) | "
            out += "\(Self.cell(t.status ?? "")) | \(Self.cell(t.owner ?? "")) | \(t.criticality.map(String.init) ?? "") |\n"
        }
        if !inactiveTargets.isEmpty {
            out += "\nWithdrawn or disposed targets take nothing down: \(inactiveTargets.map { Self.code($0) }.joined(separator: ", ")).\n"
        }

        out += "\n## Impacted business services\n\n"
        if services.isEmpty {
            out += "None.\n"
        } else {
            out += "| service | name | level | criticality | SLA | maintenance window | owner |\n"
            out += "|---|---|---|---|---|---|---|\n"
            for s in services {
                out += "| \(Self.code(s.item.id)) | \(Self.cell(s.item.name ?? "")) | \(s.level.rawValue)"
                out += s.isTarget ? " (target)" : ""
                out += " | \(s.item.criticality.map(String.init) ?? "unset") | \(Self.cell(s.sla ?? "")) | "
                out += "\(Self.cell(s.maintenanceWindow ?? "")) | \(Self.cell(s.item.owner ?? "")) |\n"
            }
        }

        out += "\n## Owners to notify\n\n"
        if owners.isEmpty {
            out += "None recorded.\n"
        } else {
            out += "| owner | targets | down | degraded |\n|---|---:|---:|---:|\n"
            for o in owners { out += "| \(Self.cell(o.name)) | \(o.targets) | \(o.down) | \(o.degraded) |\n" }
        }

        out += "\n## Risk\n\n**\(risk.score) — \(risk.band)**\n\n"
        for term in risk.terms { out += "- \(Self.cell(term))\n" }
        out += "\n_\(Risk.formula)_\n"

        out += "\n## Change window\n\n"
        if let window {
            out += "\(Self.cell(window.formatted(in: timeZone) + plannedWindowNote)) (maintenance windows are read in "
            out += "\(timeZone.planningName)).\n\n"
            if windowFindings.isEmpty {
                out += "Inside the maintenance window of every affected business service.\n"
            } else {
                for f in windowFindings { out += "- \(Self.cell(Self.findingText(f)))\n" }
            }
            out += "\n## Collisions\n\n"
            if collisions.isEmpty {
                out += "No other planned change overlaps this window and meets this impact.\n"
            } else {
                out += "| change | window | description | where they meet |\n|---|---|---|---|\n"
                for c in collisions {
                    out += "| \(Self.cell(c.change.reference)) | \(c.change.window.formatted(in: timeZone)) | "
                    out += "\(Self.cell(c.change.description ?? "")) | \(c.cis.map { Self.code($0) }.joined(separator: ", ")) |\n"
                }
            }
        } else {
            out += "Not given\(Self.cell(unplannedNote)); run with `--window START/END` to check maintenance windows and collisions.\n"
        }

        out += "\n## All impacted CIs\n\n"
        if impacted.isEmpty {
            out += "None.\n"
        } else {
            out += "| CI | class | level | distance | path |\n|---|---|---|---:|---|\n"
        }
        try write(out)
        out = ""
        for entry in impacted {
            out += "| \(Self.code(entry.item.id)) | \(Self.cell(entry.item.label ?? "")) | \(entry.level.rawValue) | "
            out += "\(entry.distance) | \(Self.cell(entry.path.joined(separator: " → "))) |\n"
            if out.utf8.count >= 1 << 16 {
                try write(out)
                out = ""
            }
        }
        try write(out)
    }

    /// Text safe inside a Markdown table cell.
    /// Stored values are data, never markup: HTML is escaped as entities (`<script>` shows as text), Markdown's
    /// punctuation with backslashes (no links, emphasis or code spans from a CI's name), line breaks become spaces
    /// and other control characters visible escapes.
    static func cell(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "|", "\\", "`", "*", "_", "[", "]", "#", "!", "~": out += "\\" + String(ch)
            case "\n", "\r", "\r\n": out += " "
            default:
                if let scalar = ch.unicodeScalars.first, ch.unicodeScalars.count == 1,
                    TerminalText.needsEscape(scalar, keepingNewlines: false)
                {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.append(ch)
                }
            }
        }
        return out
    }

    /// A CI id or change reference in code type: a code span (which shows its text literally, HTML included) when
    /// the text holds no backtick or control character, else `<code>` around the escaped text.
    static func code(_ s: String) -> String {
        if !s.unicodeScalars.contains(where: { $0 == "`" || TerminalText.needsEscape($0, keepingNewlines: false) }) {
            return "`" + s.replacingOccurrences(of: "|", with: "\\|") + "`"
        }
        return "<code>\(cell(s))</code>"
    }
}
