import CLMDB
import Glibc

/// How the data file sits in the page cache: in the largest folios the kernel makes, so that readers' maps take it
/// a huge page at a time.
///
/// LMDB writes a commit's pages with `pwrite`, a run of at most 64 pages at a time, and the kernel caches what it
/// writes in folios no larger than the write. A reader's map then takes those pages 64 KiB per fault (fault-around),
/// a lookup in a fresh process costs a fault for every page it reads, and the process's exit unmaps each one. Read
/// back through a map advised `MADV_HUGEPAGE`, the same file is cached in 2 MiB folios where the file system makes
/// them (ext4 since Linux 6.16, XFS), and the kernel maps such a folio whole, in one fault. On the 1M-CI benchmark
/// database (401 MiB, refilled in about 0.35 s) a fresh process's one-hop lookups
/// (`MATCH (x)-->(v {id: …}) RETURN DISTINCT x.id`) took about 1.7 faults each before and 0.2 after.
///
/// Both are best effort and change no data.
extension LMDBEnvironment {
    /// The number of the last page the latest commit uses (the file's used size in pages).
    var lastPageNumber: Int {
        var info = unsafe MDB_envinfo()
        unsafe mdb_env_info(handle, &info)
        return unsafe info.me_last_pgno
    }

    /// The page size of the environment's file.
    var pageSize: Int {
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

    /// The largest file refilled or advised: a quarter of the machine's memory. A refill of a larger one would
    /// push much else out of the page cache, and a lookup in a larger one that misses the cache would read 2 MiB.
    static var pageCacheRefillLimit: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 0 }
        return pages.multipliedReportingOverflow(by: size).overflow ? .max : pages * size / 4
    }

    /// Advises this process's map of the data file `MADV_HUGEPAGE`: a fault on a page that is not cached then
    /// reads a 2 MiB folio, which the kernel maps whole, so that a database read back after a reboot is cached as
    /// a refill leaves it. Called where no transaction can see the map move (at open, and under the map lock held
    /// exclusively); advising a range that is no longer this map would only make it eligible for huge pages.
    func adviseHugePages() {
        var st = stat()
        guard unsafe stat(path + "/data.mdb", &st) == 0, st.st_size > 0, Int(st.st_size) <= Self.pageCacheRefillLimit
        else { return }
        for range in ProcessMappings.ranges(mapping: st) {
            _ = unsafe madvise(UnsafeMutableRawPointer(bitPattern: range.lowerBound), range.count, MADV_HUGEPAGE)
        }
    }

    /// After a commit that grew the data file a lot: its pages dropped from the page cache and read back in as
    /// large folios (see `refillPageCache(descriptor:size:)`).
    func refillPageCache() {
        let fd = unsafe open(path + "/data.mdb", O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var st = stat()
        guard unsafe fstat(fd, &st) == 0, st.st_size > 0, Int(st.st_size) <= Self.pageCacheRefillLimit else { return }
        Self.refillPageCache(descriptor: fd, size: Int(st.st_size))
    }

    /// Reads the first `size` bytes of the open file `descriptor` back into the page cache in 2 MiB folios, a
    /// 32 MiB window at a time: the window's clean pages that no process maps are dropped, then read back through a
    /// map of the window advised `MADV_HUGEPAGE` and populated with `MADV_POPULATE_READ` (which reports a page past
    /// the end of the file as an error, not a signal). Pages another process maps (a running server's) stay as they
    /// are. After the first window it looks whether the kernel mapped any of it by huge pages; where it did not
    /// (a kernel or file system without large folios) it stops there, so that such a system pays for one window.
    /// A window that cannot be populated (Linux before 5.14) is read in order instead, and the pass ends.
    static func refillPageCache(descriptor fd: Int32, size: Int) {
        let window = 32 << 20
        var offset = 0
        while offset < size {
            let length = min(window, size - offset)
            guard posix_fadvise(fd, off_t(offset), off_t(length), POSIX_FADV_DONTNEED) == 0 else { return }
            switch populate(fd, offset: offset, length: length, checkingHugePages: offset == 0) {
            case .hugePages: offset += length
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
