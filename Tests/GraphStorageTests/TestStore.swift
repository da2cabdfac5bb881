import Foundation
@testable import GraphStorage

/// A fresh store in its own temporary directory, removed when the test is done.
final class TestStore {
    let directory: String
    let store: GraphStore

    init(initialMapSize: Int? = nil) throws {
        directory = NSTemporaryDirectory() + "cmdb-test-" + UUID().uuidString
        store = try GraphStore.create(at: directory, initialMapSize: initialMapSize)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    static let change = ChangeInfo(actor: "tester", changeReference: "CHG1", origin: "test")
}
