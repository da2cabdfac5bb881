package import CMDB
package import ConfigurationSchema
import GraphStorage

extension JSONLinesImporter.Source {
    /// A spreadsheet as an import source: each row becomes a CI record (and its relations) that the importer
    /// validates and writes exactly as it does JSON Lines records.
    ///
    /// - Parameter mapping: nil for the identity mapping (columns `id`, `class`, `name`, `status`, attributes).
    package static func spreadsheet(
        path: String, displayName: String, dialect: CSVDialect, mapping: SpreadsheetMapping?, schema: Schema
    ) -> JSONLinesImporter.Source {
        var source = JSONLinesImporter.Source(path: path, displayName: displayName) { () throws(ImportError) in
            try SpreadsheetRecordProducer(path: path, displayName: displayName, dialect: dialect, mapping: mapping,
                schema: schema)
        }
        if let mapping {
            source.idColumns = mapping.id.columns.joined(separator: "', '")
            for rule in mapping.relations {
                let columns = rule.other.columns.joined(separator: "', '")
                source.relationColumns[rule.type] = source.relationColumns[rule.type].map { $0 + "', '" + columns }
                    ?? columns
            }
        } else {
            source.idColumns = "id"
        }
        return source
    }
}

/// Reads a spreadsheet's rows and turns them into import records.
final class SpreadsheetRecordProducer: ImportRecordProducer {
    private let reader: CSVReader
    private let mapper: RowMapper
    private let displayName: String
    private var invalid: [Int] = []

    init(path: String, displayName: String, dialect: CSVDialect, mapping: SpreadsheetMapping?, schema: Schema)
        throws(ImportError)
    {
        self.displayName = displayName
        do throws(SpreadsheetError) {
            reader = try CSVReader(path: path, displayName: displayName, dialect: dialect)
            guard let header = try reader.next(invalid: &invalid) else {
                throw SpreadsheetError(file: displayName, line: 1, message: "the file is empty; it needs a header row")
            }
            if let bad = invalid.first {
                throw SpreadsheetError(file: displayName, line: 1, message: "header field \(bad + 1) is not valid "
                    + "\(dialect.encoding.rawValue) text (try --encoding windows-1252)")
            }
            mapper = try RowMapper(mapping: mapping ?? .identity(header: header, file: displayName), schema: schema,
                header: header, file: displayName, decimalComma: dialect.decimalComma)
        } catch {
            throw ImportError(spreadsheet: error)
        }
    }

    var bytesConsumed: Int { reader.bytesConsumed }

    func close() { reader.close() }

    func next(into records: inout [ProducedRecord], problems: inout [ImportError]) throws(ImportError) -> Bool {
        while true {
            let fields: [String]?
            do throws(SpreadsheetError) {
                fields = try reader.next(invalid: &invalid)
            } catch {
                throw ImportError(spreadsheet: error)
            }
            guard let fields else { return false }
            let line = reader.lineNumber
            if !invalid.isEmpty {
                for i in invalid {
                    let column = i < mapper.header.count ? mapper.header[i] : "field \(i + 1)"
                    problems.append(ImportError(file: displayName, line: line,
                        message: "column '\(column)': not valid \(reader.dialect.encoding.rawValue) text (try --encoding "
                            + "\(reader.dialect.encoding == .utf8 ? "windows-1252" : "utf-8"))"))
                }
                return true
            }
            // Rows with nothing in them (Excel leaves ';;;;' lines below the data) are not CIs.
            if fields.allSatisfy(CellValue.isBlank) { continue }
            switch mapper.map(fields, line: line, quotedEmpty: reader.quotedEmpty) {
            case .success(let row):
                records.append(ProducedRecord(lineNumber: line, record: .configurationItem(
                    id: row.id, label: row.label.isEmpty ? nil : row.label, properties: row.properties,
                    hasName: row.hasName, hasStatus: row.hasStatus, isValidated: true)))
                for r in row.relations {
                    records.append(ProducedRecord(lineNumber: line,
                        record: .relation(type: r.type, from: r.from, to: r.to, properties: Properties())))
                }
            case .failure(let rowProblems):
                for p in rowProblems.problems {
                    problems.append(ImportError(file: displayName, line: line,
                        message: (p.column.map { "column '\($0)': " } ?? "") + p.message))
                }
            }
            return true
        }
    }
}

extension ImportError {
    init(spreadsheet error: SpreadsheetError) {
        self.init(file: error.file, line: error.line ?? 0, column: error.column,
            message: (error.columnName.map { "column '\($0)': " } ?? "") + error.message)
    }
}
