import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import ConfigurationSchema
import GraphStorage

/// The writes CIQL makes, each checked against the schema like an import line.
extension ExecutionContext {
    private func writerTransaction(_ at: SourceLocation) throws -> GraphTransaction {
        guard let writer else { throw CIQLError(.runtime, .internalError, "internal: a write outside a write transaction", at: at) }
        return writer
    }

    /// Creates a CI; `id` comes from the properties (a string), else one is generated in a schemaless graph.
    func createNode(label: String?, properties: ValueMap, _ at: SourceLocation) throws -> NodeID {
        let tx = try writerTransaction(at)
        var props = try storedProperties(properties, at)
        var externalID: String
        switch props["id"] {
        case .string(let id)?:
            externalID = id
            props["id"] = nil
        case _ where schema.isOpen:
            // A schemaless graph is openCypher's: `{id: 0}` that is not a string is a property like any other (the
            // TCK's graphs use it), and the CI gets a generated id.
            externalID = try generatedID(tx)
        case let other?:
            throw CIQLError(
                .runtime, .type(.invalidPropertyType),
                "a CI id is a string, not a \(other.typeName.lowercased()): "
                    + "CREATE (s:\(label ?? "Server") {id: 'web-01', …})", at: at)
        case nil:
            throw CIQLError(
                .runtime, .graph(.missingID), "a new CI needs an id: CREATE (s:\(label ?? "Server") {id: 'web-01', …})", at: at)
        }
        guard !externalID.isEmpty else { throw CIQLError(.runtime, .graph(.missingID), "a CI id must not be empty", at: at) }
        if let existing = try tx.nodeID(forExternalID: externalID), try tx.label(of: existing) != nil {
            throw CIQLError(.runtime, .graph(.existingCI), "CI '\(externalID)' already exists; use MERGE, or MATCH … SET to change it", at: at)
        }
        if props["status"] == nil, let status = schema.defaultStatus { props["status"] = .string(status) }
        let (checked, failure) = validated(label: label, props, at)
        let write = try tx.upsertNode(externalID: externalID, label: label, properties: checked)
        try deferredChecks.noteOwnRules(of: write.nid, failure)
        try checkUniqueness(tx, write.nid, label, checked, at)
        counters.nodesCreated += 1
        counters.propertiesSet += checked.count
        createdNodes.insert(write.nid)
        live?.invalidate()
        return write.nid
    }

    private func generatedID(_ tx: GraphTransaction) throws -> String {
        var n = UInt64(String(decoding: try tx.metadata("ciql.generated_id") ?? [], as: UTF8.self)) ?? 0
        while true {
            n += 1
            let id = "_\(n)"
            if try tx.nodeID(forExternalID: id) == nil {
                try tx.setMetadata("ciql.generated_id", Array(String(n).utf8))
                return id
            }
        }
    }

    /// Writes a node's new properties (and class), validated, and counts the properties that changed.
    ///
    /// In a database with a schema a CI keeps its lifecycle status, as import keeps it: a statement that would leave
    /// it without one is refused (`SchemaError.UnknownStatus`), at the write that left it out, unless a later item
    /// gives it one again.
    func updateNode(_ nid: NodeID, label newLabel: String??, properties: Properties, _ at: SourceLocation) throws {
        let tx = try writerTransaction(at)
        guard let node = try tx.node(nid) else { return }  // deleted earlier in this statement
        let label = newLabel ?? node.label
        var properties = properties
        var statusFailure: CIQLError?
        if properties["status"] == nil, node.properties["status"] != nil || deferredChecks.leftWithoutStatus(nid),
            let status = schema.defaultStatus
        {
            // A CI this statement created takes the default again, as CREATE gave it; any other keeps a status.
            if createdNodes.contains(nid) {
                properties["status"] = .string(status)
            } else {
                statusFailure = CIQLError(
                    SchemaError(
                        .unknownStatus,
                        "CI '\(node.externalID)' cannot be left without a status, as import never leaves one (a map "
                            + "that replaces its properties must name the status too); the schema allows: "
                            + schema.statuses.joined(separator: ", ")),
                    at: at)
            }
        }
        let (checked, validation) = validated(label: label, properties, at)
        let failure = statusFailure ?? validation
        count(from: node.properties, to: checked)
        let write = try tx.upsertNode(externalID: node.externalID, label: label, properties: checked)
        try deferredChecks.noteOwnRules(of: nid, failure, withoutStatus: statusFailure != nil)
        if write.outcome == .updated {
            if label != node.label, !schema.isOpen {
                for direction in Direction.allCases {
                    for (type, other) in try tx.neighbors(of: nid, direction: direction) {
                        let key = direction == .outgoing
                            ? DeferredChecks.RelationKey(from: nid, type: type, to: other)
                            : DeferredChecks.RelationKey(from: other, type: type, to: nid)
                        // Already waiting: checked on the classes at commit, as first noted.
                        if deferredChecks.waits(key) { continue }
                        let otherLabel = try tx.label(of: other) ?? nil
                        do {
                            if direction == .outgoing {
                                try schema.validateRelation(type: type, fromLabel: label, toLabel: otherLabel)
                            } else {
                                try schema.validateRelation(type: type, fromLabel: otherLabel, toLabel: label)
                            }
                        } catch {
                            // Another item may still change the other end's class, or delete the relation.
                            try deferredChecks.noteRelation(
                                key, .classChangeBreaks(type, of: node.externalID, label, error, at: at), classChanged: nid)
                        }
                    }
                }
            }
            try checkUniqueness(tx, nid, label, checked, at)
        }
        live?.invalidate()
    }

    /// Adds what changed between a CI's or relation's properties and their new values to the counters.
    private func count(from old: Properties, to new: Properties) {
        for (key, value) in new where old[key] != value { counters.propertiesSet += 1 }
        for (key, _) in old where new[key] == nil { counters.propertiesRemoved += 1 }
    }

    /// A CI's id is not a property: SET may name it only with the value it has (`SET n += {id: n.id, …}`).
    private func checkUnchangedID(_ value: Value, of node: StoredNode, _ at: SourceLocation) throws {
        // A schemaless graph may store a property called `id` (read first, as `n.id` reads it).
        if let stored = node.properties["id"], value.propertyValue == stored { return }
        if node.properties["id"] == nil, case .string(let id) = value, id.hasSameCodePoints(as: node.externalID) { return }
        throw CIQLError(
            .runtime, .graph(.immutableID),
            "the id of CI '\(node.externalID)' cannot be changed or removed; create a new CI and move its relations", at: at)
    }

    func setProperty(of target: Value, _ key: String, _ value: Value, _ at: SourceLocation) throws {
        switch target {
        case .null: return
        case .node(let nid):
            guard let node = try node(nid) else { return }
            var props = node.properties
            if key == "id" {
                try checkUnchangedID(value, of: node, at)
                return
            }
            props[key] = try storedValue(value, key, at)
            try updateNode(nid, label: .none, properties: props, at)
        case .relationship(let r):
            guard let rel = try source.relation(from: r.from, type: r.type, to: r.to) else { return }
            var props = rel.properties
            props[key] = try storedValue(value, key, at)
            count(from: rel.properties, to: props)
            _ = try writerTransaction(at).upsertRelation(from: r.from, type: r.type, to: r.to, properties: props)
            live?.invalidate()
        default:
            throw typeError("SET needs a node or relation", target, at)
        }
    }

    /// `n = map` (replace) or `n += map` (merge).
    func setProperties(of target: Value, _ map: Value, replace: Bool, _ at: SourceLocation) throws {
        let entries: ValueMap
        switch map {
        case .map(let m): entries = m
        case .node, .relationship: entries = try allProperties(map, at)
        case .null: entries = ValueMap()
        default: throw typeError("SET … = needs a map", map, at)
        }
        switch target {
        case .null: return
        case .node(let nid):
            guard let node = try node(nid) else { return }
            if let id = entries["id"] { try checkUnchangedID(id, of: node, at) }
            // `=` replaces every property (name and status too: see `updateNode`); the id and class are no properties.
            var props = replace ? Properties() : node.properties
            if replace, let id = node.properties["id"] { props["id"] = id }
            for (k, v) in entries.entries where k != "id" { props[k] = try storedValue(v, k, at) }
            try updateNode(nid, label: .none, properties: props, at)
        case .relationship(let r):
            guard let rel = try source.relation(from: r.from, type: r.type, to: r.to) else { return }
            var props = replace ? Properties() : rel.properties
            for (k, v) in entries.entries { props[k] = try storedValue(v, k, at) }
            count(from: rel.properties, to: props)
            _ = try writerTransaction(at).upsertRelation(from: r.from, type: r.type, to: r.to, properties: props)
            live?.invalidate()
        default: throw typeError("SET needs a node or relation", target, at)
        }
    }

    /// `SET n:Class` (reclassify) or `REMOVE n:Class` (only in a schemaless graph).
    func setLabel(of target: Value, _ label: String?, _ at: SourceLocation) throws {
        guard case .node(let nid) = target, let node = try node(nid) else {
            if target.isNull { return }
            throw typeError("a class can only be set on a node", target, at)
        }
        if node.label == label { return }
        if let label, node.label != nil, schema.isOpen {
            throw CIQLError(.runtime, .graph(.singleClass), "a CI has exactly one class; '\(node.externalID)' is already a \(node.label ?? ""), so it cannot also be a \(label)", at: at)
        }
        try updateNode(nid, label: .some(label), properties: node.properties, at)
        if label == nil { counters.labelsRemoved += 1 } else { counters.labelsAdded += 1 }
    }

    func createRelation(from: NodeID, type: String, to: NodeID, properties: ValueMap, _ at: SourceLocation) throws
        -> RelationshipRef
    {
        let tx = try writerTransaction(at)
        if from == to, !schema.isOpen {
            // As import refuses it: else the database's own export would not import again.
            throw CIQLError(SchemaError(.selfRelation, "a CI cannot depend on itself"), at: at)
        }
        if try tx.relation(from: from, type: type, to: to) != nil {
            let a = try tx.externalID(of: from) ?? "?", b = try tx.externalID(of: to) ?? "?"
            throw CIQLError(.runtime, .graph(.duplicateRelation), "the relation \(a)-[:\(type)]->\(b) already exists; a CMDB records each relation once (use MERGE)", at: at)
        }
        let fromLabel = try tx.label(of: from) ?? nil
        let toLabel = try tx.label(of: to) ?? nil
        do {
            try schema.validateRelation(type: type, fromLabel: fromLabel, toLabel: toLabel)
        } catch {
            // Another item may still change an end's class to one the relation may connect.
            guard error.reason == .relationNotAllowed else { throw CIQLError(error, at: at) }
            try deferredChecks.noteRelation(
                DeferredChecks.RelationKey(from: from, type: type, to: to), CIQLError(error, at: at), classChanged: nil)
        }
        let stored = try storedProperties(properties, at)
        _ = try tx.upsertRelation(from: from, type: type, to: to, properties: stored)
        counters.relationshipsCreated += 1
        counters.propertiesSet += stored.count
        live?.invalidate()
        return RelationshipRef(from: from, type: type, to: to)
    }

    func delete(_ value: Value, detach: Bool, _ at: SourceLocation) throws {
        let tx = try writerTransaction(at)
        switch value {
        case .null: return
        case .relationship(let r):
            if try tx.deleteRelation(from: r.from, type: r.type, to: r.to) { counters.relationshipsDeleted += 1 }
        case .node(let nid):
            guard try tx.node(nid) != nil else { return }
            if detach {
                for direction in Direction.allCases {
                    for (type, other) in try tx.neighbors(of: nid, direction: direction) {
                        let (f, t) = direction == .outgoing ? (nid, other) : (other, nid)
                        if try tx.deleteRelation(from: f, type: type, to: t) { counters.relationshipsDeleted += 1 }
                    }
                }
            } else if try tx.hasRelations(nid) {
                let id = try tx.externalID(of: nid) ?? "?"
                throw CIQLError(.runtime, .constraint(.deleteConnectedNode), "CI '\(id)' still has relations; DETACH DELETE removes them with it", at: at)
            }
            if try tx.deleteNode(nid) { counters.nodesDeleted += 1 }
        case .path(let p):
            for r in p.relationships { try delete(.relationship(r), detach: false, at) }
            for n in p.nodes { try delete(.node(n), detach: detach, at) }
        case .list(let l):
            for v in l { try delete(v, detach: detach, at) }
        default: throw typeError("DELETE needs a node, relation or path", value, at)
        }
        live?.invalidate()
    }

    /// Deletes the relations in a DELETE target: a relation, a path's, a list's.
    func deleteRelations(in value: Value, _ at: SourceLocation) throws {
        switch value {
        case .relationship: try delete(value, detach: false, at)
        case .path(let p): for r in p.relationships { try delete(.relationship(r), detach: false, at) }
        case .list(let l): for v in l { try deleteRelations(in: v, at) }
        default: return
        }
    }

    /// The properties as stored, or (when the schema refuses them) as given, with the error: another item of the
    /// statement may still make the CI right (`deferredChecks`).
    private func validated(label: String?, _ props: Properties, _ at: SourceLocation) -> (Properties, CIQLError?) {
        do {
            return (try schema.validatedNode(label: label, properties: props), nil)
        } catch {
            return (props, CIQLError(error, at: at))
        }
    }

    /// Notes whether another CI has one of this CI's unique values now; a later write may still change either.
    private func checkUniqueness(_ tx: GraphTransaction, _ nid: NodeID, _ label: String?, _ props: Properties, _ at: SourceLocation) throws {
        do {
            try UniquenessCheck(schema: schema).check(tx, nid: nid, label: label, properties: props)
            try deferredChecks.noteUniqueness(of: nid, nil)
        } catch let error as SchemaError {
            try deferredChecks.noteUniqueness(of: nid, CIQLError(error, at: at))
        }
    }

    /// Throws what this statement's writes left wrong in the state it is about to commit.
    func checkDeferredWrites() throws {
        guard !deferredChecks.isEmpty, let writer else { return }
        try deferredChecks.check(writer, schema, UniquenessCheck(schema: schema))
    }

    private func storedProperties(_ map: ValueMap, _ at: SourceLocation) throws -> Properties {
        var props = Properties()
        for (k, v) in map.entries where !v.isNull { props[k] = try storedValue(v, k, at) }
        return props
    }

    /// The stored form of a value; nil (remove) for null; an error for values a property cannot hold.
    private func storedValue(_ v: Value, _ key: String, _ at: SourceLocation) throws -> PropertyValue? {
        if v.isNull { return nil }
        if case .list(let l) = v, l.contains(where: \.isNull) {
            throw CIQLError(.runtime, .type(.invalidPropertyType), "property '\(key)' cannot hold a list containing null", at: at)
        }
        guard let p = v.propertyValue else {
            throw CIQLError(.runtime, .type(.invalidPropertyType), "property '\(key)' cannot hold a \(v.typeName.lowercased())", at: at)
        }
        if case .list = p, p.listNesting() > PropertyValue.maximumListNesting {
            let limit = PropertyValue.maximumListNesting
            throw CIQLError(
                .runtime, .limit(.nestingDepth),
                "property '\(key)' nests lists more than \(limit) deep; a stored property may nest them at most \(limit) deep",
                at: at)
        }
        return p
    }
}
