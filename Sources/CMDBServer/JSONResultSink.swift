import CIQL
import CIQLResults
import CIQLValues
import CIQLSyntax
import GraphStorage
import HTTPTypes
import JSONLines

/// Collects a statement's result as the CLI's `--format json` writes it, `{"columns":[…],"rows":[[…],…]}`,
/// refusing (not cutting) a result longer than the row limit.
/// `@unchecked Sendable`: filled on one reader thread, then handed to the route once the statement is done.
final class JSONResultSink: ResultSink, @unchecked Sendable {
    private let maximumRows: Int
    private var renderer: ValueRenderer?
    private var json = JSONWriter(capacity: 4096)
    private(set) var rowCount = 0
    private(set) var summary = StatementSummary()
    private(set) var began = false
    /// Each row's values as JSON text too, for the web view's table (kept only when asked).
    var keepsCells = false
    private(set) var columns: [String] = []
    private(set) var cells: [[String]] = []
    /// The first row's first value as JSON (a single CI's node object).
    private(set) var firstValueJSON: [UInt8]?

    init(maximumRows: Int) {
        self.maximumRows = maximumRows
    }

    func begin(columns: [String], graph: ResultGraph) throws {
        began = true
        self.columns = columns
        renderer = ValueRenderer(graph: graph)
        json.writeRaw("{\"columns\":[")
        for (i, c) in columns.enumerated() {
            if i > 0 { json.writeRaw(",") }
            json.writeString(c)
        }
        json.writeRaw("],\"rows\":[")
    }

    func row(_ values: [Value]) throws {
        guard let renderer else { return }
        rowCount += 1
        if rowCount > maximumRows {
            throw APIError(
                .unprocessableContent, "Limit.TooManyRows",
                "the result has more than \(maximumRows) rows, the server's limit per response; add LIMIT (and SKIP to page)")
        }
        if rowCount > 1 { json.writeRaw(",") }
        json.writeRaw("[")
        for (i, v) in values.enumerated() {
            if i > 0 { json.writeRaw(",") }
            try renderer.writeJSON(v, to: &json)
        }
        json.writeRaw("]")
        if rowCount == 1, let first = values.first {
            var w = JSONWriter(capacity: 512)
            try renderer.writeJSON(first, to: &w)
            firstValueJSON = w.bytes
        }
        if keepsCells { cells.append(try values.map { try renderer.text($0) }) }
    }

    func end(_ summary: StatementSummary) throws {
        self.summary = summary
        json.writeRaw("]}\n")
        renderer = nil
    }

    /// The whole result; a statement that produced no result (e.g. a write without RETURN) has no columns.
    var bytes: [UInt8] {
        began ? json.bytes : Array("{\"columns\":[],\"rows\":[]}\n".utf8)
    }
}
