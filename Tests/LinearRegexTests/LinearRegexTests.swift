import Testing

@testable import LinearRegex

/// The linear-time engine against Swift's own (backtracking) Regex on a table of patterns and inputs, the
/// pathological cases that make backtracking engines take exponential time, and the refusals.
struct LinearRegexTests {
    /// Patterns in the syntax both engines read the same way, each tried on every input below.
    static let patterns: [String] = [
        "abc", "a.c", "a*", "a+b", "a?b", "(ab)*", "(?:ab)+c", "a|b|cd", "(a|ab)(c|bcd)(d*)", "[a-c]+", "[^a-c]+",
        "[a-zA-Z_][a-zA-Z0-9_]*", "\\d+", "\\d{3}-\\d{2,4}", "\\w+@\\w+\\.com", "\\s*x\\s*", "\\D\\W\\S", "a{2}",
        "a{2,}", "a{0,3}b", "(a+)+", "(a*)*b", "(a|aa)+$", "^abc$", ".*", ".+c", "[.]", "\\.", "x(?i)abc",
        "(?i)[a-c]+", "(?i:ab)c", "[-a]+", "[a-]+", "[\\d.]+", "a*?b", "(a+?)c", "\\bab\\b", "a\\Bb",
        "srv-[a-z]+\\d{2}", "(?s)a.b", "(foo|foobar)baz", "(x?)*y", "[\\w-]+", "\\Qa.b\\E", "\\x41\\u0042",
    ]

    static let inputs: [String] = [
        "", "a", "b", "ab", "abc", "aBc", "ABC", "abab", "ababc", "aa", "aaa", "aaab", "ac", "axc", "a\nc", "a\nb",
        "abcd", "abcbcd", "123", "123-45", "123-4567", "12-34", "joe@example.com", " x ", "x", "1!a", "xabc",
        "xABC", "-a-", "1.5", "ab ab", "srv-dc01", "srv-DC01", "foobarbaz", "foobaz", "y", "xxy", "a-b_c", "a.b",
        "AB", "é", "aaaaaaaaaaaaaaaaaaaaaaaa!",
    ]

    @Test("answers as Swift's Regex does (whole match) on every pattern and input of the table")
    func agreesWithSwiftRegex() throws {
        var compared = 0
        for pattern in Self.patterns {
            let ours = try LinearRegex(pattern)
            // (?DSW): ASCII-only \\d, \\s and \\w, as Java has them without its Unicode flag.
            let theirs = try Regex("(?DSW)" + pattern)
            for input in Self.inputs {
                // Swift's backtracking takes exponentially long on these; their answers are checked below.
                if input.hasSuffix("!") && pattern.contains(")+") || pattern.contains(")*") && input.count > 20 {
                    continue
                }
                let expected = (try? theirs.wholeMatch(in: input)) != nil
                #expect(ours.wholeMatch(input) == expected, "'\(input)' =~ '\(pattern)'")
                compared += 1
            }
        }
        #expect(compared > 1500)
    }

    @Test(
        "patterns that make backtracking exponential answer at once, and rightly",
        arguments: [
            ("(a+)+$", String(repeating: "a", count: 20) + "!", false),
            ("(a+)+$", String(repeating: "a", count: 5000), true),
            ("(a|aa)+b", String(repeating: "a", count: 5000), false),
            ("(a*)*b", String(repeating: "a", count: 10000), false),
            ("(x+x+)+y", String(repeating: "x", count: 5000), false),
            ("(.*a){12}", String(repeating: "a", count: 2000), true),
            ("(\\w+\\s?)+$", String(repeating: "word ", count: 1000) + "!", false),
        ])
    func pathological(pattern: String, input: String, expected: Bool) throws {
        #expect(try LinearRegex(pattern).wholeMatch(input) == expected)
    }

    @Test("flags: (?i) folds case beyond ASCII, (?s) lets '.' match newlines, (?m) anchors at lines")
    func flags() throws {
        #expect(try LinearRegex("(?i)straße").wholeMatch("STRAßE"))
        #expect(try LinearRegex("(?i)ÉCOLE").wholeMatch("école"))
        #expect(try !LinearRegex("a.b").wholeMatch("a\nb"))
        #expect(try LinearRegex("(?s)a.b").wholeMatch("a\nb"))
        #expect(try LinearRegex("(?m)a$\\n^b").wholeMatch("a\nb"))
        #expect(try !LinearRegex("a$\\n^b").wholeMatch("a\nb"))
        #expect(try LinearRegex("(?i)a(?-i)b").wholeMatch("Ab"))
        #expect(try !LinearRegex("(?i)a(?-i)b").wholeMatch("AB"))
        #expect(try LinearRegex("a$\\n").wholeMatch("a\n"), "Java: '$' matches before a final line terminator")
    }

    @Test("containsMatch finds a match anywhere, as Java's find() does")
    func contains() throws {
        #expect(try LinearRegex("b+c").containsMatch("aabbbcd"))
        #expect(try !LinearRegex("^b").containsMatch("ab"))
        #expect(try LinearRegex("").containsMatch("x"))
        #expect(try LinearRegex("c$").containsMatch("abc"))
    }

    @Test(
        "constructs that need backtracking are refused, naming the construct and its position",
        arguments: [
            ("(a)\\1", "backreference '\\1'", 4),
            ("x(?=y)", "lookahead '(?='", 2),
            ("x(?!y)", "negative lookahead", 2),
            ("(?<=y)x", "lookbehind", 1),
            ("(?<!y)x", "negative lookbehind", 1),
            ("a(?>bc)", "atomic group", 2),
            ("ab*+", "possessive quantifier", 3),
            ("\\k<n>", "backreference '\\k'", 1),
            ("[a-z&&[^e]]", "intersection", 5),
            ("\\p{L}", "property class", 1),
            ("(?x)a b", "inline flag 'x'", 3),
        ])
    func refused(pattern: String, mentions: String, position: Int) {
        #expect(throws: RegexSyntaxError.self) { try LinearRegex(pattern) }
        do {
            _ = try LinearRegex(pattern)
        } catch {
            #expect(error.message.contains(mentions), "\(error)")
            #expect(error.position == position, "\(error)")
        }
    }

    @Test(
        "malformed patterns are errors with a position",
        arguments: ["(ab", "ab)", "[ab", "a{3,1}", "*a", "a**", "\\", "[z-a]", "\\xZZ", "a{", "\\8"])
    func malformed(pattern: String) {
        #expect(throws: RegexSyntaxError.self) { try LinearRegex(pattern) }
    }

    @Test("the compiled size is bounded: huge repetitions are refused before anything is built")
    func sizeBound() throws {
        #expect(throws: RegexSyntaxError.self) { try LinearRegex("(a{1000}){1000}") }
        #expect(throws: RegexSyntaxError.self) { try LinearRegex("a{999999999999}") }
        #expect(throws: RegexSyntaxError.self) { try LinearRegex(String(repeating: "(", count: 500) + "a" + String(repeating: ")", count: 500)) }
        do {
            _ = try LinearRegex("((a{100}){100}){100}")
        } catch {
            #expect(error.message.contains("too large"), "\(error)")
        }
        #expect(try LinearRegex("[a-z]{1,255}").wholeMatch(String(repeating: "q", count: 255)))
    }

    @Test("the check closure runs during a long match and can stop it")
    func checkStops() throws {
        struct Stop: Error {}
        let regex = try LinearRegex("(a|b)*c")
        var calls = 0
        #expect(throws: Stop.self) {
            _ = try regex.wholeMatch(String(repeating: "ab", count: 100_000), interval: 1000) {
                calls += 1
                if calls == 3 { throw Stop() }
            }
        }
        #expect(calls == 3)
    }
}
