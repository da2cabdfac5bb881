/// An error in a CIQL statement: what is wrong, and where.
///
/// Syntax and semantic errors are the user's (exit 2); they always carry a location when one exists.
public struct CIQLError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The text does not follow the grammar.
        case syntax = "syntax error"
        /// The text parses but names something unknown or misuses a type.
        case semantic = "error"
        /// Evaluation failed on the data (e.g. a type error found only at run time, a schema violation).
        case runtime = "runtime error"
    }

    public var kind: Kind
    public var message: String
    public var location: SourceLocation?

    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    /// `syntax error at 1:14: …` for syntax errors; `1:10: …` for the others (the message says what).
    public var description: String {
        switch (kind, location) {
        case (.syntax, let location?): return "syntax error at \(location): \(message)"
        case (.syntax, nil): return "syntax error: \(message)"
        case (_, let location?): return "\(location): \(message)"
        case (_, nil): return message
        }
    }

    /// The message followed by the offending line of `source` and a caret under the place.
    ///
    ///     syntax error at 1:14: expected an expression after 'WHERE'
    ///       MATCH (n) WHERE RETURN n
    ///                       ^
    public func rendered(source: String) -> String {
        guard let location else { return description }
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard location.line >= 1, location.line <= lines.count else { return description }
        let line = lines[location.line - 1].replacing("\t", with: " ")
        let caretColumn = max(1, min(location.column, line.count + 1))
        return description + "\n  " + line + "\n  " + String(repeating: " ", count: caretColumn - 1) + "^"
    }
}
