/// Writes CSV records: fields quoted when they hold the delimiter, a quote, a line break or edge spaces; text that
/// would run as a formula guarded (`FormulaGuard`); records end with CRLF, as Excel writes them.
public struct CSVWriter {
    public let dialect: CSVDialect
    public private(set) var bytes: [UInt8] = []

    public init(dialect: CSVDialect, byteOrderMark: Bool) {
        self.dialect = dialect
        bytes.reserveCapacity(1 << 16)
        if byteOrderMark && dialect.encoding == .utf8 { bytes += [0xEF, 0xBB, 0xBF] }
    }

    /// Writes one record; the fields at `quotingEmpty` (empty or blank strings, as opposed to absent values) quoted,
    /// `""` or `" "`.
    public mutating func writeRecord(_ fields: [String], quotingEmpty: [Int] = []) {
        for (i, field) in fields.enumerated() {
            if i > 0 { bytes.append(dialect.delimiter) }
            let field = FormulaGuard.guarded(field, decimalComma: dialect.decimalComma)
            let needsQuotes = field.utf8.contains { $0 == dialect.delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                || field.hasPrefix(" ") || field.hasSuffix(" ") || quotingEmpty.contains(i)
            if needsQuotes {
                bytes.append(0x22)
                dialect.encoding.encode(field.replacing("\"", with: "\"\""), into: &bytes)
                bytes.append(0x22)
            } else {
                dialect.encoding.encode(field, into: &bytes)
            }
        }
        bytes += [0x0D, 0x0A]
    }

    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }
}
