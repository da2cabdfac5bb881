import Glibc
import JSONLines

/// The command line's only way to write: data to stdout, diagnostics and progress to stderr.
enum Console {
    nonisolated(unsafe) static let standardOutput: OutputSink = {
        let sink = OutputSink(fileDescriptor: 1)
        sink.escapesControlCharacters = isatty(1) != 0
        return sink
    }()

    static func out(_ text: String) {
        try? standardOutput.write(text.hasSuffix("\n") ? text : text + "\n")
        try? standardOutput.flush()
    }

    /// Writes a line to stderr (a newline is added when missing).
    /// Control characters in the message (from stored values) are shown as escapes, never obeyed.
    static func error(_ text: String) {
        error(TerminalText.escaped(text), newline: !text.hasSuffix("\n"))
    }

    /// Writes to stderr unbuffered, so messages and progress appear at once; stderr failures are ignored.
    static func error(_ text: String, newline: Bool) {
        let bytes = Array((newline ? text + "\n" : text).utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    static var isErrorTerminal: Bool { isatty(2) != 0 }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
struct ProgressBar {
    let label: String
    private var lastDrawn = -1

    init(label: String) { self.label = label }

    mutating func update(done: Int, total: Int) {
        guard total > 0 else { return }
        let percent = min(100, done * 100 / total)
        guard percent != lastDrawn else { return }
        lastDrawn = percent
        let width = 30
        let filled = percent * width / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        Console.error("\r\(label) \(bar) \(percent)% (\(done >> 20)/\(total >> 20) MiB)\u{1B}[K", newline: false)
    }

    func finish() { Console.error("\r\u{1B}[K", newline: false) }
}
