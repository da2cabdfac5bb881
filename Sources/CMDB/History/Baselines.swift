public import GraphStorage
import ConfigurationSchema
import JSONLines

/// Why a baseline could not be created or found; CIQL reports these with its own codes.
public enum BaselineError: Error, Sendable, Equatable {
    /// A name that is blank, has control characters or is too long; the message says which.
    case invalidName(String)
    /// Baselines are never changed: the name is taken.
    case exists(String)
    /// No baseline has the name; `message` says so and suggests the closest name, or how to create one.
    case unknown(name: String, message: String)
}

/// A named point in the CMDB's history: what configuration was agreed at a moment (ITIL's baseline).
public struct Baseline: Sendable, Equatable {
    public var name: String
    /// The last transaction the baseline includes.
    public var transaction: TransactionNumber
    /// When it was taken, µs since the epoch.
    public var time: Int64
    public var actor: String
    public var description: String?
}

/// Baselines are kept in the store's `baselines` collection, keyed by name.
public enum Baselines {
    package static let collection = "baselines"

    public static func find(_ name: String, _ tx: GraphTransaction) throws -> Baseline? {
        guard let bytes = try tx.auxValue(collection, key: Array(name.utf8)) else { return nil }
        return try decode(bytes)
    }

    public static func all(_ tx: GraphTransaction) throws -> [Baseline] {
        try tx.auxEntries(collection).map { try decode($0.value) }.sorted { $0.transaction < $1.transaction }
    }

    /// Records a baseline of the state after the last committed transaction.
    public static func create(_ name: String, description: String?, actor: String, time: Int64, _ tx: GraphTransaction) throws -> Baseline {
        if let problem = problem(withName: name) { throw BaselineError.invalidName(problem) }
        if try find(name, tx) != nil { throw BaselineError.exists(name) }
        let baseline = Baseline(
            name: name, transaction: try tx.lastCommittedTransaction, time: time, actor: actor, description: description)
        var members: [(key: String, value: JSONValue)] = [
            ("name", .string(name)), ("tx", .int(Int64(baseline.transaction))), ("at", .int(time)), ("actor", .string(actor)),
        ]
        if let description { members.append(("description", .string(description))) }
        let object = JSONObject(members)
        var writer = JSONWriter()
        writer.write(object)
        try tx.setAuxValue(collection, key: Array(name.utf8), value: writer.bytes)
        return baseline
    }

    /// The longest name, in UTF-8 bytes (a name is a key; it is shown in tables and reports).
    public static let maximumNameBytes = 200

    /// Why `name` cannot name a baseline, or nil: it must have a character other than white space, no control
    /// characters (tab, newline…) and at most `maximumNameBytes` bytes.
    public static func problem(withName name: String) -> String? {
        if name.allSatisfy(\.isWhitespace) {
            return name.isEmpty ? "a baseline needs a name" : "a baseline name must not be blank"
        }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "a baseline name must not contain control characters (tab, newline…): \(name.debugDescription)"
        }
        if name.utf8.count > maximumNameBytes {
            return "a baseline name is at most \(maximumNameBytes) bytes, not \(name.utf8.count)"
        }
        return nil
    }

    /// The error for a name no baseline has, with the closest name if one is close.
    public static func unknown(_ name: String, _ tx: GraphTransaction) throws -> BaselineError {
        let names = try all(tx).map(\.name)
        var message = "unknown baseline '\(name)'"
        if let close = closestSpelling(to: name, in: names) {
            message += " (did you mean '\(close)'?)"
        } else if names.isEmpty {
            message += "; there are none yet: CREATE BASELINE 'name' records one"
        }
        return .unknown(name: name, message: message)
    }

    private static func decode(_ bytes: [UInt8]) throws -> Baseline {
        let parsed = try bytes.withUnsafeBytes { (raw) throws -> JSONValue in try JSONParser.parse(raw) }
        guard case .object(let o) = parsed, case .string(let name)? = o["name"],
            case .int(let txn)? = o["tx"], case .int(let at)? = o["at"], case .string(let actor)? = o["actor"]
        else {
            throw StorageError(.corrupted, "a baseline record is damaged")
        }
        var description: String?
        if case .string(let d)? = o["description"] { description = d }
        return Baseline(name: name, transaction: TransactionNumber(max(0, txn)), time: at, actor: actor, description: description)
    }
}

/// What changed between two points of history, CI by CI and attribute by attribute.
public struct HistoryDiff {
    public enum Change: String, Sendable {
        case added, removed, changed
    }

    public struct Row: Sendable {
        public var change: Change
        public var kind: String
        public var id: String
        public var attribute: String?
        /// The attribute's value before and after (nil: none); for a CI added or removed, its class.
        public var before: PropertyValue?
        public var after: PropertyValue?
    }

    /// A relation, by its ends and type.
    private struct RelationKey: Hashable {
        var from: NodeID
        var type: String
        var to: NodeID
    }

    /// The differences between the state after `from` and the state after `to` (`from < to`).
    ///
    /// `check` is called for each logged change, CI and relation compared (the statement's time limit and Ctrl-C).
    public static func rows(
        from: TransactionNumber, to: TransactionNumber, _ tx: GraphTransaction, check: () throws -> Void = {}
    ) throws -> [Row] {
        var nodes = Set<NodeID>()
        var relations: [RelationKey] = []
        var seenRelations = Set<RelationKey>()
        var txn = from + 1
        while txn <= to {
            for logged in try tx.loggedChanges(of: txn) {
                try check()
                switch logged.entity {
                case .node(let nid): nodes.insert(nid)
                case .relation(let f, let type, let t):
                    let ref = RelationKey(from: f, type: type, to: t)
                    if seenRelations.insert(ref).inserted { relations.append(ref) }
                }
            }
            txn += 1
        }
        var out: [Row] = []
        for nid in nodes.sorted() {
            try check()
            let before = try tx.node(nid, asOf: from), after = try tx.node(nid, asOf: to)
            switch (before, after) {
            case (nil, let a?): out.append(Row(change: .added, kind: "ci", id: a.externalID, before: nil, after: .string(a.label ?? "")))
            case (let b?, nil): out.append(Row(change: .removed, kind: "ci", id: b.externalID, before: .string(b.label ?? ""), after: nil))
            case (let b?, let a?):
                if b.label != a.label {
                    out.append(Row(change: .changed, kind: "ci", id: a.externalID, attribute: "class",
                                   before: b.label.map(PropertyValue.string), after: a.label.map(PropertyValue.string)))
                }
                let keys = Set(b.properties.map(\.key)).union(a.properties.map(\.key)).sorted()
                for key in keys where b.properties[key] != a.properties[key] {
                    out.append(Row(change: .changed, kind: "ci", id: a.externalID, attribute: key,
                                   before: b.properties[key], after: a.properties[key]))
                }
            case (nil, nil): break
            }
        }
        // A relation's ends by the ids they had in the snapshots compared (a CI deleted since has none now).
        var ids: [NodeID: String] = [:]
        func id(_ nid: NodeID) throws -> String {
            if let known = ids[nid] { return known }
            let found = try tx.node(nid, asOf: to)?.externalID ?? tx.node(nid, asOf: from)?.externalID
                ?? tx.externalID(of: nid) ?? tx.history(of: nid).compactMap(\.node).last?.externalID ?? "node \(nid)"
            ids[nid] = found
            return found
        }
        for ref in relations {
            try check()
            let name = "\(try id(ref.from))-[:\(ref.type)]->\(try id(ref.to))"
            let before = try tx.relation(from: ref.from, type: ref.type, to: ref.to, asOf: from)
            let after = try tx.relation(from: ref.from, type: ref.type, to: ref.to, asOf: to)
            switch (before, after) {
            case (nil, _?): out.append(Row(change: .added, kind: "relation", id: name, before: nil, after: nil))
            case (_?, nil): out.append(Row(change: .removed, kind: "relation", id: name, before: nil, after: nil))
            case (let b?, let a?):
                let keys = Set(b.properties.map(\.key)).union(a.properties.map(\.key)).sorted()
                for key in keys where b.properties[key] != a.properties[key] {
                    out.append(Row(change: .changed, kind: "relation", id: name, attribute: key,
                                   before: b.properties[key], after: a.properties[key]))
                }
            case (nil, nil): break
            }
        }
        return out
    }
}
