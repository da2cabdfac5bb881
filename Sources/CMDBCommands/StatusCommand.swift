import ArgumentParser
import CIQLResults
import CMDB
import ConfigurationSchema
import GraphStorage

/// `cmdb status`: a first look at what a database holds.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Summarize the database: CIs by class and status, relations by type, recent changes.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "How many recent changes to list.")
    var changes = 5

    func validate() throws {
        if changes < 0 { throw ValidationError("--changes must be 0 or more, not \(changes)") }
    }

    func run() throws {
        let db = try ConfigurationDatabase.open(at: database.path, readOnly: true)
        try db.store.read { tx in
            let counts = try tx.countsByLabelAndStatus()
            var byClass: [String: [(String, Int)]] = [:]
            for c in counts { byClass[c.label ?? "(no class)", default: []].append((c.status, c.count)) }
            let total = counts.reduce(0) { $0 + $1.count }
            var text = "database \(database.path): \(total) CIs, \(try tx.relationCount()) relations, "
            text += "\(db.store.dataFileSize >> 10) KiB, schema: \(db.schema.isOpen ? "none" : "\(db.schema.classes.count) classes")\n\n"
            var rows: [[String]] = [["class", "CIs", "by status"]]
            for (label, statuses) in byClass.sorted(by: { $0.key < $1.key }) {
                let n = statuses.reduce(0) { $0 + $1.1 }
                let detail = statuses.sorted { $0.1 > $1.1 }.map { "\($0.0.isEmpty ? "(none)" : $0.0) \($0.1)" }
                rows.append([label, String(n), detail.joined(separator: ", ")])
            }
            text += TextTable(rows: rows, rightAligned: [1]).rendered + "\n"
            var relRows: [[String]] = [["relation type", "count"]]
            for (type, n) in try tx.relationCountsByType().sorted(by: { $0.key < $1.key }) {
                relRows.append([type, String(n)])
            }
            text += TextTable(rows: relRows, rightAligned: [1]).rendered + "\n"
            var changeRows: [[String]] = [["tx", "time (UTC)", "actor", "change", "what"]]
            for c in try tx.changes(limit: changes) {
                var what: [String] = []
                if c.nodesCreated + c.nodesUpdated + c.nodesDeleted > 0 {
                    what.append("CIs +\(c.nodesCreated) ~\(c.nodesUpdated) -\(c.nodesDeleted)")
                }
                if c.relationsCreated + c.relationsUpdated + c.relationsDeleted > 0 {
                    what.append("relations +\(c.relationsCreated) ~\(c.relationsUpdated) -\(c.relationsDeleted)")
                }
                if what.isEmpty { what.append(c.info.origin) }
                changeRows.append([String(c.transaction), String(ISODateTime.format(c.time / 1_000_000 * 1_000_000).dropLast()),
                    c.info.actor, c.info.changeReference ?? "(none)", what.joined(separator: "; ")])
            }
            text += "recent changes\n" + TextTable(rows: changeRows, rightAligned: [0]).rendered
            Console.out(text)
        }
    }
}

/// A plain aligned text table; the first row is the header.
struct TextTable {
    var rows: [[String]]
    var rightAligned: Set<Int> = []

    var rendered: String {
        // Cells hold stored values (change references, actors, classes): control characters are shown as escapes,
        // on a terminal or not, as in `cmdb query`'s tables.
        let rows = self.rows.map { $0.map(TableRenderer.singleLine) }
        guard let header = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        var lines: [String] = []
        for (r, row) in rows.enumerated() {
            var cells: [String] = []
            for (i, cell) in row.enumerated() where i < widths.count {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                cells.append(rightAligned.contains(i) && r > 0 ? pad + cell : cell + pad)
            }
            lines.append(cells.joined(separator: "  ").trimmingTrailingSpaces())
            if r == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
