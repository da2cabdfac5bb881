import CIQL
import CIQLSyntax

/// Collects lines until statements end with `;`, as the REPL reads them.
///
/// A `;` inside a string, a quoted name or a comment does not end a statement (`CIQLParser.splitStatements`).
package struct StatementAccumulator: Sendable {
    /// The start of a statement whose `;` has not come yet.
    package private(set) var pending = ""

    package init() {}

    /// Whether no statement is under way (the next line starts a new one).
    package var isEmpty: Bool { pending.isEmpty }

    /// Adds a line and returns the statements it completed, in order.
    package mutating func add(_ line: String) -> [String] {
        let (complete, remainder) = CIQLParser.splitStatements(pending + line + "\n")
        pending = remainder
        return complete
    }

    /// Drops the unfinished statement (Ctrl-C).
    package mutating func reset() { pending = "" }
}
