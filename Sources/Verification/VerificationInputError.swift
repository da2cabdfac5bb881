public import ConfigurationSchema

/// Bad input to verify or audit (a snapshot line, a rules file): where it is and what is wrong.
///
/// Nothing was written when this is thrown.
public struct VerificationInputError: Error, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line; nil when the problem is with the file as a whole.
    public var line: Int?
    public var column: Int?
    public var message: String
    /// What kind of input `file` is, which decides the error code.
    public var kind: Kind
    /// The schema rule a snapshot line breaks when `--apply` would write it (a relation from a CI to itself, a
    /// relation the schema does not allow, a missing required attribute): its code is the rule's, as import gives
    /// for the same line (`SchemaError.SelfRelation`); nil for other problems.
    public var schemaReason: SchemaError.Reason?

    public enum Kind: Sendable {
        /// A discovery snapshot (`InputError.InvalidSnapshot`).
        case snapshot
        /// An audit rules file (`InputError.InvalidAuditRule`).
        case auditRules
    }

    public init(
        file: String, line: Int?, column: Int? = nil, message: String, kind: Kind = .snapshot,
        schemaReason: SchemaError.Reason? = nil
    ) {
        self.schemaReason = schemaReason
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.kind = kind
    }

    public var description: String {
        guard let line else { return "\(file): \(message)" }
        if let column { return "\(file):\(line):\(column): \(message)" }
        return "\(file):\(line): \(message)"
    }
}
