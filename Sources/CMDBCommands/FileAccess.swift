import Glibc
import CIQLSyntax
import JSONLines

/// A failure to read a file, with the operating system's reason.
struct FileReadError: Error, CustomStringConvertible {
    var description: String
}

/// The largest statement, schema, rules or mapping file read whole into memory: far above any real one, and a
/// bound for `query -f /dev/zero`.
let textFileLimit = 64 << 20

/// Reads a whole (small) text file; `name` is how errors call it.
func readTextFile(_ path: String, name: String? = nil, kind: String = "text file") throws -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw FileReadError(description: String(cString: strerror(errno))) }
    defer { close(fd) }
    return try readText(descriptor: fd, name: name ?? path, kind: kind)
}

/// Reads `descriptor` to its end, refusing more than `textFileLimit` bytes; a byte order mark at the start is skipped.
func readText(descriptor fd: Int32, name: String, kind: String) throws -> String {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw FileReadError(description: String(cString: strerror(errno)))
        }
        if n == 0 { break }
        guard bytes.count <= textFileLimit - n else {
            throw CommandFailure.badInput(
                "\(name): larger than \(textFileLimit >> 20) MiB, the limit for a \(kind)", code: .limit(.tooLarge))
        }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return ByteOrderMark.skipped(in: String(decoding: bytes, as: UTF8.self))
}

/// Copies standard input to a temporary file, so an import can read it again if it must retry.
///
/// The file is unlinked at once and reached through `/proc/self/fd`, so nothing is left behind even when the
/// process is killed; the returned descriptor keeps it alive. Input with no line end within `maxLineLength`
/// bytes is refused as it arrives (`<stdin>:LINE: line longer than N bytes`), so an endless stream without
/// lines is not copied to the disk first. While no input comes, `interrupt` is called every 100 ms and what it
/// throws ends the copy (a job's time limit; a producer that hangs).
func spoolStandardInput(maxLineLength: Int, interrupt: (() throws -> Void)? = nil) throws -> (path: String, descriptor: Int32) {
    try spool(0, name: "standard input", displayName: "<stdin>", maxLineLength: maxLineLength, interrupt: interrupt)
}

/// Copies what `source` gives (standard input, a pipe) to a temporary file, as `spoolStandardInput` says.
func spool(
    _ source: Int32, name: String, displayName: String, maxLineLength: Int, interrupt: (() throws -> Void)?
) throws -> (path: String, descriptor: Int32) {
    let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(dir)/cmdb-stdin-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
        throw CommandFailure.environment("cannot create a temporary file in \(dir): \(String(cString: strerror(errno)))")
    }
    unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    let path = "/proc/self/fd/\(fd)"
    var succeeded = false
    defer { if !succeeded { close(fd) } }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var line = 1, lineLength = 0
    while true {
        if let interrupt, try !waitForInput(source, checking: interrupt) { continue }
        let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw CommandFailure.environment("cannot read \(name): \(String(cString: strerror(errno)))")
        }
        if n == 0 { break }
        for byte in buffer[0..<n] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineLength = 0
            } else {
                lineLength += 1
                if lineLength > maxLineLength {
                    throw CommandFailure.badInput(
                        "\(displayName):\(line): line longer than \(maxLineLength) bytes", code: .input(.invalidLine))
                }
            }
        }
        var written = 0
        while written < n {
            let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + written, n - written) }
            if w < 0 {
                if errno == EINTR { continue }
                throw CommandFailure.environment("cannot spool \(name): \(String(cString: strerror(errno)))")
            }
            written += w
        }
    }
    succeeded = true
    return (path, fd)
}

/// Waits up to 100 ms for `descriptor` to be readable (data, end of input or an error), calling `interrupt` when it
/// is not; true when a read will not block.
private func waitForInput(_ descriptor: Int32, checking interrupt: () throws -> Void) throws -> Bool {
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    let ready = poll(&entry, 1, 100)
    if ready > 0 { return true }
    if ready < 0 && errno != EINTR { return true }  // the read reports it
    try interrupt()
    return false
}
