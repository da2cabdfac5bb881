import JSONLines

/// What reading one line gave.
package enum LineInput: Equatable, Sendable {
    case line(String)
    /// Ctrl-C while editing: the line is dropped.
    case interrupted
    /// Ctrl-D on an empty line, or the end of the input.
    case end
}

/// Where the shell's lines come from: libedit on a terminal, plain standard input otherwise.
package protocol LineReader: AnyObject {
    /// Reads one line, showing `prompt` first (readers without a terminal show none).
    func readLine(prompt: String) -> LineInput
    /// Adds an entry to the history that up-arrow walks (and that is saved across sessions).
    func remember(_ entry: String)
    /// Puts the terminal back as it was found; called once when the session ends.
    func finish()
}

/// Lines from standard input, for scripts: no prompt, no editing, no history. A byte order mark at the start of the
/// script is skipped.
package final class PlainLineReader: LineReader {
    private var isFirstLine = true

    package init() {}

    package func readLine(prompt: String) -> LineInput {
        guard var line = Swift.readLine(strippingNewline: true) else { return .end }
        if isFirstLine {
            isFirstLine = false
            line = ByteOrderMark.skipped(in: line)
        }
        return .line(line.hasSuffix("\r") ? String(line.dropLast()) : line)
    }

    package func remember(_ entry: String) {}

    package func finish() {}
}
