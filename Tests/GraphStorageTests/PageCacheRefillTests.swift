import Foundation
import Glibc
import Synchronization
import Testing
@testable import GraphStorage

/// A commit that grows the data file a lot (an import) puts the file back into the page cache in 2 MiB folios, which
/// the kernel maps whole; pages as LMDB's writes leave them are mapped 4 KiB at a time. The huge-page checks run
/// only where this kernel and file system make such folios at all, which a plain file shows first
/// (`kernelMapsFilesByHugePages`, without cmdb's code); the data is checked everywhere.
struct PageCacheRefillTests {
    /// Writes `count` CIs with some text each (about 1 KiB of file per CI) in one transaction.
    private static func fill(_ store: GraphStore, count: Int) throws {
        let text = PropertyValue.string(String(repeating: "configuration item ", count: 40))
        try store.write(TestStore.change) { tx in
            for i in 0..<count {
                let properties: Properties = ["note": text, "n": .int(Int64(i))]
                _ = try tx.upsertNode(externalID: "ci-\(i)", label: "X", properties: properties)
            }
        }
    }

    /// How many KiB of this process's mapping that starts at `start` the kernel maps by huge pages
    /// (`FilePmdMapped` in `/proc/self/smaps`), read here without cmdb's own parser.
    private static func hugeMappedKiB(mappingAt start: UInt) -> Int {
        // A /proc file has no size: read to its end.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/smaps") else { return 0 }
        defer { try? handle.close() }
        let smaps = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let low = UInt(line[..<dash], radix: 16),
                line[line.index(after: dash)...].split(separator: " ").count >= 5
            {
                inMapping = low == start
            } else if inMapping, line.hasPrefix("FilePmdMapped:") {
                return Int(line.split(separator: " ")[1]) ?? 0
            }
        }
        return 0
    }

    /// Maps `path` (advised `MADV_HUGEPAGE` when `advised`), touches every page, and returns how many KiB of the
    /// map the kernel mapped by huge pages.
    private static func hugeMappedKiB(_ path: String, advised: Bool = false) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, let map = mmap(nil, Int(st.st_size), PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED
        else { return 0 }
        defer { munmap(map, Int(st.st_size)) }
        if advised { madvise(map, Int(st.st_size), MADV_HUGEPAGE) }
        var sum = 0
        for offset in stride(from: 0, to: Int(st.st_size), by: 4096) {
            sum &+= Int(map.load(fromByteOffset: offset, as: UInt8.self))
        }
        _ = sum
        return hugeMappedKiB(mappingAt: UInt(bitPattern: map))
    }

    /// Whether a plain file, written, dropped from the cache and read back through a map advised
    /// `MADV_HUGEPAGE`, is mapped by huge pages here.
    static let kernelMapsFilesByHugePages: Bool = {
        let path = NSTemporaryDirectory() + "cmdb-hugepage-probe-" + UUID().uuidString
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd); unlink(path) }
        let page = [UInt8](repeating: 7, count: 4096)
        for i in 0..<(8 << 20) / 4096 { _ = page.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, off_t(i * 4096)) } }
        fsync(fd)
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
        return hugeMappedKiB(path, advised: true) > 0
    }()

    @Test func aLargeCommitKeepsTheDataAndTheFileCached() throws {
        let t = try TestStore()
        t.store.pageCacheRefillThreshold.store(1 << 20, ordering: .relaxed)
        try Self.fill(t.store, count: 12_000)
        let n = try t.store.read { tx in
            try tx.node(try #require(try tx.nodeID(forExternalID: "ci-11999")))?.properties["n"]
        }
        #expect(n == .int(11_999))
        // Every page is in the cache again.
        #expect(try Self.residentPages(t.directory + "/data.mdb").allSatisfy { $0 })
    }

    /// Which of the file's 4 KiB pages are in the page cache (`mincore` over a map of it that touches none).
    private static func residentPages(_ path: String) throws -> [Bool] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        var st = stat()
        try #require(fstat(fd, &st) == 0)
        let size = Int(st.st_size)
        let map = try #require(mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0))
        try #require(map != MAP_FAILED)
        defer { munmap(map, size) }
        var resident = [UInt8](repeating: 0, count: (size + 4095) / 4096)
        try #require(mincore(map, size, &resident) == 0)
        return resident.map { $0 & 1 == 1 }
    }

    /// Drops the file's clean pages that no process maps from the page cache.
    private static func evict(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        try #require(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0)
    }

    /// A database dropped from the page cache (a reboot, the kernel reclaiming it) is read back by a reader in
    /// 2 MiB folios, which later processes map whole, not in the small ones a plain map's read-around makes.
    @Test(.enabled(if: kernelMapsFilesByHugePages)) func anUncachedFileIsReadBackInHugeFolios() throws {
        let directory = NSTemporaryDirectory() + "cmdb-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try GraphStore.create(at: directory)
            store.pageCacheRefillThreshold.store(.max, ordering: .relaxed)
            try Self.fill(store, count: 12_000)
        }
        let path = directory + "/data.mdb"
        // The premise: a plain map reads the file back in small folios here, which it maps 4 KiB at a time.
        try Self.evict(path)
        try #require(try Self.residentPages(path).allSatisfy { !$0 })
        try #require(Self.hugeMappedKiB(path) == 0)

        try Self.evict(path)
        let store = try GraphStore.open(at: directory, readOnly: true)
        let n = try store.read { tx in
            try tx.node(try #require(try tx.nodeID(forExternalID: "ci-6000")))?.properties["n"]
        }
        #expect(n == .int(6_000))
        #expect(Self.hugeMappedKiB(path) > 0)
    }

    /// The size of this process's map of `path` from offset 0 and whether it is advised `MADV_HUGEPAGE` (`hg` among
    /// its `VmFlags` in `/proc/self/smaps`) or `MADV_NOHUGEPAGE` (`nh`), read here without cmdb's own parser; nil
    /// when the file is not mapped.
    private static func advisedMap(of path: String) throws -> (size: UInt, advised: Bool, withdrawn: Bool)? {
        var st = stat()
        try #require(stat(path, &st) == 0)
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: (try handle.readToEnd()) ?? Data(), as: UTF8.self)
        var current: UInt?
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), fields.count >= 5, !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                current = bounds.count == 2 && UInt(fields[2], radix: 16) == 0 && UInt(fields[4]) == UInt(st.st_ino)
                    ? bounds[1] - bounds[0] : nil
            } else if let size = current, line.hasPrefix("VmFlags:") {
                return (size, fields.contains("hg"), fields.contains("nh"))
            }
        }
        return nil
    }

    /// Whether this kernel takes `MADV_HUGEPAGE` at all (it refuses it without transparent huge pages).
    static let kernelTakesHugePageAdvice: Bool = {
        let size = 4 << 20
        guard let map = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), map != MAP_FAILED
        else { return false }
        defer { munmap(map, size) }
        return madvise(map, size, MADV_HUGEPAGE) == 0
    }()

    /// The map is advised when the store opens, and again after it grows (LMDB maps the file anew then).
    @Test(.enabled(if: kernelTakesHugePageAdvice)) func theMapStaysAdvisedWhenItGrows() throws {
        let t = try TestStore(initialMapSize: 1 << 20)
        let opened = try #require(try Self.advisedMap(of: t.directory + "/data.mdb"))
        #expect(opened.advised)
        try Self.fill(t.store, count: 12_000)
        let grown = try #require(try Self.advisedMap(of: t.directory + "/data.mdb"))
        #expect(grown.size > opened.size)
        #expect(grown.advised)
    }

    /// A commit that takes the file past the limit withdraws the advice from the map it is in.
    @Test(.enabled(if: kernelTakesHugePageAdvice)) func theAdviceIsWithdrawnWhenTheFileOutgrowsTheLimit() throws {
        let t = try TestStore(initialMapSize: 64 << 20)
        t.store.pageCacheRefillThreshold.store(.max, ordering: .relaxed)
        t.store.env.hugePageAdviceLimit.store(4 << 20, ordering: .relaxed)
        let path = t.directory + "/data.mdb"
        let opened = try #require(try Self.advisedMap(of: path))
        #expect(opened.advised && !opened.withdrawn)
        try Self.fill(t.store, count: 1_000)
        #expect(try Self.advisedMap(of: path)?.advised == true)
        try Self.fill(t.store, count: 12_000)
        let outgrown = try #require(try Self.advisedMap(of: path))
        #expect(outgrown.size == opened.size)
        #expect(!outgrown.advised && outgrown.withdrawn)
        let stillAdvised = t.store.env.mapIsAdvisedHugePages.load(ordering: .relaxed)
        #expect(!stillAdvised)
    }

    @Test(.enabled(if: kernelMapsFilesByHugePages)) func aLargeCommitLeavesTheFileMappedByHugePages() throws {
        let refilled = try TestStore()
        let written = try TestStore()
        refilled.store.pageCacheRefillThreshold.store(1 << 20, ordering: .relaxed)
        written.store.pageCacheRefillThreshold.store(.max, ordering: .relaxed)
        try Self.fill(refilled.store, count: 12_000)
        try Self.fill(written.store, count: 12_000)
        #expect(Self.hugeMappedKiB(refilled.directory + "/data.mdb") > 0)
        #expect(Self.hugeMappedKiB(written.directory + "/data.mdb") == 0)
    }

    /// Writes a plain file of `megabytes` MiB in 4 KiB writes (small folios, as LMDB's writes leave a data file).
    private static func writtenFile(megabytes: Int) throws -> (path: String, descriptor: Int32) {
        let path = NSTemporaryDirectory() + "cmdb-refill-" + UUID().uuidString
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        let page = [UInt8](repeating: 1, count: 4096)
        for i in 0..<(megabytes << 20) / 4096 { _ = page.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, off_t(i * 4096)) } }
        fsync(fd)
        return (path, fd)
    }

    /// Every window is refilled, not only the one that shows whether huge pages come.
    @Test(.enabled(if: kernelMapsFilesByHugePages)) func everyWindowIsRefilled() throws {
        let file = try Self.writtenFile(megabytes: 16)
        defer { close(file.descriptor); unlink(file.path) }
        #expect(Self.hugeMappedKiB(file.path) == 0)
        LMDBEnvironment.refillPageCache(descriptor: file.descriptor, size: 16 << 20, window: 4 << 20)
        #expect(Self.hugeMappedKiB(file.path) == 16 << 10)
    }

    /// cmdb's byte-by-byte reading of /proc/self/smaps agrees with this test's own.
    @Test func processMappingsAreReadAsTheKernelWritesThem() throws {
        let file = try Self.writtenFile(megabytes: 4)
        defer { close(file.descriptor); unlink(file.path) }
        posix_fadvise(file.descriptor, 0, 0, POSIX_FADV_DONTNEED)
        let map = try #require(mmap(nil, 4 << 20, PROT_READ, MAP_SHARED, file.descriptor, 0))
        try #require(map != MAP_FAILED)
        defer { munmap(map, 4 << 20) }
        madvise(map, 4 << 20, MADV_HUGEPAGE)
        var sum = 0
        for offset in stride(from: 0, to: 4 << 20, by: 4096) {
            sum &+= Int(map.load(fromByteOffset: offset, as: UInt8.self))
        }
        #expect(sum == 1024)
        let start = UInt(bitPattern: map)
        let ours = try #require(ProcessMappings.hugePageKiB(ofMappingAt: start))
        #expect(ours == Self.hugeMappedKiB(mappingAt: start))
        if Self.kernelMapsFilesByHugePages { #expect(ours > 0) }
        #expect(ProcessMappings.hugePageKiB(ofMappingAt: 1) == nil)
    }

    /// The map of a file is found by its inode and the map's length, beside another map of the same file.
    @Test func aFilesMapIsFoundByItsLength() throws {
        let file = try Self.writtenFile(megabytes: 4)
        defer { close(file.descriptor); unlink(file.path) }
        var st = stat()
        try #require(fstat(file.descriptor, &st) == 0)
        let whole = try #require(mmap(nil, 4 << 20, PROT_READ, MAP_SHARED, file.descriptor, 0))
        try #require(whole != MAP_FAILED)
        defer { munmap(whole, 4 << 20) }
        let window = try #require(mmap(nil, 1 << 20, PROT_READ, MAP_SHARED, file.descriptor, 0))
        try #require(window != MAP_FAILED)
        defer { munmap(window, 1 << 20) }
        let inode = UInt64(st.st_ino)
        let start = UInt(bitPattern: whole)
        #expect(ProcessMappings.mapping(inode: inode, length: 4 << 20) == start..<(start + (4 << 20)))
        // A length the kernel rounds up to whole pages.
        #expect(ProcessMappings.mapping(inode: inode, length: (4 << 20) - 100)?.lowerBound == start)
        #expect(ProcessMappings.mapping(inode: inode, length: 1 << 20)?.lowerBound == UInt(bitPattern: window))
        #expect(ProcessMappings.mapping(inode: inode, length: 2 << 20) == nil)
        #expect(ProcessMappings.mapping(inode: inode &+ 1, length: 4 << 20) == nil)
        #expect(ProcessMappings.mapping(inode: inode, length: 0) == nil)
    }
}
