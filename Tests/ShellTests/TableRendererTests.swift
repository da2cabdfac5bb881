import CIQL
import CIQLResults
import Testing

/// The REPL's tables: alignment by display width, wide characters, cut cells, fitting the terminal.
struct TableRendererTests {
    @Test("columns are as wide as their widest cell, two spaces apart, no trailing blanks")
    func alignment() {
        let table = TableRenderer(columns: ["id", "name"], rows: [["web-01", "Intranet"], ["db-1", "x"]])
        #expect(table.rendered() == """
            id      name
            ──────  ────────
            web-01  Intranet
            db-1    x

            """)
    }

    @Test("wide characters count two columns, combining marks none")
    func unicodeWidths() {
        #expect(TableRenderer.displayWidth("abc") == 3)
        #expect(TableRenderer.displayWidth("日本") == 4)
        #expect(TableRenderer.displayWidth("e\u{301}") == 1)
        #expect(TableRenderer.displayWidth("🚀") == 2)
        let table = TableRenderer(columns: ["k"], rows: [["日本"], ["ab"]])
        #expect(table.rendered() == "k\n────\n日本\nab\n")
    }

    @Test("a long cell is cut with … at the cap, in display columns")
    func truncation() {
        #expect(TableRenderer.truncated("abcdefgh", to: 5) == "abcd…")
        #expect(TableRenderer.truncated("abc", to: 5) == "abc")
        #expect(TableRenderer.truncated("日本語テキスト", to: 5) == "日本…")
        var table = TableRenderer(columns: ["v"], rows: [["0123456789"]])
        table.maximumCellWidth = 6
        #expect(table.rendered() == "v\n──────\n01234…\n")
    }

    @Test("a table wider than the terminal shrinks its widest column first and fits")
    func fitsWidth() {
        let long = String(repeating: "x", count: 100)
        var table = TableRenderer(columns: ["id", "description"], rows: [["web-01", long]])
        table.maximumWidth = 40
        let lines = table.rendered().split(separator: "\n")
        #expect(lines.allSatisfy { TableRenderer.displayWidth(String($0)) <= 40 })
        #expect(lines[2].hasPrefix("web-01  xxx"))
        #expect(lines[2].hasSuffix("…"))
    }

    @Test("newlines and tabs inside a cell do not break the row")
    func singleLine() {
        let table = TableRenderer(columns: ["note"], rows: [["a\nb\tc"]])
        #expect(table.rendered() == "note\n─────\na↵b c\n")
    }

    @Test("a cell of millions of characters is cut to the terminal's width at once, not one column at a time")
    func hugeCellFitsQuickly() {
        let started = ContinuousClock.now
        var table = TableRenderer(columns: ["id", "s"], rows: [["a", String(repeating: "x", count: 4_000_000)], ["b", "日本"]])
        table.maximumWidth = 40
        let lines = table.rendered().split(separator: "\n").map(String.init)
        #expect(lines == ["id  s", "──  " + String(repeating: "─", count: 36), "a   " + String(repeating: "x", count: 35) + "…", "b   日本"])
        var two = TableRenderer(columns: ["a", "b"], rows: [[String(repeating: "y", count: 3_000_000), String(repeating: "z", count: 2_000_000)]])
        two.maximumWidth = 30
        #expect(two.rendered().split(separator: "\n").map { TableRenderer.displayWidth(String($0)) } == [17, 30, 30])
        #expect(ContinuousClock.now - started < .seconds(3), "took \(ContinuousClock.now - started)")
    }
}
