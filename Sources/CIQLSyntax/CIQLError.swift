/// An error in a CIQL statement: what is wrong, where, and a stable code saying which error it is.
///
/// Syntax and semantic errors are the user's (exit 2); they always carry a location when one exists. The `kind` is
/// the phase the error was found in (compile time: syntax and semantic; run time: runtime); the `code` says what
/// the error is (`SyntaxError.UndefinedVariable`, `SchemaError.UnknownClass`) and does not change between
/// releases, so scripts and the server's clients can rely on it.
public struct CIQLError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The text does not follow the grammar.
        case syntax = "syntax error"
        /// The text parses but names something unknown or misuses a type.
        case semantic = "error"
        /// Evaluation failed on the data (e.g. a type error found only at run time, a schema violation).
        case runtime = "runtime error"

        /// Whether the error is found before the statement runs (openCypher's "compile time").
        public var isCompileTime: Bool { self != .runtime }
    }

    public var kind: Kind
    public var code: Code
    public var message: String
    public var location: SourceLocation?
    /// Further errors found in the same text after recovering from this one (the parser reports several syntax
    /// errors in one pass); empty for all other errors.
    public var further: [CIQLError] = []

    public init(_ kind: Kind, _ code: Code, _ message: String, at location: SourceLocation? = nil) {
        self.kind = kind
        self.code = code
        self.message = Self.bounded(message)
        self.location = location
    }

    /// `message` with the middle of a very long one left out: a message quotes names and tokens of the statement,
    /// and a machine-made statement may have a name or string of megabytes.
    static func bounded(_ message: String) -> String {
        guard message.utf8.count > 2_000 else { return message }
        let count = message.count
        guard count > 1_000 else { return message }
        return message.prefix(700) + "…(\(count - 1_000) characters left out)…" + message.suffix(300)
    }

    /// An error with the kind's general code (`Code.general(for:)`); new errors should name their code.
    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
        self.init(kind, Code.general(for: kind), message, at: location)
    }

    /// `error[SyntaxError.UndefinedVariable] 1:14: …`; without a location `error[…]: …`.
    public var description: String {
        if let location { return "error[\(code)] \(location): \(message)" }
        return "error[\(code)]: \(message)"
    }

    /// This error and the further ones, in the order found.
    public var all: [CIQLError] {
        var first = self
        first.further = []
        return [first] + further
    }

    /// Each error followed by the offending line of `source` and a caret under the place; `file` names the
    /// file the statement came from, before the line and column.
    ///
    ///     error[SyntaxError.UnexpectedSyntax] 1:17: expected an expression after 'WHERE', found 'RETURN'
    ///       MATCH (n) WHERE RETURN n
    ///                       ^
    ///
    /// With `omittingFirstCode`, the first error starts with its place (`1:17: expected …`): for a caller that
    /// shows the code already, such as an audit rule's report.
    public func rendered(source: String, file: String? = nil, omittingFirstCode: Bool = false) -> String {
        all.enumerated().map { index, error in
            error.renderedAlone(source: source, file: file, showingCode: index > 0 || !omittingFirstCode)
        }.joined(separator: "\n")
    }

    private func renderedAlone(source: String, file: String?, showingCode: Bool) -> String {
        let place = [file, location?.description].compactMap { $0 }.joined(separator: ":")
        let label = showingCode ? "error[\(code)]" : ""
        let head = place.isEmpty
            ? (showingCode ? "\(label): \(message)" : message)
            : (showingCode ? "\(label) \(place): \(message)" : "\(place): \(message)")
        guard let location else { return head }
        guard let line = SourceLocation.line(location.line, in: source) else { return head }
        let (excerpt, caretColumn) = Self.excerpt(of: line, around: location.column)
        return head + "\n  " + excerpt + "\n  " + String(repeating: " ", count: caretColumn - 1) + "^"
    }

    /// The characters of a source line shown under an error: all of a short line, and of a long one (a machine-made
    /// statement on one line) `excerptLength` characters around `column`, cut ends marked `…`; with the column of
    /// the caret in what is shown.
    static func excerpt(of line: String, around column: Int) -> (text: String, caretColumn: Int) {
        let count = line.count
        let caret = max(1, min(column, count + 1))
        guard count > excerptLength else { return (line.replacing("\t", with: " "), caret) }
        let first = max(0, min(caret - 1 - excerptLength / 2, count - excerptLength))
        let start = line.index(line.startIndex, offsetBy: first)
        let end = line.index(start, offsetBy: excerptLength)
        let head = first > 0 ? "…" : ""
        let tail = end < line.endIndex ? "…" : ""
        return (head + String(line[start..<end]).replacing("\t", with: " ") + tail, caret - first + head.count)
    }

    static let excerptLength = 200
}

extension CIQLError {
    /// A stable error code: a type and a detail, shown as `Type.Detail` (`TypeError.InvalidArgumentType`).
    ///
    /// Where openCypher names the error (its TCK expects `a TypeError … : InvalidArgumentType`), the code is
    /// openCypher's type and detail; CMDB errors have codes of their own (`SchemaError.UnknownClass`,
    /// `Storage.Locked`). Every code is one case of the detail enums below, and README lists them all with
    /// their meaning. Codes never change meaning; new ones may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let type: String
        public let detail: String

        public init(type: String, detail: String) {
            self.type = type
            self.detail = detail
        }

        public var description: String { "\(type).\(detail)" }

        /// The code written as `Type.Detail`.
        public init(text: String) {
            let parts = text.split(separator: ".", maxSplits: 1)
            self.init(type: String(parts.first ?? ""), detail: parts.count > 1 ? String(parts[1]) : "")
        }

        /// openCypher's `SyntaxError` details: the statement is malformed or misuses names (found before it runs;
        /// a few, such as a negative `LIMIT` from a parameter, only when it runs).
        public enum Syntax: String, CaseIterable, Sendable {
            case unexpectedSyntax, invalidNumberLiteral, integerOverflow, floatingPointOverflow
            case invalidUnicodeLiteral, invalidUnicodeCharacter
            case undefinedVariable, variableAlreadyBound, variableTypeConflict, noVariablesInScope
            case invalidArgumentType, invalidNumberOfArguments, unknownFunction, invalidArgumentPassingMode
            case invalidAggregation, nestedAggregation, ambiguousAggregationExpression
            case nonConstantExpression, negativeIntegerArgument, invalidParameterUse
            case invalidClauseComposition, noExpressionAlias, columnNameConflict, differentColumnsInUnion
            case noSingleRelationshipType, requiresDirectedRelationship, invalidRelationshipPattern
            case relationshipUniquenessViolation, creatingVarLength, invalidDelete
        }

        /// openCypher's `SemanticError`, and the general code of a compile-time error that has no finer one.
        public enum Semantic: String, CaseIterable, Sendable {
            case mergeReadOwnWrites, invalidQuery
        }

        /// openCypher's `TypeError`: a value of the wrong type.
        public enum Types: String, CaseIterable, Sendable {
            case invalidArgumentType, invalidArgumentValue, mapElementAccessByNonString, invalidPropertyType
        }

        /// openCypher's `ArgumentError`: a value of the right type that the function cannot take.
        public enum Argument: String, CaseIterable, Sendable {
            case numberOutOfRange, invalidArgumentType, invalidArgumentValue
        }

        /// openCypher's `ArithmeticError`.
        public enum Arithmetic: String, CaseIterable, Sendable {
            case integerOverflow, divisionByZero
        }

        /// openCypher's `EntityNotFound`.
        public enum EntityNotFound: String, CaseIterable, Sendable {
            case deletedEntityAccess
        }

        /// openCypher's `ConstraintVerificationFailed`.
        public enum Constraint: String, CaseIterable, Sendable {
            case deleteConnectedNode
        }

        /// openCypher's `ParameterMissing`.
        public enum Parameter: String, CaseIterable, Sendable {
            case missingParameter
        }

        /// openCypher's `ProcedureError`.
        public enum Procedure: String, CaseIterable, Sendable {
            case procedureNotFound
        }

        /// A run-time error that has no finer code.
        public enum Runtime: String, CaseIterable, Sendable {
            case executionFailed
        }

        /// A write or schema file the CMDB's schema does not allow.
        public enum Schema: String, CaseIterable, Sendable {
            case missingClass, unknownClass, abstractClass, closedClass, unknownAttribute, requiredAttribute, unknownStatus
            case unknownRelationType, relationNotAllowed, invalidAttributeValue, uniqueAttribute
            case classChangeBreaksRelation, selfRelation, noSchema, invalidSchemaFile, existingDataViolates
            case conflictingLines, violation
        }

        /// The CMDB's rules for its graph: one class per CI, one relation per type between two CIs, ids.
        public enum Graph: String, CaseIterable, Sendable {
            case singleClass, classRequired, duplicateRelation, existingCI, missingID, immutableID, unknownCI
        }

        /// Status accounting: baselines and time travel.
        public enum History: String, CaseIterable, Sendable {
            case unknownBaseline, baselineExists, invalidAsOf
        }

        /// The storage: the LMDB files and the disk.
        public enum Storage: String, CaseIterable, Sendable {
            case notADatabase, alreadyExists, newerFormat, corrupted, noSpace, locked, permissionDenied
            case inputOutput, readersFull, keyTooLong, constraint, failed
        }

        /// Limits that end a statement or job: cancellation, time, size, nesting.
        public enum Limit: String, CaseIterable, Sendable {
            case cancelled, timeout, memory, tooLarge, nestingDepth
        }

        /// Input files other than CIQL: import lines, snapshots, audit rules, spreadsheet mappings; and values a CSV
        /// export refuses because they would not read back as themselves.
        public enum Input: String, CaseIterable, Sendable {
            case invalidLine, invalidSnapshot, invalidAuditRule, unreadableFile, invalidMapping, unexportableValue
        }

        /// The command line: options and arguments, output.
        public enum Usage: String, CaseIterable, Sendable {
            case invalidArgument, outputFailed, environment
        }

        /// A defect in cmdb itself (please report it).
        public enum Internal: String, CaseIterable, Sendable {
            case error
        }

        public static func syntax(_ d: Syntax) -> Code { Code(type: "SyntaxError", d) }
        public static func semantic(_ d: Semantic) -> Code { Code(type: "SemanticError", d) }
        public static func type(_ d: Types) -> Code { Code(type: "TypeError", d) }
        public static func argument(_ d: Argument) -> Code { Code(type: "ArgumentError", d) }
        public static func arithmetic(_ d: Arithmetic) -> Code { Code(type: "ArithmeticError", d) }
        public static func entityNotFound(_ d: EntityNotFound) -> Code { Code(type: "EntityNotFound", d) }
        public static func constraint(_ d: Constraint) -> Code { Code(type: "ConstraintVerificationFailed", d) }
        public static func parameter(_ d: Parameter) -> Code { Code(type: "ParameterMissing", d) }
        public static func procedure(_ d: Procedure) -> Code { Code(type: "ProcedureError", d) }
        public static func runtime(_ d: Runtime) -> Code { Code(type: "RuntimeError", d) }
        public static func schema(_ d: Schema) -> Code { Code(type: "SchemaError", d) }
        public static func graph(_ d: Graph) -> Code { Code(type: "GraphError", d) }
        public static func history(_ d: History) -> Code { Code(type: "HistoryError", d) }
        public static func storage(_ d: Storage) -> Code { Code(type: "Storage", d) }
        public static func limit(_ d: Limit) -> Code { Code(type: "Limit", d) }
        public static func input(_ d: Input) -> Code { Code(type: "InputError", d) }
        public static func usage(_ d: Usage) -> Code { Code(type: "Usage", d) }
        public static let internalError = Code(type: "Internal", Internal.error)

        /// The code of an error built without one: the most general code of its phase.
        public static func general(for kind: Kind) -> Code {
            switch kind {
            case .syntax: return .syntax(.unexpectedSyntax)
            case .semantic: return .semantic(.invalidQuery)
            case .runtime: return .runtime(.executionFailed)
            }
        }

        /// Every code cmdb raises.
        public static var catalogue: [Code] {
            Syntax.allCases.map(syntax) + Semantic.allCases.map(semantic) + Types.allCases.map(type)
                + Argument.allCases.map(argument) + Arithmetic.allCases.map(arithmetic)
                + EntityNotFound.allCases.map(entityNotFound) + Constraint.allCases.map(constraint)
                + Parameter.allCases.map(parameter) + Procedure.allCases.map(procedure)
                + Runtime.allCases.map(runtime) + Schema.allCases.map(schema) + Graph.allCases.map(graph)
                + History.allCases.map(history) + Storage.allCases.map(storage) + Limit.allCases.map(limit)
                + Input.allCases.map(input) + Usage.allCases.map(usage) + [internalError]
        }

        private init<Detail: RawRepresentable<String>>(type: String, _ detail: Detail) {
            let raw = detail.rawValue
            self.init(type: type, detail: raw.prefix(1).uppercased() + raw.dropFirst())
        }
    }
}
