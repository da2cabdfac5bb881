import Glibc

extension GraphStore {
    /// Creates a new database in directory `path` whole or not at all: it is built and populated (`populate`,
    /// e.g. with its schema) in a hidden directory `.init-XXXXXX` inside `path`, closed, and only then is its
    /// `data.mdb` linked into `path`. A `kill -9` at any moment leaves either the complete database or none, so
    /// `init` can simply be run again (the leftover hidden directory is removed by the next `create`, or by hand).
    ///
    /// - Throws: as `create(at:initialMapSize:)`; `.alreadyExists` too when another process created a database
    ///   at `path` meanwhile.
    public static func create(
        at path: String, initialMapSize mapSize: Int? = nil, populate: (GraphStore) throws -> Void
    ) throws {
        let madeDirectory = try prepareDirectory(path)
        removeInterruptedCreations(in: path)
        var template = Array((path + "/.init-XXXXXX").utf8CString)
        let made = unsafe template.withUnsafeMutableBufferPointer { unsafe mkdtemp($0.baseAddress!) }
        guard unsafe made != nil else {
            let code = errno
            if madeDirectory { unsafe rmdir(path) }
            throw creationError(code, path: path)
        }
        let staging = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { removeStaging(staging) }
        do {
            // In its own scope: the store (and its LMDB environment) is closed before its file is put in place.
            try buildStaged(at: staging, mapSize: mapSize, populate: populate)
            guard unsafe link(staging + "/data.mdb", path + "/data.mdb") == 0 else {
                if errno == EEXIST { throw StorageError(.alreadyExists, "a database already exists at '\(path)'") }
                throw StorageError.lmdb(errno, "link", path: path + "/data.mdb")
            }
            let directory = unsafe Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directory >= 0 {
                _ = fsync(directory)
                close(directory)
            }
        } catch {
            if madeDirectory {
                removeStaging(staging)
                unsafe rmdir(path)
            }
            throw error
        }
    }

    private static func buildStaged(at staging: String, mapSize: Int?, populate: (GraphStore) throws -> Void) throws {
        let store = try create(at: staging, initialMapSize: mapSize)
        try populate(store)
    }

    /// Removes what an interrupted `create` left: hidden `.init-*` directories that hold no database in use. One
    /// is in use only while its `create` runs, which then holds LMDB's writer lock or has just closed the store;
    /// a directory younger than a minute is left alone for that reason.
    private static func removeInterruptedCreations(in path: String) {
        guard let directory = unsafe opendir(path) else { return }
        defer { unsafe closedir(directory) }
        var now = timespec()
        unsafe clock_gettime(CLOCK_REALTIME, &now)
        while let entry = unsafe readdir(directory) {
            let name = unsafe withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                unsafe String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(".init-"), name.count == 12 else { continue }
            let staging = path + "/" + name
            var st = stat()
            guard unsafe lstat(staging, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR,
                now.tv_sec - st.st_mtim.tv_sec > 60
            else { continue }
            removeStaging(staging)
        }
    }

    private static func removeStaging(_ staging: String) {
        unsafe unlink(staging + "/data.mdb")
        unsafe unlink(staging + "/lock.mdb")
        unsafe rmdir(staging)
    }

    /// Makes directory `path` (owner-only) when it is missing and checks that no database is there: true when it
    /// made the directory. lstat, not access: a dangling `data.mdb` link is refused, never followed nor removed.
    static func prepareDirectory(_ path: String) throws -> Bool {
        var st = stat()
        var madeDirectory = false
        if unsafe stat(path, &st) != 0 {
            if unsafe mkdir(path, 0o700) != 0 { throw creationError(errno, path: path) }
            madeDirectory = true
        } else if (st.st_mode & S_IFMT) != S_IFDIR {
            throw StorageError(.io, "'\(path)' exists and is not a directory")
        }
        try LMDBEnvironment.refuseLinkedFiles(in: path)
        if unsafe lstat(path + "/data.mdb", &st) == 0 {
            throw StorageError(.alreadyExists, "a database already exists at '\(path)'")
        }
        return madeDirectory
    }

    /// A failure to make the database directory, naming the path and what to do.
    static func creationError(_ code: Int32, path: String) -> StorageError {
        let reason = unsafe String(cString: strerror(code))
        switch code {
        case ENOENT:
            let slash = path.lastIndex(of: "/")
            let parent = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
            return StorageError(
                .io, "cannot create the database directory '\(path)': its parent directory '\(parent)' does not "
                    + "exist (\(reason)); create it first, or give --db a path in an existing directory")
        case ENAMETOOLONG:
            return StorageError(
                .io, "cannot create the database directory '\(path)': the path or one of its names is too long "
                    + "(\(reason)); give --db a shorter path")
        default:
            return StorageError.lmdb(code, "mkdir", path: path)
        }
    }
}
