import CLMDB
import Glibc

/// After a commit that grew the data file a lot (an import): the file's pages put back into the page cache in the
/// largest folios the kernel makes, so that readers' maps take them a huge page at a time.
///
/// LMDB writes a commit's pages with `pwrite`, a run of at most 64 pages at a time, and the kernel caches what it
/// writes in folios no larger than the write. A reader's map then takes those pages 64 KiB per fault (fault-around),
/// a lookup in a fresh process costs a fault for every page it reads, and the process's exit unmaps each one. Read
/// back through a map advised `MADV_HUGEPAGE`, the same file is cached in 2 MiB folios where the file system makes
/// them (ext4 since Linux 6.16, XFS), and the kernel maps such a folio whole, in one fault. On the 1M-CI benchmark
/// database (401 MiB, refilled in about 0.35 s) a fresh process's one-hop lookups
/// (`MATCH (x)-->(v {id: …}) RETURN DISTINCT x.id`) took about 1.7 faults each before and 0.2 after.
///
/// Best effort, and it changes no data: the kernel drops only clean pages that no other process maps (a running
/// server's mapped pages stay as they are), and any failure leaves the cache as it was.
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
    /// 64 MiB (a few hundred thousand CIs), `CMDB_PAGE_CACHE_REFILL_BYTES` overrides it (0 turns it off).
    static var pageCacheRefillThreshold: Int {
        if let text = unsafe getenv("CMDB_PAGE_CACHE_REFILL_BYTES").map({ unsafe String(cString: $0) }), let n = Int(text),
            n >= 0
        {
            return n == 0 ? .max : n
        }
        return 64 << 20
    }

    /// The largest file refilled: a quarter of the machine's memory, so that the pass never pushes much else out
    /// of the page cache.
    static var pageCacheRefillLimit: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 0 }
        return pages.multipliedReportingOverflow(by: size).overflow ? .max : pages * size / 4
    }

    /// The address ranges where this process maps the file with inode `inode` (from `/proc/self/maps`).
    static func mappings(ofInode inode: UInt64) -> [Range<UInt>] {
        guard let text = readWholeFile("/proc/self/maps") else { return [] }
        var ranges: [Range<UInt>] = []
        for line in text.split(separator: "\n") {
            // start-end perms offset dev inode path
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, UInt64(fields[4]) == inode, fields[5].hasSuffix("/data.mdb") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let low = UInt(bounds[0], radix: 16), let high = UInt(bounds[1], radix: 16), low < high
            else { continue }
            ranges.append(low..<high)
        }
        return ranges
    }

    /// A file read to its end (a `/proc` file has no size to read up to); nil when it cannot be read.
    private static func readWholeFile(_ path: String) -> String? {
        let fd = unsafe open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = unsafe chunk.withUnsafeMutableBytes { unsafe read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Drops the data file's clean, unmapped pages from the page cache, then reads it back in as large folios.
    func refillPageCache() {
        let fd = unsafe open(path + "/data.mdb", O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var st = stat()
        guard unsafe fstat(fd, &st) == 0, st.st_size > 0, Int(st.st_size) <= Self.pageCacheRefillLimit else { return }
        // This process's own map of the file would keep the pages it touched cached as they are: unmap them first
        // (a shared file mapping loses nothing; a reader that touches a page again faults it back in).
        for range in Self.mappings(ofInode: UInt64(st.st_ino)) {
            _ = unsafe madvise(UnsafeMutableRawPointer(bitPattern: range.lowerBound), range.count, MADV_DONTNEED)
        }
        Self.refillPageCache(descriptor: fd, size: Int(st.st_size))
    }

    /// Drops the first `size` bytes of the open file `descriptor` from the page cache (the clean pages no process
    /// maps) and reads them back: through a map advised `MADV_HUGEPAGE`, where each fault reads a 2 MiB folio
    /// (a plain read in order starts with small ones and grows them), populated with `MADV_POPULATE_READ`, which
    /// reports a page past the end of the file as an error instead of a signal. Where that is not available
    /// (Linux before 5.14) the file is read in order instead, so that it is cached again either way.
    static func refillPageCache(descriptor fd: Int32, size: Int) {
        guard posix_fadvise(fd, 0, off_t(size), POSIX_FADV_DONTNEED) == 0 else { return }
        if let map = unsafe mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), unsafe map != MAP_FAILED {
            defer { unsafe munmap(map, size) }
            _ = unsafe madvise(map, size, MADV_HUGEPAGE)
            if unsafe madvise(map, size, MADV_POPULATE_READ) == 0 { return }
        }
        var buffer = [UInt8](repeating: 0, count: 128 << 10)
        var offset = 0
        while offset < size {
            let n = unsafe buffer.withUnsafeMutableBytes { unsafe pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }
}
