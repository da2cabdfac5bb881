public import ConfigurationSchema
public import GraphStorage

/// A bad line in an import: where it is and what is wrong. Nothing was written.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?
    public var message: String
    /// The schema rule the line broke, when that is why it was refused.
    public var schemaReason: SchemaError.Reason?
    /// The storage limit the line passed (lists nested too deep), when that is why it was refused.
    public var storageCode: StorageError.Code?

    public init(
        file: String, line: Int, column: Int? = nil, message: String, schemaReason: SchemaError.Reason? = nil,
        storageCode: StorageError.Code? = nil
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.schemaReason = schemaReason
        self.storageCode = storageCode
    }

    public var description: String {
        if let column { return "\(file):\(line):\(column): \(message)" }
        return "\(file):\(line): \(message)"
    }
}

/// What an import did (or, for a dry run, would do).
public struct ImportSummary: Sendable {
    public var ciCreated = 0, ciUpdated = 0, ciUnchanged = 0
    public var relationsCreated = 0, relationsUpdated = 0, relationsUnchanged = 0
    public var lines = 0
    /// Some of the CI ids created and updated, for a dry-run report.
    public var createdSamples: [String] = []
    public var updatedSamples: [String] = []
    /// The transaction the import committed as; nil when nothing changed or it was a dry run.
    public var transaction: UInt64?
    public var isDryRun = false

    static let sampleLimit = 20

    public init() {}
}
