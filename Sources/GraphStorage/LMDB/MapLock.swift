import Glibc

/// Keeps LMDB's memory map in place while this process has transactions open on it.
///
/// `mdb_env_set_mapsize` (growing the map after `MDB_MAP_FULL`, adopting another process's growth after
/// `MDB_MAP_RESIZED`) unmaps and remaps the file: any read transaction open on another thread would then
/// read freed memory. Every transaction holds this lock shared for its whole life; a resize takes it
/// exclusively, so it waits until no transaction of this process is open.
///
/// The rwlock prefers the resize: once it waits, new shared holds wait behind it, so a steady stream of
/// overlapping reads on other threads (a server's) cannot keep it out forever. (glibc's default prefers
/// readers: four reader threads in a loop held a write's map growth off for good.) A thread's nested shared
/// holds (a read inside a read) count per thread and take the rwlock only once, so they never queue behind a
/// resize that waits for the outer hold. A thread that holds the lock shared can never take it exclusively
/// (it would wait for itself): `exclusive` then throws instead of dead-locking.
// `@safe`: the rwlock's memory is owned, allocated in init and freed in deinit, and never handed out.
@safe
final class MapLock: @unchecked Sendable {
    // @unchecked Sendable: the pthread rwlock is the synchronisation; `depthKey` is per thread by definition.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    private var depthKey = pthread_key_t()

    init() {
        unsafe lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        unsafe lock.initialize(to: pthread_rwlock_t())
        var attributes = pthread_rwlockattr_t()
        unsafe pthread_rwlockattr_init(&attributes)
        unsafe pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        unsafe pthread_rwlock_init(lock, &attributes)
        unsafe pthread_rwlockattr_destroy(&attributes)
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

    /// Takes a shared hold; pair with `unlockShared()` on the same thread.
    func lockShared() {
        let held = depth
        if held == 0 { unsafe pthread_rwlock_rdlock(lock) }
        depth = held + 1
    }

    func unlockShared() {
        let held = depth - 1
        depth = held
        if held == 0 { unsafe pthread_rwlock_unlock(lock) }
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
