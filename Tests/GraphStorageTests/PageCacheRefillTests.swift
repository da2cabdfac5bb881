import Foundation
import Glibc
import Testing
@testable import GraphStorage

/// A commit that grows the data file a lot (an import) puts the file back into the page cache in 2 MiB folios, which
/// the kernel maps whole; pages as LMDB's writes leave them are mapped 4 KiB at a time. Whether the kernel and file
/// system make such folios at all is checked on a plain file first: where they do not, only the data is checked.
struct PageCacheRefillTests {
    /// Writes `count` CIs with some text each (about 1 KiB of file per CI) in one transaction.
    private static func fill(_ store: GraphStore, count: Int) throws {
        let text = PropertyValue.string(String(repeating: "configuration item ", count: 40))
        try store.write(TestStore.change) { tx in
            for i in 0..<count {
                _ = try tx.upsertNode(externalID: "ci-\(i)", label: "X", properties: ["note": text, "n": .int(Int64(i))])
            }
        }
    }

    /// How many KiB of this process's mapping that starts at `start` the kernel maps by huge pages
    /// (`FilePmdMapped` in `/proc/self/smaps`).
    private static func hugeMappedKiB(mappingAt start: UInt) throws -> Int {
        // A /proc file has no size: read to its end.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
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

    /// Maps `path`, touches every page, and returns how many KiB of the map the kernel mapped by huge pages.
    private static func hugeMappedKiB(_ path: String) throws -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        var st = stat()
        try #require(fstat(fd, &st) == 0)
        let size = Int(st.st_size)
        let map = try #require(mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0))
        try #require(map != MAP_FAILED)
        defer { munmap(map, size) }
        var sum = 0
        for offset in stride(from: 0, to: size, by: 4096) { sum &+= Int(map.load(fromByteOffset: offset, as: UInt8.self)) }
        _ = sum
        return try hugeMappedKiB(mappingAt: UInt(bitPattern: map))
    }

    /// Whether this kernel and file system cache a plain file refilled as a data file is in folios it maps whole.
    private static func kernelMapsFilesByHugePages(in directory: String) throws -> Bool {
        let path = directory + "/probe"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        defer { close(fd); unlink(path) }
        let page = [UInt8](repeating: 7, count: 4096)
        for i in 0..<(8 << 20) / 4096 { _ = page.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, off_t(i * 4096)) } }
        fsync(fd)
        LMDBEnvironment.refillPageCache(descriptor: fd, size: 8 << 20)
        return try hugeMappedKiB(path) > 0
    }

    @Test func aLargeCommitLeavesTheFileMappedByHugePages() throws {
        let refilled = try TestStore()
        let written = try TestStore()
        refilled.store.pageCacheRefillThreshold.store(1 << 20, ordering: .relaxed)
        written.store.pageCacheRefillThreshold.store(.max, ordering: .relaxed)
        try Self.fill(refilled.store, count: 12_000)
        try Self.fill(written.store, count: 12_000)
        // The data reads back whole either way.
        for t in [refilled, written] {
            let n = try t.store.read { tx in try tx.node(try #require(try tx.nodeID(forExternalID: "ci-11999")))?.properties["n"] }
            #expect(n == .int(11_999))
        }
        guard try Self.kernelMapsFilesByHugePages(in: refilled.directory) else {
            // This kernel or file system caches files in small folios only: nothing to compare.
            return
        }
        #expect(try Self.hugeMappedKiB(refilled.directory + "/data.mdb") > 0)
        #expect(try Self.hugeMappedKiB(written.directory + "/data.mdb") == 0)
    }

    /// A database read back from disk (after a reboot) comes into a reader's map 2 MiB at a time too: the map is
    /// advised `MADV_HUGEPAGE` when the store opens.
    @Test func pagesReadFromDiskComeInByHugePages() throws {
        let t = try TestStore()
        t.store.pageCacheRefillThreshold.store(.max, ordering: .relaxed)
        try Self.fill(t.store, count: 12_000)
        guard try Self.kernelMapsFilesByHugePages(in: t.directory) else { return }
        let file = t.directory + "/data.mdb"
        var st = stat()
        try #require(stat(file, &st) == 0)
        // The first store's own map keeps what it touched: unmap that, then drop the file from the cache.
        let before = LMDBEnvironment.mappings(ofInode: UInt64(st.st_ino))
        for range in before { madvise(UnsafeMutableRawPointer(bitPattern: range.lowerBound), range.count, MADV_DONTNEED) }
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
        close(fd)
        let reader = try GraphStore.open(at: t.directory)
        let map = try #require(LMDBEnvironment.mappings(ofInode: UInt64(st.st_ino)).first { !before.contains($0) })
        let found = try reader.read { tx in
            try (0..<12_000).reduce(0) { n, i in n + (try tx.nodeID(forExternalID: "ci-\(i)") == nil ? 0 : 1) }
        }
        #expect(found == 12_000)
        #expect(try Self.hugeMappedKiB(mappingAt: map.lowerBound) > 0)
    }
}
