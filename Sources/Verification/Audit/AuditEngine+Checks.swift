import ConfigurationSchema
import GraphStorage

extension AuditEngine {
    // MARK: - Duplicates

    /// CIs of one identification family (the class that declares `identify`, with its subclasses) sharing the
    /// values of an identifier set. Withdrawn and disposed CIs are left out: a re-used serial of a retired CI is
    /// history, not a duplicate.
    func checkDuplicates() throws {
        guard !schema.isOpen else { return }
        // family root → its identifier sets
        var families: [String: [[String]]] = [:]
        for c in schema.classes {
            guard let rules = c.identify.isEmpty ? nil : c.identify else { continue }
            families[c.name] = rules
        }
        var rootOf: [String: String] = [:]
        for c in schema.classes {
            if let root = schema.ancestry(of: c.name).first(where: { families[$0] != nil }) { rootOf[c.name] = root }
        }
        let active = { (nid: NodeID) -> Bool in
            guard let s = self.status(nid) else { return false }
            return !Self.retired.contains(s)
        }
        for nid in 0..<labelOf.count where labelOf[nid] >= 0 {
            if let l = label(NodeID(nid)), rootOf[l] != nil, active(NodeID(nid)) { count(.duplicate) }
        }
        var failing = Set<NodeID>()
        var indexedDone = Set<String>()
        for (root, sets) in families.sorted(by: { $0.key < $1.key }) {
            for set in sets {
                if set.count == 1, let attribute = set.first, !indexedDone.contains(attribute) {
                    let usedIndex = try tx.forEachIndexedValueGroup(property: attribute) { group in
                        try report(group, attribute: [attribute], rootOf: rootOf, active: active, failing: &failing)
                    }
                    if usedIndex {
                        indexedDone.insert(attribute)
                        continue
                    }
                }
                if set.count == 1, let attribute = set.first, indexedDone.contains(attribute) { continue }
                // No index: one pass over the family, grouping by the values of the set.
                var groups: [[PropertyValue]: [NodeID]] = [:]
                for nid in 0..<labelOf.count where labelOf[nid] >= 0 {
                    guard let l = label(NodeID(nid)), rootOf[l] == root, active(NodeID(nid)),
                        let node = try tx.node(NodeID(nid))
                    else { continue }
                    let values = set.compactMap { node.properties[$0] }
                    if values.count == set.count { groups[values, default: []].append(NodeID(nid)) }
                }
                for (_, group) in groups where group.count > 1 {
                    try report(group, attribute: set, rootOf: rootOf, active: active, failing: &failing)
                }
            }
        }
        count(.duplicate, checked: 0, failing: failing.count)
    }

    private func report(
        _ group: [NodeID], attribute set: [String], rootOf: [String: String], active: (NodeID) -> Bool,
        failing: inout Set<NodeID>
    ) throws {
        // Regroup by family and full value: an index group may mix families, and long strings share a prefix.
        var byKey: [[PropertyValue]: [(id: String, nid: NodeID, root: String)]] = [:]
        var roots: [String: Int] = [:]
        for nid in group where active(nid) {
            guard let l = label(nid), let root = rootOf[l], let node = try tx.node(nid) else { continue }
            // The set must be one of this family's identifier sets.
            guard schema.identificationRules(of: l).contains(set) else { continue }
            let values = set.compactMap { node.properties[$0] }
            guard values.count == set.count else { continue }
            let r = roots[root] ?? roots.count
            roots[root] = r
            byKey[values + [.int(Int64(r))], default: []].append((node.externalID, nid, root))
        }
        for (values, members) in byKey where members.count > 1 {
            let shown = zip(set, values).map { "\($0.0) '\(RegistrationNaming.text($0.1))'" }.joined(separator: ", ")
            let ids = members.map(\.id).sorted()
            for m in members {
                failing.insert(m.nid)
                let others = ids.filter { $0 != m.id }.joined(separator: ", ")
                add(.duplicate, m.id, "same \(shown) as \(others)", detail: set.joined(separator: ","))
            }
        }
    }

    // MARK: - Relations

    /// Relations the schema does not allow, and CIs that depend on withdrawn or disposed ones (along the direction
    /// of impact: `reverse` types such as MEMBER_OF count the other way round; `none` types are no dependency).
    func checkRelations() throws {
        guard !schema.isOpen else { return }
        var allowed: [String: String?] = [:]
        var dependents = Set<NodeID>()
        var activeCount = 0
        for nid in 0..<labelOf.count where labelOf[nid] >= 0 {
            if let s = status(NodeID(nid)), !Self.retired.contains(s) { activeCount += 1 }
        }
        try tx.forEachRelation { relation in
            let fromLabel = label(relation.from)
            let toLabel = label(relation.to)
            let key = "\(relation.type)\t\(fromLabel ?? "")\t\(toLabel ?? "")"
            let problem: String?
            if let known = allowed[key] {
                problem = known
            } else {
                do {
                    try schema.validateRelation(type: relation.type, fromLabel: fromLabel, toLabel: toLabel)
                    problem = nil
                } catch let error as SchemaError {
                    problem = error.message
                } catch {
                    problem = "\(error)"
                }
                allowed[key] = problem
            }
            count(.relationNotAllowed, failing: problem == nil ? 0 : 1)
            if let problem {
                let from = try tx.externalID(of: relation.from) ?? "?"
                let to = try tx.externalID(of: relation.to) ?? "?"
                add(.relationNotAllowed, from, "relation \(relation.type) to '\(to)' breaks the schema: \(problem)",
                    detail: "\(relation.type)>\(to)")
            }
            guard let definition = schema.relationDefinition(relation.type) else { return true }
            let (dependent, dependency): (NodeID, NodeID)
            switch definition.impact {
            case .forward: (dependent, dependency) = (relation.from, relation.to)
            case .reverse: (dependent, dependency) = (relation.to, relation.from)
            case .none: return true
            }
            guard let ds = status(dependent), !Self.retired.contains(ds), let gone = status(dependency),
                Self.retired.contains(gone)
            else { return true }
            dependents.insert(dependent)
            let who = try tx.externalID(of: dependent) ?? "?"
            let what = try tx.externalID(of: dependency) ?? "?"
            add(.dependsOnRetired, who, "\(ds) CI depends on \(gone) '\(what)' (\(relation.type))",
                detail: "\(relation.type)>\(what)")
            return true
        }
        count(.dependsOnRetired, checked: activeCount, failing: dependents.count)
    }

    // MARK: - Compliance

    /// Status moves in a CI's history that the schema's `transitions` do not allow.
    func checkTransitions() throws {
        guard !schema.isOpen, !schema.transitions.isEmpty else { return }
        let total = try tx.nodeCount()
        var failing = Set<NodeID>()
        try tx.forEachNodeHistory { nid, versions in
            var previous: String?
            for version in versions {
                guard let node = version.node else {
                    previous = nil
                    continue
                }
                let status = node.properties["status"].flatMap { if case .string(let s) = $0 { s } else { nil } }
                if let before = previous, let after = status, before != after,
                    !(schema.transitions[before] ?? []).contains(after)
                {
                    failing.insert(nid)
                    add(.illegalTransition, node.externalID,
                        "status moved \(before) → \(after) in transaction \(version.transaction); the schema allows "
                            + "\(before) → \((schema.transitions[before] ?? []).joined(separator: ", ").orNone)",
                        detail: "\(version.transaction)")
                }
                previous = status
            }
        }
        count(.illegalTransition, checked: total, failing: failing.count)
    }

    /// Changes since the previous run that carry no change reference. Counted per CI and relation changed;
    /// listed per CI (a relation by its `from` CI), at most `changeListLimit` CIs per transaction.
    func checkChangeReferences() throws {
        var checked = 0
        var failing = 0
        for record in try tx.changes() {
            if record.transaction <= options.sinceTransaction { break }
            // Verification stamps and audit runs change no CI or relation.
            guard !record.isEmpty else { continue }
            let changed = record.nodesCreated + record.nodesUpdated + record.nodesDeleted + record.relationsCreated
                + record.relationsUpdated + record.relationsDeleted
            checked += changed
            // A blank reference (recorded by older builds) is none.
            if ChangeReference.given(record.info.changeReference) != nil { continue }
            failing += changed
            var listed = Set<NodeID>()
            let entries = try tx.loggedChanges(of: record.transaction, limit: options.changeListLimit * 4)
            var unlisted = changed - entries.count
            let origin = record.info.origin.isEmpty ? "" : " (\(record.info.origin))"
            for entry in entries {
                let nid: NodeID
                let what: String
                switch entry.entity {
                case .node(let n):
                    nid = n
                    what = "\(entry.operation == .create ? "created" : entry.operation == .update ? "changed" : "deleted")"
                case .relation(let from, let type, _):
                    nid = from
                    what = "relation \(type) \(entry.operation == .create ? "created" : entry.operation == .update ? "changed" : "deleted")"
                }
                if listed.contains(nid) { continue }
                // A CI created and deleted again in the transaction (inside a logged run of creations) was never
                // committed: it has no record and no history, so there is nothing to list.
                guard let id = try tx.externalID(of: nid) ?? history(nid) else { continue }
                guard listed.count < options.changeListLimit else {
                    unlisted += 1
                    continue
                }
                listed.insert(nid)
                add(.noChangeReference, id, "\(what) in transaction \(record.transaction) by \(record.info.actor)"
                    + "\(origin) without a change reference", detail: "\(record.transaction)")
            }
            if unlisted > 0, let first = listed.min() {
                let id = try tx.externalID(of: first) ?? "node \(first)"
                add(.noChangeReference, id, "transaction \(record.transaction) made \(unlisted) more changes without "
                    + "a change reference (not listed)", detail: "\(record.transaction)+")
            }
        }
        count(.noChangeReference, checked: checked, failing: failing)
    }

    /// The id of a deleted node, from its history.
    private func history(_ nid: NodeID) throws -> String? {
        try tx.history(of: nid).compactMap(\.node).last?.externalID
    }
}

extension String {
    var orNone: String { isEmpty ? "nothing" : self }
}
