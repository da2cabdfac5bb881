public import Foundation
public import GraphStorage
import ConfigurationSchema

/// What the change manager takes to the CAB: the impact of taking some CIs down, rolled up to business
/// services and owners, with a risk figure, the window check and the collisions with other planned changes.
public struct ImpactReport: Sendable {
    /// What a report says about one CI.
    public struct Item: Sendable {
        public var id: String
        public var label: String?
        public var name: String?
        public var status: String?
        public var owner: String?
        public var criticality: Int?
    }

    /// An impacted CI with its level, distance and the ids on its explaining path (target first).
    public struct Impacted: Sendable {
        public var item: Item
        public var level: ImpactLevel
        public var distance: Int
        public var path: [String]
    }

    /// An affected business service (impacted, or itself a target: then down).
    public struct Service: Sendable {
        public var item: Item
        public var level: ImpactLevel
        public var isTarget: Bool
        public var sla: String?
        public var maintenanceWindow: String?
    }

    /// An owner to notify, with how many of their CIs the change touches.
    public struct Owner: Sendable {
        public var name: String
        public var targets = 0
        public var down = 0
        public var degraded = 0
    }

    /// A service whose maintenance window does not contain the change window.
    public struct WindowFinding: Sendable {
        public enum Reason: String, Sendable {
            /// The change runs outside the service's maintenance window.
            case outside
            /// The service declares no maintenance window.
            case missing
            /// The maintenance window could not be read.
            case unreadable
        }
        public var service: String
        public var maintenanceWindow: String?
        public var reason: Reason
    }

    /// Another planned change in an overlapping window whose impact meets this one.
    public struct Collision: Sendable {
        public var change: PlannedChange
        /// The CIs both changes take down or impact, by id.
        public var cis: [String]
    }

    /// The risk figure: a score, a band, and the terms it is made of.
    public struct Risk: Sendable {
        public var score: Int
        public var band: String
        /// One line per term, for the report.
        public var terms: [String]

        /// How the score is computed, in words (the README and the Markdown report say the same).
        public static let formula =
            "risk = Σ over affected business services of criticality (1-5; 3 when unset) × 2 when down, 1 when "
            + "degraded × 2 when the change window is not confirmed inside its maintenance window; + 5 per "
            + "collision with another planned change. Bands: 0 none, 1-9 low, 10-29 medium, 30 and up high."
    }

    public var targets: [Item]
    /// Targets that are withdrawn or disposed (they take nothing down).
    public var inactiveTargets: [String]
    public var impacted: [Impacted]
    /// Affected business services, most critical and worst first.
    public var services: [Service]
    /// Owners of targets and impacted CIs, most affected first.
    public var owners: [Owner]
    public var depth: Int?
    public var window: ChangeWindow?
    /// The change being assessed (`excluding`), if one was named.
    public var assessedChange: String?
    /// Whether `window` is the assessed change's planned window (none was given, so its own was taken).
    public var windowIsPlanned: Bool
    public var timeZone: TimeZone
    public var windowFindings: [WindowFinding]
    public var collisions: [Collision]
    public var risk: Risk
}

extension ImpactReport {
    /// Analyses `targets` in `tx` and builds the report.
    ///
    /// - Parameters:
    ///   - depth: list only CIs this close to a target (roll-ups and collisions use the whole impact).
    ///   - window: the change window to check against maintenance windows and other planned changes; when nil and
    ///     `excluding` names a planned change, that change's planned window.
    ///   - excluding: the change being assessed: a planned change of that reference is no collision, and its
    ///     planned window is the window when none is given.
    ///   - interrupt: called every few hundred CIs; what it throws (a time limit) ends the report with that error.
    public static func make(
        targets: [NodeID], depth: Int?, window: ChangeWindow?, excluding: String? = nil,
        analyzer: ImpactAnalyzer, in tx: GraphTransaction, interrupt: (() throws -> Void)? = nil
    ) throws -> ImpactReport {
        let schema = analyzer.schema
        var window = window
        let windowIsPlanned = window == nil && excluding != nil
        if windowIsPlanned, let excluding { window = try ChangePlanning.plannedChange(excluding, in: tx)?.window }
        let result = try analyzer.analyze(targets: targets, in: tx, interrupt: interrupt)
        var items: [NodeID: Item] = [:]
        for (n, nid) in (result.targets + result.items.map(\.nid)).enumerated() {
            if n & 255 == 255, let interrupt { try interrupt() }
            items[nid] = try item(nid, tx)
        }
        let ids = items.mapValues(\.id)

        var impacted: [Impacted] = []
        impacted.reserveCapacity(result.items.count)
        var owners: [String: Owner] = [:]
        var services: [Service] = []
        for nid in result.targets {
            guard let item = items[nid] else { continue }
            if let owner = item.owner { owners[owner, default: Owner(name: owner)].targets += 1 }
            if let service = try service(nid, item, .down, isTarget: true, schema, tx) { services.append(service) }
        }
        for (index, entry) in result.items.enumerated() {
            guard let item = items[entry.nid] else { continue }
            if let owner = item.owner {
                if entry.level == .down { owners[owner, default: Owner(name: owner)].down += 1 }
                else { owners[owner, default: Owner(name: owner)].degraded += 1 }
            }
            if let service = try service(entry.nid, item, entry.level, isTarget: false, schema, tx) {
                services.append(service)
            }
            if depth.map({ entry.distance <= $0 }) ?? true {
                impacted.append(Impacted(
                    item: item, level: entry.level, distance: entry.distance,
                    path: result.path(toItemAt: index).map { ids[$0] ?? "?" }))
            }
        }
        services.sort {
            ($0.item.criticality ?? 0, $0.level == .down ? 1 : 0, $1.item.id)
                > ($1.item.criticality ?? 0, $1.level == .down ? 1 : 0, $0.item.id)
        }
        let timeZone = try ChangePlanning.timeZone(in: tx)
        var findings: [WindowFinding] = []
        var collisions: [Collision] = []
        if let window {
            for s in services {
                guard let text = s.maintenanceWindow else {
                    findings.append(WindowFinding(service: s.item.id, maintenanceWindow: nil, reason: .missing))
                    continue
                }
                guard let mw = MaintenanceWindow(text) else {
                    findings.append(WindowFinding(service: s.item.id, maintenanceWindow: text, reason: .unreadable))
                    continue
                }
                if !mw.contains(window, timeZone: timeZone) {
                    findings.append(WindowFinding(service: s.item.id, maintenanceWindow: text, reason: .outside))
                }
            }
            let ours = Set(result.targets).union(result.items.map(\.nid))
            for other in try ChangePlanning.plannedChanges(in: tx)
            where other.reference != excluding && other.window.overlaps(window) {
                let theirTargets = try other.cis.compactMap { try tx.nodeID(forExternalID: $0) }
                let theirs = try analyzer.analyze(targets: theirTargets, in: tx, interrupt: interrupt)
                var meet: [String] = []
                for nid in theirs.targets + theirs.items.map(\.nid) where ours.contains(nid) {
                    meet.append(ids[nid] ?? "?")
                }
                if !meet.isEmpty { collisions.append(Collision(change: other, cis: meet.sorted())) }
            }
        }
        let risk = Self.risk(services: services, findings: findings, collisions: collisions, windowGiven: window != nil)
        return ImpactReport(
            targets: result.targets.compactMap { items[$0] },
            inactiveTargets: result.inactiveTargets.compactMap { ids[$0] }.sorted(),
            impacted: impacted, services: services,
            owners: owners.values.sorted { ($0.targets + $0.down, $0.degraded, $1.name) > ($1.targets + $1.down, $1.degraded, $0.name) },
            depth: depth, window: window, assessedChange: excluding, windowIsPlanned: windowIsPlanned && window != nil,
            timeZone: timeZone, windowFindings: findings, collisions: collisions,
            risk: risk)
    }

    private static func item(_ nid: NodeID, _ tx: GraphTransaction) throws -> Item {
        guard let node = try tx.node(nid) else {
            throw StorageError(.corrupted, "node \(nid) vanished during an impact analysis")
        }
        var criticality: Int?
        if case .int(let c)? = node.properties["criticality"] { criticality = Int(clamping: c) }
        return Item(
            id: node.externalID, label: node.label, name: node.properties["name"]?.stringValue,
            status: node.properties["status"]?.stringValue, owner: node.properties["owner"]?.stringValue,
            criticality: criticality)
    }

    private static func service(
        _ nid: NodeID, _ item: Item, _ level: ImpactLevel, isTarget: Bool, _ schema: Schema, _ tx: GraphTransaction
    ) throws -> Service? {
        guard let label = item.label, schema.isClass(label, a: "BusinessService") else { return nil }
        let node = try tx.node(nid)
        return Service(
            item: item, level: level, isTarget: isTarget, sla: node?.properties["sla"]?.stringValue,
            maintenanceWindow: node?.properties["maintenance_window"]?.stringValue)
    }

    static func risk(services: [Service], findings: [WindowFinding], collisions: [Collision], windowGiven: Bool)
        -> Risk
    {
        let outside = Set(findings.map { Array($0.service.utf8) })  // by code point: equivalent ids are two CIs
        var score = 0
        var terms: [String] = []
        for s in services {
            let criticality = s.item.criticality ?? 3
            let levelFactor = s.level == .down ? 2 : 1
            let windowFactor = windowGiven && outside.contains(Array(s.item.id.utf8)) ? 2 : 1
            let term = criticality * levelFactor * windowFactor
            score += term
            var text = "\(s.item.id): criticality \(criticality)\(s.item.criticality == nil ? " (unset)" : "")"
            text += " × \(levelFactor) (\(s.level.rawValue))"
            if windowFactor == 2 { text += " × 2 (outside its maintenance window)" }
            terms.append(text + " = \(term)")
        }
        if !collisions.isEmpty {
            score += 5 * collisions.count
            terms.append("\(collisions.count) collision\(collisions.count == 1 ? "" : "s") × 5 = \(5 * collisions.count)")
        }
        let band = score == 0 ? "none" : score < 10 ? "low" : score < 30 ? "medium" : "high"
        return Risk(score: score, band: band, terms: terms)
    }
}

extension PropertyValue {
    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
