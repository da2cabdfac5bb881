public import CIQLSyntax
public import ConfigurationSchema
public import GraphStorage
public import CMDB

extension CIQLError.Code {
    /// `SchemaError.UnknownClass` and the like: the code of a schema rule.
    public init(_ reason: SchemaError.Reason) {
        self.init(type: "SchemaError", detail: reason.detail)
    }

    /// `Storage.Locked` and the like: the code of a storage failure.
    public init(_ error: StorageError) {
        if error.code == .nestingTooDeep {
            self = .limit(.nestingDepth)
            return
        }
        let detail: Storage
        switch error.code {
        case .notADatabase: detail = .notADatabase
        case .alreadyExists: detail = .alreadyExists
        case .newerFormat: detail = .newerFormat
        case .corrupted: detail = .corrupted
        case .mapFull, .noSpace: detail = .noSpace
        case .locked: detail = .locked
        case .permissionDenied: detail = .permissionDenied
        case .io: detail = error.lmdbCode == 28 ? .noSpace : .inputOutput  // ENOSPC
        case .readersFull: detail = .readersFull
        case .keyTooLong: detail = .keyTooLong
        case .constraint: detail = .constraint
        default: detail = .failed
        }
        self = .storage(detail)
    }
}

extension CIQLError.Code {
    /// The code of an import line refused: the schema rule it broke, the storage limit it passed, else
    /// `InputError.InvalidLine`.
    public init(_ error: ImportError) {
        if let reason = error.schemaReason {
            self.init(reason)
        } else if let code = error.storageCode {
            self.init(StorageError(code, error.message))
        } else {
            self = .input(.invalidLine)
        }
    }
}

extension CIQLError {
    /// A schema rule broken by a write of this statement, at the place in the statement that wrote.
    init(_ error: SchemaError, at location: SourceLocation?) {
        self.init(.runtime, Code(error.reason), error.message, at: location)
    }
}
