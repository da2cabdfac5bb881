import ArgumentParser
import CIQLSyntax
import ConfigurationSchema
import Spreadsheets

/// The options that say how a spreadsheet is written, shared by import, verify and export.
struct SpreadsheetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The spreadsheet's column mapping (YAML).", valueName: "map.yaml"))
    var map: String?

    @Option(help: ArgumentHelp("The CSV field delimiter: ';', ',' or 'tab' (default: detected).", valueName: "c"))
    var delimiter: String?

    @Option(name: .customLong("encoding"), help: ArgumentHelp("The CSV text encoding: utf-8 or windows-1252 (default: detected).", valueName: "name"))
    var encodingName: String?

    var encoding: TextEncoding? { encodingName.flatMap { TextEncoding(rawValue: $0.lowercased()) } }

    @Flag(inversion: .prefixedNo, help: "Numbers in the CSV use a decimal comma, 12,5 (default: when the delimiter is ';').")
    var decimalComma: Bool?

    func validate() throws {
        if let encodingName, encoding == nil {
            throw ValidationError("--encoding '\(encodingName)' is not utf-8 or windows-1252")
        }
        if let delimiter, CSVDialect.delimiter(named: delimiter) == nil {
            throw ValidationError("--delimiter '\(delimiter)' is not one character (or 'tab'), or is a quote or line break")
        }
    }

    var delimiterByte: UInt8? { delimiter.flatMap { CSVDialect.delimiter(named: $0) } }

    /// The dialect of the CSV file at `path`: what was given, the rest detected (with a note on stderr).
    func dialect(path: String, displayName: String, quiet: Bool = false) throws -> CSVDialect {
        let (dialect, note) = try CSVDialect.detect(path: path, displayName: displayName, delimiter: delimiterByte,
            encoding: encoding, decimalComma: decimalComma)
        if !note.isEmpty && !quiet { Console.error("\(displayName): \(note)") }
        return dialect
    }

    /// The mapping file, read and checked against the schema; nil without --map.
    func mapping(schema: Schema) throws -> SpreadsheetMapping? {
        guard let map else { return nil }
        let text: String
        do {
            text = try readTextFile(map, kind: "mapping file")
        } catch {
            throw CommandFailure.badInput("cannot read mapping file '\(map)': \(error)", code: .input(.unreadableFile))
        }
        return try SpreadsheetMapping.parse(yaml: text, file: map, schema: schema)
    }

    /// Whether `path` is read as a spreadsheet: a .csv, .tsv or .txt file, or anything but JSON Lines with --map.
    func isSpreadsheet(_ path: String) -> Bool {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") { return true }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".json") || lower.hasSuffix(".ndjson") { return false }
        return map != nil
    }
}
