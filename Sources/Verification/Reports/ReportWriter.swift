import GraphStorage
import JSONLines

/// The formats verify and audit reports come in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, markdown, html, junit

    /// The format a report file's extension suggests (`.json`, `.md`, `.html`, `.xml`), else nil.
    public static func guessed(fromPath path: String) -> ReportFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".md") || lower.hasSuffix(".markdown") { return .markdown }
        if lower.hasSuffix(".html") || lower.hasSuffix(".htm") { return .html }
        if lower.hasSuffix(".xml") { return .junit }
        if lower.hasSuffix(".txt") { return .text }
        return nil
    }
}

/// Buffered report output: text goes to `flush` in chunks, so a report of a million findings is never one string.
public final class ReportWriter {
    private var buffer: [UInt8] = []
    private let flushHandler: ([UInt8]) throws -> Void

    /// - Parameter flush: receives the report in chunks, in order.
    public init(flush: @escaping ([UInt8]) throws -> Void) {
        self.flushHandler = flush
        buffer.reserveCapacity(1 << 16)
    }

    /// Writes `text`, its control characters (from stored values and snapshot files) shown as `\u001B`-style
    /// escapes in every format: a report piped to a terminal or mail must not drive it.
    func write(_ text: String) throws {
        buffer.append(contentsOf: TerminalText.escaped(text).utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func write(_ json: JSONWriter) throws {
        buffer.append(contentsOf: json.bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Hands what is buffered to the flush handler; call once the report is complete.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try flushHandler(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Escaping for the markup formats.
enum Markup {
    /// Text for HTML and XML content and attribute values.
    static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0.
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" { out += "?" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// Text for a Markdown table cell: pipes escaped, line breaks flattened.
    static func cell(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "|": out += "\\|"
            case "\n", "\r": out += " "
            case "`": out += "\\`"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A stored value as plain text (date-times in ISO-8601).
    static func text(_ value: PropertyValue?) -> String {
        guard let value else { return "(none)" }
        var w = JSONWriter(capacity: 32)
        switch value {
        case .string(let s): return s
        default: writeValue(&w, value)
        }
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// A number with one decimal.
    static func score(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}

/// Writes a stored value as JSON (the public JSON contract: date-times as ISO-8601 strings, floats with a `.`).
func writeValue(_ w: inout JSONWriter, _ value: PropertyValue) {
    switch value {
    case .bool(let b): w.writeRaw(b ? "true" : "false")
    case .int(let i): w.writeInt(i)
    case .float(let d): w.writeDouble(d)
    case .string(let s): w.writeString(s)
    case .temporal(let t): w.writeString(t.fileText)
    case .duration(let d): w.writeString(d.description)
    case .list(let items):
        w.writeRaw("[")
        for (i, item) in items.enumerated() {
            if i > 0 { w.writeRaw(",") }
            writeValue(&w, item)
        }
        w.writeRaw("]")
    }
}

/// Writes properties as a JSON object.
func writeProperties(_ w: inout JSONWriter, _ properties: Properties) {
    w.writeRaw("{")
    for (i, (key, value)) in properties.enumerated() {
        if i > 0 { w.writeRaw(",") }
        w.writeString(key)
        w.writeRaw(":")
        writeValue(&w, value)
    }
    w.writeRaw("}")
}

/// The start of an HTML report: a well-formed (XHTML-compatible) document with a small stylesheet.
func htmlHead(_ title: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"/><title>\(Markup.xml(title))</title>
    <style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:0.5em 0 1.5em}\
    td,th{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left;vertical-align:top}th{background:#f3f3f3}\
    .critical,.high{color:#a00}.medium{color:#b60}.low{color:#555}.info{color:#06c}</style></head><body>

    """
}
