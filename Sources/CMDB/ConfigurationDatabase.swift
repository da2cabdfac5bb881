public import ConfigurationSchema
public import GraphStorage

/// A CMDB: the graph store together with the schema that governs it.
public final class ConfigurationDatabase: Sendable {
    public let store: GraphStore
    /// The schema in force when the database was opened.
    public let schema: Schema

    private static let schemaKey = "schema"
    private static let openSchemaText = "open"

    private init(store: GraphStore, schema: Schema) {
        self.store = store
        self.schema = schema
    }

    /// Creates a database at `path` governed by `schema` (`Schema.open` for a schemaless graph);
    /// `initialMapSize` (bytes) lets tests that create many small databases start them small.
    public static func create(
        at path: String, schema: Schema, actor: String, initialMapSize: Int? = nil
    ) throws -> ConfigurationDatabase {
        let store = try GraphStore.create(at: path, initialMapSize: initialMapSize)
        try store.write(ChangeInfo(actor: actor, changeReference: nil, origin: "init")) { tx in
            try tx.setMetadata(schemaKey, Array((schema.isOpen ? openSchemaText : schema.sourceText).utf8))
            try tx.setIndexedProperties(schema.indexedPropertyKeys)
        }
        return ConfigurationDatabase(store: store, schema: schema)
    }

    /// Opens the database at `path` with the schema stored in it; `readOnly` for commands that only read
    /// (nothing is ever written to the files then).
    public static func open(at path: String, readOnly: Bool = false) throws -> ConfigurationDatabase {
        let store = try GraphStore.open(at: path, readOnly: readOnly)
        let text = try store.read { tx in try tx.metadata(schemaKey) }.map { String(decoding: $0, as: UTF8.self) }
        guard let text else {
            throw StorageError(.corrupted, "the database at '\(path)' has no schema; it is damaged")
        }
        if text == openSchemaText { return ConfigurationDatabase(store: store, schema: .open) }
        do {
            return ConfigurationDatabase(store: store, schema: try Schema.parse(yaml: text, stored: true))
        } catch {
            throw StorageError(.corrupted, "the schema stored in '\(path)' cannot be read: \(error)")
        }
    }

    /// The same open store governed by `schema`: for a process that keeps the store open across `applySchema`
    /// (the server), since the store may be opened only once per process.
    /// The schema the database holds in `tx` when it is not the one this value is governed by (another process
    /// applied one since); nil when it is the same.
    package func storedSchemaIfChanged(in tx: GraphTransaction) throws -> Schema? {
        guard try schemaChanged(in: tx), let bytes = try tx.metadata(Self.schemaKey) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return text == Self.openSchemaText ? .open : try Schema.parse(yaml: text, stored: true)
    }

    package func governed(by schema: Schema) -> ConfigurationDatabase {
        ConfigurationDatabase(store: store, schema: schema)
    }

    /// Runs `body` in one write transaction of the store, once it is sure that the schema this value is governed by
    /// is the one the database holds: another process may have applied a new one while this write waited for the
    /// lock, and nothing may be written under the old one.
    ///
    /// - Throws: `StorageError` `.locked` (nothing written; run it again, which reads the new schema) when the schema
    ///   changed; else what `body` or the store throws.
    public func write<R>(_ change: ChangeInfo, _ body: (GraphTransaction) throws -> R) throws -> R {
        try store.write(change) { tx in
            guard try !schemaChanged(in: tx) else {
                throw StorageError(
                    .locked, "another process applied a new schema while this waited to write; nothing was written: run it again")
            }
            return try body(tx)
        }
    }

    /// Whether the database in `tx` holds another schema than the one this value is governed by.
    package func schemaChanged(in tx: GraphTransaction) throws -> Bool {
        guard let bytes = try tx.metadata(Self.schemaKey) else { return false }
        let inForce = schema.isOpen ? Self.openSchemaText : schema.sourceText
        return bytes.count != inForce.utf8.count || !bytes.elementsEqual(inForce.utf8)
    }

    /// Replaces the schema, after checking every CI and relation against it.
    ///
    /// - Throws: `SchemaViolations` naming the CIs the new schema would not allow; nothing is changed then.
    public func applySchema(_ newSchema: Schema, change: ChangeInfo) throws {
        try store.write(change) { tx in
            var violations = SchemaViolations()
            // CIs holding a value the new schema stores otherwise (an int where it says float, a string where it
            // says datetime): rewritten as a write of the same value now would store it, or the database's own
            // export, imported again, would change them.
            var converted: [NodeID] = []
            try tx.forEachNode { node in
                do {
                    let stored = try newSchema.validatedNode(label: node.label, properties: node.properties)
                    if stored != node.properties { converted.append(node.nid) }
                } catch let error as SchemaError {
                    violations.add("\(node.externalID): \(error.message)")
                }
                return true
            }
            try tx.forEachRelation { rel in
                let from = try tx.label(of: rel.from) ?? nil
                let to = try tx.label(of: rel.to) ?? nil
                do {
                    if rel.from == rel.to, !newSchema.isOpen {
                        throw SchemaError(.selfRelation, "a CI cannot depend on itself")
                    }
                    try newSchema.validateRelation(type: rel.type, fromLabel: from, toLabel: to)
                } catch let error as SchemaError {
                    let a = try tx.externalID(of: rel.from) ?? "?"
                    let b = try tx.externalID(of: rel.to) ?? "?"
                    violations.add("\(a) -[\(rel.type)]-> \(b): \(error.message)")
                }
                return true
            }
            if !violations.isEmpty { throw violations }
            for nid in converted {
                guard let node = try tx.node(nid) else { continue }
                let stored = try newSchema.validatedNode(label: node.label, properties: node.properties)
                try tx.upsertNode(externalID: node.externalID, label: node.label, properties: stored)
            }
            // The uniqueness check looks values up in the new schema's indexes, so they are built first (an attribute
            // that becomes unique had none); when the data violates the schema the transaction is dropped with them.
            try tx.setIndexedProperties(newSchema.indexedPropertyKeys)
            try UniquenessCheck(schema: newSchema).checkAll(tx) { id, error in violations.add("\(id): \(error.message)") }
            if !violations.isEmpty { throw violations }
            try tx.setMetadata(Self.schemaKey, Array((newSchema.isOpen ? Self.openSchemaText : newSchema.sourceText).utf8))
        }
    }
}

/// The existing data a schema change would break.
public struct SchemaViolations: Error, Sendable, CustomStringConvertible {
    public private(set) var items: [String] = []
    public private(set) var count = 0
    static let shown = 20

    mutating func add(_ item: String) {
        count += 1
        if items.count < Self.shown { items.append(item) }
    }

    public var isEmpty: Bool { count == 0 }

    public var description: String {
        var text = "the new schema does not allow \(count) existing item\(count == 1 ? "" : "s"):\n"
        text += items.map { "  " + $0 }.joined(separator: "\n")
        if count > items.count { text += "\n  … and \(count - items.count) more" }
        return text
    }
}
