import Glibc
import Synchronization

/// How a writer waits for another process's write transaction to end.
public struct WriteLockWait: Sendable {
    /// After how long the waiting writer says so.
    public var noticeAfter: Duration
    /// How long to wait at most before giving up with `StorageError.Code.locked`; nil waits as long as it takes.
    public var timeout: Duration?
    /// Receives the notice, e.g. "waiting for the write lock held by pid 4242…" (the CLI prints it on stderr).
    public var notice: @Sendable (String) -> Void

    public init(
        noticeAfter: Duration = .seconds(1), timeout: Duration? = nil, notice: @escaping @Sendable (String) -> Void
    ) {
        self.noticeAfter = noticeAfter
        self.timeout = timeout
        self.notice = notice
    }

    /// Waits silently and without limit (what LMDB alone does).
    public static let silent = WriteLockWait(notice: { _ in })
}

/// The cross-process "who is writing" lock: an `fcntl` record lock on one byte far beyond the end of
/// `data.mdb`, taken by every cmdb writer just before LMDB's own writer mutex and released after commit or
/// abort.
///
/// LMDB's mutex cannot say who holds it and cannot time out; this lock can (`F_GETLK` names the holder's
/// pid, and a non-blocking attempt can be retried until a deadline). The kernel drops it when the holder's
/// process ends, however it ends. LMDB takes no fcntl locks on `data.mdb` (its own are on `lock.mdb`), and
/// the descriptor used is LMDB's, open until the environment closes, so no other close releases it.
///
/// Record locks belong to the process, not the thread: threads of one process share one hold (counted),
/// and LMDB's mutex orders them among themselves.
final class WriterLock: Sendable {
    /// The locked byte: past any real file size.
    static let offset: off_t = 1 << 40
    private let descriptor: Int32
    private let holders = Mutex(0)

    init(descriptor: Int32) { self.descriptor = descriptor }

    /// Takes the lock, waiting as `wait` says.
    ///
    /// - Throws: `StorageError` `.locked` when the wait's timeout passes first.
    func acquire(_ wait: WriteLockWait) throws {
        try holders.withLock { count in
            if count > 0 {
                count += 1
                return
            }
            try waitForLock(wait)
            count = 1
        }
    }

    func release() {
        holders.withLock { count in
            count -= 1
            if count == 0 { _ = setLock(F_UNLCK, command: F_SETLK) }
        }
    }

    private func waitForLock(_ wait: WriteLockWait) throws {
        let start = ContinuousClock.now
        var noticed = false
        while true {
            if setLock(F_WRLCK, command: F_SETLK) == 0 { return }
            guard errno == EAGAIN || errno == EACCES || errno == EINTR else {
                // A file system without record locks: fall back to LMDB's own (silent, unbounded) wait.
                return
            }
            let waited = ContinuousClock.now - start
            if let timeout = wait.timeout, waited >= timeout {
                throw StorageError(
                    .locked,
                    "gave up after \(Self.seconds(waited)) waiting for the write lock held by \(holderDescription()); "
                        + "nothing was changed")
            }
            if !noticed && waited >= wait.noticeAfter {
                noticed = true
                wait.notice("waiting for the write lock held by \(holderDescription())…")
            }
            usleep(20_000)
        }
    }

    /// "pid N", or "another process" when the holder cannot be told.
    private func holderDescription() -> String {
        var query = flock()
        query.l_type = Int16(F_WRLCK)
        query.l_whence = Int16(SEEK_SET)
        query.l_start = Self.offset
        query.l_len = 1
        if unsafe fcntl(descriptor, F_GETLK, &query) == 0, query.l_type != Int16(F_UNLCK), query.l_pid > 0 {
            return "pid \(query.l_pid)"
        }
        return "another process"
    }

    private func setLock(_ type: Int32, command: Int32) -> Int32 {
        var request = flock()
        request.l_type = Int16(type)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = Self.offset
        request.l_len = 1
        return unsafe fcntl(descriptor, command, &request)
    }

    private static func seconds(_ d: Duration) -> String {
        let (s, atto) = d.components
        let tenths = atto / 100_000_000_000_000_000
        return "\(s).\(tenths) s"
    }
}
