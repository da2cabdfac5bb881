import Glibc

/// Another program the server runs for a page (Graphviz's `dot`), bounded in time and output: a helper that hangs
/// is killed at its limit instead of holding a reader thread, and its snapshot, for ever.
///
/// Spawned and waited for here, not through Foundation's `Process`: the child is reaped only by `output`, so the
/// process number it kills is always still its child's.
enum HelperProgram {
    /// The standard output of `executable` run with `arguments` (standard input and error on /dev/null), or nil
    /// when it cannot be started, exits with a failure or by a signal, writes more than `maximumBytes`, or runs
    /// past `timeLimit`; in the last two cases it is killed with SIGKILL first.
    static func output(
        of executable: String, _ arguments: [String], timeLimit: Duration, maximumBytes: Int = 16 << 20
    ) -> [UInt8]? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        let readEnd = fds[0], writeEnd = fds[1]
        defer { close(readEnd) }
        // Not inherited by other children (the Glibc module has no `pipe2`; a helper spawned by another thread in
        // between holds the write end open until it ends, which the time limit bounds).
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        guard let pid = spawn(executable, arguments, stdout: writeEnd) else {
            close(writeEnd)
            return nil
        }
        close(writeEnd)
        let (bytes, complete) = read(readEnd, until: .now + timeLimit, maximumBytes: maximumBytes)
        if !complete { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Exited (no signal) with status 0.
        guard complete, status & 0x7f == 0, (status >> 8) & 0xff == 0 else { return nil }
        return bytes
    }

    /// Starts the program with standard output on `stdout`; nil when it cannot be started.
    private static func spawn(_ executable: String, _ arguments: [String], stdout: Int32) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        guard !argv.dropLast().contains(where: { $0 == nil }) else { return nil }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { return nil }
        return pid
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
