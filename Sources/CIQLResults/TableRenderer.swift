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
        // A cell can never be shown wider than the cap or the whole width: cut it to that first, so a cell of
        // millions of characters costs no more than a short one.
        let cap = [maximumCellWidth.map { max($0, 1) }, maximumWidth].compactMap { $0 }.min()
        let cleaned = rows.map { $0.map { Self.singleLine(Self.cut($0, to: cap)) } }
        let columns = columns.map { Self.singleLine(Self.cut($0, to: cap)) }
        var widths = columns.map(Self.displayWidth)
        for row in cleaned {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.displayWidth(cell)) }
        }
        if let cap = maximumCellWidth { widths = widths.map { min($0, max(cap, 1)) } }
        if let total = maximumWidth { widths = Self.fit(widths, into: total - 2 * max(0, columns.count - 1)) }
        var out = ""
        func line(_ cells: [String]) {
            var parts: [String] = []
            let last = min(cells.count, widths.count) - 1
            for (i, cell) in cells.enumerated() where i < widths.count {
                let t = Self.truncated(cell, to: widths[i])
                // The last column is not padded: its blanks would only be taken off again.
                parts.append(i == last ? t : t + String(repeating: " ", count: max(0, widths[i] - Self.displayWidth(t))))
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

    /// `s` cut to a little more than `width` display columns (nil: whole), so measuring and cutting it later looks
    /// at no more than that; a cut cell ends with `…` then (one column more than `width` at most).
    static func cut(_ s: String, to width: Int?) -> String {
        guard let width, s.utf8.count > width + 1 else { return s }
        guard let end = s.index(s.startIndex, offsetBy: width + 1, limitedBy: s.endIndex), end < s.endIndex else { return s }
        return String(s[..<end]) + "…"
    }

    /// Shrinks the widest columns until the sum fits; no column below 4. The widest columns come down together to
    /// the next width in one step each (a column millions wide came down one column per step).
    static func fit(_ widths: [Int], into total: Int) -> [Int] {
        var w = widths
        while case let excess = w.reduce(0, +) - total, excess > 0, let widest = w.max(), widest > 4 {
            let at = w.indices.filter { w[$0] == widest }
            let next = max(4, w.filter { $0 < widest }.max() ?? 4)
            if excess >= (widest - next) * at.count {
                for i in at { w[i] = next }
                continue
            }
            // Less to take than down to the next width: each gives its share, the first ones one more.
            for i in at { w[i] -= excess / at.count }
            for i in at.prefix(excess % at.count) { w[i] -= 1 }
            break
        }
        return w
    }

    /// One line for a cell: line breaks as `↵`, tabs as spaces, other control characters (bidirectional ones too)
    /// as visible `\u001B` escapes (a stored value must not drive the terminal, nor reorder what it shows). Every
    /// table cmdb prints goes through this.
    package static func singleLine(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { TerminalText.needsEscape($0, keepingNewlines: false) }) else { return s }
        let flat = s.replacing("\r\n", with: "↵").replacing("\n", with: "↵").replacing("\r", with: "↵").replacing("\t", with: " ")
        return TerminalText.escaped(flat)
    }

    /// Cuts to `width` display columns, ending with `…` when cut.
    public static func truncated(_ s: String, to width: Int) -> String {
        guard displayWidth(s, over: width) > width else { return s }
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

    /// Whether `s` is all ASCII, looked at eight bytes at a time (a cell may hold millions).
    static func isASCII(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { bytes in
            let words = bytes.count / 8
            let raw = UnsafeRawBufferPointer(bytes)
            for w in 0..<words where raw.loadUnaligned(fromByteOffset: w * 8, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
                return false
            }
            for i in (words * 8)..<bytes.count where bytes[i] >= 0x80 { return false }
            return true
        }
    }

    /// Terminal columns: East Asian wide and emoji characters take two, combining marks none.
    public static func displayWidth(_ s: String) -> Int { displayWidth(s, over: .max) }

    /// The display width of `s`, or a number over `limit` as soon as it passes it; plain ASCII (what a cell is
    /// after its control characters are escaped) by its length.
    static func displayWidth(_ s: String, over limit: Int) -> Int {
        if isASCII(s) { return s.utf8.count }
        var n = 0
        for c in s {
            if n > limit { return n }
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
