import Testing
@testable import CMDB

struct EndpointMapTests {
    @Test("finds what was inserted through growth, replaces, tells similar ids apart, and forgets on removeAll")
    func insertFindReplace() {
        var map = EndpointMap()
        let n = 50_000
        for i in 0..<n { map.insert("ci-\(i)", nid: UInt64(i + 1), label: i % 3 == 0 ? nil : "Class\(i % 7)") }
        #expect(map.count == n)
        for i in stride(from: 0, to: n, by: 997) {
            let hit = map.find("ci-\(i)")
            #expect(hit?.nid == UInt64(i + 1))
            #expect(hit?.label == (i % 3 == 0 ? nil : "Class\(i % 7)"))
        }
        #expect(map.find("ci-\(n)") == nil)
        #expect(map.find("ci-") == nil)
        #expect(map.find("ci-00") == nil)
        #expect(map.find("") == nil)
        map.insert("ci-5", nid: 99, label: "Other")
        #expect(map.count == n)
        #expect(map.find("ci-5")?.nid == 99)
        #expect(map.find("ci-5")?.label == "Other")
        // Ids that are not ASCII, and the empty class name, are kept as given.
        map.insert("ü-1", nid: 7, label: "")
        #expect(map.find("ü-1")?.nid == 7)
        #expect(map.find("ü-1")?.label == "")
        map.removeAll()
        #expect(map.count == 0)
        #expect(map.find("ci-1") == nil)
        map.insert("ci-1", nid: 3, label: "Class1")
        #expect(map.find("ci-1")?.nid == 3)
    }
}
