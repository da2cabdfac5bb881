public import CIQLValues
public import CIQLSyntax
public import JSONLines
import Glibc

/// The output formats of `cmdb query`.
public enum ResultFormat: String, CaseIterable, Sendable {
    case table, json, jsonl, csv
}

/// Writes results to an output stream in one of the formats; json, jsonl and csv stream row by row,
/// a table waits for all rows to size its columns.
public final class ResultWriter: ResultSink {
    public let format: ResultFormat
    private let output: OutputSink
    /// Table cells longer than this are cut with `…` (nil: never).
    public var maximumCellWidth: Int?
    /// Called with the summary line ("3 rows", "2 CIs created") for stderr or the REPL.
    public var onSummary: ((String) -> Void)?
    private var renderer: ValueRenderer?
    private var columns: [String] = []
    private var tableRows: [[String]] = []
    private var tableBytes = 0
    /// The memory budget for the rows a table holds until it is laid out (other formats stream).
    public var limits = StatementLimits.none
    private var json = JSONWriter(capacity: 1 << 14)
    private var rowCount = 0
    /// A json document is begun and not ended; `documentOnOutput`: part of it is already written out.
    private var isDocumentOpen = false
    private var documentOnOutput = false
    /// When the output (and `summaryOutput`) are written out; see `FlushPolicy`.
    package var flushPolicy = FlushPolicy.everyStatement
    /// Where summary lines go when set (instead of `onSummary`): buffered like the output and written out just
    /// after it, so a file of 10,000 statements costs a few writes rather than two system calls per statement.
    package var summaryOutput: OutputSink?
    private var lastFlush: UInt64 = 0
    /// The statement's summary line, built in place (kept between statements).
    private var summaryBytes: [UInt8] = []

    /// When a statement's output is written out of the process.
    package enum FlushPolicy: Sendable {
        /// After every statement: a terminal, the REPL, and where stdout and stderr are one file (their lines
        /// then stay in order).
        case everyStatement
        /// When the buffer fills, after a statement that wrote (its report then follows its commit at once), after
        /// a statement that ends `interval` seconds or more after the last write-out, and at `flush()`: a file or a
        /// pipe, where a reader of a script of lookups needs its results, not a write per statement.
        case batched(interval: Double)
    }

    public init(format: ResultFormat, output: OutputSink) {
        self.format = format
        self.output = output
    }

    public func begin(columns: [String], graph: ResultGraph) throws {
        self.columns = columns
        renderer = ValueRenderer(graph: graph)
        rowCount = 0
        tableRows = []
        tableBytes = 0
        switch format {
        case .json:
            isDocumentOpen = true
            documentOnOutput = false
            json.writeRaw("{\"columns\":[")
            for (i, c) in columns.enumerated() {
                if i > 0 { json.writeRaw(",") }
                json.writeString(c)
            }
            json.writeRaw("],\"rows\":[")
        case .csv:
            try output.write(columns.map(Self.csvField).joined(separator: ",") + "\n")
        case .table, .jsonl: break
        }
    }

    public func row(_ values: [Value]) throws {
        guard let renderer else { return }
        switch format {
        case .json:
            if rowCount > 0 { json.writeRaw(",") }
            json.writeRaw("[")
            for (i, v) in values.enumerated() {
                if i > 0 { json.writeRaw(",") }
                try renderer.writeJSON(v, to: &json)
            }
            json.writeRaw("]")
        case .jsonl:
            json.writeRaw("{")
            for (i, v) in values.enumerated() {
                if i > 0 { json.writeRaw(",") }
                json.writeString(columns[i])
                json.writeRaw(":")
                try renderer.writeJSON(v, to: &json)
            }
            json.writeRaw("}\n")
        case .csv:
            try output.write(try values.map { try Self.csvField(renderer.text($0)) }.joined(separator: ",") + "\n")
        case .table:
            let cells = try values.map { try renderer.text($0) }
            tableBytes &+= cells.reduce(64) { $0 &+ 40 &+ $1.utf8.count }
            if let budget = limits.maximumMemory, tableBytes > budget {
                throw CIQLError(
                    .runtime, .limit(.memory),
                    "the results need more memory than the budget of \(StatementLimits.describeBytes(budget)) to lay "
                        + "out as a table (use --format csv or jsonl, which stream, or a LIMIT; or change the budget "
                        + "with \(limits.memoryHint))")
            }
            tableRows.append(cells)
        }
        rowCount += 1
        if json.bytes.count >= 1 << 16 {
            try output.write(json.bytes)
            json.removeAll()
            documentOnOutput = isDocumentOpen
        }
    }

    public func end(_ summary: StatementSummary) throws {
        switch format {
        case .json:
            json.writeRaw("]}\n")
            isDocumentOpen = false
        case .table:
            if !columns.isEmpty {
                var table = TableRenderer(columns: columns, rows: tableRows)
                table.maximumCellWidth = maximumCellWidth
                try output.write(table.rendered())
            }
        case .jsonl, .csv: break
        }
        try output.write(json.bytes)
        json.removeAll()
        renderer = nil
        if summaryOutput != nil || onSummary != nil {
            summaryBytes.removeAll(keepingCapacity: true)
            Self.appendSummaryLine(summary, columns: columns, to: &summaryBytes)
        }
        if let summaryOutput {
            summaryBytes.append(UInt8(ascii: "\n"))
            try summaryOutput.write(summaryBytes)
            summaryBytes.removeLast()
        }
        switch flushPolicy {
        case .everyStatement:
            try flush()
        case .batched(let interval):
            let now = Self.monotonicNanoseconds()
            let wrote = summary.transaction != nil
            let nanoseconds = interval > 0 && interval < 1e6 ? UInt64(interval * 1e9) : 0
            if wrote || now &- lastFlush >= nanoseconds {
                try flush()
                lastFlush = now
            }
        }
        onSummary?(String(decoding: summaryBytes, as: UTF8.self))
    }

    /// Writes out the buffered output, then the buffered summary lines (even when the output fails).
    package func flush() throws {
        defer { try? summaryOutput?.flush() }
        try output.flush()
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Ends the output with an error object on a line of its own, as the server answers errors:
    /// `{"error":{"code","message","line","column"}}`, and when the parser found several errors, all of them in
    /// `"errors":[…]` after it. Rows of the failed statement not yet written are dropped — except when part of
    /// its json document is written out already: the document is then closed with its rows and the error in it,
    /// `{"columns":[…],"rows":[…],"error":{…}}`, so stdout stays one valid document that says it failed.
    public func writeError(_ error: CIQLError) throws {
        if format == .json && isDocumentOpen && documentOnOutput {
            json.writeRaw("],")
        } else {
            json.removeAll()
            json.writeRaw("{")
        }
        isDocumentOpen = false
        documentOnOutput = false
        json.writeRaw("\"error\":")
        Self.writeErrorObject(error, to: &json)
        if !error.further.isEmpty {
            json.writeRaw(",\"errors\":[")
            for (i, e) in error.all.enumerated() {
                if i > 0 { json.writeRaw(",") }
                Self.writeErrorObject(e, to: &json)
            }
            json.writeRaw("]")
        }
        json.writeRaw("}\n")
        try output.write(json.bytes)
        json.removeAll()
        renderer = nil
        try flush()
    }

    /// The same for an error from outside CIQL (storage, …): `line` and `column` are null.
    public func writeError(code: String, message: String, line: Int?, column: Int?) throws {
        try writeError(CIQLError(.runtime, CIQLError.Code(text: code), message, at: nil))
    }

    private static func writeErrorObject(_ error: CIQLError, to json: inout JSONWriter) {
        json.writeRaw("{\"code\":")
        json.writeString(error.code.description)
        json.writeRaw(",\"message\":")
        json.writeString(error.message)
        json.writeRaw(",\"line\":")
        if let l = error.location { json.writeInt(Int64(l.line)) } else { json.writeRaw("null") }
        json.writeRaw(",\"column\":")
        if let l = error.location { json.writeInt(Int64(l.column)) } else { json.writeRaw("null") }
        json.writeRaw("}")
    }

    /// `3 rows (1.2 ms)`, `1 CI created, 2 relations created in transaction 42 (3.1 ms)`.
    public static func summaryLine(_ s: StatementSummary, columns: [String]) -> String {
        var bytes: [UInt8] = []
        appendSummaryLine(s, columns: columns, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The summary line's UTF-8 bytes, appended to `out`: written once per statement, so built without string
    /// interpolation or an array of parts.
    package static func appendSummaryLine(_ s: StatementSummary, columns: [String], to out: inout [UInt8]) {
        let c = s.counters
        // A write that committed nothing changed nothing, whatever it did on the way (`SET n.a = 'x', n.a = 'y'`
        // back to what was there).
        let nothingChanged = s.writes && s.transaction == nil
        let changed =
            c.nodesCreated > 0 || c.nodesDeleted > 0 || c.relationshipsCreated > 0 || c.relationshipsDeleted > 0
            || c.propertiesSet > 0 || c.propertiesRemoved > 0 || c.labelsAdded > 0 || c.labelsRemoved > 0
        let saysChanges = nothingChanged || changed
        if !saysChanges || !columns.isEmpty {
            out.append(decimal: s.rows)
            out.append(contentsOf: s.rows == 1 ? " row".utf8 : " rows".utf8)
            if saysChanges { out.append(contentsOf: "; ".utf8) }
        }
        if nothingChanged {
            out.append(contentsOf: "nothing changed".utf8)
        } else if changed {
            var first = true
            func add(_ n: Int, _ one: StaticString, _ many: StaticString, _ what: StaticString) {
                guard n > 0 else { return }
                if !first { out.append(contentsOf: ", ".utf8) }
                first = false
                out.append(decimal: n)
                out.append(32)
                out.append(static: n == 1 ? one : many)
                out.append(32)
                out.append(static: what)
            }
            add(c.nodesCreated, "CI", "CIs", "created")
            add(c.nodesDeleted, "CI", "CIs", "deleted")
            add(c.relationshipsCreated, "relation", "relations", "created")
            add(c.relationshipsDeleted, "relation", "relations", "deleted")
            add(c.propertiesSet, "property", "properties", "set")
            add(c.propertiesRemoved, "property", "properties", "removed")
            add(c.labelsAdded, "class", "classes", "set")
            add(c.labelsRemoved, "class", "classes", "removed")
        }
        if let tx = s.transaction {
            out.append(contentsOf: " in transaction ".utf8)
            out.append(contentsOf: String(tx).utf8)
        }
        if let asOf = s.asOf {
            out.append(contentsOf: " as of transaction ".utf8)
            out.append(contentsOf: String(asOf).utf8)
        }
        // Tenths of a millisecond below 10 ms, whole milliseconds from there.
        let ms = Double(s.microseconds) / 1000
        out.append(contentsOf: " (".utf8)
        if ms < 10 {
            let tenths = Int((ms * 10).rounded())
            out.append(decimal: tenths / 10)
            out.append(UInt8(ascii: "."))
            out.append(decimal: tenths % 10)
        } else {
            out.append(decimal: Int(ms.rounded()))
        }
        out.append(contentsOf: " ms)".utf8)
    }

    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacing("\"", with: "\"\"") + "\""
        }
        return s
    }
}

extension [UInt8] {
    /// The decimal digits of `n` (with a minus sign when negative).
    fileprivate mutating func append(decimal n: Int) {
        if n >= 0 && n < 10 {
            append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n))
        } else {
            append(contentsOf: String(n).utf8)
        }
    }

    fileprivate mutating func append(static text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }
}
