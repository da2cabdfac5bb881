/// A failure to open or read the input of a `LineReader`, with the `strerror` text.
public struct LineReaderError: Error, Sendable, CustomStringConvertible {
    /// What failed, e.g. `cannot open 'x.jsonl': No such file or directory`.
    public var message: String

    /// Creates an error with a message.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
