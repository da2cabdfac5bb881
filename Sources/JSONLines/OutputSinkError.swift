#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed `write(2)` of an `OutputSink`, with the `strerror` text and the errno value.
public struct OutputSinkError: Error, Sendable, CustomStringConvertible {
    /// What failed, e.g. `write error: Broken pipe`.
    public var message: String
    /// The errno value of the failed write.
    public var errorNumber: Int32

    /// Creates an error with a message and errno value.
    public init(message: String, errorNumber: Int32) {
        self.message = message
        self.errorNumber = errorNumber
    }

    /// Whether the reader of a pipe went away (EPIPE); callers usually exit quietly.
    public var isBrokenPipe: Bool { errorNumber == EPIPE }

    /// The message.
    public var description: String { message }
}
