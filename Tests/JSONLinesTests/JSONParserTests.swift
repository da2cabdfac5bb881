import JSONLines
import Testing

struct JSONParserTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .int(0)),
        ("42", .int(42)),
        ("-7", .int(-7)),
        ("\"\"", .string("")),
        ("\"hello\"", .string("hello")),
        ("[]", .array([])),
        ("{}", .object(JSONObject())),
        ("[1,\"a\",null,true,false,1.5]", .array([.int(1), .string("a"), .null, .bool(true), .bool(false), .float(1.5)])),
        ("{\"a\":1,\"b\":[true,null]}", .object(JSONObject([("a", .int(1)), ("b", .array([.bool(true), .null]))]))),
        (" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n ", .object(JSONObject([("a", .array([.int(1), .int(2)])), ("b", .object(JSONObject()))]))),
        ("[[[]],[{}]]", .array([.array([.array([])]), .array([.object(JSONObject())])])),
    ])
    func valueKinds(text: String, expected: JSONValue) throws {
        #expect(try parseText(text).get() == expected)
    }

    @Test(arguments: [
        ("0", JSONValue.int(0)),
        ("-0", .int(0)),
        ("-0.0", .float(-0.0)),
        ("0.0", .float(0.0)),
        ("1", .int(1)),
        ("1.0", .float(1.0)),
        ("1e2", .float(100)),
        ("1E2", .float(100)),
        ("1e+2", .float(100)),
        ("1e-2", .float(0.01)),
        ("1.5E+3", .float(1500)),
        ("-2.5e-7", .float(-2.5e-7)),
        ("0.1", .float(0.1)),
        ("123456.789", .float(123456.789)),
        ("0e500", .float(0)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808.0", .float(9223372036854775808.0)),
        ("123456789012345678901234567890.5", .float(1.2345678901234568e29)),
        ("2.2250738585072011e-308", .float(Double(bitPattern: 0x000F_FFFF_FFFF_FFFF))),
        ("4.9406564584124654e-324", .float(.leastNonzeroMagnitude)),
        ("5e-324", .float(.leastNonzeroMagnitude)),
        ("1.7976931348623157e308", .float(1.7976931348623157e308)),
        ("1e400", .float(.infinity)),
        ("-1e400", .float(-.infinity)),
        ("1e-400", .float(0)),
        ("NaN", .float(.nan)),
        ("Infinity", .float(.infinity)),
        ("-Infinity", .float(-.infinity)),
        ("[NaN,Infinity,-Infinity]", .array([.float(.nan), .float(.infinity), .float(-.infinity)])),
    ])
    func numbers(text: String, expected: JSONValue) throws {
        #expect(try parseText(text).get() == expected)
    }

    @Test func integerAndFloatStayApart() throws {
        #expect(try parseText("1").get() != parseText("1.0").get())
        #expect(try parseText("-0").get() != parseText("-0.0").get())
        #expect(try parseText("0.0").get() != parseText("-0.0").get())
    }

    @Test func floatsMatchTheStandardLibrary() throws {
        // A deterministic spread of bit patterns: shortest forms must read back exactly.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let value = Double(bitPattern: state)
            guard value.isFinite else { continue }
            let text = value.description
            #expect(try parseText(text).get() == .float(value), "\(text)")
        }
        // Decimal texts with few digits and small exponents (the fast path) and long ones.
        for index in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let digits = String(state % (index % 2 == 0 ? 1_000_000_000_000_000 : UInt64.max))
            let exponent = Int(truncatingIfNeeded: (state >> 40) % 61) - 30
            let text = "\(digits.prefix(1)).\(digits.dropFirst())1e\(exponent)"
            let expected = try #require(Double(text))
            #expect(try parseText(text).get() == .float(expected), "\(text)")
        }
    }

    @Test(arguments: [
        ("\"a\\\"b\"", "a\"b"),
        ("\"\\\\\"", "\\"),
        ("\"\\/\"", "/"),
        ("\"\\b\\f\\n\\r\\t\"", "\u{08}\u{0C}\n\r\t"),
        ("\"\\u0041\\u00e9\\u4E2D\"", "Aé中"),
        ("\"\\u0000\"", "\u{0}"),
        ("\"\\ud83d\\ude00\"", "😀"),
        ("\"x\\uD834\\uDD1Ey\"", "x𝄞y"),
        ("\"caf\u{e9} \\n 😀 long enough to use the word loop\"", "caf\u{e9} \n 😀 long enough to use the word loop"),
        ("\"Zoë & 中文 & 😀\"", "Zoë & 中文 & 😀"),
        ("\"abcdefghijklmnopqrstuvwxyz0123456789\"", "abcdefghijklmnopqrstuvwxyz0123456789"),
        ("\"\u{7F}\"", "\u{7F}"),
    ])
    func strings(text: String, expected: String) throws {
        #expect(try parseText(text).get() == .string(expected))
    }

    @Test func escapedKeys() throws {
        let value = try parseText(#"{"\u0069d":1,"n\u00e4me":"x"}"#).get()
        #expect(value == .object(JSONObject([("id", .int(1)), ("näme", .string("x"))])))
    }

    @Test func typicalImportLine() throws {
        let line = #"{"kind":"ci","id":"vm-000123","class":"VirtualServer","name":"vm-000123","status":"live","attrs":{"os":"Ubuntu 24.04","cpu":4,"memory_gb":16,"location":"AMS1","owner":"platform-team","criticality":2}}"#
        let value = try parseText(line).get()
        guard case .object(let object) = value else {
            Issue.record("not an object")
            return
        }
        #expect(object.members.map(\.key) == ["kind", "id", "class", "name", "status", "attrs"])
        #expect(object["id"] == .string("vm-000123"))
        #expect(object["missing"] == nil)
        #expect(object["attrs"]?.objectValue?["cpu"] == .int(4))
        #expect(object["attrs"]?.objectValue?["os"] == .string("Ubuntu 24.04"))
        #expect(written(value) == line)
    }

    @Test func largeObjectsAndArrays() throws {
        let keys = (0..<1000).map { "key\($0)" }
        let text = "{" + keys.map { "\"\($0)\":[\($0.count),\"\($0)\"]" }.joined(separator: ",") + "}"
        guard case .object(let object) = try parseText(text).get() else {
            Issue.record("not an object")
            return
        }
        #expect(object.members.map(\.key) == keys)
        #expect(object["key999"] == .array([.int(6), .string("key999")]))
        let array = try parseText("[" + (0..<5000).map(String.init).joined(separator: ",") + "]").get()
        #expect(array == .array((0..<5000).map { .int(Int64($0)) }))
    }

    @Test func maximumDepthParses() throws {
        let depth = JSONParser.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var expected = JSONValue.array([])
        for _ in 1..<depth { expected = .array([expected]) }
        #expect(try parseText(text).get() == expected)
    }

    @Test func objectEquality() {
        let a = JSONObject([("a", .int(1)), ("b", .int(2))])
        let b = JSONObject([("b", .int(2)), ("a", .int(1))])
        #expect(a != b)
        #expect(a == JSONObject([("a", .int(1)), ("b", .int(2))]))
        #expect(JSONValue.float(.nan) == .float(.nan))
        #expect(JSONValue.float(0.0) != .float(-0.0))
        #expect(JSONValue.int(1) != .float(1))
        #expect(JSONObject([("k", .null), ("k", .int(1))])["k"] == .null)
    }
}
