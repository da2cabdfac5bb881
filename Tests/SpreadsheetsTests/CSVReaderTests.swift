import Foundation
import Testing

@testable import Spreadsheets

/// Writes `bytes` to a temporary file and reads every record back.
private func records(_ bytes: [UInt8], delimiter: String = ";", encoding: TextEncoding = .utf8) throws -> [[String]] {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let reader = try CSVReader(path: path, dialect: CSVDialect(delimiter: UInt8(ascii: Unicode.Scalar(delimiter)!),
        encoding: encoding))
    var invalid: [Int] = []
    var out: [[String]] = []
    while let r = try reader.next(invalid: &invalid) { out.append(r) }
    return out
}

private func records(_ text: String, delimiter: String = ";") throws -> [[String]] {
    try records(Array(text.utf8), delimiter: delimiter)
}

struct CSVReaderTests {
    @Test("plain fields, empty fields, a trailing delimiter, no newline at the end")
    func plain() throws {
        #expect(try records("a;b;c\n1;;3\n;x;") == [["a", "b", "c"], ["1", "", "3"], ["", "x", ""]])
    }

    @Test("quoted fields hold delimiters, doubled quotes and line breaks (RFC 4180)")
    func quoted() throws {
        let text = "id;opmerking\r\n1;\"a;b\"\r\n2;\"zei \"\"ja\"\"\"\r\n3;\"regel 1\r\nregel 2\nregel 3\"\r\n4;\"\"\r\n"
        #expect(try records(text) == [["id", "opmerking"], ["1", "a;b"], ["2", "zei \"ja\""],
            ["3", "regel 1\r\nregel 2\nregel 3"], ["4", ""]])
    }

    @Test("line numbers are where each record starts, counting line breaks inside quotes")
    func lineNumbers() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
        try Data("h\r\n\"a\nb\nc\"\r\nx\ry\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path, dialect: CSVDialect())
        var invalid: [Int] = []
        var lines: [Int] = []
        while try reader.next(invalid: &invalid) != nil { lines.append(reader.lineNumber) }
        #expect(lines == [1, 2, 5, 6], "CRLF, LF and a lone CR each end a line")
    }

    @Test("CRLF, LF and lone CR line endings")
    func lineEndings() throws {
        #expect(try records("a;b\r\nc;d\ne;f\rg;h") == [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]])
    }

    @Test("a UTF-8 byte-order mark is skipped")
    func byteOrderMark() throws {
        #expect(try records([0xEF, 0xBB, 0xBF] + Array("naam;x\n".utf8)) == [["naam", "x"]])
    }

    @Test("Windows-1252 bytes decode to their characters, 0x80-0x9F by the code page")
    func windows1252() throws {
        // "Coördinator;€ 25;’t" in Windows-1252.
        let bytes: [UInt8] = Array("Co".utf8) + [0xF6] + Array("rdinator;".utf8) + [0x80] + Array(" 25;".utf8) + [0x92]
            + Array("t\r\n".utf8)
        #expect(try records(bytes, encoding: .windows1252) == [["Coördinator", "€ 25", "’t"]])
    }

    @Test("bytes that are not UTF-8 are reported per field, and the record still comes")
    func invalidUTF8() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
        try Data(Array("ok;".utf8) + [0xE9] + Array("\n".utf8)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path, dialect: CSVDialect(encoding: .utf8))
        var invalid: [Int] = []
        let record = try reader.next(invalid: &invalid)
        #expect(record == ["ok", ""])
        #expect(invalid == [1])
    }

    @Test("a quote inside an unquoted field and text after a closing quote are kept (as Excel does)")
    func lenientQuotes() throws {
        #expect(try records("5\" scherm;\"a\"b\n") == [["5\" scherm", "ab"]])
    }

    @Test("a quote that is never closed is an error naming the line it opened on")
    func unclosedQuote() throws {
        #expect {
            _ = try records("a;b\n1;\"open\n2;3\n")
        } throws: { error in
            guard let e = error as? SpreadsheetError else { return false }
            return e.line == 2 && e.message.contains("never closed")
        }
    }

    @Test("records longer than the read buffer are read whole")
    func longRecords() throws {
        let long = String(repeating: "x", count: 3 << 20)
        let text = "a;b\n1;\"\(long);\n\"\n2;y\n"
        let got = try records(text)
        #expect(got.count == 3)
        #expect(got[1][1].count == long.count + 2)
        #expect(got[2] == ["2", "y"])
    }

    @Test("a tab delimiter")
    func tabs() throws {
        #expect(try records("a\tb\n1\t2\n", delimiter: "\t") == [["a", "b"], ["1", "2"]])
    }
}

struct DialectDetectionTests {
    @Test("the delimiter is the candidate that occurs most in the header and as often on the lines after it")
    func delimiter() {
        #expect(CSVDialect.guessDelimiter(Array("a;b;c\n1;2,5;3\n".utf8)) == UInt8(ascii: ";"))
        #expect(CSVDialect.guessDelimiter(Array("a,b,c\n1,\"2;5\",3\n".utf8)) == UInt8(ascii: ","))
        #expect(CSVDialect.guessDelimiter(Array("a\tb\n1\t2\n".utf8)) == 9)
        #expect(CSVDialect.guessDelimiter(Array("\"x;y\",b\n1,2\n".utf8)) == UInt8(ascii: ","),
            "delimiters inside quotes do not count")
        #expect(CSVDialect.guessDelimiter(Array("alleen\n1\n".utf8)) == UInt8(ascii: ","), "one column")
    }

    @Test("the UTF-8 check finds the first byte that is not UTF-8, with its line")
    func utf8Validation() {
        var v = UTF8Validator()
        var bad: UInt8?
        for b in Array("ok\nnog é\n".utf8) + [0xE9, 0x20] where bad == nil { bad = v.feed(b) }
        #expect(bad == 0xE9)
        #expect(v.line == 3)
        var overlong = UTF8Validator()
        #expect(overlong.feed(0xC0) == 0xC0, "overlong forms are not UTF-8")
    }

    @Test("Excel's 'sep=;' first line names the delimiter and is skipped; the header is line 2")
    func separatorLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
        try Data(([0xEF, 0xBB, 0xBF] as [UInt8]) + Array("sep=;\r\nnaam;prijs\r\na,b;1,5\r\n".utf8))
            .write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (dialect, note) = try CSVDialect.detect(path: path, displayName: "x.csv", delimiter: nil, encoding: nil,
            decimalComma: nil)
        #expect(dialect.delimiter == UInt8(ascii: ";") && dialect.hasSeparatorLine && dialect.decimalComma)
        #expect(note.contains("delimiter ';' (from the 'sep=' line)"), "\(note)")
        let reader = try CSVReader(path: path, dialect: dialect)
        var invalid: [Int] = []
        var got: [[String]] = []
        var lines: [Int] = []
        while let r = try reader.next(invalid: &invalid) {
            got.append(r)
            lines.append(reader.lineNumber)
        }
        #expect(got == [["naam", "prijs"], ["a,b", "1,5"]])
        #expect(lines == [2, 3])
    }
}

