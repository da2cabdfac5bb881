public import GraphStorage

/// A transaction number that reads the past (`AS OF TX n`, `export --as-of n`) must name one that happened:
/// past the last one there is no state to read, and answering with the present would pass it off as that one.
public enum PastTransactions {
    /// `number`, when no later than the last transaction committed in `tx`'s snapshot.
    ///
    /// - Throws: `FutureTransactionError` naming the last transaction.
    public static func checked(_ number: TransactionNumber, _ tx: GraphTransaction) throws -> TransactionNumber {
        let last = try tx.lastCommittedTransaction
        guard number <= last else { throw FutureTransactionError(requested: number, last: last) }
        return number
    }
}

/// A transaction asked for as a point in the past that has not happened yet.
public struct FutureTransactionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var requested: TransactionNumber
    /// The last committed transaction when it was asked.
    public var last: TransactionNumber

    public var message: String {
        "transaction \(requested) has not happened: the last transaction is \(last) (see `cmdb status` or SHOW BASELINES)"
    }

    public var description: String { message }
}
