public import ConfigurationSchema
public import GraphStorage

/// How many CIs each class has and how many relations each type: the counts of the CMDB's status accounting.
public enum StatusCounts {
    /// The CIs of `className` and of its subclasses, `count` giving the CIs of exactly one class (the live
    /// counts, or the counts at a point in history).
    public static func cis(
        ofClass className: String, schema: Schema, counting count: (String) throws -> Int
    ) rethrows -> Int {
        try schema.subclasses(of: className).reduce(0) { $0 + (try count($1)) }
    }

    /// The relations of each type stored.
    public static func relationsByType(_ tx: GraphTransaction) throws -> [String: Int] { try tx.relationCountsByType() }
}
