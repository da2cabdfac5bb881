import CLMDB
import Glibc

/// Checks the records LMDB's main database holds for the named databases before any is opened.
///
/// liblmdb trusts those records: a node whose flags say "duplicates" or "big data" where a database record is,
/// a record claiming other flags than the database was made with, or a root page past the end of the file makes
/// `mdb_dbi_open` (or the first read) follow it into memory it does not own, and the process dies with SIGSEGV.
/// A cursor cannot look at a record safely (positioning on one already reads its node flags and follows them),
/// so the main database's few pages are read from the file with `pread`, in the snapshot of the read transaction
/// the caller holds (whose reader slot keeps those pages from being reused).
///
/// The layout (LMDB 0.9, 64-bit, little-endian): a page starts with a 16-byte header (page number, flags at 10,
/// lower and upper bounds at 12 and 14) and an array of 16-bit node offsets; a node is 8 bytes (data size or child
/// page in its first 4 and flags 2 more, key size) then the key and the data; a database record (`MDB_db`) is 48
/// bytes: flags at 4, depth at 6, branch, leaf and overflow page counts, entries, root page at 40.
enum MainDatabaseCheck {
    private static let pageHeaderSize = 16
    private static let nodeHeaderSize = 8
    private static let recordSize = 48
    private static let branchPage: UInt16 = 0x01, leafPage: UInt16 = 0x02
    private static let subDatabaseNode: UInt16 = 0x02
    private static let invalidPage = UInt64.max
    /// Deeper than any B-tree a file of 2^48 pages can hold.
    private static let maxDepth = 16
    /// The main database holds one record per named database: a few pages at most.
    private static let maxPages = 256

    /// Throws `StorageError.corrupted` naming `file` when a record of the main database (the snapshot of `txn`)
    /// is damaged; `databases` gives the flags each named database is opened with (`MDB_CREATE` aside).
    static func validate(
        _ env: LMDBEnvironment, _ txn: OpaquePointer, file: String, expected databases: [(String, UInt32)]
    ) throws {
        let expected = Dictionary(databases, uniquingKeysWith: { first, _ in first })
        var fd: Int32 = -1
        unsafe try check(mdb_env_get_fd(env.handle, &fd), "mdb_env_get_fd")
        var environment = unsafe MDB_stat()
        unsafe try check(mdb_env_stat(env.handle, &environment), "mdb_env_stat")
        let pageSize = Int(environment.ms_psize)
        var st = stat()
        guard unsafe fstat(fd, &st) == 0 else { throw StorageError.lmdb(errno, "fstat", path: file) }
        func damaged(_ what: String) -> StorageError {
            StorageError(
                .corrupted,
                "'\(file)' is damaged: \(what); restore the database from a backup or an export (the file was not changed)")
        }
        func page(_ number: UInt64) throws -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: pageSize)
            let (offset, overflow) = Int(truncatingIfNeeded: number).multipliedReportingOverflow(by: pageSize)
            guard !overflow, number < UInt64(Int.max) else { throw damaged("page \(number) is past the end of the file") }
            let n = unsafe bytes.withUnsafeMutableBytes { unsafe pread(fd, $0.baseAddress, pageSize, off_t(offset)) }
            guard n == pageSize else {
                if n < 0 { throw StorageError.lmdb(errno, "pread", path: file) }
                throw damaged("page \(number) is past the end of the file")
            }
            return bytes
        }
        // The meta page of this transaction's snapshot (LMDB alternates between pages 0 and 1).
        let txnID = UInt64(unsafe mdb_txn_id(txn))
        let metas = try [page(0), page(1)]
        let meta = metas.first { $0.le(144, 8) == txnID } ?? (metas[0].le(144, 8) >= metas[1].le(144, 8) ? metas[0] : metas[1])
        let filePages = UInt64(max(0, st.st_size)) / UInt64(pageSize)
        let lastPage = min(meta.le(136, 8), filePages &- 1)
        guard lastPage >= 2, lastPage != UInt64.max else { throw damaged("its last page \(lastPage) is not past its meta pages") }
        let mainDepth = Int(meta.le(88 + 6, 2))
        let mainRoot = meta.le(88 + 40, 8)
        if mainRoot == invalidPage { return }  // no named databases: opening one says it is not a cmdb database
        guard (2...lastPage).contains(mainRoot), (1...maxDepth).contains(mainDepth) else {
            throw damaged("its main database's root page \(mainRoot) (depth \(mainDepth)) is not a page of the file")
        }
        var pending = [(mainRoot, 1)]
        var visited = 0
        while let (number, level) = pending.popLast() {
            visited += 1
            guard visited <= maxPages else { throw damaged("its main database has more than \(maxPages) pages") }
            let bytes = try page(number)
            let flags = UInt16(bytes.le(10, 2)), lower = Int(bytes.le(12, 2)), upper = Int(bytes.le(14, 2))
            let isLeaf = flags & (branchPage | leafPage) == leafPage
            guard bytes.le(0, 8) == number, isLeaf || flags & (branchPage | leafPage) == branchPage,
                isLeaf == (level == mainDepth), lower >= pageHeaderSize, lower <= upper, upper <= pageSize
            else { throw damaged("page \(number) of its main database is not a B-tree page at depth \(level)") }
            for slot in 0..<(lower - pageHeaderSize) / 2 {
                let node = Int(bytes.le(pageHeaderSize + 2 * slot, 2))
                let keySize = Int(bytes.le(node + 6, 2))
                guard node >= upper, node + nodeHeaderSize + keySize <= pageSize else {
                    throw damaged("node \(slot) of page \(number) of its main database lies outside the page")
                }
                if !isLeaf {
                    let child = bytes.le(node, 4) | bytes.le(node + 4, 2) << 32
                    guard (2...lastPage).contains(child) else {
                        throw damaged("page \(number) of its main database points to page \(child), not a page of the file")
                    }
                    pending.append((child, level + 1))
                    continue
                }
                let key = node + nodeHeaderSize
                let name = String(decoding: bytes[key..<(key + keySize)], as: UTF8.self)
                let record = key + keySize
                let nodeFlags = UInt16(bytes.le(node + 4, 2))
                guard nodeFlags == subDatabaseNode, bytes.le(node, 4) == UInt64(recordSize), record + recordSize <= pageSize
                else {
                    throw damaged("the record of its database '\(name)' is not a database record (flags \(nodeFlags))")
                }
                try checkRecord(bytes, at: record, name: name, expected: expected[name], lastPage: lastPage, damaged)
            }
        }
    }

    private static func checkRecord(
        _ bytes: [UInt8], at record: Int, name: String, expected: UInt32?, lastPage: UInt64,
        _ damaged: (String) -> StorageError
    ) throws {
        let flags = bytes.le(record + 4, 2), depth = Int(bytes.le(record + 6, 2)), root = bytes.le(record + 40, 8)
        let pages = [bytes.le(record + 8, 8), bytes.le(record + 16, 8), bytes.le(record + 24, 8)]
        if let expected, flags != UInt64(expected & 0xFFFF) {
            throw damaged("the record of its database '\(name)' has flags \(flags), not the \(expected & 0xFFFF) it was made with")
        }
        if root == invalidPage {
            guard depth == 0, bytes.le(record + 32, 8) == 0 else {
                throw damaged("the record of its database '\(name)' has entries but no root page")
            }
            return
        }
        guard (2...lastPage).contains(root), (1...maxDepth).contains(depth), pages.allSatisfy({ $0 <= lastPage }) else {
            throw damaged(
                "the record of its database '\(name)' (root page \(root), depth \(depth)) does not fit in the file's "
                    + "\(lastPage + 1) pages")
        }
    }
}

extension [UInt8] {
    /// The little-endian unsigned integer of `width` bytes at `offset` (0 past the end).
    fileprivate func le(_ offset: Int, _ width: Int) -> UInt64 {
        guard offset >= 0, offset + width <= count else { return 0 }
        var value: UInt64 = 0
        for i in (0..<width).reversed() { value = value << 8 | UInt64(self[offset + i]) }
        return value
    }
}
