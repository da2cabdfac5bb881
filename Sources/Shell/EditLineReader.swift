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
    /// Candidates handed to libedit one at a time by the generator `complete` gives `rl_completion_matches`.
    nonisolated(unsafe) private static var matches: [String] = []
    nonisolated(unsafe) private static var matchIndex = 0

    /// The terminal's settings when the shell started, put back by `finish`.
    private var originalSettings: termios?

    /// Reads and keeps history in `historyFile` (nil: history for this session only, none saved).
    package init(historyFile: String?, completion: CompletionSource) {
        self.historyFile = historyFile
        self.completion = completion
        // libedit decides what is printable with the C library's locale, which a Swift program leaves at "C":
        // take the user's, and UTF-8 when theirs is not, so 'café' and '日本' can be typed.
        setlocale(LC_CTYPE, "")
        if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }
        // libedit switches the terminal to raw mode only once it reads; a Ctrl-D typed between the prompt and
        // that switch would be taken by the terminal driver as end-of-file in cooked mode and then lost. With
        // VEOF off, Ctrl-D stays a character, which libedit reads as end of input on an empty line. Done before
        // libedit first looks at the terminal (`using_history` initialises it), so its cooked mode keeps it off.
        var settings = termios()
        if tcgetattr(0, &settings) == 0 {
            originalSettings = settings
            withUnsafeMutableBytes(of: &settings.c_cc) { cc in cc[Int(VEOF)] = 0 }
            _ = tcsetattr(0, TCSANOW, &settings)
        }
        rl_readline_name = UnsafePointer(strdup("cmdb"))
        // Words end at these; '-' and '/' are not among them, so CI ids like 'vm-ams-01' stay one word.
        rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n\"'`@$><=;|&{}()[]:.,+*%^!~"))
        rl_attempted_completion_function = { text, start, _ in EditLineReader.complete(text, start) }
        // Keys come through `nextKey`, which also wakes up for Ctrl-C, whenever it comes.
        rl_getc_function = { _ in EditLineReader.nextKey() }
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
        // A Ctrl-C that came after the line's last key was read (while libedit finished the line) drops it too.
        if Interrupts.takeInterrupt() {
            Terminal.write("^C\n", to: 1)
            return .interrupted
        }
        return .line(String(cString: raw))
    }

    package func finish() {
        guard var settings = originalSettings else { return }
        _ = tcsetattr(0, TCSANOW, &settings)
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

    // MARK: - Keys

    /// The next character typed, as a Unicode scalar value (libedit's readline layer stores what this returns as
    /// one wide character, so UTF-8 is decoded here); -1 at the end of input or when Ctrl-C was pressed, which
    /// makes `readline` return nil.
    ///
    /// A byte that cannot continue the sequence begun (Latin-1 'é' = 0xE9 followed by ' ') ends it as one U+FFFD
    /// and is read again as the start of the next character, so the text after it (and Enter) stays, as `cmdb query`
    /// and the shell on a pipe decode it (the maximal subpart of an ill-formed sequence becomes one U+FFFD).
    ///
    /// Waits in `poll` on the terminal and on the interrupt handler's wake-up pipe, so Ctrl-C ends the wait even
    /// when it came while libedit was busy rather than blocked in a read.
    private static func nextKey() -> Int32 {
        guard let first = nextByte() else { return -1 }
        let length: Int
        var allowed: ClosedRange<UInt8> = 0x80...0xBF
        switch first {
        case 0x00...0x7F: return Int32(first)
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; allowed = 0xA0...0xBF  // no overlong forms
        case 0xED: length = 3; allowed = 0x80...0x9F  // no surrogates
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; allowed = 0x90...0xBF
        case 0xF4: length = 4; allowed = 0x80...0x8F  // nothing past U+10FFFF
        case 0xF1...0xF3: length = 4
        default: return 0xFFFD  // a continuation byte without a lead, or a byte UTF-8 never uses
        }
        var value = UInt32(first) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for _ in 1..<length {
            guard let next = nextByte() else { return -1 }
            guard allowed.contains(next) else {
                pendingByte = next
                return 0xFFFD
            }
            value = value << 6 | UInt32(next & 0x3F)
            allowed = 0x80...0xBF
        }
        return Int32(value)
    }

    /// A byte read past an ill-formed sequence, to be read again first.
    nonisolated(unsafe) private static var pendingByte: UInt8?

    private static func nextByte() -> UInt8? {
        let input = rl_instream.map { fileno($0) } ?? 0
        if !Interrupts.isPending, let byte = pendingByte {
            pendingByte = nil
            return byte
        }
        while true {
            if Interrupts.isPending { return nil }
            var fds = [
                pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                pollfd(fd: Interrupts.wakePipe.read, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, fds[1].fd >= 0 ? 2 : 1, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if fds[1].revents != 0 {
                // Ctrl-C: the flag says so; the loop returns nil.
                continue
            }
            guard fds[0].revents != 0 else { continue }
            var byte: UInt8 = 0
            let n = read(input, &byte, 1)
            if n == 1 { return byte }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            return nil
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
