import Glibc

/// How a CSV file is written: the field delimiter, the encoding and the decimal separator.
public struct CSVDialect: Sendable, Equatable {
    /// `;`, `,` or tab (any single ASCII byte works).
    public var delimiter: UInt8
    public var encoding: TextEncoding
    /// Numbers are written `1.234,5` (Dutch, German… Excel), not `1234.5`.
    public var decimalComma: Bool
    /// The file starts with Excel's `sep=;` line, which names the delimiter and is not the header.
    public var hasSeparatorLine = false

    public init(delimiter: UInt8 = UInt8(ascii: ";"), encoding: TextEncoding = .utf8, decimalComma: Bool = true) {
        self.delimiter = delimiter
        self.encoding = encoding
        self.decimalComma = decimalComma
    }

    /// The delimiter as the user writes it: `;`, `,`, `tab`.
    public var delimiterName: String {
        delimiter == 9 ? "tab" : String(UnicodeScalar(delimiter))
    }

    /// Parses a `--delimiter` value: one character, or `tab` / `\t`.
    public static func delimiter(named text: String) -> UInt8? {
        if text == "tab" || text == "\\t" || text == "\t" { return 9 }
        guard text.utf8.count == 1, let b = text.utf8.first, b < 0x80, b != 0x22, b != 0x0A, b != 0x0D else {
            return nil
        }
        return b
    }

    /// Works out what is not given: the encoding from the whole file (valid UTF-8, or else Windows-1252), the
    /// delimiter from the first lines (the candidate among `;`, `,` and tab that occurs most in the header and
    /// equally often on the lines after it), and decimal commas from the delimiter (`;` means a comma locale).
    ///
    /// - Returns: the dialect and a note saying what was detected (empty when everything was given).
    /// - Throws: `SpreadsheetError` when the file cannot be read or is UTF-16.
    public static func detect(
        path: String, displayName: String, delimiter: UInt8?, encoding: TextEncoding?, decimalComma: Bool?
    ) throws(SpreadsheetError) -> (dialect: CSVDialect, note: String) {
        let scan = try FileScan(path: path, displayName: displayName)
        var notes: [String] = []
        let chosenEncoding: TextEncoding
        if let encoding {
            chosenEncoding = encoding
        } else if let bad = scan.firstInvalidUTF8 {
            chosenEncoding = .windows1252
            notes.append("encoding windows-1252 (byte 0x\(String(bad.byte, radix: 16, uppercase: true)) on line "
                + "\(bad.line) is not UTF-8)")
        } else {
            chosenEncoding = .utf8
            notes.append(scan.hasByteOrderMark ? "encoding utf-8 (byte-order mark)" : "encoding utf-8")
        }
        let chosenDelimiter: UInt8
        let separatorLine = FileScan.separatorLine(scan.head)
        if let delimiter {
            chosenDelimiter = delimiter
        } else if let named = separatorLine {
            chosenDelimiter = named.delimiter
            notes.insert("delimiter '\(CSVDialect(delimiter: named.delimiter).delimiterName)' (from the 'sep=' line)",
                at: 0)
        } else {
            chosenDelimiter = Self.guessDelimiter(scan.head)
            notes.insert("delimiter '\(CSVDialect(delimiter: chosenDelimiter).delimiterName)'", at: 0)
        }
        let comma: Bool
        if let decimalComma {
            comma = decimalComma
        } else {
            comma = chosenDelimiter == UInt8(ascii: ";")
            notes.append(comma ? "decimal comma (the delimiter is ';')" : "decimal point")
        }
        var dialect = CSVDialect(delimiter: chosenDelimiter, encoding: chosenEncoding, decimalComma: comma)
        dialect.hasSeparatorLine = separatorLine != nil
        return (dialect, notes.isEmpty ? "" : "detected " + notes.joined(separator: ", "))
    }

    /// The candidate whose count outside quotes is the same on the first lines and highest on the header.
    static func guessDelimiter(_ head: [UInt8]) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: ","), 9]
        var counts: [[Int]] = []
        for c in candidates {
            var perRecord: [Int] = []
            var n = 0
            var quoted = false
            var i = 0
            while i < head.count, perRecord.count < 20 {
                let b = head[i]
                if b == 0x22 {
                    quoted.toggle()
                } else if !quoted && b == c {
                    n += 1
                } else if !quoted && (b == 0x0A || b == 0x0D) {
                    if b == 0x0D, i + 1 < head.count, head[i + 1] == 0x0A { i += 1 }
                    perRecord.append(n)
                    n = 0
                }
                i += 1
            }
            // The last record counts only when the head holds it whole.
            if perRecord.isEmpty { perRecord.append(n) }
            counts.append(perRecord)
        }
        func score(_ index: Int) -> (Int, Int) {
            let list = counts[index]
            let header = list.first ?? 0
            let consistent = header > 0 && list.allSatisfy { $0 == header || $0 == 0 }
            return (consistent ? 1 : 0, header)
        }
        let best = candidates.indices.max { score($0) < score($1) } ?? 0
        return score(best).1 > 0 ? candidates[best] : UInt8(ascii: ",")
    }
}

/// One pass over a file: its first 64 KiB, its byte-order mark, and the first byte that is not UTF-8.
struct FileScan {
    /// Excel's `sep=;` first line: the delimiter it names and its length with the line break.
    static func separatorLine(_ head: [UInt8]) -> (delimiter: UInt8, length: Int)? {
        let prefix = Array("sep=".utf8)
        guard head.count >= 5, head[0..<4].map({ $0 | 0x20 }) == prefix else { return nil }
        let delimiter = head[4]
        var length = 5
        if length < head.count, head[length] == 0x0D { length += 1 }
        if length < head.count, head[length] == 0x0A { length += 1 }
        guard length > 5 || head.count == 5, delimiter != 0x0A, delimiter != 0x0D, delimiter != 0x22 else { return nil }
        return (delimiter, length)
    }

    var head: [UInt8] = []
    var hasByteOrderMark = false
    var firstInvalidUTF8: (byte: UInt8, line: Int)?

    init(path: String, displayName: String) throws(SpreadsheetError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SpreadsheetError(file: displayName, message: "cannot open '\(path)': \(String(cString: strerror(errno)))",
                kind: .unreadable)
        }
        defer { close(fd) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var validator = UTF8Validator()
        var first = true
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SpreadsheetError(file: displayName, message: "cannot read: \(String(cString: strerror(errno)))",
                    kind: .unreadable)
            }
            if n == 0 { break }
            var from = 0
            if first {
                first = false
                if n >= 2, (chunk[0] == 0xFF && chunk[1] == 0xFE) || (chunk[0] == 0xFE && chunk[1] == 0xFF) {
                    throw SpreadsheetError(file: displayName, line: 1, message: "the file is UTF-16; save it as "
                        + "'CSV UTF-8' or 'CSV (gescheiden door lijstscheidingsteken)' instead")
                }
                if n >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF {
                    hasByteOrderMark = true
                    from = 3
                }
            }
            if head.count < 1 << 16 { head.append(contentsOf: chunk[from..<min(n, from + (1 << 16) - head.count)]) }
            if firstInvalidUTF8 == nil {
                for i in from..<n {
                    if let bad = validator.feed(chunk[i]) {
                        firstInvalidUTF8 = (bad, validator.line)
                        break
                    }
                }
            }
        }
        if firstInvalidUTF8 == nil, validator.isInsideSequence { firstInvalidUTF8 = (validator.lead, validator.line) }
    }
}

/// Checks UTF-8 a byte at a time (overlong forms and surrogates count as invalid), counting lines.
struct UTF8Validator {
    var line = 1
    private var needed = 0
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    private(set) var lead: UInt8 = 0

    var isInsideSequence: Bool { needed > 0 }

    /// Nil while valid; the offending byte when not.
    mutating func feed(_ b: UInt8) -> UInt8? {
        if needed == 0 {
            if b < 0x80 {
                if b == 0x0A { line += 1 }
                return nil
            }
            lead = b
            lower = 0x80
            upper = 0xBF
            switch b {
            case 0xC2...0xDF: needed = 1
            case 0xE0: needed = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: needed = 2
            case 0xED: needed = 2; upper = 0x9F
            case 0xF0: needed = 3; lower = 0x90
            case 0xF1...0xF3: needed = 3
            case 0xF4: needed = 3; upper = 0x8F
            default: return b
            }
            return nil
        }
        guard b >= lower && b <= upper else { return lead }
        lower = 0x80
        upper = 0xBF
        needed -= 1
        return nil
    }
}
