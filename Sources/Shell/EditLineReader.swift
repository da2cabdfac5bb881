@preconcurrency import CEditLine
import Glibc

/// Lines from the terminal through libedit's readline API: editing, up-arrow history saved in a file, and
/// tab completion from a `CompletionSource`.
///
/// libedit keeps its state in globals, so there is one reader per process; `init` takes the completion source
/// that the C callback reaches through `EditLineReader.active`.
package final class EditLineReader: LineReader {
    private let historyFile: String?
    private let completion: CompletionSource

    /// The reader the completion callback serves (the C callback cannot capture context).
    nonisolated(unsafe) private static var active: EditLineReader?
    /// Candidates handed to libedit one at a time by `nextMatch`.
    nonisolated(unsafe) private static var matches: [String] = []
    nonisolated(unsafe) private static var matchIndex = 0

    /// Reads and keeps history in `historyFile` (nil: history for this session only, none saved).
    package init(historyFile: String?, completion: CompletionSource) {
        self.historyFile = historyFile
        self.completion = completion
        rl_readline_name = UnsafePointer(strdup("cmdb"))
        // Words end at these; '-' and '/' are not among them, so CI ids like 'vm-ams-01' stay one word.
        rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n\"'`@$><=;|&{}()[]:.,+*%^!~"))
        rl_attempted_completion_function = { text, start, _ in EditLineReader.complete(text, start) }
        using_history()
        stifle_history(2000)
        if let historyFile { _ = read_history(historyFile) }
        Self.active = self
    }

    package func readLine(prompt: String) -> LineInput {
        _ = Interrupts.takeInterrupt()
        guard let raw = readline(prompt) else {
            if Interrupts.takeInterrupt() {
                Terminal.write("^C\n", to: 1)
                return .interrupted
            }
            Terminal.write("\n", to: 1)
            return .end
        }
        defer { free(raw) }
        return .line(String(cString: raw))
    }

    package func remember(_ entry: String) {
        guard !entry.isEmpty else { return }
        _ = add_history(entry)
        if let historyFile {
            _ = write_history(historyFile)
            // The history can hold secrets typed into statements: readable by its owner only.
            chmod(historyFile, 0o600)
        }
    }

    // MARK: - Completion

    private static func complete(
        _ text: UnsafePointer<CChar>?, _ start: Int32
    ) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        // Never fall back to libedit's file name completion.
        rl_attempted_completion_over = 1
        guard let reader = active, let text else { return nil }
        let word = String(cString: text)
        // `start` counts characters (libedit edits wide characters); the line buffer is UTF-8.
        let line = rl_line_buffer.map { String(cString: $0) } ?? ""
        let scalars = Array(line.unicodeScalars)
        let end = max(0, min(Int(start), scalars.count))
        var before = String.UnicodeScalarView()
        before.append(contentsOf: scalars[0..<end])
        let result = reader.completion.completions(of: word, after: String(before))
        guard !result.candidates.isEmpty else { return nil }
        rl_completion_append_character = Int32(result.terminator?.asciiValue ?? 0)
        matches = result.candidates
        matchIndex = 0
        return rl_completion_matches(text) { _, _ in
            guard EditLineReader.matchIndex < EditLineReader.matches.count else { return nil }
            defer { EditLineReader.matchIndex += 1 }
            return strdup(EditLineReader.matches[EditLineReader.matchIndex])
        }
    }
}
