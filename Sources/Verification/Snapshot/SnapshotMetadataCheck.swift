public import ConfigurationSchema
public import GraphStorage
import Glibc

/// Checks of a snapshot's metadata that would otherwise falsify a verify run without a word: a scope attribute no
/// class in the snapshot declares and no live CI of them holds (a typo: nothing would be in scope, so nothing
/// missing, and `--apply` would write the misspelt attribute into CIs), and a `taken_at` in the future (its stamps would exempt the CIs from the
/// `stale` rule for good).
public enum SnapshotMetadataCheck {
    /// How far ahead of this machine's clock a `taken_at` may be: the discovery host's clock may run a little fast.
    public static let allowedClockSkewMicroseconds: Int64 = 5 * 60 * 1_000_000

    /// Why `key` cannot be a scope attribute of `classes` (those and their subclasses), or nil when some class
    /// declares it (or it is `name` or `status`), or when a class that is not closed has a live CI holding it (such
    /// classes store undeclared attributes). With the closest declared or held spelling.
    ///
    /// Reads the live CIs of the classes that are not closed only when no class declares `key`; stops at the first
    /// that holds it.
    public static func unknownScopeKey(_ key: String, classes: Set<String>, schema: Schema, tx: GraphTransaction)
        throws -> String?
    {
        if schema.isOpen || key == "name" || key == "status" { return nil }
        var declared: [String] = ["name", "status"]
        for c in classes.sorted() {
            for a in schema.attributes(of: c) where !declared.contains(a.name) { declared.append(a.name) }
        }
        if declared.contains(key) { return nil }
        let open = classes.sorted().filter { !schema.isClosed($0) }
        var known = Set(declared)
        var held: [String] = []
        var holder = false
        for label in open where !holder {
            try tx.forEachNodeID(label: label) { (nid) in
                guard let node = try tx.node(nid), case .string(let status)? = node.properties["status"],
                    status == "live" || status == "maintenance"
                else { return true }
                if node.properties[key] != nil {
                    holder = true
                    return false
                }
                for (name, _) in node.properties where known.insert(name).inserted { held.append(name) }
                return true
            }
        }
        if holder { return nil }
        let hint = closestSpelling(to: key, in: declared + held.sorted()).map { " (did you mean '\($0)'?)" } ?? ""
        let names = classes.sorted().joined(separator: ", ")
        let why = open.isEmpty ? "declares it (they are closed)" : "declares it and no live CI of them holds it"
        return "unknown attribute '\(key)'\(hint); no class of the snapshot (\(names)) \(why), so no CI would be in scope"
    }

    /// Why `takenAt` (µs since the epoch) cannot be when a snapshot was taken, or nil.
    public static func futureTakenAt(_ takenAt: Int64, text: String) -> String? {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let micros = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000)
        guard takenAt > micros + allowedClockSkewMicroseconds else { return nil }
        return "\"taken_at\" \(text) is in the future (more than 5 minutes ahead of this machine's clock); its "
            + "stamps would keep these CIs from ever being stale"
    }
}
