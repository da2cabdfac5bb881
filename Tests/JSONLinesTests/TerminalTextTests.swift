import Glibc
import JSONLines
import Testing

/// Control characters from stored values never reach a terminal raw.
struct TerminalTextTests {
    @Test("C0 controls, DEL and C1 controls become \\u escapes; newlines and tabs stay unless asked")
    func escaping() {
        #expect(TerminalText.escaped("a\u{1B}]0;pwned\u{07}b") == "a\\u001B]0;pwned\\u0007b")
        #expect(TerminalText.escaped("x\u{7F}\u{9B}2Jy") == "x\\u007F\\u009B2Jy")
        #expect(TerminalText.escaped("line\n\ttab") == "line\n\ttab")
        #expect(TerminalText.escaped("line\n", keepingNewlines: false) == "line\\u000A")
        #expect(TerminalText.escaped("école 😀 ─") == "école 😀 ─")
    }

    @Test("bidirectional controls, which reorder what a terminal shows (Trojan Source), become \\u escapes too")
    func bidirectionalControls() throws {
        let text = "a\u{202E}fdp.exe\u{202C} \u{2066}b\u{2069} \u{200F}\u{200E}\u{061C}"
        let expected = "a\\u202Efdp.exe\\u202C \\u2066b\\u2069 \\u200F\\u200E\\u061C"
        #expect(TerminalText.escaped(text) == expected)
        // Letters of right-to-left scripts are text, not controls.
        #expect(TerminalText.escaped("שלום عربي") == "שלום عربي")

        let written = try throughTerminalSink(bufferSize: 7) { sink in try sink.write(Array(text.utf8)) }
        #expect(written == expected)
    }

    /// What an OutputSink set for a terminal writes into a file for `writes`.
    private func throughTerminalSink(bufferSize: Int, _ writes: (OutputSink) throws -> Void) throws -> String {
        let file = TemporaryFile("")
        let descriptor = open(file.path, O_WRONLY | O_TRUNC)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let sink = OutputSink(fileDescriptor: descriptor, bufferSize: bufferSize)
        sink.escapesControlCharacters = true
        try writes(sink)
        try sink.flush()
        return String(decoding: file.contents(), as: UTF8.self)
    }

    @Test("an OutputSink set for a terminal escapes what it writes, bytes and strings alike, across flushes")
    func sinkEscapes() throws {
        let text = try throughTerminalSink(bufferSize: 64) { sink in
            try sink.write("name: \u{1B}[2J\n")
            try sink.write(Array("C1: \u{9B}31m é\r\n".utf8))
            try sink.write(String(repeating: "z", count: 100) + "\u{07}")
        }
        #expect(text == "name: \\u001B[2J\nC1: \\u009B31m é\\u000D\n" + String(repeating: "z", count: 100) + "\\u0007")
    }
}
