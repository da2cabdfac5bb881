import Glibc

/// Keeps LMDB's memory map in place while this process has transactions open on it.
///
/// `mdb_env_set_mapsize` (growing the map after `MDB_MAP_FULL`, adopting another process's growth after
/// `MDB_MAP_RESIZED`) unmaps and remaps the file: any read transaction open on another thread would then
/// read freed memory. Every transaction holds this lock shared for its whole life; a resize takes it
/// exclusively, so it waits until no transaction of this process is open.
///
/// Shared holds nest (glibc's default read-preferring rwlock, and a per-thread count), so a read inside a
/// read is fine. A thread that holds the lock shared can never take it exclusively (it would wait for
/// itself): `exclusive` then throws instead of dead-locking.
// `@safe`: the rwlock's memory is owned, allocated in init and freed in deinit, and never handed out.
@safe
final class MapLock: @unchecked Sendable {
    // @unchecked Sendable: the pthread rwlock is the synchronisation; `depthKey` is per thread by definition.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    private var depthKey = pthread_key_t()

    init() {
        unsafe lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        unsafe lock.initialize(to: pthread_rwlock_t())
        unsafe pthread_rwlock_init(lock, nil)
        unsafe pthread_key_create(&depthKey, nil)
    }

    deinit {
        unsafe pthread_rwlock_destroy(lock)
        unsafe lock.deallocate()
        pthread_key_delete(depthKey)
    }

    /// How many shared holds the calling thread has.
    private var depth: Int {
        get { unsafe Int(bitPattern: pthread_getspecific(depthKey)) }
        set { unsafe pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: newValue)) }
    }

    /// Whether the calling thread holds the lock shared.
    var isHeldByCurrentThread: Bool { depth > 0 }

    /// Takes a shared hold; pair with `unlockShared()`.
    func lockShared() {
        unsafe pthread_rwlock_rdlock(lock)
        depth += 1
    }

    func unlockShared() {
        depth -= 1
        unsafe pthread_rwlock_unlock(lock)
    }

    /// Runs `body` with no transaction of this process open.
    ///
    /// - Throws: `StorageError` `.busy`-like `.locked` when the calling thread itself holds a transaction.
    func exclusive<R>(_ body: () throws -> R) throws -> R {
        guard depth == 0 else {
            throw StorageError(
                .locked,
                "the database map must be resized, but this thread still has a transaction open; finish it first")
        }
        unsafe pthread_rwlock_wrlock(lock)
        defer { unsafe pthread_rwlock_unlock(lock) }
        return try body()
    }
}
