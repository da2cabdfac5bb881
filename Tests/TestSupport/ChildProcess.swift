import CSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process of a test, started with `posix_spawn` and waited for with `waitpid`.
///
/// Not Foundation's `Process`: it closes the parent's descriptors in the child from a list made before spawning, so a
/// descriptor another test's thread opens meanwhile leaks into the child, and it learns that a child ended when a
/// socket the child inherited reaches its end, which never happens while a grandchild (or a process that inherited
/// the socket by that leak) still holds it; `waitUntilExit` then waits forever, and with the tests' two threads both
/// waiting, the whole run stops (it did, once, in CI). Here every descriptor but the three streams is closed at spawn
/// time, and the exit is read from the kernel.
public final class ChildProcess: @unchecked Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream {
        /// /dev/null.
        case null
        /// The test process's own stream.
        case inherit
        /// This descriptor (the caller keeps it open and closes it).
        case descriptor(Int32)
        /// This end of a pipe; the parent's copy of it is closed once the child has it.
        case pipe(FileHandle)
    }

    /// How the child ended.
    public enum Termination: Equatable, Sendable {
        case exit(Int32)
        case signal(Int32)
    }

    public let pid: pid_t
    private let lock = NSLock()
    private var ended: Termination?

    /// Starts `executable` with `arguments`; `environment` nil passes the test's own.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null
    ) throws {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { throw ChildProcessError("cannot open /dev/null: errno \(errno)") }
        defer { close(null) }
        func descriptor(_ stream: Stream, _ own: Int32) -> Int32 {
            switch stream {
            case .null: return null
            case .inherit: return own
            case .descriptor(let fd): return fd
            case .pipe(let handle): return handle.fileDescriptor
            }
        }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var started: pid_t = 0
        let rc = Self.withCStrings([executable] + arguments) { argv in
            Self.withCStrings(env) { envp in
                cmdb_spawn(
                    &started, executable, argv, envp, directory, descriptor(stdin, 0), descriptor(stdout, 1),
                    descriptor(stderr, 2))
            }
        }
        guard rc == 0 else {
            throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        pid = started
        for stream in [stdin, stdout, stderr] {
            if case .pipe(let handle) = stream { try? handle.close() }
        }
    }

    /// How the child ended; nil while it runs.
    public var termination: Termination? {
        lock.lock()
        defer { lock.unlock() }
        if ended == nil { ended = reap(blocking: false) }
        return ended
    }

    public var isRunning: Bool { termination == nil }

    /// Waits for the child to end.
    @discardableResult
    public func waitUntilExit() -> Termination {
        while true {
            if let termination { return termination }
            usleep(2_000)
        }
    }

    /// Waits at most `seconds`; nil when the child is still running then.
    public func wait(seconds: Double) -> Termination? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let termination { return termination }
            usleep(2_000)
        }
        return termination
    }

    /// The exit code, or for a child ended by a signal, the signal's number (as Foundation's `Process` says it).
    public var terminationStatus: Int32 {
        switch waitUntilExit() {
        case .exit(let code): return code
        case .signal(let signal): return signal
        }
    }

    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    public func terminate() { send(SIGTERM) }

    deinit {
        if termination == nil {
            kill(pid, SIGKILL)
            _ = reap(blocking: true)
        }
    }

    private func reap(blocking: Bool) -> Termination? {
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if rc == pid { break }
            if rc == 0 { return nil }
            if errno == EINTR { continue }
            // Not our child any more (reaped elsewhere): nothing to wait for.
            return .exit(-1)
        }
        let low = status & 0x7f
        return low == 0 ? .exit((status >> 8) & 0xff) : .signal(low)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
