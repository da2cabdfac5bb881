import Foundation

/// Bad input to change planning or impact analysis: what is wrong, and what would be right.
public struct PlanningError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    static func badWindow(_ text: String, _ reason: String, zone: TimeZone) -> PlanningError {
        PlanningError(
            "window '\(text)': \(reason); write START/END as ISO-8601, e.g. 2026-11-22T02:00/2026-11-22T04:00 "
                + "(local time in \(zone.planningName) unless it ends in Z or an offset such as +01:00)")
    }
}
