/// The fields of a form: a GET form's query string, or a POST form's `application/x-www-form-urlencoded` body.
/// Browsers submit both the same way: a space is `+` and a literal `+` is `%2B`. Each name and value has `+`
/// turned into a space first, then is percent-decoded strictly as a path segment is (`PercentDecoding`): a `%`
/// not followed by two hex digits, bytes that are not UTF-8 (encoded or raw), are 400 `Request.Invalid` naming
/// the field, so a statement or token is never run or checked in a text other than the one the user typed.
struct FormQuery {
    private var fields: [(name: String, value: String)] = []

    /// The fields of a URL's query string (nil: none).
    init(_ query: String?) throws {
        try self.init(bytes: Array((query ?? "").utf8), of: "the query")
    }

    /// The parameters of an API request's query string (`?change=`, `?apply=`), read as a GET form's fields are.
    init(parameters query: String?) throws {
        try self.init(bytes: Array((query ?? "").utf8), of: "the query", field: "query parameter")
    }

    /// The fields of a POST form's body.
    init(body: [UInt8]) throws {
        try self.init(bytes: body, of: "the form")
    }

    private init(bytes: [UInt8], of whole: String, field: String = "field") throws {
        for pair in bytes.split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = parts.first else { continue }
            let rawValue = parts.count > 1 ? parts[1] : []
            guard let name = Self.decode(rawName) else {
                throw APIError.badRequest(
                    "\(whole)'s \(field) name '\(Self.shown(rawName))' is not valid percent-encoded UTF-8 "
                        + "(encode its bytes as %XX, each % as %25)")
            }
            guard let value = Self.decode(rawValue) else {
                // The value is not shown: it may be a token (README: secrets are never shown).
                throw APIError.badRequest(
                    "the \(field) '\(name)' is not valid percent-encoded UTF-8 "
                        + "(encode its bytes as %XX, each % as %25)")
            }
            fields.append((name, value))
        }
    }

    /// `+` is a space, then percent-decoding; nil when the encoding is invalid or the raw bytes are not UTF-8.
    static func decode(_ raw: ArraySlice<UInt8>) -> String? {
        guard let text = String(validating: raw, as: UTF8.self) else { return nil }
        return PercentDecoding.decode(text.replacing("+", with: " "))
    }

    /// The raw text of a field for an error message: at most 80 characters (a statement may be long), invalid
    /// bytes as U+FFFD.
    static func shown(_ raw: ArraySlice<UInt8>) -> String {
        let text = String(decoding: raw, as: UTF8.self)
        return text.count > 80 ? text.prefix(80) + "…" : text
    }

    /// The first value of the field `name`, if it was sent.
    func first(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// The value of the single-valued query parameter `name`, if it was sent: given twice is 400 `Request.Invalid`
    /// (which one was meant is unknown, so neither is taken).
    func single(_ name: String) throws -> String? {
        let values = all(name)
        guard values.count <= 1 else {
            throw APIError.badRequest("the query parameter '\(name)' is given \(values.count) times; give it once")
        }
        return values.first
    }

    /// Every value of the field `name` (a repeated field), in the order sent.
    func all(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }
}
