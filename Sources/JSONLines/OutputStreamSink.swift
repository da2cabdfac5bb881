#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered output to a file descriptor with `write(2)`.
///
/// Partial writes are completed and EINTR is retried; any other failure (EPIPE included)
/// throws `OutputSinkError` and drops the buffered bytes. The descriptor is not closed.
/// `deinit` flushes and ignores errors. To see EPIPE instead of dying from SIGPIPE, the
/// process must ignore SIGPIPE (`signal(SIGPIPE, SIG_IGN)`). Not thread-safe.
public final class OutputSink {
    /// The descriptor written to.
    private let fileDescriptor: Int32
    /// The buffer of bytes not yet written.
    private let buffer: UnsafeMutableRawPointer
    /// Allocated size of `buffer`.
    private let capacity: Int
    /// Number of bytes in `buffer`.
    private var count = 0
    /// Control characters are written as visible escapes (`\u001B`): set for a terminal, so that stored values
    /// cannot drive it (see `TerminalText`).
    public var escapesControlCharacters = false

    /// Writes to `fileDescriptor` (not closed by the sink) through a buffer of `bufferSize` bytes.
    public init(fileDescriptor: Int32, bufferSize: Int = 1 << 16) {
        self.fileDescriptor = fileDescriptor
        self.capacity = max(bufferSize, 64)
        self.buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        try? flush()
        buffer.deallocate()
    }

    /// Buffers `bytes`, writing out when the buffer fills.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            try append(raw)
        }
    }

    /// Buffers the UTF-8 of `string`, writing out when the buffer fills.
    public func write(_ string: String) throws {
        var text = string
        try text.withUTF8 { utf8 in
            try append(UnsafeRawBufferPointer(utf8))
        }
    }

    /// Buffers `bytes`, writing out when the buffer fills.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try append(bytes)
    }

    /// Writes out everything buffered.
    public func flush() throws {
        try flushBuffer()
    }

    /// Copies `source` into the buffer; writes it directly when it is larger than the buffer.
    private func append(_ source: UnsafeRawBufferPointer) throws(OutputSinkError) {
        if escapesControlCharacters, let escaped = TerminalText.escaped(source) {
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: escaped.count, alignment: 1)
            defer { copy.deallocate() }
            copy.copyBytes(from: escaped)
            try appendRaw(UnsafeRawBufferPointer(copy))
            return
        }
        try appendRaw(source)
    }

    private func appendRaw(_ source: UnsafeRawBufferPointer) throws(OutputSinkError) {
        guard let sourceBase = source.baseAddress, source.count > 0 else { return }
        if source.count > capacity - count {
            try flushBuffer()
            if source.count >= capacity {
                try writeAll(sourceBase, source.count)
                return
            }
        }
        (buffer + count).copyMemory(from: sourceBase, byteCount: source.count)
        count += source.count
    }

    /// Writes out the buffer and empties it (also when the write fails).
    private func flushBuffer() throws(OutputSinkError) {
        guard count > 0 else { return }
        let pending = count
        count = 0
        try writeAll(UnsafeRawPointer(buffer), pending)
    }

    /// Writes `length` bytes at `bytes`, completing partial writes and retrying EINTR.
    private func writeAll(_ bytes: UnsafeRawPointer, _ length: Int) throws(OutputSinkError) {
        var offset = 0
        while offset < length {
            let written = writeDescriptor(fileDescriptor, bytes + offset, length - offset)
            if written > 0 {
                offset += written
                continue
            }
            let code = written < 0 ? currentErrno() : EIO
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                waitUntilWritable(fileDescriptor)
                continue
            }
            throw OutputSinkError(message: "write error: \(systemErrorText(code))", errorNumber: code)
        }
    }
}
