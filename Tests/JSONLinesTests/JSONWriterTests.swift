import JSONLines
import Testing

struct JSONWriterTests {
    @Test func compactOutput() {
        let value = JSONValue.object(JSONObject([
            ("a", .int(1)),
            ("b", .array([.bool(true), .null])),
            ("c", .object(JSONObject())),
            ("d", .array([])),
            ("e", .bool(false)),
        ]))
        #expect(written(value) == #"{"a":1,"b":[true,null],"c":{},"d":[],"e":false}"#)
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("", #""""#),
        ("a\"b", #""a\"b""#),
        ("back\\slash", #""back\\slash""#),
        ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#),
        ("\u{0}\u{01}\u{1F}", #""\u0000\u0001\u001f""#),
        ("/ and \u{7F}", "\"/ and \u{7F}\""),
        ("Zoë 中文 😀", "\"Zoë 中文 😀\""),
        (String(repeating: "x", count: 70) + "\n", "\"" + String(repeating: "x", count: 70) + "\\n\""),
        (String(repeating: "é\"", count: 40), "\"" + String(repeating: "é\\\"", count: 40) + "\""),
    ])
    func stringEscaping(text: String, expected: String) {
        var writer = JSONWriter()
        writer.writeString(text)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
        #expect(written(.string(text)) == expected)
    }

    @Test(arguments: [
        (1.0, "1.0"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (-5.0, "-5.0"),
        (123.0, "123.0"),
        (1.5, "1.5"),
        (0.1, "0.1"),
        (1e-5, "1e-05"),
        (1e15, "1000000000000000.0"),
        (9007199254740992.0, "9007199254740992.0"),
        (1e16, "1e+16"),
        (1e300, "1e+300"),
        (Double.leastNonzeroMagnitude, "5e-324"),
        (-2.5e-7, "-2.5e-07"),
        (Double.nan, "NaN"),
        (Double.infinity, "Infinity"),
        (-Double.infinity, "-Infinity"),
    ])
    func doubleFormatting(value: Double, expected: String) {
        var writer = JSONWriter()
        writer.writeDouble(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    @Test(arguments: [
        (Int64(0), "0"),
        (9, "9"),
        (10, "10"),
        (-1, "-1"),
        (1_234_567_890, "1234567890"),
        (Int64.max, "9223372036854775807"),
        (Int64.min, "-9223372036854775808"),
    ])
    func integers(value: Int64, expected: String) {
        var writer = JSONWriter()
        writer.writeInt(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    static let roundTripValues: [JSONValue] = [
        .null, .bool(true), .bool(false),
        .int(0), .int(-1), .int(Int64.max), .int(Int64.min),
        .float(0.0), .float(-0.0), .float(1.0), .float(0.1), .float(1e300), .float(.leastNonzeroMagnitude),
        .float(2.2250738585072014e-308), .float(.greatestFiniteMagnitude), .float(1e16), .float(123456.789),
        .float(.nan), .float(.infinity), .float(-.infinity),
        .string(""), .string("héllo wörld"), .string("emoji 😀 and 中文"),
        .string("quote \" backslash \\ newline \n tab \t control \u{01} del \u{7F}"),
        .string(String(repeating: "long string ", count: 200)),
        .array([]), .array([.int(1), .float(1), .string("1")]),
        .object(JSONObject()),
        .object(JSONObject([
            ("id", .string("vm-1")),
            ("attrs", .object(JSONObject([("tags", .array([.string("a"), .null])), ("ratio", .float(0.25))]))),
            ("ünïcode kéy", .array([.array([.object(JSONObject([("x", .float(-.nan))]))])])),
        ])),
    ]

    @Test(arguments: JSONWriterTests.roundTripValues)
    func roundTrip(value: JSONValue) throws {
        var writer = JSONWriter()
        writer.write(value)
        let parsed = try parseBytes(writer.bytes).get()
        #expect(parsed == value)
    }

    @Test func largeOutputCrossesChunks() throws {
        let elements = (0..<5000).map { JSONValue.string("element \($0) with \"quotes\" and é") }
        let big = JSONValue.object(JSONObject([("big", .array(elements)), ("blob", .string(String(repeating: "z", count: 5000)))]))
        var writer = JSONWriter(capacity: 16)
        writer.write(big)
        #expect(try parseBytes(writer.bytes).get() == big)
    }

    @Test func rawWritesAndReuse() {
        var writer = JSONWriter()
        writer.writeRaw("{\"n\":")
        writer.writeInt(5)
        writer.writeRaw(String(",\"s\":"))
        writer.writeString("x")
        writer.writeByte(UInt8(ascii: "}"))
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"n":5,"s":"x"}"#)
        writer.removeAll()
        #expect(writer.bytes.isEmpty)
        writer.write(.array([.int(1)]))
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[1]")
    }
}
