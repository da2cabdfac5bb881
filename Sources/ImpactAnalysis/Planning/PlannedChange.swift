public import Foundation
public import GraphStorage
import JSONLines

/// A change planned for a window, kept in the database so that other changes can be checked against it.
public struct PlannedChange: Sendable, Hashable {
    /// The change reference, e.g. `CHG0001234`.
    public var reference: String
    /// The CI ids the change takes down, each once (in the order first named).
    public var cis: [String]
    public var window: ChangeWindow
    public var description: String?
    public var actor: String
    /// When it was planned, seconds since the epoch.
    public var plannedAt: Int64

    public init(reference: String, cis: [String], window: ChangeWindow, description: String?, actor: String,
                plannedAt: Int64) {
        self.reference = reference
        var seen: Set<String> = []
        self.cis = cis.filter { seen.insert($0).inserted }
        self.window = window
        self.description = description
        self.actor = actor
        self.plannedAt = plannedAt
    }
}

/// The planned changes and the planning time zone, stored in the database: planned changes in the auxiliary
/// collection `planned_changes` (key: the reference; value: a JSON object), the time zone as metadata
/// `planning.time_zone` (an IANA name; UTC when unset).
public enum ChangePlanning {
    static let collection = "planned_changes"
    static let timeZoneKey = "planning.time_zone"

    /// The time zone of maintenance windows and of change windows written without an offset.
    public static func timeZone(in tx: GraphTransaction) throws -> TimeZone {
        guard let raw = try tx.metadata(timeZoneKey),
            let zone = TimeZone(identifier: String(decoding: raw, as: UTF8.self))
        else { return TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current }
        return zone
    }

    public static func setTimeZone(_ zone: TimeZone, in tx: GraphTransaction) throws {
        try tx.setMetadata(timeZoneKey, Array(zone.identifier.utf8))
    }

    /// Every planned change, ordered by reference.
    public static func plannedChanges(in tx: GraphTransaction) throws -> [PlannedChange] {
        try tx.auxEntries(collection).map { try decode($0.value) }
    }

    public static func plannedChange(_ reference: String, in tx: GraphTransaction) throws -> PlannedChange? {
        try tx.auxValue(collection, key: Array(reference.utf8)).map(decode)
    }

    /// Stores `change`, replacing a planned change with the same reference.
    public static func store(_ change: PlannedChange, in tx: GraphTransaction) throws {
        try tx.setAuxValue(collection, key: Array(change.reference.utf8), value: encode(change))
    }

    /// Removes a planned change; returns whether there was one.
    public static func cancel(_ reference: String, in tx: GraphTransaction) throws -> Bool {
        guard try tx.auxValue(collection, key: Array(reference.utf8)) != nil else { return false }
        try tx.setAuxValue(collection, key: Array(reference.utf8), value: nil)
        return true
    }

    static func encode(_ c: PlannedChange) -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = [
            ("ref", .string(c.reference)), ("cis", .array(c.cis.map { .string($0) })),
            ("start", .int(c.window.start)), ("end", .int(c.window.end)), ("actor", .string(c.actor)),
            ("planned_at", .int(c.plannedAt)),
        ]
        if let d = c.description { members.append(("description", .string(d))) }
        var w = JSONWriter(capacity: 256)
        w.write(JSONObject(members))
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> PlannedChange {
        let damaged = StorageError(.corrupted, "a planned change record is damaged")
        let value: JSONValue
        do {
            value = try bytes.withUnsafeBytes { (raw) throws -> JSONValue in try JSONParser.parse(raw) }
        } catch {
            throw damaged
        }
        guard let o = value.objectValue, let ref = o["ref"]?.stringValue, let cis = o["cis"]?.arrayValue,
            let start = o["start"]?.intValue, let end = o["end"]?.intValue
        else { throw damaged }
        return PlannedChange(
            reference: ref, cis: cis.compactMap(\.stringValue), window: ChangeWindow(start: start, end: end),
            description: o["description"]?.stringValue, actor: o["actor"]?.stringValue ?? "",
            plannedAt: o["planned_at"]?.intValue ?? 0)
    }
}

extension TimeZone {
    /// The zone's IANA name as the user wrote it; UTC (which Foundation on Linux calls GMT) as `UTC`.
    public var planningName: String {
        identifier == "GMT" && secondsFromGMT() == 0 ? "UTC" : identifier
    }
}
