/// Interned names: classes, relation types and property keys as small integers.
///
/// Each transaction works on its own copy (arrays are copy-on-write); a write transaction's additions are
/// published to the store when it commits.
struct NameTable: Sendable {
    private var byID: [[String]] = Array(repeating: [], count: NameKind.allCases.count + 1)
    private var byName: [[String: UInt32]] = Array(repeating: [:], count: NameKind.allCases.count + 1)

    init() {}

    func id(_ name: String, _ kind: NameKind) -> UInt32? { byName[Int(kind.rawValue)][name] }

    func name(_ id: UInt32, _ kind: NameKind) throws -> String {
        let names = byID[Int(kind.rawValue)]
        guard Int(id) < names.count else {
            throw StorageError(.corrupted, "a record refers to an unknown \(kind) name #\(id); the file is damaged")
        }
        return names[Int(id)]
    }

    func names(_ kind: NameKind) -> [String] { byID[Int(kind.rawValue)] }

    func count(_ kind: NameKind) -> Int { byID[Int(kind.rawValue)].count }

    var totalCount: Int { byID.reduce(0) { $0 + $1.count } }

    /// Records a name with its id; ids are dense and assigned in order.
    mutating func insert(_ name: String, id: UInt32, _ kind: NameKind) {
        let k = Int(kind.rawValue)
        if Int(id) >= byID[k].count {
            byID[k].append(contentsOf: repeatElement("", count: Int(id) + 1 - byID[k].count))
        }
        byID[k][Int(id)] = name
        byName[k][name] = id
    }
}
