#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `strerror` text for an errno value.
func systemErrorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// The current thread's errno value.
func currentErrno() -> Int32 {
    errno
}

/// Closes a file descriptor, ignoring errors.
func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

/// `write(2)`: the number of bytes written, or -1 with errno set.
func writeDescriptor(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// Waits until a non-blocking descriptor can take more output (after EAGAIN).
func waitUntilWritable(_ descriptor: Int32) {
    var request = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
    _ = poll(&request, 1, -1)
}
