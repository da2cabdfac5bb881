import Foundation
import JSONLines

extension ImpactReport {
    /// The public JSON form (PRODUCT.md, "JSON output"):
    /// `{"targets":[ids],"impacted":[{"id","class","level","distance","path"}],"services":[{"id","level",
    /// "criticality"}],"owners":[{"owner","targets","down","degraded"}],"collisions":[{"change","start","end",
    /// "description","cis"}],"window":{"start","end","time_zone","planned_change","outside":[{"service",
    /// "maintenance_window","reason"}]}|null,"risk":{"score","band","terms","formula"},"inactive_targets":[ids]}`;
    /// `planned_change` is the assessed change's reference when the window is its planned one, else null.
    ///
    /// Written in chunks through `write`, so a large impact does not sit in memory twice.
    public func writeJSON(_ write: ([UInt8]) throws -> Void) throws {
        var w = JSONWriter(capacity: 1 << 16)
        func flushIfFull() throws {
            if w.bytes.count >= 1 << 16 {
                try write(w.bytes)
                w.removeAll()
            }
        }
        w.writeRaw("{\"targets\":")
        w.write(.array(targets.map { .string($0.id) }))
        w.writeRaw(",\"impacted\":[")
        for (i, entry) in impacted.enumerated() {
            if i > 0 { w.writeByte(UInt8(ascii: ",")) }
            w.write(JSONObject([
                ("id", .string(entry.item.id)), ("class", entry.item.label.map { .string($0) } ?? .null),
                ("level", .string(entry.level.rawValue)), ("distance", .int(Int64(entry.distance))),
                ("path", .array(entry.path.map { .string($0) })),
            ]))
            try flushIfFull()
        }
        w.writeRaw("],\"services\":")
        w.write(.array(services.map { s in
            .object(JSONObject([
                ("id", .string(s.item.id)), ("level", .string(s.level.rawValue)),
                ("criticality", s.item.criticality.map { .int(Int64($0)) } ?? .null),
            ]))
        }))
        w.writeRaw(",\"owners\":")
        w.write(.array(owners.map { o in
            .object(JSONObject([
                ("owner", .string(o.name)), ("targets", .int(Int64(o.targets))), ("down", .int(Int64(o.down))),
                ("degraded", .int(Int64(o.degraded))),
            ]))
        }))
        w.writeRaw(",\"collisions\":")
        w.write(.array(collisions.map { c in
            .object(JSONObject([
                ("change", .string(c.change.reference)),
                ("start", .string(ChangeWindow.isoUTC(c.change.window.start))),
                ("end", .string(ChangeWindow.isoUTC(c.change.window.end))),
                ("description", c.change.description.map { .string($0) } ?? .null),
                ("cis", .array(c.cis.map { .string($0) })),
            ]))
        }))
        w.writeRaw(",\"window\":")
        if let window {
            w.write(JSONObject([
                ("start", .string(ChangeWindow.isoUTC(window.start))), ("end", .string(ChangeWindow.isoUTC(window.end))),
                ("time_zone", .string(timeZone.planningName)),
                ("planned_change", windowIsPlanned ? assessedChange.map { .string($0) } ?? .null : .null),
                ("outside", .array(windowFindings.map { f in
                    .object(JSONObject([
                        ("service", .string(f.service)),
                        ("maintenance_window", f.maintenanceWindow.map { .string($0) } ?? .null),
                        ("reason", .string(f.reason.rawValue)),
                    ]))
                })),
            ]))
        } else {
            w.writeRaw("null")
        }
        w.writeRaw(",\"risk\":")
        w.write(JSONObject([
            ("score", .int(Int64(risk.score))), ("band", .string(risk.band)),
            ("terms", .array(risk.terms.map { .string($0) })), ("formula", .string(Risk.formula)),
        ]))
        w.writeRaw(",\"inactive_targets\":")
        w.write(.array(inactiveTargets.map { .string($0) }))
        w.writeRaw("}\n")
        try write(w.bytes)
    }
}
