/// A source of import records other than a JSON Lines file, e.g. the rows of a spreadsheet.
///
/// The importer's reader thread calls it; records go through the same validation and writer as JSON Lines
/// records. A producer belongs to that one thread.
package protocol ImportRecordProducer: AnyObject {
    /// Reads the next unit of input (a line, a row) and appends its records, or the problems that keep them
    /// out, each with the line it came from. Returns false at the end of the input.
    ///
    /// - Throws: `ImportError` when the input cannot be read on (unreadable file, broken encoding); problems of
    ///   one row go to `problems` instead, so a dry run can list them all.
    func next(into records: inout [ProducedRecord], problems: inout [ImportError]) throws(ImportError) -> Bool

    /// Bytes of input read so far, for progress.
    var bytesConsumed: Int { get }

    func close()
}

/// A record and the line of input it came from.
package struct ProducedRecord: Sendable {
    package var lineNumber: Int
    package var record: ImportRecord

    package init(lineNumber: Int, record: ImportRecord) {
        self.lineNumber = lineNumber
        self.record = record
    }
}

/// Every problem a dry run found (up to its limit); nothing was written.
public struct ImportProblems: Error, Sendable {
    /// In the order of the input: by source, then line.
    public var problems: [ImportError]
    /// True when the run stopped at the limit and there may be more.
    public var isTruncated: Bool
    /// How many distinct lines had problems.
    public var badLines: Int {
        var seen = Set<String>()
        for p in problems { seen.insert("\(p.file)\u{0}\(p.line)") }
        return seen.count
    }

    public init(problems: [ImportError], isTruncated: Bool) {
        self.problems = problems
        self.isTruncated = isTruncated
    }
}
