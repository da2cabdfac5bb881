import Glibc
import JSONLines

/// The command line's only way to write: data to stdout, diagnostics and progress to stderr.
enum Console {
    nonisolated(unsafe) static let standardOutput = OutputSink(fileDescriptor: 1)

    static func out(_ text: String) {
        try? standardOutput.write(text.hasSuffix("\n") ? text : text + "\n")
        try? standardOutput.flush()
    }

    static func error(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if errno == EINTR { continue } else { return } }
            offset += n
        }
        bytes.removeAll()
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

extension Console {
    static func error(_ text: String, newline: Bool) {
        if newline { error(text) } else {
            var bytes = Array(text.utf8)
            _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress!, $0.count) }
        }
    }
}
