import Glibc
import JSONLines
import Synchronization

/// The command line's only way to write: data to stdout, diagnostics and progress to stderr.
enum Console {
    nonisolated(unsafe) static let standardOutput: OutputSink = {
        let sink = OutputSink(fileDescriptor: 1)
        sink.escapesControlCharacters = isatty(1) != 0
        return sink
    }()

    /// The first failed write of `out`, reported when the command ends (`finishOutput`).
    private static let outputFailure = Mutex<(any Error)?>(nil)

    /// Writes a line to stdout (a newline is added when missing). A failure (a full disk, a closed pipe) is kept
    /// and reported by `finishOutput()` when the command ends, so the command still exits 3 (quietly for a pipe).
    static func out(_ text: String) {
        do {
            try standardOutput.write(text.hasSuffix("\n") ? text : text + "\n")
            try standardOutput.flush()
        } catch {
            outputFailure.withLock { failure in
                if failure == nil { failure = error }
            }
        }
    }

    /// Flushes stdout and throws the first write that failed, so no command reports success for output that
    /// never arrived.
    static func finishOutput() throws {
        if let failure = outputFailure.withLock({ $0 }) { throw failure }
        try standardOutput.flush()
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

    /// Whether results may be written out in blocks rather than after every statement: not when stdout is a
    /// terminal (a person reads along), nor when stdout and stderr are one file (`> out 2>&1`: each statement's
    /// summary line must stay after its rows).
    static var mayBatchOutput: Bool {
        guard isatty(1) == 0 else { return false }
        var out = stat(), err = stat()
        guard fstat(1, &out) == 0, fstat(2, &err) == 0 else { return false }
        return !(out.st_dev == err.st_dev && out.st_ino == err.st_ino)
    }

    /// A buffered stderr for summary lines that follow buffered results (see `ResultWriter.summaryOutput`).
    static func bufferedError() -> OutputSink {
        let sink = OutputSink(fileDescriptor: 2)
        sink.escapesControlCharacters = isatty(2) != 0
        return sink
    }
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
