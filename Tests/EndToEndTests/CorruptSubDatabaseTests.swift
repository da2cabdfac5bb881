import Foundation
import Testing

/// A damaged record of a named database in LMDB's main database (one flipped byte): liblmdb trusts it and would
/// follow it into memory it does not own, killing the process with SIGSEGV. cmdb checks each record first and
/// refuses the file with `Storage.Corrupted`, exit 3, writing nothing.
struct CorruptSubDatabaseTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    /// Where a damage is made, from the start of a main-database node whose key is the database's name: the node's
    /// flags byte, or a field of the `MDB_db` record that follows the key.
    enum Damage: CustomStringConvertible {
        case nodeFlags(UInt8)
        case recordFlags(UInt16)
        case depth(UInt16)
        case root(UInt64)

        var description: String {
            switch self {
            case .nodeFlags(let f): "node flags \(f)"
            case .recordFlags(let f): "record flags \(f)"
            case .depth(let d): "depth \(d)"
            case .root(let r): "root page \(r)"
            }
        }
    }

    /// `data` with every node for `name` in it damaged (LMDB keeps older copies of the main database's page too).
    static func damaged(_ data: Data, name: String, _ damage: Damage) -> Data {
        var bytes = [UInt8](data)
        let key = Array(name.utf8)
        let needle = [0x02, 0x00, UInt8(key.count), 0x00] + key  // flags F_SUBDATA, key size, key
        var i = 0
        while i + needle.count <= bytes.count {
            guard Array(bytes[i..<(i + needle.count)]) == needle else {
                i += 1
                continue
            }
            let record = i + needle.count
            func put(_ value: UInt64, at offset: Int, width: Int) {
                for b in 0..<width { bytes[record + offset + b] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(b))) }
            }
            switch damage {
            case .nodeFlags(let f): bytes[i] = f
            case .recordFlags(let f): put(UInt64(f), at: 4, width: 2)
            case .depth(let d): put(UInt64(d), at: 6, width: 2)
            case .root(let r): put(r, at: 40, width: 8)
            }
            i += needle.count
        }
        return Data(bytes)
    }

    @Test(
        "a damaged record of a named database is refused with Storage.Corrupted naming the file, exit 3, file unchanged",
        arguments: [
            ("bystatus", Damage.nodeFlags(0x9D)), ("bystatus", .nodeFlags(0x00)), ("nodes", .nodeFlags(0x06)),
            ("adj", .recordFlags(0)), ("ids", .recordFlags(0x14)), ("nodes", .root(1 << 40)), ("rels", .root(1)),
            ("hist", .depth(300)), ("meta", .nodeFlags(0x03)),
        ])
    func damagedRecordIsRefused(name: String, damage: Damage) throws {
        try harness.makeDatabase(withSample: true)
        let whole = try fileBytes(harness.db + "/data.mdb")
        let broken = Self.damaged(whole, name: name, damage)
        try #require(broken != whole, "the record of '\(name)' was found to damage")
        let copy = harness.sandbox.path("broken")
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        FileManager.default.createFile(atPath: copy + "/data.mdb", contents: broken)
        for command in [["status"], ["query", "MATCH (n) RETURN count(n) AS n"], ["import", "-"], ["export"]] {
            let result = try harness.run(["--db", copy] + command, stdin: Data())
            #expect(result.exitCode == 3, "\(name), \(damage), \(command): \(result)")
            #expect(result.err.hasPrefix("error[Storage.Corrupted]"), "\(name), \(damage), \(command): \(result)")
            #expect(result.err.contains(copy + "/data.mdb") && result.err.contains("'\(name)'"), "\(command): \(result)")
            #expect(try fileBytes(copy + "/data.mdb") == broken, "cmdb \(command) changed the damaged file")
        }
    }
}
