import CLMDB

extension GraphTransaction {
    /// The last commit this transaction sees (LMDB's transaction id): equal for two reads exactly when nothing
    /// was committed between them, so caches of what was read can be kept.
    package var snapshotID: Int { Int(truncatingIfNeeded: unsafe mdb_txn_id(raw.handle)) }

    /// How many names (classes, relation types, property keys) the store holds as this transaction sees it.
    package var nameCount: Int { names.totalCount }
}
