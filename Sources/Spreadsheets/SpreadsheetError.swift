/// A problem with a spreadsheet or its mapping file: where (file, line, column or column name) and what.
public struct SpreadsheetError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    /// A position in a mapping file (1-based).
    public var column: Int?
    /// The spreadsheet column the problem is in, by its header name.
    public var columnName: String?
    public var message: String
    public var kind: Kind

    /// What the problem is with: a spreadsheet's contents, a mapping file, a file that cannot be read, or values an
    /// export would not write so that they read back as themselves.
    public enum Kind: Sendable {
        case spreadsheet, mapping, unreadable, unexportable
    }

    public init(
        file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil, message: String,
        kind: Kind = .spreadsheet
    ) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.message = message
    }

    /// `file:line: column 'X': reason`, `file:line:column: reason` or `file: reason`.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let column { text += ":\(column)" }
        text += ": "
        if let columnName { text += "column '\(columnName)': " }
        return text + message
    }
}
