import CMDB
import ConfigurationSchema
import Foundation
import JSONLines
import Logging
import Testing

@testable import CMDBServer

/// The OpenAPI document and the router agree, both ways: every API route is documented and every documented
/// operation is routed. (The end-to-end tests then call each documented operation on the real server.)
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("every route of the router is in /openapi.json and every operation there is a route")
    func documentMatchesRouter() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cmdb-openapi-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try ConfigurationDatabase.create(at: directory, schema: try Schema.parse(yaml: BuiltInSchema.yaml), actor: "test", initialMapSize: 16 << 20)
        let engine = try ServerEngine(configuration: ServerConfiguration(databasePath: directory))
        let router = CMDBServer.makeRouter(engine: engine, logger: Logger(label: "test"))

        var routed: Set<String> = []
        for route in router.routes {
            let path = "\(route.path)".hasPrefix("/") ? "\(route.path)" : "/\(route.path)"
            if OpenAPIDocument.webPaths.contains(path) { continue }
            routed.insert("\(route.method.rawValue.lowercased()) \(path)")
        }

        guard case .object(let document) = try JSONParser.parse(OpenAPIDocument.json), case .object(let paths)? = document["paths"] else {
            Issue.record("the document has no paths")
            return
        }
        #expect(document["openapi"]?.stringValue == "3.1.0")
        var documented: Set<String> = []
        for (path, value) in paths.members {
            guard case .object(let operations) = value else { continue }
            for method in operations.members.map(\.key) { documented.insert("\(method) \(path)") }
        }
        #expect(routed.subtracting(documented).isEmpty, "routed but not documented: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
        #expect(routed.count >= 12, "\(routed.sorted())")
    }
}
