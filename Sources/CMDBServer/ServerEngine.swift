import CIQL
import CIQLSyntax
import CMDB
import ConfigurationSchema
import Foundation
import GraphStorage
import Glibc
import ImpactAnalysis
import JSONLines
import NIOCore
import NIOPosix
import Synchronization
import Verification

/// The embedded engine behind the server: the same CMDB facade, query engine, impact analysis and audit history
/// over the same LMDB file the CLI uses.
///
/// LMDB work blocks, so it never runs on an event loop: reads run on a pool of reader threads, each request in
/// its own read transaction (a snapshot), and writes on one writer thread, so they are serialised here as LMDB
/// serialises them across processes, without blocking readers. Growing the memory map needs no transaction of
/// this process to be open, so it happens only under the exclusive side of `gate`, which every read holds
/// shared.
final class ServerEngine: Sendable {
    /// The database and the query engine over it; both are replaced together when `POST /v1/schema` applies a new
    /// schema (the same LMDB environment, governed by the new schema).
    /// `schemaSnapshot`: the LMDB transaction at which the schema in force was read or applied.
    private let current: Mutex<(database: ConfigurationDatabase, queries: QueryEngine, schemaSnapshot: Int)>
    var database: ConfigurationDatabase { current.withLock { $0.database } }
    var queries: QueryEngine { current.withLock { $0.queries } }
    let configuration: ServerConfiguration
    private let readers: NIOThreadPool
    private let writer: NIOThreadPool
    private let gate = ReadWriteGate()
    /// Spare map space kept ahead of ordinary writes, so the writer never grows the map while readers run.
    static let writeHeadroom = 256 << 20

    init(configuration: ServerConfiguration) throws {
        self.configuration = configuration
        let database = try ConfigurationDatabase.open(at: configuration.databasePath)
        // Room for ordinary writes up front, while no transaction is open.
        try database.store.ensureHeadroom(bytes: max(1 << 30, database.store.dataFileSize))
        current = Mutex((database, QueryEngine(database: database, procedures: configuration.procedures), -1))
        readers = NIOThreadPool(numberOfThreads: max(1, configuration.readerThreads))
        writer = NIOThreadPool(numberOfThreads: 1)
        readers.start()
        writer.start()
    }

    func shutdown() async {
        try? await readers.shutdownGracefully()
        try? await writer.shutdownGracefully()
    }

    /// Runs `body` on a reader thread inside the shared side of the map gate.
    func read<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R {
        try await readers.runIfActive { [gate, self] in
            try gate.shared {
                followStoredSchema()
                return try body()
            }
        }
    }

    /// Runs `body` on a reader thread outside the map gate: work that reads no database (Graphviz, up to its time
    /// limit) holds up no growth of the map.
    func offload<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R {
        try await readers.runIfActive(body)
    }

    /// The LMDB transaction at which the stored schema was last compared with the one in force.
    private let schemaCheckedAt = Atomic<Int>(-1)

    /// Adopts a schema applied beside the server (`cmdb schema apply` from the CLI) before the next request
    /// plans or validates anything; true when it adopted one. Looked at only when some process committed since the
    /// last look, so a request costs one `mdb_env_info` when nothing changed. A stored schema that cannot be read
    /// leaves the current one (the CLI reports it).
    @discardableResult
    func followStoredSchema() -> Bool {
        let db = database
        let latest = db.store.latestSnapshotID
        guard schemaCheckedAt.load(ordering: .acquiring) < latest else { return false }
        var snapshot = latest
        var adopted = false
        // A stored schema that cannot be read is not read again until the next commit.
        if let (seen, changed) = try? db.store.read({ tx in (tx.snapshotID, try db.storedSchemaIfChanged(in: tx)) }) {
            snapshot = seen
            if let changed { adopted = adopt(changed, at: seen) }
        }
        // Only forwards: a reader that read an older snapshot must not make the next look skip a newer one.
        var seen = schemaCheckedAt.load(ordering: .acquiring)
        while seen < snapshot {
            let (exchanged, now) = schemaCheckedAt.compareExchange(
                expected: seen, desired: snapshot, ordering: .acquiringAndReleasing)
            if exchanged { break }
            seen = now
        }
        return adopted
    }

    /// Runs `body` on the writer thread, after making sure the map has room for `headroom` more bytes.
    ///
    /// The statement time limit counts from now: time queued behind other writes and the wait for another
    /// process's write lock (a CLI import reading a slow pipe) count against it, and past it the write stops with
    /// `Limit.Timeout` (503) before it writes anything.
    func write<R: Sendable>(headroom: Int = ServerEngine.writeHeadroom, _ body: @escaping @Sendable () throws -> R) async throws -> R {
        try await write(headroom: headroom, limited: { _ in try body() })
    }

    /// `write`, handing `body` the request's deadline (counted from its arrival) for a statement to run under.
    func write<R: Sendable>(
        headroom: Int = ServerEngine.writeHeadroom, limited body: @escaping @Sendable (Deadline) throws -> R
    ) async throws -> R {
        let limit = deadline()
        defer { limit.finish() }
        return try await withCheckedThrowingContinuation { (answer: CheckedContinuation<R, any Error>) in
            let queued = QueuedWrite(answer)
            // Queued behind this server's other writes past the limit: answered 503 then, not when the writes ahead
            // of it end; the writer thread, when it comes to it, finds it abandoned and writes nothing.
            let giveUp = DispatchWorkItem { _ = queued.abandon(APIError.timeout(limit.seconds)) }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(min(limit.seconds, 1e7) * 1000)), execute: giveUp)
            writer.submit { [gate, self] state in
                guard case .active = state else {
                    giveUp.cancel()
                    _ = queued.abandon(NIOThreadPoolError.ThreadPoolInactive())
                    return
                }
                guard queued.start() else { return }
                giveUp.cancel()
                queued.finish(Result {
                    if limit.expired { throw APIError.timeout(limit.seconds) }
                    // The wait for another process's write lock checks the limit too.
                    return try WriteLockWait.whileWaiting({ if limit.expired { throw APIError.timeout(limit.seconds) } }) {
                        try writeNow(headroom: headroom, gate: gate) { try body(limit) }
                    }
                })
            }
        }
    }

    private func writeNow<R>(headroom: Int, gate: ReadWriteGate, _ body: () throws -> R) throws -> R {
        followStoredSchema()
        let store = database.store
        if store.dataFileSize + headroom > store.mapSize {
            try gate.exclusive { try store.ensureHeadroom(bytes: headroom) }
        }
        do {
            return try body()
        } catch let error as StorageError where error.code == .locked {
            // A schema applied beside the server while this waited for the write lock (nothing was written):
            // adopt it and run once more, under it. Any other lock error stands.
            guard followStoredSchema() else { throw error }
            return try body()
        }
    }

    /// Governs the open database by `schema` from now on (after it was applied), with a new query engine (so
    /// no plan made under the old schema runs).
    ///
    /// `snapshot` is the LMDB transaction the schema was read at (nil: applied by this server, in force from now):
    /// a schema read at an older snapshot than the one in force is not adopted. True when it was adopted.
    @discardableResult
    func adopt(_ schema: Schema, at snapshot: Int? = nil) -> Bool {
        current.withLock { c in
            if let snapshot, snapshot < c.schemaSnapshot { return false }
            let database = c.database.governed(by: schema)
            c = (database, QueryEngine(database: database, procedures: configuration.procedures),
                snapshot ?? database.store.latestSnapshotID)
            return true
        }
    }

    /// A cancellation flag that trips after the statement time limit; `finish()` stops its timer.
    func deadline() -> Deadline {
        Deadline(seconds: configuration.statementTimeoutSeconds)
    }
}

/// A statement's time limit: the executor checks the flag; `DeadlineWatch` sets it once the time is up.
final class Deadline: Sendable {
    let flag = CancellationFlag()
    let seconds: Double
    private let end: ContinuousClock.Instant
    private let ticket: Int

    init(seconds: Double) {
        self.seconds = seconds
        end = .now + .nanoseconds(Int64(min(seconds, 1e9) * 1e9))
        ticket = DeadlineWatch.shared.watch(flag, until: end)
    }

    var expired: Bool { flag.isCancelled || ContinuousClock.now >= end }

    func finish() { DeadlineWatch.shared.forget(ticket) }

    /// Runs `body`; a cancellation it reports because the deadline passed becomes `Limit.Timeout`.
    func enforce<R>(_ body: () throws -> R) throws -> R {
        defer { finish() }
        do {
            return try body()
        } catch let error as CIQLError where expired {
            _ = error
            throw APIError.timeout(seconds)
        }
    }
}

/// Trips the flags of statements that outlived their time limit. One thread looks every 10 ms, so a request
/// costs two uncontended lock operations rather than a timer scheduled (and cancelled) on an event loop, whose
/// wake-ups cost more than a point lookup.
final class DeadlineWatch: Sendable {
    static let shared = DeadlineWatch()
    private struct State {
        var next = 0
        var watched: [Int: (end: ContinuousClock.Instant, flag: CancellationFlag)] = [:]
    }
    private let state = Mutex(State())

    private init() {
        Thread.detachNewThread { [self] in
            while true {
                usleep(10_000)
                let now = ContinuousClock.now
                state.withLock { s in
                    for (ticket, entry) in s.watched where entry.end <= now {
                        entry.flag.cancel()
                        s.watched[ticket] = nil
                    }
                }
            }
        }
    }

    func watch(_ flag: CancellationFlag, until end: ContinuousClock.Instant) -> Int {
        state.withLock { s in
            s.next &+= 1
            s.watched[s.next] = (end, flag)
            return s.next
        }
    }

    func forget(_ ticket: Int) {
        _ = state.withLock { $0.watched.removeValue(forKey: ticket) }
    }
}

/// A write waiting for the server's one writer thread, answered exactly once: by the writer thread, which takes it up
/// (`start`) and answers with its result, or, while it is still queued, by its time limit (`abandon`), after which the
/// writer thread skips it.
private final class QueuedWrite<R: Sendable>: Sendable {
    private enum Phase { case queued, running, answered }
    private let phase = Mutex(Phase.queued)
    private let answer: CheckedContinuation<R, any Error>

    init(_ answer: CheckedContinuation<R, any Error>) { self.answer = answer }

    /// The writer thread takes the write up; false when it was abandoned.
    func start() -> Bool {
        phase.withLock { p in
            guard p == .queued else { return false }
            p = .running
            return true
        }
    }

    /// The writer thread's answer, after `start`.
    func finish(_ result: Result<R, any Error>) {
        phase.withLock { $0 = .answered }
        answer.resume(with: result)
    }

    /// Answers `error` while the write is still queued; false when the writer thread has taken it up.
    func abandon(_ error: any Error) -> Bool {
        let abandoned = phase.withLock { p -> Bool in
            guard p == .queued else { return false }
            p = .answered
            return true
        }
        if abandoned { answer.resume(throwing: error) }
        return abandoned
    }
}

/// A readers-writer lock (pthread): reads share it, map growth takes it alone.
final class ReadWriteGate: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        // Prefer the writer, so a steady stream of reads cannot starve a map growth.
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    func shared<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    func exclusive<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
