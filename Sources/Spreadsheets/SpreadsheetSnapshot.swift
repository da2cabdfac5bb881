public import ConfigurationSchema
public import GraphStorage
public import Verification

/// A spreadsheet read as a discovery snapshot: each row is an item the source saw, identified by the class's
/// identification rules (the mapped id is not used: discovery does not know the CMDB's ids). The mapping's
/// relations are not compared (they name CMDB ids, not identifying attributes).
public final class SpreadsheetSnapshot: DiscoverySnapshotReading {
    public let source: SnapshotSource
    public let classSet: Set<String>
    private let reader: CSVReader
    private let mapper: RowMapper
    private let schema: Schema
    private let displayName: String
    private var invalid: [Int] = []

    /// Opens the spreadsheet and checks its header against the mapping.
    ///
    /// - Parameters:
    ///   - sourceName: the discovery source's name (`--source`).
    ///   - scope: attribute values every CI the source can see has (`--scope location=dc-a`), as text; typed by the
    ///     schema.
    /// - Throws: `VerificationInputError` for an unreadable file, a header without the mapping's columns, or classes
    ///   without identification rules.
    public init(
        path: String, displayName: String, dialect: CSVDialect, mapping: SpreadsheetMapping, schema: Schema,
        sourceName: String, scope: [(String, String)], tx: GraphTransaction
    ) throws {
        self.displayName = displayName
        self.schema = schema
        do {
            reader = try CSVReader(path: path, displayName: displayName, dialect: dialect)
            guard let header = try reader.next(invalid: &invalid) else {
                throw SpreadsheetError(file: displayName, line: 1, message: "the file is empty; it needs a header row")
            }
            mapper = try RowMapper(mapping: mapping, schema: schema, header: header, file: displayName,
                decimalComma: dialect.decimalComma, requiresID: false)
        } catch let error as SpreadsheetError {
            throw VerificationInputError(spreadsheet: error)
        }
        var classes = mapping.classes
        if mapping.isIdentity {
            classes = schema.classes.filter { !$0.isAbstract && !schema.identificationRules(of: $0.name).isEmpty }
                .map(\.name)
        }
        for c in classes where schema.identificationRules(of: c).isEmpty {
            throw VerificationInputError(file: mapping.file, line: nil, message: "class '\(c)' has no identification "
                + "rules ('identify' in the schema), so its rows cannot be matched to CIs")
        }
        var set = Set<String>()
        for c in classes { set.formUnion(schema.subclasses(of: c)) }
        var properties = Properties()
        for (key, text) in scope {
            if let problem = try SnapshotMetadataCheck.unknownScopeKey(key, classes: set, schema: schema, tx: tx) {
                throw VerificationInputError(file: "--scope", line: nil, message: problem)
            }
            let type = classes.lazy.compactMap { schema.attribute(key, of: $0)?.type }.first ?? .string
            do {
                properties[key] = try CellValue.parse(text, as: type, format: nil, decimalComma: false)
            } catch {
                throw VerificationInputError(file: "--scope", line: nil, message: "\(key): \(error.message)")
            }
        }
        classSet = set
        source = SnapshotSource(name: sourceName, classes: classes, scope: properties, takenAt: nil, file: displayName)
    }

    public func next() throws -> SnapshotLine? {
        while true {
            let fields: [String]?
            do throws(SpreadsheetError) {
                fields = try reader.next(invalid: &invalid)
            } catch {
                throw VerificationInputError(spreadsheet: error)
            }
            guard let fields else { return nil }
            let line = reader.lineNumber
            if let bad = invalid.first {
                let column = bad < mapper.header.count ? mapper.header[bad] : "field \(bad + 1)"
                throw VerificationInputError(file: displayName, line: line,
                    message: "column '\(column)': not valid \(reader.dialect.encoding.rawValue) text")
            }
            if fields.allSatisfy(CellValue.isBlank) { continue }
            switch mapper.map(fields, line: line) {
            case .failure(let problems):
                let p = problems.problems[0]
                throw VerificationInputError(file: displayName, line: line,
                    message: (p.column.map { "column '\($0)': " } ?? "") + p.message)
            case .success(let row):
                guard classSet.contains(row.label) else {
                    throw VerificationInputError(file: displayName, line: line,
                        message: "class '\(row.label)' is not among the source's classes")
                }
                let rules = schema.identificationRules(of: row.label)
                if !rules.contains(where: { set in set.allSatisfy { row.properties[$0] != nil } }) {
                    let sets = rules.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: " or ")
                    throw VerificationInputError(file: displayName, line: line, message: "the \(row.label) has none "
                        + "of its identifying attribute sets (\(sets)), so it cannot be matched")
                }
                return .item(DiscoveredItem(line: line, label: row.label, properties: row.properties))
            }
        }
    }

    public func close() { reader.close() }
}

extension VerificationInputError {
    init(spreadsheet error: SpreadsheetError) {
        self.init(file: error.file, line: error.line, column: error.column,
            message: (error.columnName.map { "column '\($0)': " } ?? "") + error.message)
    }
}
