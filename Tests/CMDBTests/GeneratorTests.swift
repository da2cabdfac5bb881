import Testing

@testable import CMDB

struct GeneratorTests {
    // MARK: Helpers

    /// All lines of one generator run.
    private func lines(_ ciCount: Int, seed: UInt64) -> [String] {
        var out: [String] = []
        CMDBGenerator(ciCount: ciCount, seed: seed).generate { out.append($0) }
        return out
    }

    /// The string value of `"key":"…"` in a generated line (values never contain quotes).
    private func field(_ line: String, _ key: String) -> String? {
        let bytes = Array(line.utf8)
        let pattern = Array("\"\(key)\":\"".utf8)
        guard bytes.count >= pattern.count else { return nil }
        var i = 0
        while i + pattern.count <= bytes.count {
            if bytes[i] == pattern[0] && Array(bytes[i..<(i + pattern.count)]) == pattern {
                var j = i + pattern.count
                let start = j
                while j < bytes.count && bytes[j] != UInt8(ascii: "\"") { j += 1 }
                return String(decoding: bytes[start..<j], as: UTF8.self)
            }
            i += 1
        }
        return nil
    }

    /// The integer value of `"key":123` in a generated line.
    private func intField(_ line: String, _ key: String) -> Int? {
        let bytes = Array(line.utf8)
        let pattern = Array("\"\(key)\":".utf8)
        var i = 0
        while i + pattern.count <= bytes.count {
            if Array(bytes[i..<(i + pattern.count)]) == pattern {
                var j = i + pattern.count
                var value = 0
                var digits = 0
                while j < bytes.count, bytes[j] >= 48, bytes[j] <= 57 {
                    value = value * 10 + Int(bytes[j] - 48)
                    digits += 1
                    j += 1
                }
                return digits > 0 ? value : nil
            }
            i += 1
        }
        return nil
    }

    /// The schema's id pattern `^[a-z0-9][a-z0-9.-]*$`.
    private func isValidID(_ id: String) -> Bool {
        guard let first = id.utf8.first else { return false }
        func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        return alnum(first) && id.utf8.allSatisfy { alnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static let allowedClasses: Set<String> = [
        "Datacenter", "Rack", "Switch", "Hypervisor", "Cluster", "StorageArray", "StorageVolume",
        "VirtualServer", "Database", "Application", "BusinessService",
    ]

    /// Every (type, from class, to class) the generator may emit; each is allowed by the built-in schema.
    private static let allowedRelations: Set<String> = [
        "LOCATED_IN Rack->Datacenter", "LOCATED_IN Switch->Rack", "LOCATED_IN Hypervisor->Rack",
        "LOCATED_IN Cluster->Datacenter", "LOCATED_IN StorageArray->Rack",
        "CONNECTS_TO Hypervisor->Switch", "CONNECTS_TO StorageArray->Switch",
        "MEMBER_OF Hypervisor->Cluster",
        "HOSTED_ON VirtualServer->Hypervisor", "HOSTED_ON StorageVolume->StorageArray",
        "USES VirtualServer->StorageVolume", "USES Application->Database",
        "RUNS_ON Database->VirtualServer", "RUNS_ON Application->VirtualServer",
        "DEPENDS_ON Application->Application", "DEPENDS_ON BusinessService->BusinessService",
        "PROVIDED_BY BusinessService->Application",
    ]

    /// FNV-1a over all lines (each followed by a newline): a platform-independent fingerprint.
    private func fingerprint(_ lines: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for line in lines {
            for byte in line.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            hash = (hash ^ 10) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    // MARK: Determinism

    @Test func sameSeedGivesIdenticalLines() {
        let first = lines(1000, seed: 42)
        let second = lines(1000, seed: 42)
        #expect(first.count > 1000)
        #expect(first == second)
    }

    @Test func differentSeedGivesDifferentLines() {
        let a = lines(1000, seed: 42)
        let b = lines(1000, seed: 43)
        #expect(a != b)
    }

    // MARK: Shape and validity

    @Test(arguments: [1000, 10])
    func generatedCMDBIsValid(ciCount: Int) {
        let all = lines(ciCount, seed: 7)
        var classOf: [String: String] = [:]
        var ciCount_ = 0
        var relationCount = 0
        var seenRelation = false
        var triples: Set<String> = []
        var dependsOn: [String: [String]] = [:]
        var problems: [String] = []

        for line in all {
            #expect(!line.contains("\n"))
            if line.hasPrefix("{\"kind\":\"ci\",\"id\":\"") {
                if seenRelation { problems.append("CI after a relation: \(line)") }
                ciCount_ += 1
                guard let id = field(line, "id"), let cls = field(line, "class"), let status = field(line, "status")
                else {
                    problems.append("malformed CI: \(line)")
                    continue
                }
                if !isValidID(id) { problems.append("bad id \(id)") }
                if classOf[id] != nil { problems.append("duplicate id \(id)") }
                classOf[id] = cls
                if !Self.allowedClasses.contains(cls) { problems.append("unexpected class \(cls)") }
                if !["live", "planned", "withdrawn"].contains(status) { problems.append("status \(status)") }
                if !line.contains("\",\"name\":\"") || !line.contains(",\"attrs\":{") || !line.hasSuffix("}}") {
                    problems.append("unexpected layout: \(line)")
                }
                if field(line, "owner")?.hasSuffix("-team") != true { problems.append("no owner: \(line)") }
                guard let criticality = intField(line, "criticality"), (1...5).contains(criticality) else {
                    problems.append("criticality: \(line)")
                    continue
                }
                if let cpu = intField(line, "cpu"), cpu < 1 { problems.append("cpu: \(line)") }
                if cls == "Cluster", (intField(line, "quorum") ?? 0) < 1 { problems.append("quorum: \(line)") }
            } else if line.hasPrefix("{\"kind\":\"rel\",\"type\":\"") {
                seenRelation = true
                relationCount += 1
                guard let type = field(line, "type"), let from = field(line, "from"), let to = field(line, "to")
                else {
                    problems.append("malformed relation: \(line)")
                    continue
                }
                if !line.hasSuffix(",\"attrs\":{}}") { problems.append("unexpected layout: \(line)") }
                guard let fromClass = classOf[from], let toClass = classOf[to] else {
                    problems.append("undefined endpoint: \(line)")
                    continue
                }
                if from == to { problems.append("self-loop: \(line)") }
                let shape = "\(type) \(fromClass)->\(toClass)"
                if !Self.allowedRelations.contains(shape) { problems.append("not allowed: \(shape)") }
                if !triples.insert("\(from) \(type) \(to)").inserted { problems.append("duplicate: \(line)") }
                if type == "DEPENDS_ON" { dependsOn[from, default: []].append(to) }
            } else {
                problems.append("unknown line: \(line)")
            }
        }

        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(ciCount_ == ciCount)
        let ratio = Double(relationCount) / Double(ciCount)
        if ciCount >= 1000 {
            #expect(ratio >= 1.5 && ratio <= 2.5, "relations per CI: \(ratio)")
            // Every class of the full shape is present.
            #expect(Set(classOf.values) == Self.allowedClasses)
        } else {
            #expect(ratio >= 0.5 && ratio <= 3.0, "relations per CI: \(ratio)")
            for cls in ["Datacenter", "Rack", "Hypervisor", "VirtualServer", "Application", "BusinessService"] {
                #expect(classOf.values.contains(cls), "missing \(cls)")
            }
        }

        // DEPENDS_ON is acyclic (applications are layered, services depend on shared services).
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var cycle = false
        for start in dependsOn.keys.sorted() where state[start] == nil {
            var stack: [(String, Int)] = [(start, 0)]
            state[start] = 1
            while let (node, next) = stack.last {
                let targets = dependsOn[node] ?? []
                if next == targets.count {
                    state[node] = 2
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].1 = next + 1
                let target = targets[next]
                switch state[target] {
                case 1: cycle = true
                case nil:
                    state[target] = 1
                    stack.append((target, 0))
                default: break
                }
            }
        }
        #expect(!cycle)
    }

    @Test(arguments: [0, 1, 2, 5, 11, 30, 59, 60, 61, 100, 333])
    func smallCountsAreExactAndConsistent(ciCount: Int) {
        var ids: Set<String> = []
        var cis = 0
        var undefined = 0
        CMDBGenerator(ciCount: ciCount, seed: 3).generate { line in
            if line.hasPrefix("{\"kind\":\"ci\"") {
                cis += 1
                if let id = field(line, "id") { ids.insert(id) }
            } else if !ids.contains(field(line, "from") ?? "") || !ids.contains(field(line, "to") ?? "") {
                undefined += 1
            }
        }
        #expect(cis == ciCount)
        #expect(ids.count == ciCount)
        #expect(undefined == 0)
    }

    @Test func lineFormat() {
        let all = lines(100, seed: 42)
        #expect(
            all.first
                == #"{"kind":"ci","id":"dc-ams1","class":"Datacenter","name":"AMS1","status":"live","attrs":{"city":"Amsterdam","address":"Science Park 610, 1098 XH Amsterdam","description":"Tier III datacenter","owner":"dc-ops-team","criticality":5}}"#
        )
        let vm = all.first { $0.contains("\"class\":\"VirtualServer\"") } ?? ""
        #expect(vm.hasPrefix(#"{"kind":"ci","id":"vm-000001","class":"VirtualServer","name":"vm-000001","status":""#))
        for key in ["hostname", "os", "location", "owner"] { #expect(field(vm, key) != nil, "\(key)") }
        for key in ["cpu", "memory_gb", "criticality"] { #expect(intField(vm, key) != nil, "\(key)") }
        let relation = all.first { $0.hasPrefix("{\"kind\":\"rel\"") } ?? ""
        #expect(relation == #"{"kind":"rel","type":"LOCATED_IN","from":"rack-000001","to":"dc-ams1","attrs":{}}"#)
    }

    /// Same (ciCount, seed) ⇒ the same bytes on every platform. Update the constant only when the
    /// generator's output is changed on purpose.
    @Test func outputIsPinned() {
        #expect(fingerprint(lines(1000, seed: 42)) == 0x6f34_f5ce_ebdf_0b2f)
    }
}
