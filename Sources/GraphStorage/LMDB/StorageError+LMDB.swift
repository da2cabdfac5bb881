import CLMDB
import Glibc

extension StorageError {
    /// Turns an LMDB return code into an error, naming the call that failed.
    ///
    /// `path` (the database directory or the file concerned) goes into the messages of errors about the file
    /// system: "no space left on device: /srv/cmdb".
    static func lmdb(_ rc: Int32, _ operation: StaticString, path: String? = nil) -> StorageError {
        let op = "\(operation)"
        let place = path.map { ": \($0)" } ?? ""
        switch rc {
        case MDB_MAP_FULL:
            return StorageError(.mapFull, "the database map is full", lmdbCode: rc, operation: op)
        case MDB_READERS_FULL:
            return StorageError(
                .readersFull, "too many processes are reading the database at once; try again", lmdbCode: rc,
                operation: op)
        case MDB_BAD_VALSIZE:
            return StorageError(.keyTooLong, "a key is too long for the database (511 bytes at most)", lmdbCode: rc,
                operation: op)
        case MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_INVALID:
            return StorageError(
                .corrupted, "the database file is damaged (\(describe(rc))); restore it from a backup",
                lmdbCode: rc, operation: op)
        case MDB_VERSION_MISMATCH:
            return StorageError(.newerFormat, "the database was written by a different LMDB version", lmdbCode: rc,
                operation: op)
        case EACCES, EPERM:
            return StorageError(.permissionDenied, "permission denied\(place)", lmdbCode: rc, operation: op)
        case EROFS:
            return StorageError(.permissionDenied, "read-only file system\(place)", lmdbCode: rc, operation: op)
        case EAGAIN, EBUSY:
            return StorageError(.locked, "the database is locked by another process", lmdbCode: rc, operation: op)
        case ENOSPC:
            return StorageError(.noSpace, "no space left on device\(place)", lmdbCode: rc, operation: op)
        case EDQUOT:
            return StorageError(.noSpace, "disk quota exceeded\(place)", lmdbCode: rc, operation: op)
        case EIO:
            // LMDB reports a write that came up short as EIO; on a file system with no room left that is a
            // full disk, not a failing one.
            if let path, fileSystemIsFull(at: path) {
                return StorageError(.noSpace, "no space left on device\(place)", lmdbCode: rc, operation: op)
            }
            return StorageError(.io, "input/output error\(place)", lmdbCode: rc, operation: op)
        default:
            return StorageError(.lmdb, "\(op) failed\(place.isEmpty ? "" : " for '\(path ?? "")'"): \(describe(rc))",
                lmdbCode: rc, operation: op)
        }
    }

    /// Whether the file system holding `path` has less than a megabyte left for this user.
    static func fileSystemIsFull(at path: String) -> Bool {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return false }
        let available = info.f_bavail.multipliedReportingOverflow(by: info.f_frsize)
        return !available.overflow && available.partialValue < 1 << 20
    }

    static func describe(_ rc: Int32) -> String {
        guard let text = unsafe mdb_strerror(rc) else { return "error \(rc)" }
        return unsafe String(cString: text)
    }
}

/// Checks an LMDB return code; every `mdb_*` call goes through here.
@inline(__always)
func check(_ rc: Int32, _ operation: StaticString, path: String? = nil) throws {
    if rc != MDB_SUCCESS { throw StorageError.lmdb(rc, operation, path: path) }
}
