/// One lexical token of CIQL text.
///
/// Keywords are lexed as identifiers with `keyword` set (when written without backticks), because CIQL, like
/// Cypher, lets most keywords serve as property keys, labels and variables; the parser decides by position.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        /// A name: `text` holds it (backtick-quoted names are unescaped and never keywords).
        case identifier
        /// An integer literal; `text` is the source spelling (`42`, `0x1F`, `0o17`), converted by the parser so a
        /// leading minus can reach `Int64.min`.
        case integer
        /// A float literal; `text` is the source spelling.
        case float
        /// A string literal; `text` is the unescaped value.
        case string
        /// `$name` or `$0`; `text` is the name without `$`.
        case parameter
        case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
        case comma, dot, dotDot, colon, semicolon, pipe
        case plus, minus, star, slash, percent, caret
        case equal, notEqual, less, greater, lessOrEqual, greaterOrEqual, regexMatch, plusEqual
        case endOfInput
    }

    var kind: Kind
    /// See `Kind`; empty for punctuation.
    var text: String
    /// The keyword this identifier spells (case-insensitively), nil for other tokens and quoted names.
    var keyword: Keyword?
    var location: SourceLocation
    /// UTF-8 offset just past the token.
    var end: Int

    /// The token as it would be quoted in a message: `'RETURN'`, `'('`, `the end of the input`.
    var quoted: String {
        switch kind {
        case .endOfInput: return "the end of the input"
        case .string: return "the string '\(text)'"
        case .parameter: return "'$\(text)'"
        case .identifier, .integer, .float: return "'\(text)'"
        default: return "'\(kind.spelling)'"
        }
    }
}

extension Token.Kind {
    /// How the punctuation is written.
    var spelling: String {
        switch self {
        case .identifier: "a name"
        case .integer: "an integer"
        case .float: "a float"
        case .string: "a string"
        case .parameter: "a parameter"
        case .leftParen: "("
        case .rightParen: ")"
        case .leftBracket: "["
        case .rightBracket: "]"
        case .leftBrace: "{"
        case .rightBrace: "}"
        case .comma: ","
        case .dot: "."
        case .dotDot: ".."
        case .colon: ":"
        case .semicolon: ";"
        case .pipe: "|"
        case .plus: "+"
        case .minus: "-"
        case .star: "*"
        case .slash: "/"
        case .percent: "%"
        case .caret: "^"
        case .equal: "="
        case .notEqual: "<>"
        case .less: "<"
        case .greater: ">"
        case .lessOrEqual: "<="
        case .greaterOrEqual: ">="
        case .regexMatch: "=~"
        case .plusEqual: "+="
        case .endOfInput: "the end of the input"
        }
    }
}

/// The words CIQL gives a meaning to, matched case-insensitively.
enum Keyword: String, Sendable, CaseIterable {
    // Clauses and their parts.
    case match = "MATCH", optional = "OPTIONAL", `where` = "WHERE", unwind = "UNWIND", `as` = "AS"
    case with = "WITH", `return` = "RETURN", distinct = "DISTINCT", order = "ORDER", by = "BY"
    case asc = "ASC", ascending = "ASCENDING", desc = "DESC", descending = "DESCENDING"
    case skip = "SKIP", limit = "LIMIT", create = "CREATE", merge = "MERGE", on = "ON", set = "SET"
    case remove = "REMOVE", delete = "DELETE", detach = "DETACH", call = "CALL", yield = "YIELD"
    case union = "UNION", all = "ALL"
    // Expressions.
    case or = "OR", xor = "XOR", and = "AND", not = "NOT", `in` = "IN", starts = "STARTS", ends = "ENDS"
    case contains = "CONTAINS", `is` = "IS", null = "NULL", `true` = "TRUE", `false` = "FALSE"
    case `case` = "CASE", when = "WHEN", then = "THEN", `else` = "ELSE", end = "END", exists = "EXISTS"
    case count = "COUNT", any = "ANY", none = "NONE", single = "SINGLE", reduce = "REDUCE"
    case shortestPath = "SHORTESTPATH", allShortestPaths = "ALLSHORTESTPATHS"
    // Statement prefixes and CMDB statements.
    case explain = "EXPLAIN", profile = "PROFILE", using = "USING", change = "CHANGE", of = "OF", tx = "TX"
    case baseline = "BASELINE", baselines = "BASELINES", description = "DESCRIPTION", show = "SHOW"
    case diff = "DIFF", classes = "CLASSES", relation = "RELATION", types = "TYPES", describe = "DESCRIBE"
    case `class` = "CLASS"

    /// Looks the UTF-8 spelling of a word up case-insensitively, without allocating.
    static func lookUp(_ bytes: ArraySlice<UInt8>) -> Keyword? {
        guard let key = PackedWord(bytes) else { return nil }
        return byPackedSpelling[key]
    }

    /// An ASCII word of up to 16 bytes folded to upper case and packed into two integers, the dictionary key.
    struct PackedWord: Hashable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        init?(_ bytes: ArraySlice<UInt8>) {
            guard bytes.count >= 2, bytes.count <= 16 else { return nil }
            var i = 0
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                let upper = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
                if i < 8 { low |= UInt64(upper) << (8 * i) } else { high |= UInt64(upper) << (8 * (i - 8)) }
                i += 1
            }
        }
    }

    private static let byPackedSpelling: [PackedWord: Keyword] = {
        var table: [PackedWord: Keyword] = [:]
        for keyword in allCases {
            if let key = PackedWord(ArraySlice(keyword.rawValue.utf8)) { table[key] = keyword }
        }
        return table
    }()

    /// Keywords that cannot be a variable or function name where an expression is expected, so that
    /// `WHERE RETURN n` says an expression is missing instead of reading `RETURN` as a variable.
    var isReserved: Bool {
        switch self {
        case .match, .optional, .where, .unwind, .as, .with, .return, .distinct, .order, .by, .skip, .limit,
            .create, .merge, .on, .set, .remove, .delete, .detach, .call, .yield, .union, .or, .xor, .and, .not,
            .in, .starts, .ends, .contains, .is, .null, .true, .false, .case, .when, .then, .else, .end:
            return true
        default:
            return false
        }
    }

    /// Keywords that start a clause, offered when an unknown word stands where a clause should.
    static let clauseStarters: [Keyword] = [
        .match, .optional, .unwind, .with, .return, .create, .merge, .set, .remove, .delete, .detach, .call,
        .union, .explain, .profile, .using, .show, .diff, .describe, .where, .order, .skip, .limit,
    ]
}
