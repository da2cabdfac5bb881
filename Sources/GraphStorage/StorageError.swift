/// An error from the graph store: what failed, and what to do about it.
///
/// The `code` is a closed set; `message` is written for the user. Attribute values never appear in messages.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// The kind of storage failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case notADatabase, alreadyExists, newerFormat, corrupted, mapFull, locked, permissionDenied
            case io, noSpace, readersFull, keyTooLong, constraint, nestingTooDeep, lmdb
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The directory holds no cmdb database.
        public static let notADatabase = Code(.notADatabase)
        /// `init` found a database already there.
        public static let alreadyExists = Code(.alreadyExists)
        /// The database was written by a newer cmdb; it is left untouched.
        public static let newerFormat = Code(.newerFormat)
        /// A record could not be decoded.
        public static let corrupted = Code(.corrupted)
        /// The memory map is full (handled internally by growing the map).
        public static let mapFull = Code(.mapFull)
        /// Another process holds a lock that this operation needs.
        public static let locked = Code(.locked)
        /// The files cannot be read or written by this user.
        public static let permissionDenied = Code(.permissionDenied)
        /// An operating-system I/O error.
        public static let io = Code(.io)
        /// The file system is full (or the user's quota is): nothing was changed; free space and try again.
        public static let noSpace = Code(.noSpace)
        /// Too many concurrent readers.
        public static let readersFull = Code(.readersFull)
        /// A key (such as a CI id) is longer than LMDB allows.
        public static let keyTooLong = Code(.keyTooLong)
        /// A write the graph does not allow, such as deleting a CI that still has relations.
        public static let constraint = Code(.constraint)
        /// A value with lists nested deeper than `PropertyValue.maximumListNesting`: nothing was written.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// Any other LMDB error.
        public static let lmdb = Code(.lmdb)

        public var description: String { "\(wrapped)" }
    }

    public var code: Code
    /// What happened and what to do next.
    public var message: String
    /// The LMDB or errno return code, when there was one.
    public var lmdbCode: Int32?
    /// The LMDB call that failed, when one did.
    public var operation: String?

    public init(_ code: Code, _ message: String, lmdbCode: Int32? = nil, operation: String? = nil) {
        self.code = code
        self.message = message
        self.lmdbCode = lmdbCode
        self.operation = operation
    }

    public var description: String { message }
}
