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
        case end(bytesRead: Int)
    }

    private struct State {
        var queue: [Item] = []
        var isCancelled = false
    }

    private let sources: [JSONLinesImporter.Source]
    private let requireClass: Bool
    /// The schema, to validate CI lines that are complete (name and status given) off the writer thread.
    private let schema: Schema
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

    init(sources: [JSONLinesImporter.Source], schema: Schema, maximumLineLength: Int) {
        self.sources = sources
        self.maximumLineLength = maximumLineLength
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

    /// The next item, waiting for the reader thread when it is behind.
    func next() -> Item {
        filled.wait()
        let item = state.withLock { $0.queue.removeFirst() }
        freeSlots.signal()
        return item
    }

    /// Stops the reader thread and waits for it; call once, when done or on error.
    func stop() {
        state.withLock { $0.isCancelled = true }
        for _ in 0..<Self.depth + 1 { freeSlots.signal() }
        finished.wait()
    }

    private var isCancelled: Bool { state.withLock { $0.isCancelled } }

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
                    let parsed = try reader.nextLine { (line) throws(ImportError) -> ParsedLine? in
                        pendingBytes += line.count
                        return try parse(line, source: source, sourceIndex: index, lineNumber: reader.lineNumber)
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
