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

    @Test("warming reads without changing anything, for ids held, absent or empty")
    func warmChangesNothing() {
        var map = EndpointMap()
        _ = map.warm(["a", "", "b"])
        for i in 0..<3000 { map.insert("vm-\(i)", nid: UInt64(i + 1), label: "VirtualServer") }
        _ = map.warm(["vm-1", "vm-2999", "nope", "", "vm-1"])
        #expect(map.count == 3000)
        #expect(map.find("vm-1")?.nid == 2 && map.find("vm-2999")?.nid == 3000)
        #expect(map.find("nope") == nil && map.find("") == nil)
    }

    @Test("more classes than a slot can number: the map forgets rather than answer a wrong class")
    func tooManyClasses() {
        var map = EndpointMap()
        map.insert("first", nid: 1, label: "Class-first")
        for i in 0..<Int(UInt16.max) { map.insert("ci-\(i)", nid: UInt64(i + 2), label: "Class-\(i)") }
        // 65,534 classes fit; the inserts with the 65,535th and the 65,536th emptied the map, so nothing it held can
        // come back with a class numbered wrongly.
        #expect(map.count == 0)
        #expect(map.find("first") == nil && map.find("ci-0") == nil)
        map.insert("again", nid: 7, label: "Class-first")
        #expect(map.find("again")?.label == "Class-first", "classes already numbered still work")
    }
}
