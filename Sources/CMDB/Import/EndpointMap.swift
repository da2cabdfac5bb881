import GraphStorage

/// CI ids with their node id and class, for the relation ends of an import: an open-addressing table over the
/// ids' UTF-8 bytes, kept in one arena.
///
/// A `[String: (NodeID, String?)]` spent about a third of the import's writer thread hashing strings (SipHash),
/// growing and retaining class names; here a lookup hashes the bytes once (FNV-1a), compares them
/// byte by byte and allocates nothing, and classes are small indexes into a list of names. A slot holds the hash, the node id,
/// the class and where the id's bytes are, so a hit costs two memory reads that miss the cache (the slot and the
/// id's bytes), not three.
///
/// It is a cache: what it cannot hold (more than 65,534 classes, an arena past 4 GiB) makes it forget everything,
/// and the importer looks such ids up in the store.
///
/// - Complexity: O(id length) per lookup and insert, amortised; memory about 48 bytes per id plus its bytes.
struct EndpointMap {
    private struct Slot {
        var hash: UInt64 = 0
        var nid: NodeID = 0
        var offset: UInt32 = 0
        /// The id's length + 1; 0 for an empty slot.
        var lengthPlusOne: UInt16 = 0
        var label: UInt16 = 0
    }

    /// The size is a power of two, at least twice `count`.
    private var slots = [Slot](repeating: Slot(), count: 1 << 10)
    private var arena: [UInt8] = []
    /// Classes by index; index 0 is "no class".
    private var labels: [String?] = [nil]
    private var labelIndex: [String: UInt16] = [:]
    private var lastLabel: (name: String, index: UInt16)?
    private(set) var count = 0

    /// The node id and class of `id`, if the map holds it.
    func find(_ id: String) -> (nid: NodeID, label: String?)? {
        var id = id
        return id.withUTF8 { bytes in
            guard let slot = position(of: bytes, hash: Self.hash(bytes)).found else { return nil }
            let s = slots[slot]
            return (s.nid, labels[Int(s.label)])
        }
    }

    /// Reads the slot and the first byte of each id's entry, without using them, so that the cache misses of a run
    /// of lookups overlap (the loads do not depend on each other) instead of being paid one after another inside
    /// `find`, between writes. Returns a value only so the reads are not optimised away.
    func warm(_ ids: some Sequence<String>) -> UInt64 {
        var sink: UInt64 = 0
        slots.withUnsafeBufferPointer { table in
            arena.withUnsafeBufferPointer { arena in
                let mask = table.count - 1
                for var id in ids {
                    id.withUTF8 { bytes in
                        let s = table[Int(truncatingIfNeeded: Self.hash(bytes)) & mask]
                        sink &+= s.nid
                        if s.lengthPlusOne > 1, Int(s.offset) < arena.count { sink &+= UInt64(arena[Int(s.offset)]) }
                    }
                }
            }
        }
        return sink
    }

    /// Records `id` → (nid, label), replacing what the map held for it.
    mutating func insert(_ id: String, nid: NodeID, label: String?) {
        guard let labelNumber = index(of: label) else {
            removeAll()
            return
        }
        var id = id
        let inserted = id.withUTF8 { bytes -> Bool in
            guard bytes.count < Int(UInt16.max), arena.count + bytes.count <= Int(UInt32.max) else { return false }
            let hash = Self.hash(bytes)
            let place = position(of: bytes, hash: hash)
            if let found = place.found {
                slots[found].nid = nid
                slots[found].label = labelNumber
                return true
            }
            slots[place.free] = Slot(
                hash: hash, nid: nid, offset: UInt32(arena.count), lengthPlusOne: UInt16(bytes.count + 1),
                label: labelNumber)
            arena.append(contentsOf: bytes)
            count += 1
            return true
        }
        if !inserted {
            removeAll()
            return
        }
        if count * 2 > slots.count { grow() }
    }

    /// Forgets every id (the map is full); classes stay.
    mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = Slot() }
        count = 0
    }

    /// The slot holding `bytes`, or the empty slot where they would go.
    private func position(of bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (found: Int?, free: Int) {
        let mask = slots.count - 1
        return slots.withUnsafeBufferPointer { table in
            arena.withUnsafeBufferPointer { arena in
                var slot = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let s = table[slot]
                    if s.lengthPlusOne == 0 { return (nil, slot) }
                    if s.hash == hash, Int(s.lengthPlusOne) - 1 == bytes.count,
                        Self.equal(arena, at: Int(s.offset), bytes)
                    {
                        return (slot, slot)
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    private static func equal(
        _ arena: UnsafeBufferPointer<UInt8>, at offset: Int, _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        var i = 0
        while i < bytes.count {
            if arena[offset + i] != bytes[i] { return false }
            i += 1
        }
        return true
    }

    /// The index of a class name; nil when there are too many classes to number.
    private mutating func index(of label: String?) -> UInt16? {
        guard let label else { return 0 }
        if let last = lastLabel, last.name == label { return last.index }
        let found: UInt16
        if let known = labelIndex[label] {
            found = known
        } else {
            guard labels.count < Int(UInt16.max) else { return nil }
            found = UInt16(labels.count)
            labels.append(label)
            labelIndex[label] = found
        }
        lastLabel = (label, found)
        return found
    }

    private mutating func grow() {
        var bigger = [Slot](repeating: Slot(), count: slots.count * 2)
        let mask = bigger.count - 1
        for s in slots where s.lengthPlusOne != 0 {
            var slot = Int(truncatingIfNeeded: s.hash) & mask
            while bigger[slot].lengthPlusOne != 0 { slot = (slot + 1) & mask }
            bigger[slot] = s
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
