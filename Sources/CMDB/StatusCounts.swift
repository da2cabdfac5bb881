public import ConfigurationSchema
public import GraphStorage

/// How many CIs each class has and how many relations each type: the counts of the CMDB's status accounting.
public enum StatusCounts {
    /// The CIs of `className` and of its subclasses.
    public static func cis(ofClass className: String, schema: Schema, _ tx: GraphTransaction) throws -> Int {
        try schema.subclasses(of: className).reduce(0) { $0 + (try tx.nodeCount(label: $1)) }
    }

    /// The CIs of each class stored, without subclasses (for a database without a schema).
    public static func cisByStoredClass(_ tx: GraphTransaction) throws -> [(className: String, count: Int)] {
        try tx.labelNames.sorted().map { ($0, try tx.nodeCount(label: $0)) }
    }

    /// The relations of each type stored.
    public static func relationsByType(_ tx: GraphTransaction) throws -> [String: Int] { try tx.relationCountsByType() }
}
