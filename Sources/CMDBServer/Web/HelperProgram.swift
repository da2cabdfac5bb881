import CSpawn
import Glibc

/// Another program the server runs for a page (Graphviz's `dot`), bounded in time and output: a helper that hangs
/// is killed at its limit instead of holding a reader thread for ever.
///
/// Started with `cmdb_spawn`: none of the server's descriptors (its listening socket, its clients' connections) is
/// inherited, and the helper runs in a process group of its own, which is killed whole. It is reaped only here, so
/// the group it kills is always still its own.
enum HelperProgram {
    /// The standard output of `executable` run with `arguments` (standard input and error on /dev/null), or nil
    /// when it cannot be started, exits with a failure or by a signal, writes more than `maximumBytes`, or has not
    /// ended within `timeLimit` (having closed its output or not); in the last two cases its process group is killed
    /// with SIGKILL first.
    static func output(
        of executable: String, _ arguments: [String], timeLimit: Duration, maximumBytes: Int = 16 << 20
    ) -> [UInt8]? {
        let deadline = ContinuousClock.now + timeLimit
        var fds: [Int32] = [-1, -1]
        guard cmdb_pipe_cloexec(&fds) == 0 else { return nil }
        let readEnd = fds[0], writeEnd = fds[1]
        defer { close(readEnd) }
        let pid = spawn(executable, arguments, stdout: writeEnd)
        close(writeEnd)
        guard let pid else { return nil }
        let (bytes, complete) = read(readEnd, until: deadline, maximumBytes: maximumBytes)
        let status = complete ? waitForExit(pid, until: deadline) : nil
        if status == nil {
            kill(-pid, SIGKILL)
            _ = reap(pid, options: 0)
            return nil
        }
        // Exited (no signal) with status 0.
        guard let status, status & 0x7f == 0, (status >> 8) & 0xff == 0 else { return nil }
        return bytes
    }

    /// Starts the program with standard output on `stdout`; nil when it cannot be started.
    private static func spawn(_ executable: String, _ arguments: [String], stdout: Int32) -> pid_t? {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { return nil }
        defer { close(null) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        guard !argv.dropLast().contains(where: { $0 == nil }) else { return nil }
        var pid: pid_t = 0
        guard cmdb_spawn(&pid, executable, argv, environ, nil, null, stdout, null) == 0 else { return nil }
        return pid
    }

    /// The child's wait status once it has exited, or nil when `deadline` comes first (or it cannot be waited for).
    private static func waitForExit(_ pid: pid_t, until deadline: ContinuousClock.Instant) -> Int32? {
        while true {
            switch reap(pid, options: WNOHANG) {
            case .some(.some(let status)): return status
            case .some(.none): break  // still running
            case .none: return nil
            }
            guard ContinuousClock.now < deadline else { return nil }
            usleep(5_000)
        }
    }

    /// `waitpid` for this child: its status, `.some(nil)` while it runs (with WNOHANG), nil on an error.
    private static func reap(_ pid: pid_t, options: Int32) -> Int32?? {
        var status: Int32 = 0
        while true {
            let waited = waitpid(pid, &status, options)
            if waited == pid { return .some(status) }
            if waited == 0 { return .some(nil) }
            if errno != EINTR { return nil }
        }
    }

    /// Reads `fd` to its end; `complete` is false when the deadline came or the output grew past `maximumBytes`.
    private static func read(_ fd: Int32, until deadline: ContinuousClock.Instant, maximumBytes: Int) -> (bytes: [UInt8], complete: Bool) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let left = deadline - .now
            guard left > .zero else { return (bytes, false) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            // At most a minute per wait: the loop looks at the clock again.
            let waitMilliseconds = Int32(min(left.components.seconds, 60) * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&poller, 1, waitMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return (bytes, false)
            }
            if ready == 0 { continue }
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return (bytes, false)
            }
            if count == 0 { return (bytes, true) }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumBytes { return (bytes, false) }
        }
    }
}
