public import ConfigurationSchema
public import GraphStorage

/// The schema rules `verify --apply` checks on the state its transaction commits, not write by write, as import and
/// CIQL do: unique values. Two matched CIs may swap their hostnames (either correction alone would duplicate the
/// other's), a registered CI may take a hostname a correction gives up; a duplicate still there at commit is refused.
///
/// Collects the CIs every snapshot of one transaction wrote (`cmdb verify` of a folder applies them all in one), then
/// `check(_:)` runs once before commit. A duplicate is reported at the snapshot line that made it — of two CIs this
/// transaction wrote, the later line (in the order of the snapshots, then of their lines) — naming both CIs and the
/// attribute, with `SchemaError.UniqueAttribute`. Holds one entry per correction and registration, as the
/// reconciliations themselves do (none when the schema has no unique attribute).
///
/// The other rules a write depends on cannot change between a write and the commit here: `--apply` writes each CI
/// once and never changes a CI's class, so a CI's own attributes, its status and a relation's end classes are
/// checked as they are written.
public struct ApplyChecks {
    private struct Write {
        var nid: NodeID
        var id: String
        var isRegistration: Bool
        var file: String
        /// (snapshot, line): the order writes are taken to be made in.
        var snapshot: Int
        var line: Int

        func isAfter(_ other: Write) -> Bool { (snapshot, line) > (other.snapshot, other.line) }
    }

    private let uniqueness: UniquenessCheck
    private let isNeeded: Bool
    private var writes: [Write] = []
    private var snapshots = 0

    public init(schema: Schema) {
        uniqueness = UniquenessCheck(schema: schema)
        isNeeded = !schema.isOpen && schema.hasUniqueAttributes
    }

    /// The number of the snapshot whose writes come next.
    mutating func startSnapshot() -> Int {
        snapshots += 1
        return snapshots
    }

    mutating func noteWrite(nid: NodeID, id: String, isRegistration: Bool, file: String, snapshot: Int, line: Int) {
        guard isNeeded else { return }
        writes.append(
            Write(nid: nid, id: id, isRegistration: isRegistration, file: file, snapshot: snapshot, line: line))
    }

    /// Checks the CIs written on the state `tx` is about to commit.
    ///
    /// - Throws: `VerificationInputError` with the schema's reason, at the first line (in snapshot order) that made a
    ///   duplicate; the caller's transaction then rolls back and nothing is written. `StorageError` from the store.
    public func check(_ tx: GraphTransaction) throws {
        guard !writes.isEmpty else { return }
        // Each CI's last write decides where its state comes from.
        var last: [NodeID: Write] = [:]
        for write in writes where last[write.nid].map({ write.isAfter($0) }) ?? true { last[write.nid] = write }
        let ordered = last.values.sorted { $1.isAfter($0) }
        for write in ordered {
            do {
                // A CI written later is left out: its own check names this one, at its line.
                try uniqueness.checkAgain(tx, nid: write.nid) { other in last[other]?.isAfter(write) == true }
            } catch let error as SchemaError {
                let what = write.isRegistration ? "registering" : "correcting"
                throw VerificationInputError(file: write.file, line: write.line,
                    message: "cannot apply: \(what) CI '\(write.id)': \(error.message)", schemaReason: error.reason)
            }
        }
    }
}
