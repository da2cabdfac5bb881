/// The formats `cmdb export` writes.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// The import format; exporting and importing into a new database round-trips exactly.
    case jsonl
    /// GraphML for yEd, Gephi and friends.
    case graphml
    /// Graphviz.
    case dot
}
