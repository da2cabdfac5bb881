import CLMDB

extension GraphTransaction {
    /// The ids of live CIs that start with `prefix`, in byte order, at most `limit` of them.
    ///
    /// One `MDB_SET_RANGE` seek into the `ids` table (keyed by the id's UTF-8, see `KeyLayout`) and a walk
    /// forward while keys share the prefix, so the cost is the number of ids returned, not the size of the
    /// CMDB. Ids whose CI was deleted (the `ids` entry stays for history) are skipped. For the REPL's tab
    /// completion.
    ///
    /// - Complexity: O(log n + k) for k ids visited; deleted ones count towards k but not towards `limit`.
    public func externalIDs(startingWith prefix: String, limit: Int) throws -> [String] {
        guard limit > 0 else { return [] }
        let prefixBytes = Array(prefix.utf8)
        guard prefixBytes.count <= 511 else { return [] }
        let cursor = unsafe try raw.openCursor(dbs.ids)
        defer { unsafe cursor.close() }
        var result: [String] = []
        // An empty prefix starts at the first key: MDB_SET_RANGE needs a non-empty key.
        var entry =
            unsafe prefixBytes.isEmpty
            ? try cursor.get(MDB_FIRST)
            : try prefixBytes.withUnsafeBytes { (p) in unsafe try cursor.get(MDB_SET_RANGE, key: p) }
        while let (key, value) = unsafe entry, key.count >= prefixBytes.count,
            unsafe key.prefix(prefixBytes.count).elementsEqual(prefixBytes)
        {
            if value.count == 8, unsafe try raw.get(dbs.nodes, u64: value.loadBE64(at: 0)) != nil {
                unsafe result.append(String(decoding: key, as: UTF8.self))
                if result.count >= limit { break }
            }
            unsafe entry = unsafe try cursor.get(MDB_NEXT)
        }
        return result
    }
}
