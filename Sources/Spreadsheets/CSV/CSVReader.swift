import Glibc

/// Reads CSV (RFC 4180) records from a file, streaming, with `read(2)` in big chunks.
///
/// Fields are separated by the dialect's delimiter and may be quoted with `"`; a quoted field holds delimiters,
/// line breaks and doubled quotes (`""` is one `"`). Records end at `\n`, `\r\n` or a lone `\r`. As Excel and
/// Python's `csv` do, a quote inside an unquoted field is an ordinary character, and text right after a closing
/// quote is kept. A byte-order mark at the start is skipped, and Excel's `sep=;` line when the dialect says so. Memory holds one record (at most `maxRecordBytes`),
/// never the file. Not thread-safe.
public final class CSVReader {
    public let dialect: CSVDialect
    /// The line on which the record last returned by `next()` starts (1-based).
    public private(set) var lineNumber = 0
    /// Bytes of input taken up by the records returned so far.
    public private(set) var bytesConsumed = 0
    /// The longest record accepted: an unclosed quote would otherwise take the rest of the file into one field.
    public static let maxRecordBytes = 4 << 20

    private let descriptor: Int32
    private let name: String
    private var buffer: UnsafeMutableRawBufferPointer
    /// Offsets in `buffer`: the first byte not yet consumed, and the end of the bytes read.
    private var start = 0
    private var end = 0
    private var atEnd = false
    /// The line the next record starts on.
    private var nextLine = 1
    /// Field boundaries of the current record: (start, end, isQuoted) as offsets in `buffer`.
    private var ranges: [(start: Int, end: Int, quoted: Bool)] = []
    /// The fields of the last record that were quoted and empty or blank (once a formula guard is off), `""` or `" "`
    /// (an empty or blank string, where an unquoted empty or blank field is absent).
    public private(set) var quotedEmpty: [Int] = []

    /// Opens `path`.
    ///
    /// - Throws: `SpreadsheetError` when the file cannot be opened.
    public init(path: String, displayName: String? = nil, dialect: CSVDialect) throws(SpreadsheetError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        let name = displayName ?? path
        guard fd >= 0 else {
            throw SpreadsheetError(file: name, message: "cannot open '\(path)': \(String(cString: strerror(errno)))",
                kind: .unreadable)
        }
        descriptor = fd
        self.name = name
        self.dialect = dialect
        buffer = .allocate(byteCount: 1 << 20, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// Stops reading; the descriptor is closed when the reader is released.
    public func close() {
        atEnd = true
    }

    /// The next record's fields, decoded, or nil at the end of the file. `lineNumber` is its first line.
    ///
    /// - Throws: `SpreadsheetError` for a read error, a record longer than `maxRecordBytes` or a quote that is
    ///   never closed. A field that is not valid text in the dialect's encoding comes back empty with its index in
    ///   `invalid` instead, so the caller can report it and go on with the next record.
    public func next(invalid: inout [Int]) throws(SpreadsheetError) -> [String]? {
        invalid.removeAll()
        quotedEmpty.removeAll(keepingCapacity: true)
        while true {
            if let consumed = try scanRecord() {
                var fields: [String] = []
                fields.reserveCapacity(ranges.count)
                for (index, range) in ranges.enumerated() {
                    if let text = decode(range) {
                        if range.quoted && CellValue.isBlank(FormulaGuard.unguarded(text)) { quotedEmpty.append(index) }
                        fields.append(text)
                    } else {
                        fields.append("")
                        invalid.append(index)
                    }
                }
                bytesConsumed += consumed
                return fields
            }
            if atEnd && start >= end { return nil }
        }
    }

    // MARK: - Scanning

    /// Splits the record at `start` into `ranges` and consumes it; nil when more input is needed (read then) or at
    /// the end. Returns the bytes consumed.
    private func scanRecord() throws(SpreadsheetError) -> Int? {
        if nextLine == 1 && start == 0 && end == 0 && !atEnd {
            try fill()
            if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
                start = 3
                bytesConsumed = 3
            }
            if dialect.hasSeparatorLine {
                let head = Array(UnsafeRawBufferPointer(rebasing: buffer[start..<min(end, start + 8)]))
                if let line = FileScan.separatorLine(head) {
                    start += line.length
                    bytesConsumed += line.length
                    nextLine = 2
                }
            }
        }
        let delimiter = dialect.delimiter
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        ranges.removeAll(keepingCapacity: true)
        var i = start
        var lines = 0
        var fieldStart = i
        var quoted = false
        while true {
            if i >= end {
                // The record runs past what has been read.
                if atEnd {
                    if quoted && fieldStart < end {
                        throw SpreadsheetError(file: name, line: nextLine,
                            message: "a quoted field starting on this line is never closed (a missing '\"'?)")
                    }
                    if i == start { return nil }
                    ranges.append((fieldStart, i, quoted))
                    return finish(at: i, lines: lines)
                }
                try more()
                return nil
            }
            let b = base[i]
            if quoted {
                // Inside quotes: find the closing quote.
                if b == 0x22 {
                    if i + 1 >= end && !atEnd { try more(); return nil }
                    if i + 1 < end && base[i + 1] == 0x22 {
                        i += 2
                        continue
                    }
                    quoted = false
                    // The field's text runs on to the delimiter (text after a closing quote is kept).
                    i += 1
                    ranges.append((fieldStart, i, true))
                    // Mark that the last range is open until the delimiter.
                    while i < end, base[i] != delimiter, base[i] != 0x0A, base[i] != 0x0D { i += 1 }
                    ranges[ranges.count - 1].end = i
                    if i >= end && !atEnd { try more(); return nil }
                    if i >= end { return finish(at: i, lines: lines) }
                    if base[i] == delimiter {
                        i += 1
                        fieldStart = i
                        if i >= end && atEnd { ranges.append((i, i, false)); return finish(at: i, lines: lines) }
                        continue
                    }
                    return try lineEnd(at: i, lines: lines)
                }
                if b == 0x0A { lines += 1 } else if b == 0x0D, i + 1 < end, base[i + 1] != 0x0A { lines += 1 }
                i += 1
                continue
            }
            if b == delimiter {
                ranges.append((fieldStart, i, false))
                i += 1
                fieldStart = i
                continue
            }
            if b == 0x0A || b == 0x0D {
                ranges.append((fieldStart, i, false))
                return try lineEnd(at: i, lines: lines)
            }
            if b == 0x22 && i == fieldStart {
                quoted = true
                i += 1
                continue
            }
            i += 1
        }
    }

    /// The record ends at the line break at `i`.
    private func lineEnd(at i: Int, lines: Int) throws(SpreadsheetError) -> Int? {
        var j = i
        if buffer[j] == 0x0D {
            if j + 1 >= end && !atEnd { try more(); return nil }
            j += 1
            if j < end && buffer[j] == 0x0A { j += 1 }
        } else {
            j += 1
        }
        return finish(at: j, lines: lines + 1)
    }

    private func finish(at i: Int, lines: Int) -> Int {
        let consumed = i - start
        lineNumber = nextLine
        nextLine += lines
        start = i
        return consumed
    }

    /// Keeps the unfinished record and reads more input after it.
    private func more() throws(SpreadsheetError) {
        ranges.removeAll(keepingCapacity: true)
        if start > 0 {
            let kept = end - start
            if kept > 0, let base = buffer.baseAddress { memmove(base, base + start, kept) }
            end = kept
            start = 0
        }
        if end == buffer.count {
            guard buffer.count < Self.maxRecordBytes else {
                throw SpreadsheetError(file: name, line: nextLine,
                    message: "the record starting on this line is longer than \(Self.maxRecordBytes >> 20) MiB "
                        + "(a quoted field that is never closed?)")
            }
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            if let to = bigger.baseAddress, let from = buffer.baseAddress { memcpy(to, from, end) }
            buffer.deallocate()
            buffer = bigger
        }
        try fill()
    }

    private func fill() throws(SpreadsheetError) {
        guard let base = buffer.baseAddress else { return }
        while true {
            let n = read(descriptor, base + end, buffer.count - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw SpreadsheetError(file: name, message: "cannot read: \(String(cString: strerror(errno)))",
                    kind: .unreadable)
            }
            if n == 0 { atEnd = true }
            end += n
            return
        }
    }

    // MARK: - Decoding

    private func decode(_ range: (start: Int, end: Int, quoted: Bool)) -> String? {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[range.start..<range.end])
        guard range.quoted else { return dialect.encoding.decode(bytes) }
        // "a""b"c → a"bc: drop the opening quote, undouble quotes up to the closing one, keep what follows.
        var unquoted: [UInt8] = []
        unquoted.reserveCapacity(bytes.count)
        var i = 1
        var inside = true
        while i < bytes.count {
            let b = bytes[i]
            if inside && b == 0x22 {
                if i + 1 < bytes.count && bytes[i + 1] == 0x22 {
                    unquoted.append(0x22)
                    i += 2
                    continue
                }
                inside = false
                i += 1
                continue
            }
            unquoted.append(b)
            i += 1
        }
        return unquoted.withUnsafeBytes { dialect.encoding.decode($0) }
    }
}
