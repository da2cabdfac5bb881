/// Where an import is: an error that stops it from outside (its time limit) says so, so the person who reads a
/// nightly job's failure knows whether the input stalled, the lock was held, or the work itself took the time.
public enum ImportStage: Sendable, Equatable, CustomStringConvertible {
    /// Before its write transaction began.
    case waitingForTheWriteLock
    /// Waiting for the reader thread, which reads `source` (input that stalls, or lines slow to parse): `read` is
    /// the last line of it read, `applied` the last applied (0: none; lines are handed over in batches).
    case reading(source: String, read: Int, applied: Int)
    /// Applying the lines of `source`; `line` is the last one applied.
    case applying(source: String, line: Int)
    /// Resolving relations whose line came before the line of one of their CIs; `done` of them so far.
    case resolvingRelations(done: Int)
    /// Checking again, on the state it would commit, the lines whose schema check had to wait.
    case checkingBeforeTheCommit

    public var description: String {
        switch self {
        case .waitingForTheWriteLock: "waiting for the write lock"
        case .reading(let source, let read, let applied):
            "reading '\(source)' (" + (read == 0 ? "no line read yet" : "read up to line \(read)") + ", "
                + (applied == 0 ? "none applied yet" : "applied up to line \(applied)") + ")"
        case .applying(let source, let line): "applying '\(source)', after line \(line)"
        case .resolvingRelations(let done):
            "resolving the relations that name CIs of later lines (\(done) resolved)"
        case .checkingBeforeTheCommit: "checking the deferred schema rules before the commit"
        }
    }
}
