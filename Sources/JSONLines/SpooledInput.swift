#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An input that can be read only once (standard input, a pipe), copied to a temporary file as it is read, so
/// that it can be read again from the start: what an import retried after the map grew needs.
///
/// Reading starts at once: a reader gets each chunk as soon as it has been read and spooled, never waiting for the
/// end of the input. A later reader replays the spooled bytes and then goes on reading the input where the last
/// reader left it. The temporary file is unlinked as soon as it is made, so nothing is left behind, even on kill -9.
/// Readers must take turns (one `LineReader` at a time).
///
/// `@unchecked Sendable`: the state is touched only by the one reader reading at a time (a pipeline thread
/// hands over to the next attempt only after it has stopped).
public final class SpooledInput: @unchecked Sendable {
    /// The name in messages, e.g. `<stdin>`.
    public let name: String
    private let input: Int32
    private let spool: Int32
    /// Bytes copied to the spool so far.
    private var spooled = 0
    private var inputEnded = false

    /// Spools `descriptor` (not closed here) into an unlinked temporary file in `directory`.
    ///
    /// - Throws: `LineReaderError` when the temporary file cannot be made.
    public init(descriptor: Int32, name: String, directory: String) throws(LineReaderError) {
        var template = Array("\(directory)/cmdb-stdin-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else {
            throw LineReaderError(message: "cannot create a temporary file in \(directory): \(systemErrorText(currentErrno()))")
        }
        template.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { _ = unlink(base) }
        }
        self.input = descriptor
        self.spool = fd
        self.name = name
    }

    deinit { closeDescriptor(spool) }

    /// A reader from the start of the input.
    public func makeLineReader() -> LineReader {
        var position = 0
        return LineReader(name: name) { [self] (buffer, count) throws(LineReaderError) -> Int in
            let n = try readChunk(into: buffer, count, at: position)
            position += n
            return n
        }
    }

    /// Up to `count` bytes from `position`: from the spool when it holds them, else from the input (spooled).
    private func readChunk(into buffer: UnsafeMutableRawPointer, _ count: Int, at position: Int) throws(LineReaderError) -> Int {
        if position < spooled {
            while true {
                let n = pread(spool, buffer, min(count, spooled - position), off_t(position))
                if n >= 0 { return n }
                if currentErrno() == EINTR { continue }
                throw LineReaderError(message: "cannot read the copy of \(name): \(systemErrorText(currentErrno()))")
            }
        }
        if inputEnded { return 0 }
        var n = 0
        while true {
            n = read(input, buffer, count)
            if n >= 0 { break }
            if currentErrno() == EINTR { continue }
            throw LineReaderError(message: "cannot read \(name): \(systemErrorText(currentErrno()))")
        }
        if n == 0 {
            inputEnded = true
            return 0
        }
        var written = 0
        while written < n {
            let w = pwrite(spool, buffer + written, n - written, off_t(spooled + written))
            if w < 0 {
                if currentErrno() == EINTR { continue }
                throw LineReaderError(message: "cannot copy \(name) to a temporary file: \(systemErrorText(currentErrno()))")
            }
            written += w
        }
        spooled += n
        return n
    }
}
