import Spelling

/// A problem with a schema file, or a write that the schema does not allow.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    /// Which rule was broken; stable, shown as the error code `SchemaError.<Reason>` (`SchemaError.UnknownClass`).
    public enum Reason: String, CaseIterable, Sendable {
        case missingClass, unknownClass, abstractClass, closedClass, unknownAttribute, requiredAttribute
        case unknownStatus, unknownRelationType, relationNotAllowed, invalidAttributeValue, uniqueAttribute
        case classChangeBreaksRelation, selfRelation, noSchema, invalidSchemaFile, existingDataViolates
        /// A conflict within one import: the same CI or relation given twice with different contents.
        case conflictingLines
        /// A schema error that has no finer reason.
        case violation

        /// `UnknownClass`: the detail of the error code.
        public var detail: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
    }

    public var reason: Reason
    public var message: String
    /// 1-based line in the schema file, for errors in the file itself.
    public var line: Int?
    public var column: Int?

    public init(_ message: String, line: Int? = nil, column: Int? = nil, reason: Reason? = nil) {
        self.message = message
        self.line = line
        self.column = column
        self.reason = reason ?? (line == nil ? .violation : .invalidSchemaFile)
    }

    public init(_ reason: Reason, _ message: String, line: Int? = nil, column: Int? = nil) {
        self.init(message, line: line, column: column, reason: reason)
    }

    public var description: String {
        if let line { return "\(line):\(column ?? 1): \(message)" }
        return message
    }
}

/// The closest spelling among `candidates`, for "did you mean" hints.
public func closestSpelling(to word: String, in candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    let lower = Array(word.lowercased().unicodeScalars)
    for c in candidates {
        let d = editDistance(lower, Array(c.lowercased().unicodeScalars))
        if d <= max(2, lower.count / 3), d < (best?.1 ?? .max) { best = (c, d) }
    }
    return best?.0
}

/// ` (did you mean 'X'?)` or nothing.
func suggestion(_ word: String, _ candidates: some Sequence<String>) -> String {
    closestSpelling(to: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
}
