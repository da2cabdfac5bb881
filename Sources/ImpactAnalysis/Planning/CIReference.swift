public import GraphStorage
import ConfigurationSchema

/// Turning the CI ids a user typed into node ids.
public enum CIReference {
    /// The node ids of `ids`, in order.
    ///
    /// - Parameter place: where the ids were given, for the message (e.g. `--ci`).
    /// - Throws: `PlanningError` for the first id that names no CI, with the closest existing id when one is near.
    public static func resolve(_ ids: [String], place: String, in tx: GraphTransaction) throws -> [NodeID] {
        var nids: [NodeID] = []
        for (n, id) in ids.enumerated() {
            if let nid = try tx.nodeID(forExternalID: id), try tx.label(of: nid) != nil {
                nids.append(nid)
                continue
            }
            var message = "unknown CI '\(id)' (\(place), \(ordinal(n + 1)) of \(ids.count))"
            if let near = try closest(to: id, in: tx) { message += "; did you mean '\(near)'?" }
            throw PlanningError(message)
        }
        return nids
    }

    /// The existing CI id closest to `id`, looking only at ids that share its first characters (cheap on a
    /// large CMDB).
    static func closest(to id: String, in tx: GraphTransaction) throws -> String? {
        let chars = Array(id)
        for keep in [chars.count / 2, min(2, chars.count / 2), 0] where keep >= 0 {
            let candidates = try tx.externalIDs(withPrefix: String(chars.prefix(keep)), limit: 20_000)
            var live: [String] = []
            for c in candidates where try tx.liveNode(externalID: c) != nil { live.append(c) }
            if let near = closestSpelling(to: id, in: live) { return near }
            if keep == 0 { break }
        }
        return nil
    }

    static func ordinal(_ n: Int) -> String {
        let suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th" : [1: "st", 2: "nd", 3: "rd"][n % 10] ?? "th"
        return "\(n)\(suffix)"
    }
}
