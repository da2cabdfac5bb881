import Foundation
import GraphStorage
import Testing
import Verification

#if canImport(FoundationXML)
    import FoundationXML
#endif

struct ReportTests {
    /// A reconciliation with one finding of every kind, and an audit run compared with a previous one.
    private func sample() throws -> (VerifyReport, AuditReport) {
        let db = try TestDatabase()
        try db.load([
            ci("srv-b", "VirtualServer", ["hostname": "bravo", "os": "Ubuntu <22>"]),
            ci("srv-c", "VirtualServer", ["hostname": "charlie"]),
            ci("srv-x", "VirtualServer", ["hostname": "dup"]), ci("srv-y", "VirtualServer", ["hostname": "dup"]),
            ci("hv-1", "Hypervisor", ["serial": "H1"]), ci("hv-2", "Hypervisor", ["serial": "H2"]),
            rel("HOSTED_ON", "srv-b", "hv-1"), ci("App & Co", "Application", [:]),
        ])
        let r = try db.verify(header(["VirtualServer", "Hypervisor"], name: "vcenter \"ams\""), [
            item("VirtualServer", ["hostname": "bravo", "os": "Ubuntu 24.04 & more"]),
            item("VirtualServer", ["hostname": "new|one"]), item("VirtualServer", ["hostname": "dup"]),
            item("Hypervisor", ["serial": "H1"]), item("Hypervisor", ["serial": "H2"]),
            json(["kind": "rel", "type": "HOSTED_ON", "from": ["hostname": "bravo"], "to": ["serial": "H2"]]),
        ])
        var audit = try db.audit()
        audit.run = 2
        audit.previousRun = 1
        audit.new = Array(audit.violations.prefix(2))
        audit.fixed = [ViolationKey(rule: "orphan", ci: "srv-<gone>", detail: "HOSTED_ON")]
        return (VerifyReport(sources: [r]), AuditReport(result: audit))
    }

    private func render(_ write: (ReportWriter) throws -> Void) rethrows -> Data {
        var data = Data()
        let writer = ReportWriter { data.append(contentsOf: $0) }
        try write(writer)
        return data
    }

    @Test("verify JSON follows the contract")
    func verifyJSON() throws {
        let (verify, _) = try sample()
        let data = try render { try verify.write(.json, to: $0) }
        let sources = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let s = try #require(sources.first)
        #expect(Set(s.keys) == ["source", "matched", "missing", "unregistered", "drift", "ambiguous", "relations"])
        #expect(s["source"] as? String == "vcenter \"ams\"")
        #expect(s["matched"] as? Int == 3)
        #expect(s["missing"] as? [String] == ["srv-c"])
        let unregistered = try #require(s["unregistered"] as? [[String: Any]])
        #expect(unregistered.first?["class"] as? String == "VirtualServer")
        #expect((unregistered.first?["attrs"] as? [String: Any])?["hostname"] as? String == "new|one")
        let drift = try #require(s["drift"] as? [[String: Any]])
        #expect(drift.count == 1)
        #expect(drift.first?["id"] as? String == "srv-b" && drift.first?["attr"] as? String == "os")
        #expect(drift.first?["cmdb"] as? String == "Ubuntu <22>")
        #expect(drift.first?["discovered"] as? String == "Ubuntu 24.04 & more")
        let ambiguous = try #require(s["ambiguous"] as? [[String: Any]])
        #expect(ambiguous.first?["candidates"] as? [String] == ["srv-x", "srv-y"])
        let relations = try #require(s["relations"] as? [String: Any])
        let missing = try #require(relations["missing"] as? [[String: Any]])
        #expect(missing.first?["from"] as? String == "srv-b" && missing.first?["to"] as? String == "hv-1")
        let unregisteredRelations = try #require(relations["unregistered"] as? [[String: Any]])
        #expect(unregisteredRelations.first?["to"] as? String == "hv-2")
    }

    @Test("audit JSON follows the contract")
    func auditJSON() throws {
        let (_, audit) = try sample()
        let data = try render { try audit.write(.json, to: $0) }
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["run", "at", "scores", "violations"])
        #expect(object["run"] as? Int == 2)
        let scores = try #require(object["scores"] as? [String: Double])
        #expect(Set(scores.keys) == ["completeness", "correctness", "compliance", "overall"])
        let violations = try #require(object["violations"] as? [[String: String]])
        #expect(violations.count == audit.result.violations.count)
        #expect(violations.allSatisfy { Set($0.keys) == ["rule", "category", "severity", "ci", "message"] })
        #expect(violations.contains { $0["rule"] == "id-naming" && $0["ci"] == "App & Co" })
    }

    @Test("JUnit reports are well-formed XML with one failure per finding")
    func junit() throws {
        let (verify, audit) = try sample()
        let verifyXML = try XMLShape(try render { try verify.write(.junit, to: $0) })
        #expect(verifyXML.root == "testsuites")
        #expect(verifyXML.count("testsuite") == 1)
        #expect(verifyXML.count("failure") == verify.sources[0].findingCount)
        #expect(verifyXML.attributes["testsuites"]?["failures"] == String(verify.sources[0].findingCount))
        let auditXML = try XMLShape(try render { try audit.write(.junit, to: $0) })
        #expect(auditXML.count("testsuite") == 3)
        #expect(auditXML.count("failure") == audit.result.violations.count)
        let passing = audit.result.outcomes.filter { o in !audit.result.violations.contains { $0.rule == o.rule } }
        #expect(auditXML.count("testcase") == audit.result.violations.count + passing.count)
    }

    @Test("HTML reports are well-formed and escape what they show")
    func html() throws {
        let (verify, audit) = try sample()
        for data in [try render { try verify.write(.html, to: $0) }, try render { try audit.write(.html, to: $0) }] {
            let shape = try XMLShape(data)
            #expect(shape.root == "html")
            #expect(shape.count("table") >= 1)
        }
        let text = String(decoding: try render { try audit.write(.html, to: $0) }, as: UTF8.self)
        #expect(text.contains("App &amp; Co"))
        #expect(text.contains("Fixed since run 1"))
        #expect(text.contains("srv-&lt;gone&gt;"))
    }

    @Test("Markdown and text reports list every finding; table cells escape pipes")
    func markdownAndText() throws {
        let (verify, audit) = try sample()
        let md = String(decoding: try render { try verify.write(.markdown, to: $0) }, as: UTF8.self)
        #expect(md.contains("| missing | high | srv-c |"))
        #expect(md.contains("new\\|one"))
        let rows = md.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| finding") }
        #expect(rows.count == verify.sources[0].findingCount)
        let auditMD = String(decoding: try render { try audit.write(.markdown, to: $0) }, as: UTF8.self)
        #expect(auditMD.contains("## New since run 1 (2)"))
        #expect(auditMD.contains("## Fixed since run 1 (1)"))
        let text = String(decoding: try render { try audit.write(.text, to: $0) }, as: UTF8.self)
        #expect(text.hasPrefix("audit run 2 at "))
        #expect(text.contains("violations: \(audit.result.violations.count)"))
    }
}

/// A well-formedness check: the root element, element counts and the attributes of each first element.
struct XMLShape {
    var root: String?
    var counts: [String: Int] = [:]
    var attributes: [String: [String: String]] = [:]

    func count(_ name: String) -> Int { counts[name] ?? 0 }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    init(_ data: Data) throws {
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        guard parser.parse(), collector.failure == nil else {
            throw Malformed(description: "line \(parser.lineNumber): \(collector.failure ?? "\(String(describing: parser.parserError))")")
        }
        root = collector.root
        counts = collector.counts
        attributes = collector.attributes
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var root: String?
        var counts: [String: Int] = [:]
        var attributes: [String: [String: String]] = [:]
        var failure: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes attributeDict: [String: String] = [:])
        {
            if root == nil { root = name }
            counts[name, default: 0] += 1
            if attributes[name] == nil { attributes[name] = attributeDict }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { failure = "\(parseError)" }
    }
}
