import CIQLSyntax
import CMDB
import ConfigurationSchema
import GraphStorage

/// Schema rules a write broke on its way to the state the statement commits, checked again on that state.
///
/// A SET item or CREATE is checked as it runs, as before; only when the check fails is the write kept and noted
/// here, since a later item of the same statement may still make it right: `SET a.hostname = b.hostname,
/// b.hostname = 'h1'` swaps two unique values, `SET a:Appliance, a.cpu = '4 cores'` changes a class with the
/// attributes only the new class allows. A CI's own rules (class, attributes, status) depend on its state alone, so
/// a CI whose last write passed is right and one whose last write failed is wrong with that write's error; a unique
/// value depends on other CIs too, so it is looked up again, and so is a relation against its ends' classes then
/// (`CREATE (a)-[:RUNS_ON]->(m) SET m:VirtualMachine`). Before the statement commits, what is still wrong is refused
/// at the write that made it so.
struct DeferredChecks {
    /// CIs whose last write broke one of their own rules: the error, at the write that caused it.
    private(set) var invalidNodes: [NodeID: CIQLError] = [:]
    /// CIs whose write found another CI with one of its unique values: the error, at that write.
    private(set) var duplicateValues: [NodeID: CIQLError] = [:]

    /// A relation by its ends and type.
    struct RelationKey: Hashable {
        var from: NodeID
        var type: String
        var to: NodeID
    }

    /// Relations that did not fit their ends' classes: the error at the CREATE, or at the SET that changed the class
    /// of `classChanged`.
    private(set) var relations: [RelationKey: (error: CIQLError, classChanged: NodeID?)] = [:]

    var isEmpty: Bool { invalidNodes.isEmpty && duplicateValues.isEmpty && relations.isEmpty }

    /// How many broken rules may wait for the commit; past it a failure is refused at once (a statement that
    /// breaks a rule on every one of a million CIs fails at the first write over the limit, not after the last).
    static let capacity = 1 << 16

    private var count: Int { invalidNodes.count + duplicateValues.count + relations.count }

    /// Notes a relation its ends' classes do not allow now; the first write that found it so is the one named.
    mutating func noteRelation(_ key: RelationKey, _ failure: CIQLError, classChanged: NodeID?) throws {
        guard relations[key] == nil else { return }
        if count >= Self.capacity { throw failure }
        relations[key] = (failure, classChanged)
    }

    /// Whether a relation waits to be checked on the classes its ends have at commit.
    func waits(_ key: RelationKey) -> Bool { !relations.isEmpty && relations[key] != nil }

    /// Notes how a CI's write checked: nil (passed) clears an earlier failure, an error is kept. A failure with the
    /// same message as the one noted keeps the earlier place (`SET a.cpu = 'x', a.name = 'y'` fails twice for `cpu`,
    /// which the first item set).
    /// CIs a write left without the status they had: a later write must give them one (their stored state no
    /// longer says they had one).
    private var withoutStatus = Set<NodeID>()

    func leftWithoutStatus(_ nid: NodeID) -> Bool { !withoutStatus.isEmpty && withoutStatus.contains(nid) }

    mutating func noteOwnRules(of nid: NodeID, _ failure: CIQLError?, withoutStatus isWithoutStatus: Bool = false) throws {
        if isWithoutStatus { withoutStatus.insert(nid) } else if !withoutStatus.isEmpty { withoutStatus.remove(nid) }
        guard let failure else {
            invalidNodes[nid] = nil
            return
        }
        if invalidNodes[nid] == nil, count >= Self.capacity { throw failure }
        if let earlier = invalidNodes[nid], earlier.message == failure.message { return }
        invalidNodes[nid] = failure
    }

    mutating func noteUniqueness(of nid: NodeID, _ failure: CIQLError?) throws {
        guard let failure else {
            duplicateValues[nid] = nil
            return
        }
        if duplicateValues[nid] == nil, count >= Self.capacity { throw failure }
        if let earlier = duplicateValues[nid], earlier.message == failure.message { return }
        duplicateValues[nid] = failure
    }

    /// Throws the first (in statement order) rule still broken in the state about to commit.
    func check(_ tx: GraphTransaction, _ schema: Schema, _ uniqueness: UniquenessCheck) throws {
        var broken: [CIQLError] = []
        for (nid, error) in invalidNodes where try tx.node(nid) != nil {
            broken.append(error)
        }
        for (nid, error) in duplicateValues {
            do {
                try uniqueness.checkAgain(tx, nid: nid)
            } catch let failure as SchemaError {
                // The message names the CI that holds the value now.
                broken.append(CIQLError(failure, at: error.location))
            }
        }
        for (key, noted) in relations where try tx.relation(from: key.from, type: key.type, to: key.to) != nil {
            let fromLabel = try tx.label(of: key.from) ?? nil
            let toLabel = try tx.label(of: key.to) ?? nil
            do {
                try schema.validateRelation(type: key.type, fromLabel: fromLabel, toLabel: toLabel)
            } catch {
                guard let changed = noted.classChanged else {
                    broken.append(CIQLError(error, at: noted.error.location))
                    continue
                }
                let id = try tx.externalID(of: changed) ?? "?"
                let label = changed == key.from ? fromLabel : toLabel
                broken.append(.classChangeBreaks(key.type, of: id, label, error, at: noted.error.location))
            }
        }
        if let first = broken.min(by: Self.precedes) { throw first }
    }

    private static func precedes(_ a: CIQLError, _ b: CIQLError) -> Bool {
        (a.location?.offset ?? 0, a.message) < (b.location?.offset ?? 0, b.message)
    }
}

extension CIQLError {
    /// A class change that leaves a relation of the CI not allowed.
    static func classChangeBreaks(
        _ type: String, of id: String, _ label: String?, _ error: SchemaError, at location: SourceLocation?
    ) -> CIQLError {
        CIQLError(
            .runtime, .schema(.classChangeBreaksRelation),
            "cannot make '\(id)' a \(label ?? "CI without class"): its \(type) relation would break the schema: \(error.message)",
            at: location)
    }
}
