package import CIQL
package import GraphStorage

/// Collects a statement's results as table text, cells rendered while the statement's snapshot is open.
package final class TableSink: ResultSink {
    package private(set) var columns: [String] = []
    package private(set) var rows: [[String]] = []
    /// The rows as values (nodes and relations as references into the snapshot, which is gone after `end`).
    package private(set) var values: [[Value]] = []
    package private(set) var summary = StatementSummary()
    private var renderer: ValueRenderer?
    /// Called for each node in a row with the node itself, while it can still be read (`:describe`).
    package var onNode: ((StoredNode, ValueRenderer) throws -> Void)?

    package init() {}

    package func begin(columns: [String], graph: ResultGraph) throws {
        self.columns = columns
        rows = []
        values = []
        renderer = ValueRenderer(graph: graph)
    }

    package func row(_ values: [Value]) throws {
        guard let renderer else { return }
        if let onNode {
            for case .node(let nid) in values {
                if let node = try renderer.graph.node(nid) { try onNode(node, renderer) }
            }
        }
        rows.append(try values.map { try renderer.text($0) })
        self.values.append(values)
    }

    package func end(_ summary: StatementSummary) throws {
        self.summary = summary
        renderer = nil
    }

    /// The aligned table, fitted into `width` display columns when given; empty when there were no columns.
    package func rendered(width: Int?) -> String {
        guard !columns.isEmpty else { return "" }
        var table = TableRenderer(columns: columns, rows: rows)
        table.maximumWidth = width
        return table.rendered()
    }
}
