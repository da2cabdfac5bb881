import JSONLines
import Testing

/// One input that must fail, with the expected message, byte offset and column.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    let input: [UInt8]
    let message: String
    let offset: Int
    let column: Int

    init(_ text: String, _ message: String, at offset: Int, column: Int? = nil) {
        self.init(bytes: Array(text.utf8), message, at: offset, column: column)
    }

    init(bytes: [UInt8], _ message: String, at offset: Int, column: Int? = nil) {
        self.input = bytes
        self.message = message
        self.offset = offset
        self.column = column ?? offset + 1
    }

    var testDescription: String { String(decoding: input, as: UTF8.self) }
}

struct JSONParserErrorTests {
    static let cases: [ErrorCase] = [
        // End of input.
        ErrorCase("", "unexpected end of input", at: 0),
        ErrorCase("   ", "unexpected end of input", at: 3),
        ErrorCase("[1,", "unexpected end of input", at: 3),
        ErrorCase("[1", "unexpected end of input", at: 2),
        ErrorCase("{\"a\":", "unexpected end of input", at: 5),
        ErrorCase("{\"a\"", "unexpected end of input", at: 4),
        ErrorCase("{", "unexpected end of input", at: 1),
        ErrorCase("tru", "unexpected end of input", at: 3),
        // Structure.
        ErrorCase("{\"a\":1 \"b\":2}", "expected ',' or '}' after object member", at: 7),
        ErrorCase("[1 2]", "expected ',' or ']' after array element", at: 3),
        ErrorCase("{\"a\" 1}", "expected ':' after object key", at: 5),
        ErrorCase("{1:2}", "expected string key or '}'", at: 1),
        ErrorCase("{\"a\":1,}", "expected string key after ','", at: 7),
        ErrorCase("[1,]", "unexpected character ']'", at: 3),
        ErrorCase("x", "unexpected character 'x'", at: 0),
        ErrorCase("[.5]", "unexpected character '.'", at: 1),
        ErrorCase("+1", "unexpected character '+'", at: 0),
        ErrorCase("'a'", "unexpected character '''", at: 0),
        ErrorCase("1 x", "unexpected 'x' after the value", at: 2),
        ErrorCase("{}}", "unexpected '}' after the value", at: 2),
        ErrorCase("\"a\" \"b\"", "unexpected '\"' after the value", at: 4),
        // Literals.
        ErrorCase("trux", "invalid literal 'trux'", at: 0),
        ErrorCase("[nan]", "invalid literal 'nan'", at: 1),
        ErrorCase("truex", "invalid literal 'truex'", at: 0),
        ErrorCase("NaNa", "invalid literal 'NaNa'", at: 0),
        ErrorCase("-Inf", "unexpected end of input", at: 4),
        // Numbers.
        ErrorCase("01", "invalid number '01'", at: 0),
        ErrorCase("-01", "invalid number '-01'", at: 0),
        ErrorCase("1.", "invalid number '1.'", at: 0),
        ErrorCase("[1.e5]", "invalid number '1.e5'", at: 1),
        ErrorCase("1e", "invalid number '1e'", at: 0),
        ErrorCase("1e+", "invalid number '1e+'", at: 0),
        ErrorCase("-", "invalid number '-'", at: 0),
        ErrorCase("-x", "invalid number '-'", at: 0),
        ErrorCase("9223372036854775808", "integer out of range", at: 0),
        ErrorCase("-9223372036854775809", "integer out of range", at: 0),
        ErrorCase("[1,123456789012345678901]", "integer out of range", at: 3),
        // Strings.
        ErrorCase("\"abc", "unterminated string", at: 0),
        ErrorCase("[\"abcdefghijklmnop", "unterminated string", at: 1),
        ErrorCase("\"ab\\", "unterminated string", at: 0),
        ErrorCase("\"\\u12", "unterminated string", at: 0),
        ErrorCase("\"a\\qb\"", "invalid escape '\\q'", at: 2),
        ErrorCase("\"\\u12G4\"", "invalid unicode escape '\\u12G4'", at: 1),
        ErrorCase("\"\\ud800\"", "unpaired surrogate '\\ud800'", at: 1),
        ErrorCase("\"\\udc00\"", "unpaired surrogate '\\udc00'", at: 1),
        ErrorCase("\"\\ud800\\u0041\"", "unpaired surrogate '\\ud800'", at: 1),
        ErrorCase("\"x\\ud800\\n\"", "unpaired surrogate '\\ud800'", at: 2),
        ErrorCase("\"a\u{01}\"", "unescaped control character '\\u0001' in string", at: 2),
        ErrorCase("\"abcdefghij\nk\"", "unescaped control character '\\u000a' in string", at: 11),
        ErrorCase("\"a\\n\tb\"", "unescaped control character '\\u0009' in string", at: 4),
        ErrorCase(bytes: [0x22, 0x61, 0xFF, 0x22], "invalid UTF-8", at: 2),
        ErrorCase(bytes: [0x22, 0xC0, 0x80, 0x22], "invalid UTF-8", at: 1),
        ErrorCase(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8", at: 1),
        ErrorCase(bytes: [0x22, 0xE2, 0x82, 0x22], "invalid UTF-8", at: 1),
        ErrorCase(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8", at: 1),
        ErrorCase(bytes: Array("\"abcdefghij".utf8) + [0x80] + Array("klmnopqrstu\"".utf8), "invalid UTF-8", at: 11),
        ErrorCase(bytes: Array("\"a\\n".utf8) + [0xC3] + Array("\"".utf8), "invalid UTF-8", at: 4),
        // Duplicate keys.
        ErrorCase("{\"id\":1,\"id\":2}", "duplicate key 'id'", at: 8),
        ErrorCase("{\"a\":{\"b\":1,\"c\":2},\"b\":3,\"a\":4}", "duplicate key 'a'", at: 25),
        ErrorCase("{\"id\":1,\"\\u0069d\":2}", "duplicate key 'id'", at: 8),
        // Non-ASCII before the error: the column counts scalars, not bytes.
        ErrorCase("{\"naam\":\"Zoë\",\"x\":1 \"y\":2}", "expected ',' or '}' after object member", at: 21, column: 21),
        ErrorCase("[\"😀\", x]", "unexpected character 'x'", at: 9, column: 7),
        ErrorCase("[\"中文\",é]", "unexpected character 'é'", at: 10, column: 7),
        // Nesting.
        ErrorCase(String(repeating: "[", count: 257) + String(repeating: "]", count: 257), "nesting too deep", at: 256),
        ErrorCase(String(repeating: "{\"a\":", count: 300), "nesting too deep", at: 256 * 5),
    ]

    @Test(arguments: JSONParserErrorTests.cases)
    func error(_ errorCase: ErrorCase) {
        switch parseBytes(errorCase.input) {
        case .success(let value):
            Issue.record("parsed as \(value)")
        case .failure(let error):
            #expect(error.message == errorCase.message)
            #expect(error.byteOffset == errorCase.offset)
            let column = errorCase.input.withUnsafeBytes { error.column(in: $0) }
            #expect(column == errorCase.column)
        }
    }

    @Test func deepNestingFailsWithoutCrashing() {
        let arrays = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(parseBytes(arrays) == .failure(JSONSyntaxError(message: "nesting too deep", byteOffset: 256)))
        let objects = Array(String(repeating: "{\"k\":", count: 100_000).utf8)
        #expect(parseBytes(objects) == .failure(JSONSyntaxError(message: "nesting too deep", byteOffset: 256 * 5)))
    }

    @Test func duplicateKeysInLargeObjects() {
        let keys = (0..<200).map { "\"member\($0)\":\($0)" }
        let unique = "{" + keys.joined(separator: ",") + "}"
        #expect((try? parseText(unique).get()) != nil)
        let duplicate = "{" + keys.joined(separator: ",") + ",\"member150\":0}"
        let offset = duplicate.utf8.count - "\"member150\":0}".utf8.count
        #expect(parseText(duplicate) == .failure(JSONSyntaxError(message: "duplicate key 'member150'", byteOffset: offset)))
    }

    @Test func stringInputReportsUTF8Offsets() throws {
        let text = "{\"città\":tru}"
        let error = try #require(parseText(text).failureValue)
        #expect(error.message == "invalid literal 'tru'")
        #expect(error.byteOffset == 10)
        #expect(error.column(in: text) == 10)
        #expect(error.description == "invalid literal 'tru' at byte 10")
    }
}

extension Result {
    /// The error of a failure, or nil.
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
