/// A place in a statement's text: 1-based line and column (in characters), and the UTF-8 offset.
///
/// A line ends at LF, CRLF or a lone CR (as files saved on Unix, Windows and old Macs end them); the line end is
/// not part of the line, so a CRLF file has the same lines and columns as the same file with LF.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    /// Byte offset from the start of the text, for slicing the original source.
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public static let start = SourceLocation(line: 1, column: 1, offset: 0)

    public var description: String { "\(line):\(column)" }

    /// Line `number` (1-based) of `text`, without its line end; nil when `text` has fewer lines. The text after
    /// the last line end is a line too (empty when the text ends with one), where the end of the input is.
    static func line(_ number: Int, in text: String) -> String? {
        guard number >= 1 else { return nil }
        let bytes = Array(text.utf8)
        var line = 1
        var start = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b == 0x0A || b == 0x0D else {
                i += 1
                continue
            }
            if line == number { return String(decoding: bytes[start..<i], as: UTF8.self) }
            i += b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A ? 2 : 1
            line += 1
            start = i
        }
        return line == number ? String(decoding: bytes[start...], as: UTF8.self) : nil
    }
}

/// A name as written in a statement (a class, relation type, property key or variable) and where.
public struct Name: Hashable, Sendable {
    public var text: String
    public var location: SourceLocation

    public init(_ text: String, at location: SourceLocation) {
        self.text = text
        self.location = location
    }
}
