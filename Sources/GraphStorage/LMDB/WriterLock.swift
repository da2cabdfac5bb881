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
    /// Called while waiting; what it throws (the caller's time limit passed, the statement was cancelled) ends
    /// the wait, nothing written. Set for a scope with `WriteLockWait.whileWaiting(_:_:)`.
    public var interrupt: (@Sendable () throws -> Void)?

    public init(
        noticeAfter: Duration = .seconds(1), timeout: Duration? = nil, notice: @escaping @Sendable (String) -> Void
    ) {
        self.noticeAfter = noticeAfter
        self.timeout = timeout
        self.notice = notice
    }

    /// Waits silently and without limit (what LMDB alone does).
    public static let silent = WriteLockWait(notice: { _ in })

    /// What the writes begun on this thread (or task) inside `whileWaiting` call while they wait for the lock.
    @TaskLocal static var scopedInterrupt: (@Sendable () throws -> Void)?

    /// Runs `body`, in which a write that waits for the write lock (another process's write, or another thread's
    /// of this one) calls `interrupt` every few milliseconds and gives up with what it throws: how a statement's
    /// time limit, or its cancellation, counts the wait for the lock. Inside another such scope, both are called.
    public static func whileWaiting<R>(_ interrupt: @escaping @Sendable () throws -> Void, _ body: () throws -> R) rethrows -> R {
        let outer = scopedInterrupt
        let both: @Sendable () throws -> Void = { try outer?(); try interrupt() }
        return try $scopedInterrupt.withValue(both, operation: body)
    }

    /// This wait, plus the interrupt of the scope the calling thread is in.
    var scoped: WriteLockWait {
        guard let scope = Self.scopedInterrupt else { return self }
        var wait = self
        let own = interrupt
        wait.interrupt = { try own?(); try scope() }
        return wait
    }
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
/// Record locks belong to the process, not the thread: one thread of the process holds it at a time (LMDB has one
/// write transaction at a time anyway), and the others wait here, where their wait can be interrupted, rather than
/// in LMDB's mutex, where it cannot.
final class WriterLock: Sendable {
    /// The locked byte: past any real file size.
    static let offset: off_t = 1 << 40
    private let descriptor: Int32
    /// Whether a thread of this process holds the lock.
    private let held = Mutex(false)

    init(descriptor: Int32) { self.descriptor = descriptor }

    /// Takes the lock, waiting as `wait` says.
    ///
    /// - Throws: `StorageError` `.locked` when the wait's timeout passes first, or what `wait.interrupt` threw.
    func acquire(_ wait: WriteLockWait) throws {
        let start = ContinuousClock.now
        // Another thread of this process writing: poll briefly (its write is short, or its own limit ends it).
        while !held.withLock({ held in
            if held { return false }
            held = true
            return true
        }) {
            try wait.interrupt?()
            if let timeout = wait.timeout, ContinuousClock.now - start >= timeout {
                throw StorageError(
                    .locked, "gave up after \(Self.seconds(ContinuousClock.now - start)) waiting for another write of this "
                        + "process; nothing was changed")
            }
            usleep(1_000)
        }
        do {
            try waitForLock(wait, since: start)
        } catch {
            held.withLock { $0 = false }
            throw error
        }
    }

    func release() {
        held.withLock { held in
            _ = setLock(F_UNLCK, command: F_SETLK)
            held = false
        }
    }

    private func waitForLock(_ wait: WriteLockWait, since start: ContinuousClock.Instant) throws {
        var noticed = false
        while true {
            if setLock(F_WRLCK, command: F_SETLK) == 0 { return }
            guard errno == EAGAIN || errno == EACCES || errno == EINTR else {
                // A file system without record locks: fall back to LMDB's own (silent, unbounded) wait.
                return
            }
            do {
                try wait.interrupt?()
            } catch {
                // Stopped before the notice was due: still say what it waited for.
                if !noticed { wait.notice("waiting for the write lock held by \(holderDescription())…") }
                throw error
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
