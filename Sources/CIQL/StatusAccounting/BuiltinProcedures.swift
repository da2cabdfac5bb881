import CIQLValues
import CIQLSyntax
public import GraphStorage

/// Procedures every database has: `history(id)` and the catalogue (`db.labels()` …).
enum BuiltinProcedures {
    static let all: [ProcedureDefinition] = [history, labels, relationTypes, propertyKeys]

    /// `CALL history('web-01') YIELD tx, at, actor, change, operation, changes`: every version of a CI.
    static let history = ProcedureDefinition(
        name: "history", parameters: ["id"],
        outputs: ["tx", "at", "actor", "change", "origin", "operation", "changes"]
    ) { arguments, context in
        guard case .string(let id) = arguments.first ?? .null else {
            throw CIQLError(.runtime, .type(.invalidArgumentType), "history() needs a CI id as a string")
        }
        return try CIHistory.rows(of: id, context.transaction).map { v in
            [.int(Int64(v.transaction)), v.time.map(Value.datetime) ?? .null, .string(v.actor),
             v.changeReference.map(Value.string) ?? .null, .string(v.origin), .string(v.operation), .list(v.changes.map(Value.string))]
        }
    }

    static let labels = ProcedureDefinition(name: "db.labels", parameters: [], outputs: ["label"]) { _, context in
        context.transaction.labelNames.sorted().map { [.string($0)] }
    }

    static let relationTypes = ProcedureDefinition(name: "db.relationshipTypes", parameters: [], outputs: ["relationshipType"]) { _, context in
        context.transaction.relationTypeNames.sorted().map { [.string($0)] }
    }

    static let propertyKeys = ProcedureDefinition(name: "db.propertyKeys", parameters: [], outputs: ["propertyKey"]) { _, context in
        context.transaction.propertyKeyNames.sorted().map { [.string($0)] }
    }
}

/// A CI's versions with who changed what, when and under which change reference.
public enum CIHistory {
    public struct Version: Sendable {
        public var transaction: TransactionNumber
        public var time: Int64?
        public var actor: String
        public var changeReference: String?
        public var origin: String
        /// created, updated or deleted.
        public var operation: String
        /// `attr: before → after` for each attribute that changed.
        public var changes: [String]
    }

    /// Every version of the CI, oldest first; an error naming the closest id when it is unknown.
    public static func rows(of id: String, _ tx: GraphTransaction) throws -> [Version] {
        // An id whose CI was created and deleted in one transaction has no version: it never existed.
        guard let nid = try tx.nodeID(forExternalID: id), case let versions = try tx.history(of: nid), !versions.isEmpty
        else {
            throw CIQLError(.semantic, .graph(.unknownCI), "unknown CI '\(id)'")
        }
        var out: [Version] = []
        var previous: StoredNode?
        for version in versions {
            let record = try tx.change(version.transaction)
            var changes: [String] = []
            let operation: String
            switch (previous, version.node) {
            case (nil, let now?):
                operation = "created"
                // A new CI: its class, name and status (the full record is one `MATCH … RETURN n` away).
                if let label = now.label { changes.append("class: \(label)") }
                for k in ["name", "status"] {
                    if let v = now.properties[k] { changes.append("\(k): \(ValueText.literal(Value(v)))") }
                }
            case (let before?, let now?):
                operation = "updated"
                if before.label != now.label { changes.append("class: \(before.label ?? "none") → \(now.label ?? "none")") }
                let keys = Set(before.properties.map(\.key)).union(now.properties.map(\.key)).sorted()
                for k in keys where before.properties[k] != now.properties[k] {
                    let a = before.properties[k].map { ValueText.literal(Value($0)) } ?? "null"
                    let b = now.properties[k].map { ValueText.literal(Value($0)) } ?? "null"
                    changes.append("\(k): \(a) → \(b)")
                }
            case (_, nil):
                operation = "deleted"
            }
            out.append(Version(
                transaction: version.transaction, time: record?.time, actor: record?.info.actor ?? "?",
                changeReference: record?.info.changeReference, origin: record?.info.origin ?? "", operation: operation,
                changes: changes))
            previous = version.node
        }
        return out
    }
}
