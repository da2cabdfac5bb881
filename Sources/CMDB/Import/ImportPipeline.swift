import ConfigurationSchema
import Dispatch
import JSONLines
import Synchronization

/// Reads and parses import lines on a second thread while the writer thread applies them.
///
/// Parsing JSON and decoding records is pure work; LMDB writes must stay on the thread that owns the write
/// transaction. Batches flow through a bounded queue, so memory stays flat whatever the file size.
///
/// `@unchecked Sendable`: all mutable state sits in the `Mutex`; the semaphores are thread-safe.
final class ImportPipeline: @unchecked Sendable {
    struct ParsedLine: Sendable {
        var sourceIndex: Int
        var lineNumber: Int
        var record: ImportRecord
    }

    enum Item: Sendable {
        /// Parsed lines, and how many bytes of input have been read so far.
        case batch([ParsedLine], bytesRead: Int)
        case failure(ImportError)
        /// A bad line, when the importer collects problems (a dry run) instead of stopping at the first.
        case problem(ImportError, sourceIndex: Int)
        case end(bytesRead: Int)
    }

    private struct State {
        var queue: [Item] = []
        var isCancelled = false
        /// The source the reader thread is reading.
        var sourceBeingRead = 0
    }

    private let sources: [JSONLinesImporter.Source]
    private let requireClass: Bool
    /// The schema, to validate CI lines that are complete (name and status given) off the writer thread.
    private let schema: Schema
    /// Bad lines are reported as `.problem` and reading goes on, instead of ending with `.failure`.
    private let collectsProblems: Bool
    private let state = Mutex(State())
    private let filled = DispatchSemaphore(value: 0)
    private let freeSlots: DispatchSemaphore
    private let finished = DispatchSemaphore(value: 0)
    private static let batchSize = 2048
    private static let depth = 8

    private let maximumLineLength: Int
    /// A batch is handed over once its lines hold this many bytes of input, however few they are, so long lines
    /// cannot pile up in the queue.
    private static let batchBytes = 4 << 20

    init(sources: [JSONLinesImporter.Source], schema: Schema, maximumLineLength: Int, collectsProblems: Bool = false) {
        self.sources = sources
        self.maximumLineLength = maximumLineLength
        self.collectsProblems = collectsProblems
        self.requireClass = !schema.isOpen
        self.schema = schema
        self.freeSlots = DispatchSemaphore(value: Self.depth)
    }

    func start() {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            produce()
            finished.signal()
        }
    }

    /// The next item, waiting for the reader thread when it is behind. While it waits, `interrupt` is called every
    /// 100 ms, and what it throws ends the wait: the reader may be blocked on input that does not come (a feed on
    /// standard input whose producer hangs).
    func next(interrupt: (() throws -> Void)? = nil) throws -> Item {
        if let interrupt {
            while filled.wait(timeout: .now() + .milliseconds(100)) == .timedOut { try interrupt() }
        } else {
            filled.wait()
        }
        let item = state.withLock { $0.queue.removeFirst() }
        freeSlots.signal()
        return item
    }

    /// Stops the reader thread and waits for it; call once, when done or on error.
    ///
    /// - Parameters:
    ///   - limit: wait at most this long, when the import ends for good (an error that is not retried): its reader
    ///     may be blocked reading input that does not come. It stops at its next line; until then it touches only
    ///     this pipeline and its input, never the transaction.
    ///   - interrupt: when the import will run again (a map-full retry reads the same spooled input), the reader
    ///     must be gone first: the wait has no limit but calls this every 100 ms, and what it throws ends it.
    func stop(waitingAtMost limit: DispatchTimeInterval? = nil, interrupt: (() throws -> Void)? = nil) throws {
        state.withLock { $0.isCancelled = true }
        for _ in 0..<Self.depth + 1 { freeSlots.signal() }
        if let limit {
            _ = finished.wait(timeout: .now() + limit)
        } else if let interrupt {
            while finished.wait(timeout: .now() + .milliseconds(100)) == .timedOut { try interrupt() }
        } else {
            finished.wait()
        }
    }

    private var isCancelled: Bool { state.withLock { $0.isCancelled } }

    /// The index of the source the reader thread is reading (the last one once it is done).
    var sourceBeingRead: Int { state.withLock { $0.sourceBeingRead } }

    /// The last line number the reader thread has read of that source (0: none yet); a line read is handed over
    /// with its batch, so it can be ahead of what is applied.
    var lineRead: Int { lastLineRead.load(ordering: .relaxed) }
    private let lastLineRead = Atomic<Int>(0)

    /// Hands an item over; false when the consumer has stopped.
    private func push(_ item: Item) -> Bool {
        freeSlots.wait()
        let cancelled = state.withLock { s -> Bool in
            if s.isCancelled { return true }
            s.queue.append(item)
            return false
        }
        if !cancelled { filled.signal() }
        return !cancelled
    }

    private func produce() {
        var batch: [ParsedLine] = []
        batch.reserveCapacity(Self.batchSize)
        var bytesBefore = 0
        for (index, source) in sources.enumerated() {
            state.withLock { $0.sourceBeingRead = index }
            lastLineRead.store(0, ordering: .relaxed)
            if let makeProducer = source.makeProducer {
                guard let bytes = produceRecords(makeProducer, source: source, sourceIndex: index, batch: &batch,
                    bytesBefore: bytesBefore)
                else { return }
                bytesBefore += bytes
                continue
            }
            let reader: LineReader
            if let spooled = source.spooled {
                reader = spooled.makeLineReader()
            } else {
                do {
                    reader = try LineReader(path: source.path)
                } catch {
                    _ = push(.failure(ImportError(file: source.displayName, line: 0, message: error.message)))
                    return
                }
            }
            reader.maximumLineLength = maximumLineLength
            defer { reader.close() }
            var pendingBytes = 0
            do {
                while true {
                    var problem: ImportError?
                    let parsed = try reader.nextLine { (line) throws(ImportError) -> ParsedLine? in
                        pendingBytes += line.count
                        lastLineRead.store(reader.lineNumber, ordering: .relaxed)
                        do throws(ImportError) {
                            return try parse(line, source: source, sourceIndex: index, lineNumber: reader.lineNumber)
                        } catch {
                            guard collectsProblems else { throw error }
                            problem = error
                            return nil
                        }
                    }
                    if let problem {
                        if !batch.isEmpty {
                            guard push(.batch(batch, bytesRead: bytesBefore + reader.bytesConsumed)) else { return }
                            batch.removeAll(keepingCapacity: true)
                        }
                        guard push(.problem(problem, sourceIndex: index)) else { return }
                        pendingBytes = 0
                        continue
                    }
                    guard let parsed else { break }
                    guard let parsed else { continue }
                    batch.append(parsed)
                    if batch.count == Self.batchSize || pendingBytes >= Self.batchBytes {
                        guard push(.batch(batch, bytesRead: bytesBefore + reader.bytesConsumed)) else { return }
                        batch.removeAll(keepingCapacity: true)
                        pendingBytes = 0
                        if isCancelled { return }
                    }
                }
            } catch {
                // Lines before the bad one go first: one of them may fail in the writer, and the first bad line
                // is the one to report.
                if !batch.isEmpty { guard push(.batch(batch, bytesRead: bytesBefore + reader.bytesConsumed)) else { return } }
                let failure: ImportError
                if let error = error as? ImportError {
                    failure = error
                } else if let error = error as? LineReaderError {
                    failure = ImportError(file: source.displayName, line: error.line ?? reader.lineNumber, message: error.message)
                } else {
                    failure = ImportError(file: source.displayName, line: reader.lineNumber, message: "\(error)")
                }
                _ = push(.failure(failure))
                return
            }
            bytesBefore += reader.bytesConsumed
        }
        if !batch.isEmpty { guard push(.batch(batch, bytesRead: bytesBefore)) else { return } }
        _ = push(.end(bytesRead: bytesBefore))
    }

    /// Reads a non-JSON source through its producer; returns the bytes it read, nil when the run ends here.
    private func produceRecords(
        _ makeProducer: () throws(ImportError) -> any ImportRecordProducer, source: JSONLinesImporter.Source,
        sourceIndex: Int, batch: inout [ParsedLine], bytesBefore: Int
    ) -> Int? {
        let producer: any ImportRecordProducer
        do {
            producer = try makeProducer()
        } catch {
            _ = push(.failure(error))
            return nil
        }
        defer { producer.close() }
        var records: [ProducedRecord] = []
        var problems: [ImportError] = []
        do {
            while try producer.next(into: &records, problems: &problems) {
                for produced in records {
                    var record = produced.record
                    if case .configurationItem(let id, let label, let properties, true, true, false) = record {
                        do {
                            let checked = try schema.validatedNode(label: label, properties: properties)
                            record = .configurationItem(id: id, label: label, properties: checked, hasName: true,
                                hasStatus: true, isValidated: true)
                        } catch {
                            problems.append(ImportError(file: source.displayName, line: produced.lineNumber,
                                message: error.message))
                            continue
                        }
                    }
                    lastLineRead.store(produced.lineNumber, ordering: .relaxed)
                    batch.append(ParsedLine(sourceIndex: sourceIndex, lineNumber: produced.lineNumber, record: record))
                }
                records.removeAll(keepingCapacity: true)
                if !problems.isEmpty || batch.count >= Self.batchSize {
                    // Records before a problem go first: with one error allowed, the first bad line is reported.
                    if !batch.isEmpty {
                        guard push(.batch(batch, bytesRead: bytesBefore + producer.bytesConsumed)) else { return nil }
                        batch.removeAll(keepingCapacity: true)
                    }
                    for problem in problems {
                        guard push(collectsProblems ? .problem(problem, sourceIndex: sourceIndex) : .failure(problem))
                        else { return nil }
                        if !collectsProblems { return nil }
                    }
                    problems.removeAll()
                    if isCancelled { return nil }
                }
            }
        } catch {
            if !batch.isEmpty {
                guard push(.batch(batch, bytesRead: bytesBefore + producer.bytesConsumed)) else { return nil }
                batch.removeAll(keepingCapacity: true)
            }
            _ = push(.failure(error))
            return nil
        }
        return producer.bytesConsumed
    }

    private func parse(
        _ line: UnsafeRawBufferPointer, source: JSONLinesImporter.Source, sourceIndex: Int, lineNumber: Int
    ) throws(ImportError) -> ParsedLine? {
        var line = line
        // A byte-order mark at the start of a file (spreadsheet exports write one) is not content.
        if lineNumber == 1, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
            line = UnsafeRawBufferPointer(rebasing: line[3...])
        }
        if line.allSatisfy({ $0 == 32 || $0 == 9 }) { return nil }
        do {
            let value = try JSONParser.parse(line)
            var record = try ImportRecord.decode(value, requireClass: requireClass)
            if case .configurationItem(let id, let label, let properties, true, true, false) = record {
                let checked = try schema.validatedNode(label: label, properties: properties)
                record = .configurationItem(id: id, label: label, properties: checked, hasName: true, hasStatus: true,
                    isValidated: true)
            }
            return ParsedLine(sourceIndex: sourceIndex, lineNumber: lineNumber, record: record)
        } catch let error as JSONSyntaxError {
            throw ImportError(file: source.displayName, line: lineNumber, column: error.column(in: line),
                message: error.message)
        } catch let error as SchemaError {
            throw ImportError(file: source.displayName, line: lineNumber, message: error.message, schemaReason: error.reason)
        } catch let error as ImportRecord.LineError {
            throw ImportError(file: source.displayName, line: lineNumber, message: error.message)
        } catch {
            throw ImportError(file: source.displayName, line: lineNumber, message: "\(error)")
        }
    }
}
