/// A failure to open or read the input of a `LineReader`, with the `strerror` text.
public struct LineReaderError: Error, Sendable, CustomStringConvertible {
    /// What failed, e.g. `cannot open 'x.jsonl': No such file or directory`.
    public var message: String
    /// The 1-based line the error is about, when it is about one (a line over the length limit).
    public var line: Int?

    /// Creates an error with a message.
    public init(message: String, line: Int? = nil) {
        self.message = message
        self.line = line
    }

    /// The message.
    public var description: String { message }
}
