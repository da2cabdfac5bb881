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

    /// Asks the kernel to read pages of the data file that are not cached into this process's map 2 MiB at a
    /// time (`MADV_HUGEPAGE`: a fault then reads a 2 MiB folio, which the kernel maps whole), so that a database
    /// read back after a reboot is cached as an import leaves it (see `refillPageCache()`). Only for a file that
    /// fits in a quarter of memory: a larger one would read 2 MiB for every page a lookup misses.
    func adviseHugePages() {
        var st = stat()
        guard unsafe stat(path + "/data.mdb", &st) == 0, st.st_size > 0, Int(st.st_size) <= Self.pageCacheRefillLimit
        else { return }
        for range in Self.mappings(ofInode: UInt64(st.st_ino)) {
            _ = unsafe madvise(UnsafeMutableRawPointer(bitPattern: range.lowerBound), range.count, MADV_HUGEPAGE)
        }
    }

    /// The address ranges where this process maps the file with inode `inode` (from `/proc/self/maps`).
    ///
    /// Read byte by byte: it runs at every open, and Swift's generic string and number parsing would look up
    /// protocol conformances on first use, a millisecond of start-up.
    static func mappings(ofInode inode: UInt64) -> [Range<UInt>] {
        guard let text = readWholeFile("/proc/self/maps") else { return [] }
        let suffix = Array("/data.mdb".utf8)
        var ranges: [Range<UInt>] = []
        var i = 0
        while i < text.count {
            var end = i
            while end < text.count, text[end] != UInt8(ascii: "\n") { end += 1 }
            // start-end perms offset dev inode path
            if let range = mappedRange(text, i, end, inode: inode, pathSuffix: suffix) { ranges.append(range) }
            i = end + 1
        }
        return ranges
    }

    /// The range of one line of `/proc/self/maps` (`text[start..<end]`) when it maps inode `inode` at a path that
    /// ends with `pathSuffix`.
    private static func mappedRange(_ text: [UInt8], _ start: Int, _ end: Int, inode: UInt64, pathSuffix: [UInt8]) -> Range<UInt>? {
        var i = start
        func number(radix: UInt64) -> UInt64? {
            var value: UInt64 = 0
            let first = i
            while i < end {
                let c = text[i]
                let digit: UInt64
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = UInt64(c - UInt8(ascii: "a") + 10)
                default:
                    return i > first ? value : nil
                }
                let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
                guard !overflow else { return nil }
                value = shifted &+ digit
                i += 1
            }
            return i > first ? value : nil
        }
        func skipField() {
            while i < end, text[i] != UInt8(ascii: " ") { i += 1 }
            while i < end, text[i] == UInt8(ascii: " ") { i += 1 }
        }
        guard let low = number(radix: 16), i < end, text[i] == UInt8(ascii: "-") else { return nil }
        i += 1
        guard let high = number(radix: 16), low < high else { return nil }
        while i < end, text[i] == UInt8(ascii: " ") { i += 1 }
        skipField()  // perms
        skipField()  // offset
        skipField()  // dev
        guard number(radix: 10) == inode, end - start >= pathSuffix.count,
            text[(end - pathSuffix.count)..<end].elementsEqual(pathSuffix)
        else { return nil }
        return UInt(low)..<UInt(high)
    }

    /// A file read to its end (a `/proc` file has no size to read up to); nil when it cannot be read.
    private static func readWholeFile(_ path: String) -> [UInt8]? {
        let fd = unsafe open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = unsafe chunk.withUnsafeMutableBytes { unsafe read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return bytes }
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
    /// reports a page past the end of the file as an error instead of a signal.
    static func refillPageCache(descriptor fd: Int32, size: Int) {
        guard posix_fadvise(fd, 0, off_t(size), POSIX_FADV_DONTNEED) == 0 else { return }
        // A window at a time, unmapped before the next, so that the pass adds at most one window to this
        // process's resident set (the whole file mapped at once counted it all).
        let window = 32 << 20
        var offset = 0
        while offset < size {
            let length = min(window, size - offset)
            guard let map = unsafe mmap(nil, length, PROT_READ, MAP_SHARED, fd, off_t(offset)), unsafe map != MAP_FAILED
            else { break }
            _ = unsafe madvise(map, length, MADV_HUGEPAGE)
            let populated = unsafe madvise(map, length, MADV_POPULATE_READ) == 0
            unsafe munmap(map, length)
            guard populated else { break }
            offset += length
        }
        // Without MADV_POPULATE_READ (Linux before 5.14): the rest read in order, so that it is cached again.
        var buffer = [UInt8](repeating: 0, count: 128 << 10)
        while offset < size {
            let n = unsafe buffer.withUnsafeMutableBytes { unsafe pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }
}
