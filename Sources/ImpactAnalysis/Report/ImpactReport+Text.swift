import Foundation

extension ImpactReport {
    /// `10 CIs impacted: 8 down, 2 degraded`.
    var impactedSummary: String {
        let down = impacted.reduce(0) { $0 + ($1.level == .down ? 1 : 0) }
        let count = impacted.count
        var text = "\(count) CI\(count == 1 ? "" : "s") impacted: \(down) down, \(count - down) degraded"
        if let depth { text += " (within \(depth) step\(depth == 1 ? "" : "s"))" }
        return text
    }

    /// `hv-01 (Hypervisor)`.
    static func describe(_ item: Item) -> String {
        item.label.map { "\(item.id) (\($0))" } ?? item.id
    }

    /// A terminal tree: each target with the CIs it impacts beneath it, along the explaining paths, followed by
    /// the roll-ups.
    public func renderTree(_ write: (String) throws -> Void) throws {
        try write("impact of taking down \(targets.map { Self.describe($0) }.joined(separator: ", "))\n")
        try write(impactedSummary + "; risk \(risk.score) (\(risk.band))\n\n")
        // Keyed by code point (UTF-8 bytes): canonically equivalent ids are two CIs.
        var children: [[UInt8]: [Int]] = [:]
        for (i, entry) in impacted.enumerated() where entry.path.count >= 2 {
            children[Array(entry.path[entry.path.count - 2].utf8), default: []].append(i)
        }
        var buffer = ""
        func flush(_ force: Bool) throws {
            if force || buffer.utf8.count >= 1 << 16 {
                try write(buffer)
                buffer = ""
            }
        }
        for target in targets {
            let inactive = inactiveTargets.contains(target.id) ? ", \(target.status ?? "inactive"): passes nothing on" : ""
            buffer += "\(target.id)  \(target.label ?? "")  [target\(inactive)]\n"
            // Depth-first with an explicit stack: (item index, prefix for its line, prefix for its children).
            var stack: [(Int, String, String)] = (children[Array(target.id.utf8)] ?? []).enumerated().reversed().map { (n, i) in
                let last = n == (children[Array(target.id.utf8)]?.count ?? 0) - 1
                return (i, last ? "└── " : "├── ", last ? "    " : "│   ")
            }
            while let (i, linePrefix, childPrefix) = stack.popLast() {
                let entry = impacted[i]
                buffer += "\(linePrefix)\(entry.item.id)  \(entry.item.label ?? "")  \(entry.level == .down ? "DOWN" : "degraded")\n"
                let kids = children[Array(entry.item.id.utf8)] ?? []
                for (n, k) in kids.enumerated().reversed() {
                    let last = n == kids.count - 1
                    stack.append((k, childPrefix + (last ? "└── " : "├── "), childPrefix + (last ? "    " : "│   ")))
                }
                try flush(false)
            }
        }
        buffer += "\n" + rollUpText()
        try flush(true)
    }

    /// Services, owners, risk, window and collisions as plain text.
    func rollUpText() -> String {
        var text = "business services: \(services.isEmpty ? "none" : String(services.count))\n"
        for s in services {
            text += "  \(s.item.id)  criticality \(s.item.criticality.map(String.init) ?? "unset")  \(s.level.rawValue)"
            if s.isTarget { text += " (target)" }
            if let sla = s.sla { text += "  SLA \(sla)" }
            if let mw = s.maintenanceWindow { text += "  window \(mw)" }
            text += "\n"
        }
        text += "owners to notify: \(owners.isEmpty ? "none" : String(owners.count))\n"
        for o in owners { text += "  \(o.name): \(o.targets) target, \(o.down) down, \(o.degraded) degraded\n" }
        text += "risk: \(risk.score) (\(risk.band))\n"
        for term in risk.terms { text += "  \(term)\n" }
        if let window {
            text += "window: \(window.formatted(in: timeZone))\(plannedWindowNote)\n"
            if windowFindings.isEmpty { text += "  inside the maintenance window of every affected service\n" }
            for f in windowFindings { text += "  \(Self.findingText(f))\n" }
            text += "collisions: \(collisions.isEmpty ? "none" : String(collisions.count))\n"
            for c in collisions {
                text += "  \(c.change.reference) (\(c.change.window.formatted(in: timeZone))) meets this change at "
                text += c.cis.joined(separator: ", ") + "\n"
            }
        } else {
            text += "window: not given\(unplannedNote) (--window START/END checks maintenance windows and collisions)\n"
        }
        return text
    }

    /// ` (planned for REF)` when the window is the assessed change's planned one, else empty.
    public var plannedWindowNote: String {
        guard windowIsPlanned, let assessedChange else { return "" }
        return " (planned for \(assessedChange))"
    }

    /// `, and REF is not a planned change` when a change is assessed but no window was given or planned.
    public var unplannedNote: String {
        guard window == nil, let assessedChange else { return "" }
        return ", and \(assessedChange) is not a planned change"
    }

    static func findingText(_ f: WindowFinding) -> String {
        switch f.reason {
        case .outside: return "\(f.service): outside its maintenance window \(f.maintenanceWindow ?? "")"
        case .missing: return "\(f.service): has no maintenance_window"
        case .unreadable: return "\(f.service): maintenance_window '\(f.maintenanceWindow ?? "")' cannot be read"
        }
    }

    /// One row per impacted CI: id, class, level, distance, the path from a target.
    public func renderTable(_ write: (String) throws -> Void) throws {
        var rows: [[String]] = [["id", "class", "level", "distance", "path"]]
        for entry in impacted {
            rows.append([entry.item.id, entry.item.label ?? "", entry.level.rawValue, String(entry.distance),
                entry.path.joined(separator: " → ")])
        }
        var widths = [Int](repeating: 0, count: 4)
        for row in rows { for c in 0..<4 { widths[c] = max(widths[c], row[c].count) } }
        var buffer = impactedSummary + "\n"
        for (r, row) in rows.enumerated() {
            var line = ""
            for c in 0..<4 {
                let pad = String(repeating: " ", count: widths[c] - row[c].count)
                line += (c == 3 && r > 0 ? pad + row[c] : row[c] + pad) + "  "
            }
            buffer += line + row[4] + "\n"
            if r == 0 { buffer += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "  ----\n" }
            if buffer.utf8.count >= 1 << 16 {
                try write(buffer)
                buffer = ""
            }
        }
        try write(buffer)
    }
}
