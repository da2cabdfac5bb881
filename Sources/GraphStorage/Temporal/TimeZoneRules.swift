import Foundation
import Synchronization

/// Named time zones (`Europe/Amsterdam`) from the system's tz database, through Foundation's `TimeZone`.
public enum TimeZoneRules {
    private static let cache = Mutex<[String: TimeZone]>([:])

    /// The zone with this identifier, or nil when the tz database does not know it.
    static func zone(_ identifier: String) -> TimeZone? {
        if let z = cache.withLock({ $0[identifier] }) { return z }
        // Only region names: `TimeZone(identifier:)` also accepts abbreviations and offsets, which are no zone ids.
        guard identifier.contains("/") || identifier == "UTC" || identifier == "GMT",
            let z = TimeZone(identifier: identifier)
        else { return nil }
        cache.withLock { $0[identifier] = z }
        return z
    }

    /// Whether the tz database knows the zone.
    public static func isKnown(_ identifier: String) -> Bool { zone(identifier) != nil }

    /// The zone's offset from UTC in seconds at an instant.
    public static func offset(_ identifier: String, atEpochSecond s: Int64) -> Int32? {
        guard let z = zone(identifier) else { return nil }
        return Int32(z.secondsFromGMT(for: Date(timeIntervalSince1970: Double(s))))
    }

    /// The offset in force at a local date-time in the zone, as java.time resolves it: in an overlap (clocks
    /// set back) the earlier offset; in a gap (clocks set forward) the local time moves later by the gap's
    /// length. Returns the offset and the local seconds since the epoch after that adjustment.
    public static func resolve(_ identifier: String, localEpochSecond local: Int64) -> (offset: Int32, local: Int64)? {
        guard let before = offset(identifier, atEpochSecond: local &- 86_400 * 2),
            let after = offset(identifier, atEpochSecond: local &+ 86_400 * 2)
        else { return nil }
        var valid: [Int32] = []
        for o in Set([before, after]) {
            if offset(identifier, atEpochSecond: local &- Int64(o)) == o { valid.append(o) }
        }
        if valid.isEmpty {
            // Also try the offset at the local time read as UTC, for zones with several changes close together.
            if let o = offset(identifier, atEpochSecond: local), offset(identifier, atEpochSecond: local &- Int64(o)) == o {
                return (o, local)
            }
            // A gap: keep the instant the earlier offset gives, shown with the offset after the change.
            let instant = local &- Int64(before)
            guard let o = offset(identifier, atEpochSecond: instant) else { return nil }
            return (o, instant &+ Int64(o))
        }
        if valid.count == 2 { return (valid.max() ?? before, local) }
        return (valid[0], local)
    }
}
