import CLMDB

/// A raw LMDB transaction handle with typed get/put/delete; used only inside GraphStorage.
///
/// Buffers returned by `get` and cursors point into the memory map and are valid only until the transaction
/// ends or the next write in it.
/// `@unsafe`: the handle must belong to a live transaction, and what `get` returns points into the map.
@unsafe
struct LMDBTransaction {
    let handle: OpaquePointer

    func get(_ dbi: MDB_dbi, _ key: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? {
        var k = unsafe MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = unsafe MDB_val()
        let rc = unsafe mdb_get(handle, dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get")
        return unsafe UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    func get(_ dbi: MDB_dbi, _ key: [UInt8]) throws -> UnsafeRawBufferPointer? {
        unsafe try key.withUnsafeBytes { (k) in unsafe try get(dbi, k) }
    }

    func get(_ dbi: MDB_dbi, u64 key: UInt64) throws -> UnsafeRawBufferPointer? {
        var be = key.bigEndian
        return unsafe try withUnsafeBytes(of: &be) { (k) in unsafe try get(dbi, k) }
    }

    /// Puts; returns false when `MDB_NOOVERWRITE`/`MDB_NODUPDATA` found the key or pair already there.
    ///
    /// - Throws: `StorageError` `.corrupted` when `MDB_APPEND`/`MDB_APPENDDUP` was given and the key (or value)
    ///   does not sort last: an ordering bug that must stop the write, not silently drop the record.
    @discardableResult
    func put(_ dbi: MDB_dbi, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, flags: Int32 = 0)
        throws -> Bool
    {
        var k = unsafe MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = unsafe MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let rc = unsafe mdb_put(handle, dbi, &k, &v, UInt32(flags))
        if rc == MDB_KEYEXIST { return try keyExists(flags) }
        try check(rc, "mdb_put")
        return true
    }

    /// Puts `value` at `key` unless the key is there (one B-tree search, not a get and a put); returns the value
    /// already stored then (valid until the next write), nil when `value` was put.
    func putIfAbsent(_ dbi: MDB_dbi, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws
        -> UnsafeRawBufferPointer?
    {
        var k = unsafe MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = unsafe MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let rc = unsafe mdb_put(handle, dbi, &k, &v, UInt32(MDB_NOOVERWRITE))
        if rc == MDB_KEYEXIST { return unsafe UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size) }
        try check(rc, "mdb_put")
        return nil
    }

    @discardableResult
    func put(_ dbi: MDB_dbi, _ key: [UInt8], _ value: [UInt8], flags: Int32 = 0) throws -> Bool {
        unsafe try key.withUnsafeBytes { (k) in
            unsafe try value.withUnsafeBytes { (v) in unsafe try put(dbi, k, v, flags: flags) }
        }
    }

    /// Deletes a key (or one duplicate when `value` is given); returns false when it was not there.
    @discardableResult
    func delete(_ dbi: MDB_dbi, _ key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer? = nil)
        throws -> Bool
    {
        var k = unsafe MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let rc: Int32
        if let value = unsafe value {
            var v = unsafe MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
            rc = unsafe mdb_del(handle, dbi, &k, &v)
        } else {
            rc = unsafe mdb_del(handle, dbi, &k, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_del")
        return true
    }

    @discardableResult
    func delete(_ dbi: MDB_dbi, _ key: [UInt8], value: [UInt8]? = nil) throws -> Bool {
        unsafe try key.withUnsafeBytes { (k) in
            if let value {
                return unsafe try value.withUnsafeBytes { (v) in unsafe try delete(dbi, k, value: v) }
            }
            return unsafe try delete(dbi, k)
        }
    }

    func openCursor(_ dbi: MDB_dbi) throws -> LMDBCursor {
        var cursor: OpaquePointer?
        unsafe try check(mdb_cursor_open(handle, dbi, &cursor), "mdb_cursor_open")
        guard let cursor = unsafe cursor else { throw StorageError(.lmdb, "mdb_cursor_open returned no cursor") }
        return unsafe LMDBCursor(handle: cursor)
    }

    func entryCount(_ dbi: MDB_dbi) throws -> Int {
        var st = MDB_stat()
        unsafe try check(mdb_stat(handle, dbi, &st), "mdb_stat")
        return st.ms_entries
    }
}

/// A raw LMDB cursor; close it before its transaction ends.
/// `@unsafe`: the handle must belong to an open cursor, and what it returns points into the map.
@unsafe
struct LMDBCursor {
    let handle: OpaquePointer

    func close() { unsafe mdb_cursor_close(handle) }

    /// Positions the cursor; returns the key and value there, or nil for `MDB_NOTFOUND`.
    func get(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil, value: UnsafeRawBufferPointer? = nil)
        throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
    {
        var k = unsafe MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = unsafe MDB_val(
            mv_size: value?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: value?.baseAddress))
        let rc = unsafe mdb_cursor_get(handle, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get")
        return unsafe (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
                UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    @discardableResult
    func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, flags: Int32 = 0)
        throws -> Bool
    {
        var k = unsafe MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = unsafe MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let rc = unsafe mdb_cursor_put(handle, &k, &v, UInt32(flags))
        if rc == MDB_KEYEXIST { return try keyExists(flags) }
        try check(rc, "mdb_cursor_put")
        return true
    }

    func deleteCurrent(flags: Int32 = 0) throws {
        unsafe try check(mdb_cursor_del(handle, UInt32(flags)), "mdb_cursor_del")
    }

    /// Calls `body` with the duplicates stored under `key` (a DUPFIXED database), a page at a time, until it
    /// returns false. Does nothing when the key is absent.
    ///
    /// A key with a single value has no duplicate page: LMDB's `MDB_GET_MULTIPLE` then returns success without
    /// data, so the value positioned by `MDB_SET_KEY` is used instead.
    func forEachDuplicatePage(key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Bool) throws {
        guard let first = unsafe try get(MDB_SET_KEY, key: key) else { return }
        guard let page = unsafe try get(MDB_GET_MULTIPLE), unsafe !page.value.isEmpty else {
            _ = unsafe try body(first.value)
            return
        }
        if unsafe try !body(page.value) { return }
        while let next = unsafe try get(MDB_NEXT_MULTIPLE) {
            if unsafe try !body(next.value) { return }
        }
    }

    /// Calls `body` with the duplicates of the key the cursor is on (a DUPFIXED database), a page at a time,
    /// until it returns false; `first` is the value the positioning returned. The cursor stays on that key, so
    /// `MDB_NEXT_NODUP` moves on to the next one.
    func forEachDuplicatePageOfCurrentKey(
        first: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        guard let page = unsafe try get(MDB_GET_MULTIPLE), unsafe !page.value.isEmpty else {
            _ = unsafe try body(first)
            return
        }
        if unsafe try !body(page.value) { return }
        while let next = unsafe try get(MDB_NEXT_MULTIPLE) {
            if unsafe try !body(next.value) { return }
        }
    }

    /// Number of duplicates at the current key (DUPSORT databases).
    func duplicateCount() throws -> Int {
        var n: Int = 0
        unsafe try check(mdb_cursor_count(handle, &n), "mdb_cursor_count")
        return n
    }
}

/// `MDB_KEYEXIST` from a put: an expected "already there" for `MDB_NOOVERWRITE`/`MDB_NODUPDATA`, an error for
/// `MDB_APPEND`/`MDB_APPENDDUP`.
private func keyExists(_ flags: Int32) throws -> Bool {
    if flags & (MDB_APPEND | MDB_APPENDDUP) != 0 {
        throw StorageError(
            .corrupted, "an appended record does not sort after the existing ones (internal ordering error); "
                + "nothing was changed", lmdbCode: MDB_KEYEXIST, operation: "mdb_put")
    }
    return false
}
