import CLMDB
import Glibc
import Synchronization

/// After a commit that grew the data file a lot (an import): the file's pages put back into the page cache in the
/// largest folios the kernel makes, so that readers' maps take them a huge page at a time.
///
/// LMDB writes a commit's pages with `pwrite`, a run of at most 64 pages at a time, and the kernel caches what it
/// writes in folios no larger than the write. A reader's map then takes those pages 64 KiB per fault (fault-around),
/// a lookup in a fresh process costs a fault for every page it reads, and the process's exit unmaps each one. Read
/// back through a map advised `MADV_HUGEPAGE`, the same file is cached in 2 MiB folios where the file system makes
/// them (ext4 since Linux 6.16, XFS), and the kernel maps such a folio whole, in one fault. On the 1M-CI benchmark
/// database (401 MiB, refilled in 0.15–0.5 s) a fresh process's one-hop lookups
/// (`MATCH (x)-->(v {id: …}) RETURN DISTINCT x.id`) took about 1.7 faults each before and 0.2 after.
///
/// Best effort, and it changes no data.
extension LMDBEnvironment {
    /// The number of the last page the latest commit uses (the file's used size in pages). Read under the map lock:
    /// LMDB reads it from the meta pages, through the map, which a resize would move.
    var lastPageNumber: Int {
        mapLock.lockShared()
        defer { mapLock.unlockShared() }
        var info = unsafe MDB_envinfo()
        unsafe mdb_env_info(handle, &info)
        return unsafe info.me_last_pgno
    }

    /// The page size of the environment's file (read under the map lock, as `lastPageNumber` is).
    var pageSize: Int {
        mapLock.lockShared()
        defer { mapLock.unlockShared() }
        var st = MDB_stat()
        guard unsafe mdb_env_stat(handle, &st) == MDB_SUCCESS else { return 4096 }
        return Int(st.ms_psize)
    }

    /// A commit that grew the used file by at least this much is followed by `refillPageCache()`; the default is
    /// 64 MiB (about 150,000 CIs with their relations), `CMDB_PAGE_CACHE_REFILL_BYTES` overrides it (0: never).
    static var pageCacheRefillThreshold: Int {
        guard let text = unsafe getenv("CMDB_PAGE_CACHE_REFILL_BYTES").map({ unsafe String(cString: $0) }),
            let n = Int(text), n >= 0
        else { return 64 << 20 }
        return n == 0 ? .max : n
    }

    /// The largest file refilled: a quarter of the machine's memory, so that the pass never pushes much else out of
    /// the page cache.
    static var pageCacheRefillLimit: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 0 }
        return pages.multipliedReportingOverflow(by: size).overflow ? .max : pages * size / 4
    }

    /// Advises LMDB's map `MADV_HUGEPAGE` when the data file is at most `hugePageAdviceLimit`: a page this process
    /// reads through the map that is not in the page cache then comes from disk in a 2 MiB folio, where the kernel
    /// and file system make them, instead of the small folios of the read-ahead window around it, and every process
    /// after it maps that folio in one fault. Without it, a database dropped from the page cache (a reboot, the
    /// kernel reclaiming idle pages) is read back by lookups in small folios and stays so: on the 1M-CI benchmark
    /// database, a fresh process's one-hop lookups then take 1.7 faults each instead of 0.15–0.25, about twice the
    /// time per lookup. Folios already cached stay as they are, and so do the first pages `mdb_env_open` reads
    /// with `pread` before the map exists. Call it after every (re)mapping: LMDB maps the file anew when the map
    /// grows (a commit that takes the file past the limit withdraws the advice: `withdrawHugePageAdviceIfOverLimit`).
    /// Best effort: nothing is said when it cannot be done.
    ///
    /// LMDB does not say where its map is (`mdb_env_info` gives an address only for `MDB_FIXEDMAP`): it is the
    /// mapping of the map's size of the data file from offset 0 in `/proc/self/maps`. Call it where no other thread
    /// can remap: before the environment is shared, or with `mapLock` held.
    func adviseHugePages() {
        mapIsAdvisedHugePages.store(false, ordering: .relaxed)
        if adviseMap(MADV_HUGEPAGE, ifFileIsAtMost: hugePageAdviceLimit.load(ordering: .relaxed)) {
            mapIsAdvisedHugePages.store(true, ordering: .relaxed)
        }
    }

    /// Withdraws the map's `MADV_HUGEPAGE` (`MADV_NOHUGEPAGE`) once the data file has grown past the limit: a
    /// long-lived process (a server) whose database outgrows a quarter of memory reads misses in small folios
    /// again. Cheap unless it has something to do; call it after a commit that grew the file.
    func withdrawHugePageAdviceIfOverLimit() {
        guard mapIsAdvisedHugePages.load(ordering: .relaxed), dataFileSize > hugePageAdviceLimit.load(ordering: .relaxed)
        else { return }
        mapLock.lockShared()
        defer { mapLock.unlockShared() }
        if adviseMap(MADV_NOHUGEPAGE, ifFileIsAtMost: .max) {
            mapIsAdvisedHugePages.store(false, ordering: .relaxed)
        }
    }

    /// Gives LMDB's map `advice` when the data file is at most `limit` bytes; false when it did not.
    private func adviseMap(_ advice: Int32, ifFileIsAtMost limit: Int) -> Bool {
        var fd: Int32 = -1
        var st = stat()
        var info = unsafe MDB_envinfo()
        guard unsafe mdb_env_get_fd(handle, &fd) == MDB_SUCCESS, fd >= 0, unsafe fstat(fd, &st) == 0,
            Int(st.st_size) <= limit, unsafe mdb_env_info(handle, &info) == MDB_SUCCESS,
            let map = ProcessMappings.mapping(inode: UInt64(st.st_ino), length: unsafe info.me_mapsize),
            let start = unsafe UnsafeMutableRawPointer(bitPattern: map.lowerBound)
        else { return false }
        return unsafe madvise(start, map.count, advice) == 0
    }

    /// Drops the data file's pages from the page cache and reads them back in as large folios (see
    /// `refillPageCache(descriptor:size:window:)`). Through LMDB's own descriptor, which stays open: closing any
    /// descriptor of `data.mdb` would release this process's `fcntl` locks on it, the writer lock among them.
    func refillPageCache() {
        var fd: Int32 = -1
        guard unsafe mdb_env_get_fd(handle, &fd) == MDB_SUCCESS, fd >= 0 else { return }
        var st = stat()
        guard unsafe fstat(fd, &st) == 0, st.st_size > 0, Int(st.st_size) <= Self.pageCacheRefillLimit else { return }
        Self.refillPageCache(descriptor: fd, size: Int(st.st_size))
    }

    /// Reads the first `size` bytes of the open file `descriptor` back into the page cache in 2 MiB folios, a
    /// `window` at a time: the window's clean pages that no process maps are dropped, then read back through a map
    /// of the window advised `MADV_HUGEPAGE` and populated with `MADV_POPULATE_READ` (which reports a page past the
    /// end of the file as an error, not a signal). Pages a process maps (a running server's) stay as they are.
    ///
    /// The last whole window goes first, the one a large commit has just appended and that older readers map least:
    /// unless the kernel then maps some of it by huge pages, the pass stops (a kernel or file system without large
    /// folios pays for that one window). A window that cannot be populated (Linux before 5.14) is read in order
    /// instead, and the pass ends.
    static func refillPageCache(descriptor fd: Int32, size: Int, window: Int = 32 << 20) {
        guard size > 0, window > 0 else { return }
        let probe = size >= window ? (size / window - 1) * window : 0
        var offsets = [probe]
        offsets.append(contentsOf: stride(from: 0, to: size, by: window).filter { $0 != probe })
        for (index, offset) in offsets.enumerated() {
            let length = min(window, size - offset)
            guard posix_fadvise(fd, off_t(offset), off_t(length), POSIX_FADV_DONTNEED) == 0 else { return }
            switch populate(fd, offset: offset, length: length, checkingHugePages: index == 0) {
            case .hugePages: continue
            case .smallPages: return
            case .failed:
                readInOrder(fd, offset: offset, length: length)
                return
            }
        }
    }

    private enum Population { case hugePages, smallPages, failed }

    private static func populate(_ fd: Int32, offset: Int, length: Int, checkingHugePages: Bool) -> Population {
        guard let map = unsafe mmap(nil, length, PROT_READ, MAP_SHARED, fd, off_t(offset)), unsafe map != MAP_FAILED
        else { return .failed }
        defer { unsafe munmap(map, length) }
        _ = unsafe madvise(map, length, MADV_HUGEPAGE)
        guard unsafe madvise(map, length, MADV_POPULATE_READ) == 0 else { return .failed }
        guard checkingHugePages else { return .hugePages }
        let kib = ProcessMappings.hugePageKiB(ofMappingAt: UInt(bitPattern: map)) ?? 0
        return kib > 0 ? .hugePages : .smallPages
    }

    private static func readInOrder(_ fd: Int32, offset start: Int, length: Int) {
        var buffer = [UInt8](repeating: 0, count: 128 << 10)
        var offset = start
        while offset < start + length {
            let count = min(buffer.count, start + length - offset)
            let n = unsafe buffer.withUnsafeMutableBytes { unsafe pread(fd, $0.baseAddress, count, off_t(offset)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }
}
