import ArgumentParser
import CMDB
import ConfigurationSchema
import Foundation
import GraphStorage
import ImpactAnalysis
import JSONLines

/// `cmdb change plan|list|cancel|timezone`: planned changes, kept in the database for collision checks.
struct ChangeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Plan changes for collision checks: plan, list, cancel; the planning time zone.",
        discussion: """
            A planned change is a change reference, the CIs it takes down and its window. 'cmdb impact --window'
            reports every planned change whose window overlaps and whose impact meets the one analysed.
            Windows and maintenance windows are read in the planning time zone (default UTC):
            'cmdb change timezone Europe/Amsterdam'.
            """,
        subcommands: [Plan.self, List.self, Cancel.self, Timezone.self])

    /// `cmdb change plan REF --ci A,B --window START/END [--description TEXT]`
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Plan a change: its CIs and window (re-planning a reference replaces it).")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: ArgumentHelp("The change reference, e.g. CHG0001234.", valueName: "ref"))
        var reference: String

        @Option(help: ArgumentHelp("The CIs the change takes down, comma-separated (repeatable).", valueName: "a,b"))
        var ci: [String] = []

        @Option(help: ArgumentHelp("The change window, START/END (ISO-8601).", valueName: "start/end"))
        var window: String

        @Option(help: ArgumentHelp("What the change does.", valueName: "text"))
        var description: String?

        @Option(help: ArgumentHelp("Who plans it (default: $CMDB_ACTOR, else the login name).", valueName: "name"))
        var actor: String?

        var ids: [String] { ci.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty } }

        func validate() throws {
            if ChangeReference.given(reference) == nil { throw ValidationError("the change reference is empty or blank") }
            if let problem = ChangeReference.problem(with: reference) { throw ValidationError(problem) }
            if ids.isEmpty { throw ValidationError("name the CIs the change takes down: --ci A,B") }
        }

        func run() throws {
            let db = try ConfigurationDatabase.open(at: database.path)
            let who = defaultActor(actor)
            let info = ChangeInfo(actor: who, changeReference: reference, origin: "change plan \(reference)")
            let (change, replaced, zone) = try db.store.write(info) { tx in
                _ = try planningInput { try CIReference.resolve(ids, place: "--ci", in: tx) }
                let zone = try ChangePlanning.timeZone(in: tx)
                let parsed = try planningInput { try ChangeWindow.parse(window, timeZone: zone) }
                let replaced = try ChangePlanning.plannedChange(reference, in: tx) != nil
                let change = PlannedChange(
                    reference: reference, cis: ids, window: parsed, description: description, actor: who,
                    plannedAt: Int64(Date().timeIntervalSince1970))
                try ChangePlanning.store(change, in: tx)
                return (change, replaced, zone)
            }
            Console.out("\(replaced ? "re-planned" : "planned") \(change.reference): \(change.cis.count) CI"
                + "\(change.cis.count == 1 ? "" : "s"), \(change.window.formatted(in: zone))")
        }
    }

    /// `cmdb change list [--format table|json]`
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the planned changes.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

        @OptionGroup var database: DatabaseOptions

        @Option(help: ArgumentHelp("table or json.", valueName: "format"))
        var format: Format = .table

        func run() throws {
            let db = try ConfigurationDatabase.open(at: database.path, readOnly: true)
            let (changes, zone) = try db.store.read { tx in
                (try ChangePlanning.plannedChanges(in: tx), try ChangePlanning.timeZone(in: tx))
            }
            switch format {
            case .json:
                var w = JSONWriter()
                w.write(.array(changes.map { c in
                    .object(JSONObject([
                        ("ref", .string(c.reference)), ("cis", .array(c.cis.map { .string($0) })),
                        ("start", .string(ChangeWindow.isoUTC(c.window.start))),
                        ("end", .string(ChangeWindow.isoUTC(c.window.end))),
                        ("description", c.description.map { .string($0) } ?? .null), ("actor", .string(c.actor)),
                    ]))
                }))
                Console.out(String(decoding: w.bytes, as: UTF8.self))
            case .table:
                if changes.isEmpty {
                    Console.out("no planned changes")
                    return
                }
                var rows = [["change", "window (\(zone.planningName))", "CIs", "description"]]
                for c in changes.sorted(by: { ($0.window.start, $0.reference) < ($1.window.start, $1.reference) }) {
                    rows.append([c.reference, c.window.formatted(in: zone).replacingOccurrences(of: " " + zone.planningName, with: ""),
                        c.cis.joined(separator: ","), c.description ?? ""])
                }
                Console.out(TextTable(rows: rows).rendered)
            }
        }
    }

    /// `cmdb change cancel REF`
    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Remove a planned change.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: ArgumentHelp("The change reference.", valueName: "ref"))
        var reference: String

        func run() throws {
            let db = try ConfigurationDatabase.open(at: database.path)
            let info = ChangeInfo(actor: defaultActor(nil), changeReference: reference, origin: "change cancel \(reference)")
            try db.store.write(info) { tx in
                if try !ChangePlanning.cancel(reference, in: tx) {
                    let known = try ChangePlanning.plannedChanges(in: tx).map(\.reference)
                    var message = "no planned change '\(reference)'"
                    if let near = closestSpelling(to: reference, in: known) { message += "; did you mean '\(near)'?" }
                    else { message += known.isEmpty ? " (none are planned)" : "; 'cmdb change list' shows them" }
                    throw CommandFailure.badInput(message)
                }
            }
            Console.out("cancelled \(reference)")
        }
    }

    /// `cmdb change timezone [ZONE]`
    struct Timezone: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "timezone",
            abstract: "Show or set the planning time zone (an IANA name such as Europe/Amsterdam; default UTC).")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: ArgumentHelp("The new time zone.", valueName: "zone"))
        var zone: String?

        func run() throws {
            let db = try ConfigurationDatabase.open(at: database.path)
            guard let zone else {
                Console.out(try db.store.read { tx in try ChangePlanning.timeZone(in: tx) }.planningName)
                return
            }
            guard let timeZone = TimeZone(identifier: zone) else {
                var message = "unknown time zone '\(zone)'"
                if let near = closestSpelling(to: zone, in: TimeZone.knownTimeZoneIdentifiers) {
                    message += "; did you mean '\(near)'?"
                } else {
                    message += "; use an IANA name such as Europe/Amsterdam or UTC"
                }
                throw CommandFailure.badInput(message)
            }
            try db.store.write(ChangeInfo(actor: defaultActor(nil), changeReference: nil, origin: "change timezone")) { tx in
                try ChangePlanning.setTimeZone(timeZone, in: tx)
            }
            Console.out("planning time zone: \(timeZone.planningName)")
        }
    }
}
