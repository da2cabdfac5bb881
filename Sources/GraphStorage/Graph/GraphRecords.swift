/// The store's internal number for a node, assigned once per external id and never reused.
public typealias NodeID = UInt64

/// A write-transaction number: the first change is 1, and numbers only grow.
public typealias TransactionNumber = UInt64

/// A node as stored: the current (or an earlier) version of one CI.
public struct StoredNode: Hashable, Sendable {
    public var nid: NodeID
    /// The user's stable id, e.g. `vm-ams-0123`.
    public var externalID: String
    /// The class; `nil` only in schemaless databases.
    public var label: String?
    public var properties: Properties
    /// The transaction that wrote this version.
    public var version: TransactionNumber
    /// The transaction that created the node.
    public var created: TransactionNumber

    public init(
        nid: NodeID, externalID: String, label: String?, properties: Properties, version: TransactionNumber,
        created: TransactionNumber
    ) {
        self.nid = nid
        self.externalID = externalID
        self.label = label
        self.properties = properties
        self.version = version
        self.created = created
    }
}

/// A relation as stored: unique per (from, type, to).
public struct StoredRelation: Hashable, Sendable {
    public var from: NodeID
    public var type: String
    public var to: NodeID
    public var properties: Properties
    public var version: TransactionNumber
    public var created: TransactionNumber

    public init(
        from: NodeID, type: String, to: NodeID, properties: Properties, version: TransactionNumber,
        created: TransactionNumber
    ) {
        self.from = from
        self.type = type
        self.to = to
        self.properties = properties
        self.version = version
        self.created = created
    }
}

/// Which way to follow relations from a node.
public enum Direction: UInt8, Sendable, CaseIterable {
    /// Relations from this node (what it depends on).
    case outgoing = 0
    /// Relations to this node (what depends on it).
    case incoming = 1
}

/// What an upsert did.
public enum WriteOutcome: Sendable, Equatable {
    case created, updated, unchanged
}

/// What an upsert of a node did, and what the node was before.
public struct NodeWrite: Sendable, Equatable {
    public var nid: NodeID
    public var outcome: WriteOutcome
    /// The class before an update.
    public var previousLabel: String?
    /// The transaction that wrote the version this update replaced (nil unless updated).
    public var previousVersion: TransactionNumber?
}

/// What an upsert of a relation did.
public struct RelationWrite: Sendable, Equatable {
    public var outcome: WriteOutcome
    /// The transaction that wrote the version this update replaced (nil unless updated).
    public var previousVersion: TransactionNumber?
}

/// Who made a change and why: recorded with every write transaction.
public struct ChangeInfo: Sendable, Hashable {
    public var actor: String
    public var changeReference: String?
    /// What ran, e.g. `import fixtures/sample.jsonl`.
    public var origin: String

    public init(actor: String, changeReference: String?, origin: String) {
        self.actor = actor
        self.changeReference = changeReference
        self.origin = origin
    }
}

/// The record of one committed write transaction.
public struct ChangeRecord: Hashable, Sendable {
    public var transaction: TransactionNumber
    /// Commit time, microseconds since the epoch (UTC).
    public var time: Int64
    public var info: ChangeInfo
    public var nodesCreated = 0, nodesUpdated = 0, nodesDeleted = 0
    public var relationsCreated = 0, relationsUpdated = 0, relationsDeleted = 0

    public init(transaction: TransactionNumber, time: Int64, info: ChangeInfo) {
        self.transaction = transaction
        self.time = time
        self.info = info
    }

    /// Whether the transaction changed anything.
    public var isEmpty: Bool {
        nodesCreated + nodesUpdated + nodesDeleted + relationsCreated + relationsUpdated + relationsDeleted == 0
    }
}
