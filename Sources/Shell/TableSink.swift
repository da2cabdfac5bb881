import CIQL
package import CIQLResults
package import CIQLValues
import CIQLSyntax
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

    /// The memory budget for the rows kept (the table is laid out once all rows are in).
    private let limits: StatementLimits
    private var bytes = 0

    package init(limits: StatementLimits = .none) { self.limits = limits }

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
        let cells = try values.map { try renderer.text($0) }
        bytes &+= values.reduce(0) { $0 &+ ($1.isNull ? 24 : 48) } &+ cells.reduce(64) { $0 &+ 2 * $1.utf8.count }
        if let budget = limits.maximumMemory, bytes > budget {
            throw CIQLError(
                .runtime, .limit(.memory),
                "the results need more memory than the budget of \(StatementLimits.describeBytes(budget)) to lay out "
                    + "as a table (use :format csv or jsonl, which stream, or a LIMIT; \(limits.memoryHint))")
        }
        rows.append(cells)
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
