import Glibc
import JSONLines

/// Shows long output through a pager when it would not fit on the terminal, like psql: `$PAGER`, else
/// `less -FRX` when less is installed. An empty `$PAGER` turns paging off.
package struct Pager: Sendable {
    /// The shell command to pipe through, nil for none.
    package var command: String?

    package init(command: String?) { self.command = command }

    /// The pager the environment asks for.
    package static func fromEnvironment() -> Pager {
        if let value = getenv("PAGER") {
            let text = String(cString: value).trimmingWhitespace()
            return Pager(command: text.isEmpty ? nil : text)
        }
        return Pager(command: isInstalled("less") ? "less -FRX" : nil)
    }

    /// Whether `text` (lines ending in newlines) needs paging on a terminal of `rows` rows, leaving one for the prompt.
    package static func needsPaging(_ text: String, rows: Int) -> Bool {
        var lines = 0
        for byte in text.utf8 where byte == UInt8(ascii: "\n") {
            lines += 1
            if lines >= rows { return true }
        }
        return false
    }

    /// Writes `text` to standard output, through the pager when it is too long for the terminal; control
    /// characters from stored values are shown as escapes, never sent to the terminal.
    package func show(_ shown: String) {
        let text = TerminalText.escaped(shown)
        guard let command, let size = Terminal.size(of: 1), Self.needsPaging(text, rows: size.rows),
            let pipe = popen(command, "w")
        else {
            Terminal.write(text, to: 1)
            return
        }
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { raw in fwrite(raw.baseAddress, 1, raw.count, pipe) }
        bytes.removeAll()
        // The pager's exit status says nothing about the results; `q` before the end is normal.
        _ = pclose(pipe)
    }

    private static func isInstalled(_ program: String) -> Bool {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }
}
