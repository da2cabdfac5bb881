import Foundation
import ImpactAnalysis

/// The SVG picture of an impact: targets and the CIs they impact, joined along the explaining paths. Graphviz
/// (`dot -Tsvg`, Debian's graphviz) draws it when installed; else a layered layout of our own (one column per
/// distance). At most `maximumNodes` impacted CIs are drawn, the closest first; the page says when more exist.
enum ImpactGraph {
    static let maximumNodes = 150
    static let dotPath = ["/usr/bin/dot", "/usr/local/bin/dot"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The report cut to what is drawn.
    static func drawn(_ report: ImpactReport) -> ImpactReport {
        var r = report
        r.impacted = Array(report.impacted.sorted { ($0.distance, $0.item.id) < ($1.distance, $1.item.id) }.prefix(maximumNodes))
        return r
    }

    /// The SVG element (no XML prolog), from Graphviz when it is there and succeeds, else our own layout.
    static func svg(_ report: ImpactReport) -> String {
        let r = drawn(report)
        if let dot = dotPath, let svg = try? graphviz(r, dot: dot) { return svg }
        return layered(r)
    }

    /// How long `dot` may take: past it, it is killed and our own layout drawn instead (150 nodes take it well
    /// under a second; a reader thread and its snapshot are not held longer for a picture).
    static let dotTimeLimit: Duration = .seconds(5)

    private static func graphviz(_ r: ImpactReport, dot: String) throws -> String? {
        var source = ""
        try r.renderDOT { source += $0 }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("cmdb-impact-\(UUID().uuidString).dot")
        try Data(source.utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        guard let svg = HelperProgram.output(of: dot, ["-Tsvg", input.path], timeLimit: dotTimeLimit),
            let text = String(validating: svg, as: UTF8.self), let start = text.range(of: "<svg")
        else { return nil }
        return String(text[start.lowerBound...])
    }

    /// Columns by distance from the targets, boxes coloured by level, an arrow from each CI to those it impacts.
    static func layered(_ r: ImpactReport) -> String {
        let boxWidth = 230, boxHeight = 56, columnGap = 90, rowGap = 18, margin = 20
        var columns: [[(id: String, label: String, fill: String, text: String)]] = [[]]
        for t in r.targets { columns[0].append((t.id, t.label ?? "", "#616161", "#fff")) }
        for e in r.impacted {
            while columns.count <= e.distance { columns.append([]) }
            let down = e.level == .down
            columns[e.distance].append((e.item.id, "\(e.item.label ?? "") · \(e.level.rawValue)", down ? "#b00020" : "#ffbf00", down ? "#fff" : "#000"))
        }
        // Keyed by code point (UTF-8 bytes): canonically equivalent ids are two CIs, two boxes.
        var position: [[UInt8]: (x: Int, y: Int)] = [:]
        for (c, column) in columns.enumerated() {
            for (row, node) in column.enumerated() where position[Array(node.id.utf8)] == nil {
                position[Array(node.id.utf8)] = (margin + c * (boxWidth + columnGap), margin + row * (boxHeight + rowGap))
            }
        }
        let width = margin * 2 + columns.count * (boxWidth + columnGap) - columnGap
        let height = margin * 2 + (columns.map(\.count).max() ?? 1) * (boxHeight + rowGap) - rowGap
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"Impact graph\">"
        svg += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#444\"/></marker></defs>"
        for e in r.impacted where e.path.count >= 2 {
            guard let from = position[Array(e.path[e.path.count - 2].utf8)], let to = position[Array(e.item.id.utf8)] else { continue }
            svg += "<line x1=\"\(from.x + boxWidth)\" y1=\"\(from.y + boxHeight / 2)\" x2=\"\(to.x)\" y2=\"\(to.y + boxHeight / 2)\" stroke=\"#444\" stroke-width=\"2\" marker-end=\"url(#arrow)\"/>"
        }
        for column in columns {
            for node in column {
                guard let p = position[Array(node.id.utf8)] else { continue }
                svg += "<g class=\"node\"><title>\(HTML.escape(node.id))</title>"
                svg += "<rect x=\"\(p.x)\" y=\"\(p.y)\" width=\"\(boxWidth)\" height=\"\(boxHeight)\" rx=\"8\" fill=\"\(node.fill)\" stroke=\"#000\" stroke-width=\"2\"/>"
                svg += "<text x=\"\(p.x + 10)\" y=\"\(p.y + 23)\" font-size=\"16\" font-weight=\"700\" fill=\"\(node.text)\">\(HTML.escape(String(node.id.prefix(26))))</text>"
                svg += "<text x=\"\(p.x + 10)\" y=\"\(p.y + 44)\" font-size=\"14\" fill=\"\(node.text)\">\(HTML.escape(String(node.label.prefix(30))))</text></g>"
            }
        }
        return svg + "</svg>"
    }
}
