import ConfigurationSchema
import Dispatch
import Glibc
public import GraphStorage
public import JSONLines

/// Loads JSON Lines files into the CMDB in one atomic transaction.
///
/// Streams: memory does not grow with the file. CIs are upserted by id and relations by (from, type, to);
/// relations may name CIs that appear later (they wait in a spill file until the end). The first bad line
/// stops the import with `file:line: reason` and nothing is written.
public final class JSONLinesImporter {
    /// One input: a file on disk and the name to report it by.
    public struct Source: Sendable {
        public var path: String
        public var displayName: String
        /// An input read once and replayed from its copy (standard input); `path` is then unused.
        public var spooled: SpooledInput?

        /// Makes the reader of a source that is not JSON Lines (a spreadsheet); nil for JSON Lines.
        package var makeProducer: (@Sendable () throws(ImportError) -> any ImportRecordProducer)?

        public init(path: String, displayName: String? = nil) {
            self.path = path
            self.displayName = displayName ?? path
        }

        /// For spreadsheet rows: the column(s) each relation type comes from, to name them in errors.
        package var relationColumns: [String: String] = [:]

        /// For spreadsheet rows: the column(s) a CI's id comes from, to name them in errors about the CI.
        package var idColumns: String?

        /// `column 'X': ` for a relation from a spreadsheet column, else nothing.
        func context(ofRelation type: String) -> String {
            relationColumns[type].map { "column '\($0)': " } ?? ""
        }

        package init(
            path: String, displayName: String? = nil,
            producer: @escaping @Sendable () throws(ImportError) -> any ImportRecordProducer
        ) {
            self.init(path: path, displayName: displayName)
            self.makeProducer = producer
        }

        /// Standard input (or another pipe), parsed as it is read.
        public init(spooled: SpooledInput) {
            self.path = ""
            self.displayName = spooled.name
            self.spooled = spooled
        }
    }

    public let database: ConfigurationDatabase
    public var isDryRun = false
    /// The longest line accepted, in bytes; a longer one stops the import with `file:line: line longer than N bytes`.
    public var maximumLineLength = LineReader.defaultMaximumLineLength
    /// Called now and then with (bytes read, total bytes).
    public var progress: ((Int, Int) -> Void)?
    /// Called after each batch of lines, every 100 ms while waiting for the input, and after each of the checks
    /// before the commit; what it throws stops the import, which then writes nothing (a job's time limit).
    public var interrupt: (() throws -> Void)?
    /// How many bad lines to report before stopping. 1 (the default) stops at the first, throwing its
    /// `ImportError`; more (a dry run) goes on past bad lines and throws `ImportProblems` listing them.
    public var maxErrors = 1
    /// Where the import is (for the error of a time limit that stops it).
    public private(set) var stage = ImportStage.waitingForTheWriteLock

    private var problems: [(sourceIndex: Int, error: ImportError)] = []

    private var summary = ImportSummary()
    /// The line being applied, for a check that waits for the state at commit.
    private var place: DeferredImportChecks.Place = (0, 0)
    /// Lines whose check failed against the state when they were read; checked again before the import commits.
    private var deferred = DeferredImportChecks()
    private let uniqueness: UniquenessCheck

    public init(database: ConfigurationDatabase) {
        self.database = database
        self.uniqueness = UniquenessCheck(schema: database.schema)
    }

    /// Imports `sources` in order as one transaction recorded with `change`.
    public func run(_ sources: [Source], change: ChangeInfo) throws -> ImportSummary {
        var total = 0
        for source in sources {
            var st = stat()
            if source.spooled == nil, stat(source.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG {
                total += Int(st.st_size)
            }
        }
        try database.store.reserve(bytes: total * 3)
        stage = .waitingForTheWriteLock
        return try database.write(change) { tx in
            stage = .reading(source: sources.first?.displayName ?? "", read: 0, applied: 0)
            lastApplied = (0, 0)
            summary = ImportSummary()
            summary.isDryRun = isDryRun
            problems.removeAll()
            try importAll(sources, totalBytes: total, tx)
            // Only a retry looks at the time after this: when the map fills at the commit, it waits for the lock.
            stage = .waitingForTheWriteLock
            if !problems.isEmpty { throw collectedProblems(isTruncated: false) }
            if isDryRun {
                tx.discard()
            } else if tx.hasChanges {
                summary.transaction = tx.number
            }
            return summary
        }
    }

    private func importAll(_ sources: [Source], totalBytes: Int, _ tx: GraphTransaction) throws {
        let spill = try SpillFile()
        defer { spill.remove() }
        endpoints.removeAll()
        deferred = DeferredImportChecks()
        lastAllowedRelation = nil
        unchangedCIs = NodeSet()
        unchangedRelations = RelationSet()
        let pipeline = ImportPipeline(
            sources: sources, schema: database.schema, maximumLineLength: maximumLineLength,
            collectsProblems: maxErrors > 1)
        pipeline.start()
        do {
            try read(pipeline, sources: sources, totalBytes: totalBytes, tx, spill)
        } catch let error as StorageError where error.code == .mapFull {
            // The import runs again and reads the same input: its reader must be gone first. A reader blocked on
            // input that does not come is waited for until the time limit, which then ends the import instead.
            try pipeline.stop(interrupt: interrupt.map { check in { try self.whileWaiting(pipeline, sources, check) } })
            // The retry waits for the write lock again, with a larger map.
            stage = .waitingForTheWriteLock
            throw error
        } catch {
            // The import is over: a reader blocked on input that does not come is not waited for.
            try? pipeline.stop(waitingAtMost: .milliseconds(250))
            throw error
        }
        try pipeline.stop()
        let resolved = try resolveDeferred(spill, sources: sources, tx)
        stage = .resolvingRelations(done: resolved)
        try interrupt?()
        stage = .checkingBeforeTheCommit
        try checkDeferred(sources: sources, tx)
        try interrupt?()
    }

    /// Applies the lines the reader thread hands over, to the end of the input.
    private func read(
        _ pipeline: ImportPipeline, sources: [Source], totalBytes: Int, _ tx: GraphTransaction, _ spill: SpillFile
    ) throws {
        var lastReport = 0
        reading: while true {
            switch try pipeline.next(interrupt: interrupt.map { check in { try self.whileWaiting(pipeline, sources, check) } }) {
            case .failure(let error):
                throw error
            case .problem(let error, let sourceIndex):
                try note(error, sourceIndex: sourceIndex)
            case .end(let bytesRead):
                progress?(bytesRead, totalBytes)
                try interrupt?()
                break reading
            case .batch(let lines, let bytesRead):
                for (index, line) in lines.enumerated() {
                    if index % Self.warmedLines == 0 { warmEndpoints(lines[index..<min(index + Self.warmedLines, lines.count)]) }
                    do {
                        try apply(line.record, sources: sources, sourceIndex: line.sourceIndex,
                            lineNumber: line.lineNumber, tx, spill)
                    } catch let error as ImportError where maxErrors > 1 {
                        try note(error, sourceIndex: line.sourceIndex)
                    }
                }
                if let last = lines.last {
                    lastApplied = (last.sourceIndex, last.lineNumber)
                    stage = .applying(source: sources[last.sourceIndex].displayName, line: last.lineNumber)
                }
                try interrupt?()
                if let progress, bytesRead - lastReport >= 1 << 20 {
                    lastReport = bytesRead
                    progress(bytesRead, totalBytes)
                }
            }
        }
    }

    /// The last line applied: (source, line number), line 0 for none.
    private var lastApplied = (sourceIndex: 0, line: 0)

    /// Runs `check` while the reader thread is awaited; what it throws (the time limit) names the source the reader
    /// is on and the last line of it applied.
    private func whileWaiting(_ pipeline: ImportPipeline, _ sources: [Source], _ check: () throws -> Void) throws {
        do {
            try check()
        } catch {
            guard !sources.isEmpty else { throw error }
            let index = min(max(pipeline.sourceBeingRead, 0), sources.count - 1)
            stage = .reading(
                source: sources[index].displayName, read: pipeline.lineRead,
                applied: lastApplied.sourceIndex == index ? lastApplied.line : 0)
            throw error
        }
    }

    /// Keeps a bad line's problem for the report (a dry run goes on); stops at `maxErrors`.
    private func note(_ error: ImportError, sourceIndex: Int) throws {
        guard maxErrors > 1 else { throw error }
        problems.append((sourceIndex, error))
        if problems.count >= maxErrors { throw collectedProblems(isTruncated: true) }
    }

    private func collectedProblems(isTruncated: Bool) -> ImportProblems {
        let sorted = problems.enumerated().sorted { a, b in
            (a.element.sourceIndex, a.element.error.line, a.offset) < (b.element.sourceIndex, b.element.error.line, b.offset)
        }
        return ImportProblems(problems: sorted.map(\.element.error), isTruncated: isTruncated)
    }

    /// CI ids with their node id and class: every CI of this import (relation lines mostly name them, so no
    /// B-tree search per relation end), and others as they are looked up. Bounded: when full, it is emptied and
    /// refilled by lookups.
    private var endpoints = EndpointMap()
    /// The CIs and relations a line of this import gave as they are stored: a later, different line for one of
    /// them is a conflict as much as two lines that both change it (those are caught by the version they wrote).
    private var unchangedCIs = NodeSet()
    private var unchangedRelations = RelationSet()

    /// The last (type, from class, to class) the schema allowed.
    private var lastAllowedRelation: (type: String, from: String?, to: String?)?
    private static let endpointCapacity = 1 << 21

    private func endpoint(_ id: String, _ tx: GraphTransaction) throws -> (nid: NodeID, label: String?)? {
        if let hit = endpoints.find(id) { return hit }
        guard let found = try tx.liveNode(externalID: id) else { return nil }
        remember(id, found)
        return found
    }

    /// How many lines' relation ends are brought into the cache together, ahead of their lookups.
    private static let warmedLines = 256
    /// How many spilled relations or commit checks run between two looks at the time limit.
    private static let linesBetweenTimeChecks = 1024
    /// Where `warmEndpoints` leaves what it read (unused, but the reads must happen).
    private var warmed: UInt64 = 0

    /// Touches the id map where the relation ends of `lines` are: one lookup per end misses the cache (the map of
    /// a large import is far bigger than it), and misses that do not wait for each other overlap.
    private func warmEndpoints(_ lines: ArraySlice<ImportPipeline.ParsedLine>) {
        warmingEnds.removeAll(keepingCapacity: true)
        for line in lines {
            if case .relation(_, let from, let to, _) = line.record {
                warmingEnds.append(from)
                warmingEnds.append(to)
            }
        }
        warmed &+= endpoints.warm(warmingEnds)
    }
    private var warmingEnds: [String] = []

    private func remember(_ id: String, _ endpoint: (nid: NodeID, label: String?)) {
        if endpoints.count >= Self.endpointCapacity { endpoints.removeAll() }
        endpoints.insert(id, nid: endpoint.nid, label: endpoint.label)
    }

    /// `sources[sourceIndex]` is read only for an error: copying a `Source` per line cost retains and releases.
    private func apply(
        _ record: ImportRecord, sources: [Source], sourceIndex: Int, lineNumber: Int, _ tx: GraphTransaction,
        _ spill: SpillFile
    ) throws {
        summary.lines += 1
        place = (sourceIndex, lineNumber)
        do {
            switch record {
            case .configurationItem(let id, let label, let properties, let hasName, let hasStatus, let isValidated):
                try importCI(id: id, label: label, properties: properties, hasName: hasName, hasStatus: hasStatus,
                    isValidated: isValidated, tx)
            case .relation(let type, let from, let to, let properties):
                guard let a = try endpoint(from, tx), let b = try endpoint(to, tx) else {
                    try spill.append(sourceIndex: sourceIndex, lineNumber: lineNumber, type: type, from: from, to: to,
                        properties: properties)
                    return
                }
                try importRelation(type: type, from: a, to: b, properties: properties, tx)
            }
        } catch let error as SchemaError {
            var relationType: String?
            if case .relation(let type, _, _, _) = record { relationType = type }
            throw importError(error, relationType: relationType, sourceIndex: sourceIndex, lineNumber: lineNumber, sources)
        } catch let error as StorageError where error.code == .keyTooLong || error.code == .constraint {
            throw ImportError(file: sources[sourceIndex].displayName, line: lineNumber, message: error.message)
        } catch let error as StorageError where error.code == .nestingTooDeep {
            throw ImportError(
                file: sources[sourceIndex].displayName, line: lineNumber, message: error.message, storageCode: error.code)
        }
    }

    private func importCI(
        id: String, label: String?, properties: Properties, hasName: Bool, hasStatus: Bool, isValidated: Bool,
        _ tx: GraphTransaction
    ) throws {
        var properties = properties
        if !hasName || !hasStatus {
            // A line without name or status keeps the CI's current ones; a new CI gets the default status.
            let existing = try tx.node(externalID: id)
            if !hasName, let name = existing?.properties["name"] { properties["name"] = name }
            if !hasStatus {
                if let status = existing?.properties["status"] {
                    properties["status"] = status
                } else if existing == nil, let status = database.schema.defaultStatus {
                    properties["status"] = .string(status)
                }
            }
        }
        let checked = isValidated ? properties : try database.schema.validatedNode(label: label, properties: properties)
        let write = try tx.upsertNode(externalID: id, label: label, properties: checked)
        let (nid, outcome) = (write.nid, write.outcome)
        if write.previousVersion == tx.number || (outcome == .updated && unchangedCIs.contains(nid)) {
            // Two different states of one CI in one import: which one is meant is anybody's guess, and
            // applying both would make a second run of the same import record a change.
            throw SchemaError(.conflictingLines, "CI '\(id)' is given more than once in this import, with different contents")
        }
        remember(id, (nid, label))
        if outcome == .updated, write.previousLabel != label, !database.schema.isOpen {
            try checkRelationsAfterClassChange(nid: nid, id: id, label: label, tx)
        }
        switch outcome {
        case .created:
            summary.ciCreated += 1
            if summary.createdSamples.count < ImportSummary.sampleLimit { summary.createdSamples.append(id) }
        case .updated:
            summary.ciUpdated += 1
            if summary.updatedSamples.count < ImportSummary.sampleLimit { summary.updatedSamples.append(id) }
        case .unchanged:
            summary.ciUnchanged += 1
            unchangedCIs.insert(nid)
        }
        if outcome != .unchanged {
            do {
                try uniqueness.check(tx, nid: nid, label: label, properties: checked)
            } catch let error as SchemaError {
                // A later line may still give the other CI another value (two CIs swapping theirs).
                guard deferred.count < DeferredImportChecks.capacity else { throw error }
                deferred.duplicateValues.append((nid, place))
            }
        }
    }

    private func importRelation(
        type: String, from: (nid: NodeID, label: String?), to: (nid: NodeID, label: String?), properties: Properties,
        _ tx: GraphTransaction
    ) throws {
        if !database.schema.isOpen {
            if from.nid == to.nid { throw SchemaError(.selfRelation, "a CI cannot depend on itself") }
            // Relation lines come in runs of one type between the same classes: the last allowed triple is not
            // checked again (the check depends on nothing else).
            let last = lastAllowedRelation
            if last == nil || last?.type != type || last?.from != from.label || last?.to != to.label {
                do {
                    try database.schema.validateRelation(type: type, fromLabel: from.label, toLabel: to.label)
                    lastAllowedRelation = (type, from.label, to.label)
                } catch {
                    // A later line may still change an end's class to one the relation may connect.
                    guard error.reason == .relationNotAllowed, deferred.count < DeferredImportChecks.capacity else {
                        throw error
                    }
                    deferred.addRelation(from: from.nid, type: type, to: to.nid, place: place, classChanged: nil)
                }
            }
        }
        let write = try tx.upsertRelation(from: from.nid, type: type, to: to.nid, properties: properties)
        let key = unchangedRelations.key(from: from.nid, type: type, to: to.nid)
        if write.previousVersion == tx.number || (write.outcome == .updated && unchangedRelations.contains(key)) {
            throw SchemaError(.conflictingLines, "relation \(type) between the same CIs is given more than once in this import, "
                + "with different attributes")
        }
        switch write.outcome {
        case .created: summary.relationsCreated += 1
        case .updated: summary.relationsUpdated += 1
        case .unchanged:
            summary.relationsUnchanged += 1
            unchangedRelations.insert(key)
        }
    }

    /// A CI whose class changed must still be a valid end of every relation it has.
    private func checkRelationsAfterClassChange(nid: NodeID, id: String, label: String?, _ tx: GraphTransaction)
        throws
    {
        for direction in Direction.allCases {
            for (type, other) in try tx.neighbors(of: nid, direction: direction) {
                let (from, to) = direction == .outgoing ? (nid, other) : (other, nid)
                // A relation already waiting for the classes at commit is checked then, at its own line.
                if deferred.waits(from: from, type: type, to: to) { continue }
                let otherLabel = try tx.label(of: other) ?? nil
                do {
                    try database.schema.validateRelation(
                        type: type, fromLabel: from == nid ? label : otherLabel, toLabel: to == nid ? label : otherLabel)
                } catch {
                    // A later line may still change the other end's class to one that fits.
                    guard deferred.count < DeferredImportChecks.capacity else {
                        throw try classChangeError(error, nid: nid, id: id, label: label, type: type, from: from, to: to, tx)
                    }
                    deferred.addRelation(from: from, type: type, to: to, place: place, classChanged: nid)
                }
            }
        }
    }

    /// The error of a class change that leaves a relation of the CI not allowed.
    private func classChangeError(
        _ error: SchemaError, nid: NodeID, id: String, label: String?, type: String, from: NodeID, to: NodeID,
        _ tx: GraphTransaction
    ) throws -> SchemaError {
        let otherID = try tx.externalID(of: from == nid ? to : from) ?? "?"
        let arrow = from == nid ? "-[\(type)]-> '\(otherID)'" : "<-[\(type)]- '\(otherID)'"
        return SchemaError(.classChangeBreaksRelation, "changing the class of '\(id)' to \(label ?? "none") breaks its relation "
            + "\(arrow): \(error.message)")
    }

    /// A schema rule a line broke, as the import reports it: at the line, with the spreadsheet column it came from.
    private func importError(
        _ error: SchemaError, relationType: String?, sourceIndex: Int, lineNumber: Int, _ sources: [Source]
    ) -> ImportError {
        let source = sources[sourceIndex]
        var message = error.message
        if let relationType {
            message = source.context(ofRelation: relationType) + message
        } else if let columns = source.idColumns {
            message = "column '\(columns)': " + message
        }
        return ImportError(file: source.displayName, line: lineNumber, message: message, schemaReason: error.reason)
    }

    /// The lines whose check failed on the way, checked again on the state the import is about to commit: what is
    /// still wrong is reported at its line, the first line first.
    private func checkDeferred(sources: [Source], _ tx: GraphTransaction) throws {
        guard deferred.count > 0 else { return }
        var failures: [ImportError] = []
        var sourceIndexes: [Int] = []
        func fail(_ error: SchemaError, relationType: String?, _ place: DeferredImportChecks.Place) {
            failures.append(importError(error, relationType: relationType, sourceIndex: place.sourceIndex,
                lineNumber: place.line, sources))
            sourceIndexes.append(place.sourceIndex)
        }
        var checked = 0
        func checkTime() throws {
            checked += 1
            if checked % Self.linesBetweenTimeChecks == 0 { try interrupt?() }
        }
        for (nid, place) in deferred.duplicateValues {
            try checkTime()
            do {
                try uniqueness.checkAgain(tx, nid: nid)
            } catch let error as SchemaError {
                fail(error, relationType: nil, place)
            }
        }
        for relation in deferred.relations {
            try checkTime()
            let type = deferred.typeName(relation.type)
            let fromLabel = try tx.label(of: relation.from) ?? nil
            let toLabel = try tx.label(of: relation.to) ?? nil
            do {
                try database.schema.validateRelation(type: type, fromLabel: fromLabel, toLabel: toLabel)
            } catch {
                guard let changed = relation.classChanged else {
                    fail(error, relationType: type, relation.place)
                    continue
                }
                let id = try tx.externalID(of: changed) ?? "?"
                let label = try tx.label(of: changed) ?? nil
                fail(try classChangeError(error, nid: changed, id: id, label: label, type: type, from: relation.from,
                    to: relation.to, tx), relationType: nil, relation.place)
            }
        }
        let order = failures.indices.sorted { (sourceIndexes[$0], failures[$0].line) < (sourceIndexes[$1], failures[$1].line) }
        for i in order { try note(failures[i], sourceIndex: sourceIndexes[i]) }
    }

    /// Relations whose ends were not known when their line was read: every CI is in now, or it is an error. Returns
    /// how many there were.
    private func resolveDeferred(_ spill: SpillFile, sources: [Source], _ tx: GraphTransaction) throws -> Int {
        var resolved = 0
        try spill.forEach { sourceIndex, lineNumber, line in
            resolved += 1
            if resolved % Self.linesBetweenTimeChecks == 0 {
                stage = .resolvingRelations(done: resolved - 1)
                try interrupt?()
            }
            do {
                try resolveDeferred(line, sourceIndex: sourceIndex, lineNumber: lineNumber, sources: sources, tx)
            } catch let error as ImportError where maxErrors > 1 {
                try note(error, sourceIndex: sourceIndex)
            }
        }
        return resolved
    }

    private func resolveDeferred(
        _ line: UnsafeRawBufferPointer, sourceIndex: Int, lineNumber: Int, sources: [Source], _ tx: GraphTransaction
    ) throws {
        let name = sources[sourceIndex].displayName
        place = (sourceIndex, lineNumber)
        guard case .relation(let type, let from, let to, let properties)? =
            try? ImportRecord.decode(JSONParser.parse(line), requireClass: false)
        else { throw ImportError(file: name, line: lineNumber, message: "the spilled line could not be re-read") }
        guard let a = try endpoint(from, tx) else {
            throw ImportError(file: name, line: lineNumber, message: sources[sourceIndex].context(ofRelation: type)
                + "relation \(type) refers to unknown CI '\(from)' (not in the CMDB nor in this import)")
        }
        guard let b = try endpoint(to, tx) else {
            throw ImportError(file: name, line: lineNumber, message: sources[sourceIndex].context(ofRelation: type)
                + "relation \(type) refers to unknown CI '\(to)' (not in the CMDB nor in this import)")
        }
        do {
            try importRelation(type: type, from: a, to: b, properties: properties, tx)
        } catch let error as SchemaError {
            throw ImportError(file: name, line: lineNumber,
                message: sources[sourceIndex].context(ofRelation: type) + error.message, schemaReason: error.reason)
        } catch let error as StorageError where error.code == .nestingTooDeep {
            throw ImportError(file: name, line: lineNumber,
                message: sources[sourceIndex].context(ofRelation: type) + error.message, storageCode: error.code)
        }
    }
}

/// A set of relations by their ends' node ids and their type, 8 bytes each while the node ids fit in 28 bits and
/// there are at most 256 relation types (every relation of a re-import can be in it: 1.95M for the 1M-CI data).
private struct RelationSet {
    /// A relation: its ends and its type's number in this set.
    struct Key: Hashable {
        var from: NodeID
        var to: NodeID
        var type: UInt32
    }

    private var typeNumbers: [String: UInt32] = [:]
    private var packed = Set<UInt64>()
    /// The keys too wide to pack.
    private var wide = Set<Key>()

    /// The key of a relation; numbers its type on first sight.
    mutating func key(from: NodeID, type: String, to: NodeID) -> Key {
        if let n = typeNumbers[type] { return Key(from: from, to: to, type: n) }
        let n = UInt32(truncatingIfNeeded: typeNumbers.count)
        typeNumbers[type] = n
        return Key(from: from, to: to, type: n)
    }

    func contains(_ key: Key) -> Bool {
        if let p = Self.packed(key) { return packed.contains(p) }
        return wide.contains(key)
    }

    mutating func insert(_ key: Key) {
        if let p = Self.packed(key) {
            packed.insert(p)
        } else {
            wide.insert(key)
        }
    }

    /// from (28 bits), to (28 bits) and type (8 bits) in one word, or nil when one does not fit.
    private static func packed(_ key: Key) -> UInt64? {
        guard key.from < 1 << 28, key.to < 1 << 28, key.type < 1 << 8 else { return nil }
        return key.from << 36 | key.to << 8 | UInt64(key.type)
    }
}

/// A set of node ids, one bit each: node ids are given in order from 1, so it is as large as the database's
/// highest node id / 8 bytes at most.
private struct NodeSet {
    private var words: [UInt64] = []

    func contains(_ nid: NodeID) -> Bool {
        let (word, bit) = nid.quotientAndRemainder(dividingBy: 64)
        return word < UInt64(words.count) && words[Int(word)] & (1 << bit) != 0
    }

    mutating func insert(_ nid: NodeID) {
        let (word, bit) = nid.quotientAndRemainder(dividingBy: 64)
        if word >= UInt64(words.count) { words.append(contentsOf: repeatElement(0, count: Int(word) + 1 - words.count)) }
        words[Int(word)] |= 1 << bit
    }
}
