import GraphStorage

/// CI ids with their node id and class, for the relation ends of an import: an open-addressing table over the
/// ids' UTF-8 bytes, kept in one arena.
///
/// A `[String: (NodeID, String?)]` spent about a third of the import's writer thread hashing strings (SipHash),
/// growing and retaining class names; here a lookup hashes the bytes once (FNV-1a), compares them with `memcmp`
/// semantics and allocates nothing, and classes are small indexes into a list of names.
///
/// - Complexity: O(id length) per lookup and insert, amortised; memory about 40 bytes per id plus its bytes.
struct EndpointMap {
    private struct Entry {
        var offset: Int
        var length: Int32
        var label: Int32
        var nid: NodeID
        var hash: UInt64
    }

    /// Entry index + 1 per slot, 0 for an empty slot; the size is a power of two, at least twice `entries.count`.
    private var slots: [Int32] = Array(repeating: 0, count: 1 << 10)
    private var entries: [Entry] = []
    private var arena: [UInt8] = []
    /// Classes by index; index 0 is "no class".
    private var labels: [String?] = [nil]
    private var labelIndex: [String: Int32] = [:]
    private var lastLabel: (name: String, index: Int32)?

    var count: Int { entries.count }

    /// The node id and class of `id`, if the map holds it.
    func find(_ id: String) -> (nid: NodeID, label: String?)? {
        var id = id
        return id.withUTF8 { bytes in
            let hash = Self.hash(bytes)
            var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
            while true {
                let index = Int(slots[slot])
                if index == 0 { return nil }
                let e = entries[index - 1]
                if e.hash == hash, Int(e.length) == bytes.count, equal(e.offset, bytes) {
                    return (e.nid, labels[Int(e.label)])
                }
                slot = (slot + 1) & (slots.count - 1)
            }
        }
    }

    /// Records `id` → (nid, label), replacing what the map held for it.
    mutating func insert(_ id: String, nid: NodeID, label: String?) {
        let labelNumber = index(of: label)
        var id = id
        id.withUTF8 { bytes in
            let hash = Self.hash(bytes)
            var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
            while true {
                let index = Int(slots[slot])
                if index == 0 { break }
                let e = entries[index - 1]
                if e.hash == hash, Int(e.length) == bytes.count, equal(e.offset, bytes) {
                    entries[index - 1].nid = nid
                    entries[index - 1].label = labelNumber
                    return
                }
                slot = (slot + 1) & (slots.count - 1)
            }
            entries.append(Entry(offset: arena.count, length: Int32(bytes.count), label: labelNumber, nid: nid, hash: hash))
            arena.append(contentsOf: bytes)
            slots[slot] = Int32(entries.count)
        }
        if entries.count * 2 > slots.count { grow() }
    }

    /// Forgets every id (the map is full); classes stay.
    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
    }

    private func equal(_ offset: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < bytes.count {
            if arena[offset + i] != bytes[i] { return false }
            i += 1
        }
        return true
    }

    private mutating func index(of label: String?) -> Int32 {
        guard let label else { return 0 }
        if let last = lastLabel, last.name == label { return last.index }
        let found: Int32
        if let known = labelIndex[label] {
            found = known
        } else {
            found = Int32(labels.count)
            labels.append(label)
            labelIndex[label] = found
        }
        lastLabel = (label, found)
        return found
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for (i, e) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: e.hash) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(i + 1)
        }
        slots = bigger
    }

    /// FNV-1a over the bytes, then a final mix so the low bits (the slot) depend on every byte.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}
