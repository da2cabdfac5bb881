/// The fields of a GET form's query string. Browsers submit `<form method="get">` as
/// `application/x-www-form-urlencoded`: a space is `+` and a literal `+` is `%2B`. Each name and value has `+`
/// turned into a space first, then is percent-decoded strictly as a path segment is (`PercentDecoding`): a `%`
/// not followed by two hex digits, or bytes that are not UTF-8, are 400 `Request.Invalid` naming the field.
struct FormQuery {
    private var fields: [(name: String, value: String)] = []

    init(_ query: String?) throws {
        guard let query else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = parts.first else { continue }
            let rawValue = parts.count > 1 ? parts[1] : ""
            guard let name = Self.decode(rawName) else {
                throw APIError.badRequest(
                    "the query's field name '\(rawName)' is not valid percent-encoded UTF-8 (encode its bytes as %XX, each % as %25)")
            }
            guard let value = Self.decode(rawValue) else {
                throw APIError.badRequest(
                    "the field '\(name)' ('\(rawValue)') is not valid percent-encoded UTF-8 (encode its bytes as %XX, each % as %25)")
            }
            fields.append((name, value))
        }
    }

    /// `+` is a space, then percent-decoding; nil when the encoding is invalid.
    static func decode(_ raw: Substring) -> String? {
        PercentDecoding.decode(raw.replacing("+", with: " "))
    }

    /// The first value of the field `name`, if it was sent.
    func first(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of the field `name` (a repeated field), in the order sent.
    func all(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }
}
