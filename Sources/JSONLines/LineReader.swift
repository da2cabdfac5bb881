#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line with `read(2)` in big chunks, handing out each line as bytes.
///
/// Lines end at `\n`; the `\n` and a `\r` right before it are stripped. A last line without
/// a newline is still a line; empty lines come out as empty buffers. A line longer than
/// the chunk grows the buffer, up to `maximumLineLength`: a longer line is an error, so memory
/// stays bounded whatever the input (`/dev/zero` has no newline). The buffer passed to
/// `nextLine`'s body is valid only inside the body. Not thread-safe.
public final class LineReader {
    /// The longest line accepted unless told otherwise: 16 MiB.
    public static let defaultMaximumLineLength = 16 << 20

    /// The longest line, in bytes without its terminator, that `nextLine` hands out; a longer one
    /// throws `LineReaderError` (with its line number) once that many bytes of it have been read.
    public var maximumLineLength = LineReader.defaultMaximumLineLength

    /// The descriptor read from.
    private var fileDescriptor: Int32
    /// Reads into a buffer instead of `read(2)` on the descriptor (returns the count, 0 at end).
    private var readFunction: ((UnsafeMutableRawPointer, Int) throws(LineReaderError) -> Int)?
    /// Whether `close()` and deinit close the descriptor (true when opened by path).
    private let ownsDescriptor: Bool
    /// The input's name for error messages.
    private let name: String
    /// The read buffer.
    private var buffer: UnsafeMutableRawPointer
    /// Allocated size of `buffer`.
    private var capacity: Int
    /// Offset in `buffer` of the first byte not yet handed out.
    private var start = 0
    /// Offset in `buffer` after the last byte read.
    private var end = 0
    /// Offset in `buffer` from which to look for the next newline (bytes before have none).
    private var scanFrom = 0
    /// Whether `read(2)` reported end of file (or the reader was closed).
    private var atEnd = false

    /// The 1-based number of the line last handed out (0 before the first).
    public private(set) var lineNumber = 0
    /// Bytes of input taken up by the lines handed out so far, line terminators included.
    public private(set) var bytesConsumed = 0

    /// Reads from an open descriptor, which the reader does not close.
    public init(fileDescriptor: Int32, chunkSize: Int = 1 << 20) {
        self.fileDescriptor = fileDescriptor
        self.ownsDescriptor = false
        self.name = "file descriptor \(fileDescriptor)"
        self.capacity = max(chunkSize, 16)
        self.buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    /// Reads what `read` hands out: it fills the buffer it is given with up to the count of bytes
    /// asked for and returns how many it wrote, 0 at the end of the input.
    public convenience init(
        name: String, chunkSize: Int = 1 << 20,
        read: @escaping (UnsafeMutableRawPointer, Int) throws(LineReaderError) -> Int
    ) {
        self.init(fileDescriptor: -1, chunkSize: chunkSize, name: name, owns: false)
        self.readFunction = read
    }

    /// Opens `path` for reading; the reader closes it in `close()` or when released.
    public convenience init(path: String) throws(LineReaderError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = currentErrno()
            throw LineReaderError(message: "cannot open '\(path)': \(systemErrorText(code))")
        }
        self.init(fileDescriptor: descriptor, chunkSize: 1 << 20, name: "'\(path)'", owns: true)
    }

    /// The designated initializer.
    private init(fileDescriptor: Int32, chunkSize: Int, name: String, owns: Bool) {
        self.fileDescriptor = fileDescriptor
        self.ownsDescriptor = owns
        self.name = name
        self.capacity = max(chunkSize, 16)
        self.buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        close()
        buffer.deallocate()
    }

    /// Calls `body` with the next line (without its terminator) and returns its result, or
    /// returns nil at end of input. `lineNumber` and `bytesConsumed` already count the line
    /// while `body` runs. Throws `LineReaderError` on a read error, or what `body` throws.
    public func nextLine<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        while true {
            if scanFrom < end, let newline = memchr(buffer + scanFrom, 0x0A, end - scanFrom) {
                let newlineOffset = UnsafeMutableRawPointer(newline) - buffer
                let lineStart = start
                var lineEnd = newlineOffset
                if lineEnd > lineStart && buffer.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D {
                    lineEnd -= 1
                }
                if lineEnd - lineStart > maximumLineLength {
                    throw LineReaderError(
                        message: "line longer than \(maximumLineLength) bytes", line: lineNumber + 1)
                }
                start = newlineOffset + 1
                scanFrom = start
                lineNumber += 1
                bytesConsumed += start - lineStart
                return try body(UnsafeRawBufferPointer(start: buffer + lineStart, count: lineEnd - lineStart))
            }
            scanFrom = end
            if end - start > maximumLineLength + 1 {  // (+ 1: a `\r` may end it)
                throw LineReaderError(
                    message: "line longer than \(maximumLineLength) bytes", line: lineNumber + 1)
            }
            if atEnd {
                guard start < end else { return nil }
                let lineStart = start
                start = end
                lineNumber += 1
                bytesConsumed += end - lineStart
                return try body(UnsafeRawBufferPointer(start: buffer + lineStart, count: end - lineStart))
            }
            try fill()
        }
    }

    /// Reads the next chunk, first moving the unfinished line to the front and growing the
    /// buffer when that line fills it.
    private func fill() throws(LineReaderError) {
        if start > 0 {
            let pending = end - start
            if pending > 0 { memmove(buffer, buffer + start, pending) }
            scanFrom -= start
            end = pending
            start = 0
        }
        if end == capacity {
            let newCapacity = capacity * 2
            let newBuffer = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            newBuffer.copyMemory(from: buffer, byteCount: end)
            buffer.deallocate()
            buffer = newBuffer
            capacity = newCapacity
        }
        if let readFunction {
            let count = try readFunction(buffer + end, capacity - end)
            if count > 0 { end += count } else { atEnd = true }
            return
        }
        while true {
            let count = read(fileDescriptor, buffer + end, capacity - end)
            if count > 0 {
                end += count
                return
            }
            if count == 0 {
                atEnd = true
                return
            }
            let code = currentErrno()
            if code == EINTR { continue }
            throw LineReaderError(message: "cannot read \(name): \(systemErrorText(code))")
        }
    }

    /// Stops reading: later calls to `nextLine` return nil. Closes the descriptor if the
    /// reader opened it (`init(path:)`); a descriptor passed in stays open.
    public func close() {
        if ownsDescriptor && fileDescriptor >= 0 {
            closeDescriptor(fileDescriptor)
        }
        fileDescriptor = -1
        atEnd = true
        start = end
        scanFrom = end
    }
}
