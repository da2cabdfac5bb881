import ConfigurationSchema
import Foundation

/// Variants of the built-in schema for tests of schema changes.
enum BuiltInSchemaVariant {
    /// The built-in schema, except that virtual servers may be hosted on clusters only.
    static func withoutHypervisorHosting() throws -> Schema {
        let text = BuiltInSchema.yaml.replacingOccurrences(
            of: "- {from: [VirtualServer], to: [Hypervisor, Cluster]}", with: "- {from: [VirtualServer], to: [Cluster]}")
        precondition(text != BuiltInSchema.yaml, "the built-in schema changed; update this variant")
        return try Schema.parse(yaml: text)
    }
}
