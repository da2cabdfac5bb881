import CIQLValues
import CIQLSyntax
import JSONLines
/// Aligned text tables, psql style: a header, a rule, the rows; wide characters count double, long
/// cells are cut with `…`, and a table wider than the terminal shrinks its widest columns first.
public struct TableRenderer {
    public var columns: [String]
    public var rows: [[String]]
    /// Cut cells longer than this (display columns).
    public var maximumCellWidth: Int?
    /// Fit the whole table into this many display columns, if possible.
    public var maximumWidth: Int?

    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    public func rendered() -> String {
        let cleaned = rows.map { $0.map(Self.singleLine) }
        let columns = columns.map(Self.singleLine)
        var widths = columns.map(Self.displayWidth)
        for row in cleaned {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.displayWidth(cell)) }
        }
        if let cap = maximumCellWidth { widths = widths.map { min($0, max(cap, 1)) } }
        if let total = maximumWidth { widths = Self.fit(widths, into: total - 2 * max(0, columns.count - 1)) }
        var out = ""
        func line(_ cells: [String]) {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() where i < widths.count {
                let t = Self.truncated(cell, to: widths[i])
                parts.append(t + String(repeating: " ", count: max(0, widths[i] - Self.displayWidth(t))))
            }
            var text = parts.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            out += text + "\n"
        }
        line(columns)
        out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
        for row in cleaned { line(row) }
        return out
    }

    /// Shrinks the widest columns until the sum fits; no column below 4.
    static func fit(_ widths: [Int], into total: Int) -> [Int] {
        var w = widths
        while w.reduce(0, +) > total, let i = w.indices.max(by: { w[$0] < w[$1] }), w[i] > 4 { w[i] -= 1 }
        return w
    }

    /// One line for a cell: line breaks as `↵`, tabs as spaces, other control characters as visible `\u001B`
    /// escapes (a stored value must not drive the terminal). Every table cmdb prints goes through this.
    package static func singleLine(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return s }
        let flat = s.replacing("\r\n", with: "↵").replacing("\n", with: "↵").replacing("\r", with: "↵").replacing("\t", with: " ")
        return TerminalText.escaped(flat)
    }

    /// Cuts to `width` display columns, ending with `…` when cut.
    public static func truncated(_ s: String, to width: Int) -> String {
        guard displayWidth(s) > width else { return s }
        var out = ""
        var used = 0
        for c in s {
            let w = displayWidth(String(c))
            if used + w > width - 1 { break }
            out.append(c)
            used += w
        }
        return out + "…"
    }

    /// Terminal columns: East Asian wide and emoji characters take two, combining marks none.
    public static func displayWidth(_ s: String) -> Int {
        var n = 0
        for c in s {
            guard let scalar = c.unicodeScalars.first else { continue }
            let v = scalar.value
            if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark {
                continue
            }
            if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
                || (0x20000...0x3FFFD).contains(v) || scalar.properties.isEmojiPresentation
            {
                n += 2
            } else {
                n += 1
            }
        }
        return n
    }
}
