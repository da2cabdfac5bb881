public import ConfigurationSchema
public import GraphStorage

/// Reconciles one discovery snapshot with the CMDB, inside one transaction (one consistent snapshot).
///
/// Items are matched as they stream in: the item's class gives its ordered identifier sets, and the first set whose
/// attributes the item has decides; the CIs considered are those of the snapshot's classes and their subclasses,
/// whatever their scope (so a CI recorded in the wrong place is found, and its scope attribute reported as drift,
/// instead of being registered twice). The scope restricts what is expected: missing CIs and missing relations.
/// Scope values fill attributes an item does not state.
public final class Reconciler {
    private let tx: GraphTransaction
    private let schema: Schema
    private let reader: any DiscoverySnapshotReading
    private let finder: CIFinder
    private var result: Reconciliation
    private var matchedSet = Set<NodeID>()
    private var ambiguousCandidates = Set<NodeID>()
    private var discoveredRelations: [DiscoveredRelation] = []
    /// Relations discovery saw whose ends are both CIs: (from, type, to).
    private var seenRelations = Set<RelationKey>()
    /// For relation ends that name unregistered items: attribute → value → indexes into `result.unregistered`.
    private var unregisteredIndex: [String: [PropertyValue: [Int]]] = [:]
    /// Discoverable attributes per class, computed once.
    private var discoverable: [String: [String]] = [:]

    struct RelationKey: Hashable {
        var from: NodeID
        var type: String
        var to: NodeID
    }

    /// The job's time limit, checked every 256 lines, CIs and relations.
    public var deadline: JobDeadline?
    private var steps = 0

    private func checkDeadline() throws {
        steps &+= 1
        if steps & 255 == 0, let deadline { try deadline.check() }
    }

    public init(tx: GraphTransaction, schema: Schema, reader: any DiscoverySnapshotReading) {
        self.tx = tx
        self.schema = schema
        self.reader = reader
        self.finder = CIFinder(tx: tx, classSet: reader.classSet)
        self.result = Reconciliation(source: reader.source)
    }

    /// Reads the whole snapshot and compares it with the CMDB.
    ///
    /// - Throws: `VerificationInputError` for a bad line (nothing is written), `StorageError` from the store.
    public func reconcile() throws -> Reconciliation {
        while let line = try reader.next() {
            try checkDeadline()
            switch line {
            case .item(let item): try match(item)
            case .relation(let relation): discoveredRelations.append(relation)
            }
        }
        try compareRelations()
        try findMissing()
        return result
    }

    // MARK: - Items

    private func match(_ discovered: DiscoveredItem) throws {
        var item = discovered
        for (key, value) in result.source.scope where item.properties[key] == nil { item.properties[key] = value }
        let rules = schema.identificationRules(of: item.label)
        guard let set = rules.first(where: { $0.allSatisfy { item.properties[$0] != nil } }) else { return }
        var identifier = Properties()
        for key in set { if let v = item.properties[key] { identifier[key] = v } }
        let candidates = try finder.candidates(identifier)
        switch candidates.count {
        case 0:
            // The same thing seen again (an item repeated, or named by another identifier set): an earlier
            // unregistered item holding these values is what the CI registered for it would match, so it counts
            // once, as a second item matching one CI does, and `--apply` registers one CI, not a duplicate.
            if unregisteredItems(holding: identifier)?.isEmpty == false { return }
            for (key, value) in item.properties {
                unregisteredIndex[key, default: [:]][value, default: []].append(result.unregistered.count)
            }
            result.unregistered.append(item)
        case 1:
            let nid = candidates[0]
            guard matchedSet.insert(nid).inserted else { return }
            result.matched.append(nid)
            try compareAttributes(nid, item)
        default:
            ambiguousCandidates.formUnion(candidates)
            let ids = try candidates.map { try tx.externalID(of: $0) ?? "?" }.sorted()
            result.ambiguous.append(Ambiguity(item: item, identifiedBy: identifier, candidates: ids))
        }
    }

    private func compareAttributes(_ nid: NodeID, _ item: DiscoveredItem) throws {
        guard let node = try tx.node(nid) else { return }
        let label = node.label ?? item.label
        let attributes: [String]
        if let known = discoverable[label] {
            attributes = known
        } else {
            attributes = schema.attributes(of: label).filter(\.isDiscoverable).map(\.name)
            discoverable[label] = attributes
        }
        for key in attributes {
            guard let seen = item.properties[key] else { continue }
            let recorded = node.properties[key]
            if recorded != seen, !Self.isSameInstant(recorded, seen) {
                result.drift.append(Drift(nid: nid, id: node.externalID, attribute: key, recorded: recorded,
                    discovered: seen, line: item.line))
            }
        }
    }

    // MARK: - Missing

    /// Two dates or times of one type at the same instant (a datetime written with another offset or zone) are
    /// the same value for verify, as for CIQL's `=`: the discovery tool's way of writing a moment is no drift.
    private static func isSameInstant(_ recorded: PropertyValue?, _ seen: PropertyValue) -> Bool {
        guard case .temporal(let a)? = recorded, case .temporal(let b) = seen else { return false }
        return TemporalValue.compareInstants(a, b) == 0
    }

    private func findMissing() throws {
        let scope = result.source.scope
        for label in reader.classSet.sorted() {
            try tx.forEachNodeID(label: label) { (nid) in
                try checkDeadline()
                if matchedSet.contains(nid) || ambiguousCandidates.contains(nid) { return true }
                guard let node = try tx.node(nid), case .string(let status)? = node.properties["status"],
                    status == "live" || status == "maintenance",
                    scope.allSatisfy({ node.properties[$0.key] == $0.value })
                else { return true }
                result.missing.append(node.externalID)
                return true
            }
        }
        result.missing.sort()
    }

    // MARK: - Relations

    private func compareRelations() throws {
        guard !discoveredRelations.isEmpty else { return }
        var reportedTypes = Set<String>()
        for relation in discoveredRelations {
            reportedTypes.insert(relation.type)
            let from = try resolve(relation.from)
            let to = try resolve(relation.to)
            if case .ci(let a) = from, case .ci(let b) = to {
                let key = RelationKey(from: a, type: relation.type, to: b)
                guard seenRelations.insert(key).inserted else { continue }
                if try tx.relation(from: a, type: relation.type, to: b) != nil { continue }
            }
            result.unregisteredRelations.append(UnregisteredRelation(
                relation: relation, from: try reference(from), to: try reference(to)))
        }
        let scope = result.source.scope
        for nid in result.matched {
            try checkDeadline()
            guard let fromID = try tx.externalID(of: nid) else { continue }
            for (type, other) in try tx.neighbors(of: nid, direction: .outgoing, types: reportedTypes)
            where !seenRelations.contains(RelationKey(from: nid, type: type, to: other)) {
                guard let node = try tx.node(other), let label = node.label, reader.classSet.contains(label),
                    scope.allSatisfy({ node.properties[$0.key] == $0.value })
                else { continue }
                result.missingRelations.append(RecordedRelation(type: type, from: fromID, to: node.externalID))
            }
        }
    }

    enum ResolvedEnd {
        case ci(NodeID)
        /// An item of this snapshot that is not registered (index into `unregistered`).
        case unregistered(Int)
        case unresolved(DiscoveredEnd)
    }

    private func resolve(_ end: DiscoveredEnd) throws -> ResolvedEnd {
        let labels = end.label.map { Set(schema.subclasses(of: $0)) }
        let found = try finder.candidates(end.attributes, within: labels)
        if found.count == 1 { return .ci(found[0]) }
        if found.isEmpty, let item = unregisteredItem(matching: end) { return .unregistered(item) }
        return .unresolved(end)
    }

    /// The unregistered items with every value of `attributes` (nil for no attributes): those of the shortest
    /// index list that hold the other values too, so a value many items share (a site) costs nothing when another
    /// (a hostname) is rare.
    private func unregisteredItems(holding attributes: Properties) -> [Int]? {
        var shortest: [Int]?
        for (key, value) in attributes {
            let these = unregisteredIndex[key]?[value] ?? []
            if these.count < shortest?.count ?? Int.max { shortest = these }
        }
        return shortest?.filter { i in
            attributes.allSatisfy { result.unregistered[i].properties[$0.key] == $0.value }
        }
    }

    /// The one unregistered item with every attribute of `end`, if exactly one.
    private func unregisteredItem(matching end: DiscoveredEnd) -> Int? {
        var hits = unregisteredItems(holding: end.attributes)
        if let label = end.label {
            hits = hits?.filter { schema.isClass(result.unregistered[$0].label, a: label) }
        }
        guard let hits, hits.count == 1 else { return nil }
        return hits.first
    }

    private func reference(_ end: ResolvedEnd) throws -> RelationEndReference {
        switch end {
        case .ci(let nid): return .ci(try tx.externalID(of: nid) ?? "?")
        case .unregistered(let i):
            let item = result.unregistered[i]
            let rules = schema.identificationRules(of: item.label)
            var attributes = Properties()
            if let set = rules.first(where: { $0.allSatisfy { item.properties[$0] != nil } }) {
                for key in set { if let v = item.properties[key] { attributes[key] = v } }
            }
            return .discovered(DiscoveredEnd(label: item.label, attributes: attributes))
        case .unresolved(let end): return .discovered(end)
        }
    }

    // MARK: - Apply

    /// Registers the unregistered items, corrects drift and registers the discovered relations whose ends are
    /// known, in the write transaction the reconciliation ran in, and checks the rules that depend on more than one
    /// write (unique values) on the state it leaves: for a transaction that applies this snapshot only.
    ///
    /// - Throws: `VerificationInputError` naming the snapshot line when the schema refuses a write; the caller's
    ///   transaction then rolls back and nothing is written.
    public func apply() throws -> Reconciliation {
        var checks = ApplyChecks(schema: schema)
        let applied = try apply(checkingAtCommit: &checks)
        try checks.check(tx)
        return applied
    }

    /// `apply()` for one of several snapshots applied in one transaction: the rules that depend on more than one
    /// write are noted in `checks`, which the caller checks once all are applied, before commit.
    ///
    /// - Throws: `VerificationInputError` naming the snapshot line when the schema refuses a write; the caller's
    ///   transaction then rolls back and nothing is written.
    public func apply(checkingAtCommit checks: inout ApplyChecks) throws -> Reconciliation {
        precondition(tx.isWritable, "apply() needs the reconciliation to run in a write transaction")
        let file = result.source.file
        let snapshot = checks.startSnapshot()
        func refused(_ line: Int, _ error: SchemaError) -> VerificationInputError {
            VerificationInputError(file: file, line: line, message: "cannot apply: \(error.message)", schemaReason: error.reason)
        }
        var byNode: [NodeID: [Drift]] = [:]
        for d in result.drift { byNode[d.nid, default: []].append(d) }
        for (nid, drifts) in byNode.sorted(by: { $0.key < $1.key }) {
            guard let node = try tx.node(nid) else { continue }
            var properties = node.properties
            for d in drifts { properties[d.attribute] = d.discovered }
            do {
                let checked = try schema.validatedNode(label: node.label, properties: properties)
                try tx.upsertNode(externalID: node.externalID, label: node.label, properties: checked)
            } catch let error as SchemaError { throw refused(drifts[0].line, error) }
            checks.noteWrite(nid: nid, id: node.externalID, isRegistration: false, file: file, snapshot: snapshot,
                line: drifts[0].line)
        }
        var naming = RegistrationNaming(schema: schema)
        var registered: [Int: NodeID] = [:]
        for (index, item) in result.unregistered.enumerated() {
            let id = try naming.id(for: item, tx)
            var properties = item.properties
            if properties["name"] == nil { properties["name"] = item.properties["hostname"] ?? .string(id) }
            if properties["status"] == nil, let status = schema.defaultStatus { properties["status"] = .string(status) }
            do {
                let checked = try schema.validatedNode(label: item.label, properties: properties)
                let nid = try tx.upsertNode(externalID: id, label: item.label, properties: checked).nid
                registered[index] = nid
                checks.noteWrite(
                    nid: nid, id: id, isRegistration: true, file: file, snapshot: snapshot, line: item.line)
            } catch let error as SchemaError { throw refused(item.line, error) }
            result.registeredIDs[item.line] = id
        }
        for i in result.unregisteredRelations.indices {
            let relation = result.unregisteredRelations[i].relation
            guard let from = try endNode(relation.from, registered), let to = try endNode(relation.to, registered)
            else { continue }
            do {
                if from.nid == to.nid { throw SchemaError(.selfRelation, "a CI cannot depend on itself") }
                try schema.validateRelation(type: relation.type, fromLabel: from.label, toLabel: to.label)
            } catch let error as SchemaError { throw refused(relation.line, error) }
            try tx.upsertRelation(from: from.nid, type: relation.type, to: to.nid, properties: relation.properties)
            result.unregisteredRelations[i].isApplied = true
        }
        result.registered = registered.values.sorted()
        result.isApplied = true
        return result
    }

    private func endNode(_ end: DiscoveredEnd, _ registered: [Int: NodeID]) throws -> (nid: NodeID, label: String?)? {
        switch try resolve(end) {
        case .ci(let nid): return (nid, try tx.label(of: nid) ?? nil)
        case .unregistered(let i):
            guard let nid = registered[i] else { return nil }
            return (nid, result.unregistered[i].label)
        case .unresolved: return nil
        }
    }
}
