import GraphStorage
import Testing
import Verification

struct AuditTests {
    private func violations(_ r: AuditResult, _ rule: String) -> [String] {
        r.violations.filter { $0.rule == rule }.map(\.ci).sorted()
    }

    private func outcome(_ r: AuditResult, _ rule: String) -> RuleOutcome? {
        r.outcomes.first { $0.rule == rule }
    }

    @Test("completeness: each missing recommended attribute is a violation; the score is the share of CIs with all")
    func missingRecommended() throws {
        let db = try TestDatabase()
        try db.load([
            ci("app-1", "Application", ["owner": "team", "criticality": 2]),
            ci("app-2", "Application", ["owner": "team"]),
            ci("app-3", "Application", [:]),
            ci("app-4", "Application", ["owner": "team", "criticality": 3]),
        ])
        let r = try db.audit()
        #expect(violations(r, "missing-recommended") == ["app-2", "app-3", "app-3"])
        #expect(outcome(r, "missing-recommended")?.checked == 4)
        #expect(outcome(r, "missing-recommended")?.failing == 2)
        #expect(r.scores.completeness == 50)
    }

    @Test("correctness: duplicates by identifier within a family, not across retired CIs")
    func duplicates() throws {
        let db = try TestDatabase()
        try db.load([
            ci("ws-1", "Workstation", ["serial": "S1", "hostname": "h1"]),
            ci("ws-2", "Workstation", ["serial": "S1", "hostname": "h2"]),
            ci("ws-3", "Workstation", status: "disposed", ["serial": "S3", "hostname": "h3"]),
            ci("ws-4", "Workstation", ["serial": "S4", "hostname": "h3"]),
            ci("sw-1", "Switch", ["serial": "S1"]),
        ])
        let r = try db.audit()
        #expect(violations(r, "duplicate") == ["ws-1", "ws-2"])
        #expect(r.violations.first { $0.rule == "duplicate" }?.severity == .high)
    }

    @Test("correctness: orphans by the schema's expects, retired CIs excepted")
    func orphans() throws {
        let db = try TestDatabase()
        try db.load([
            ci("vm-1", "VirtualServer", ["hostname": "a"]), ci("vm-2", "VirtualServer", ["hostname": "b"]),
            ci("vm-3", "VirtualServer", status: "withdrawn", ["hostname": "c"]),
            ci("hv-1", "Hypervisor", ["serial": "X"]), rel("HOSTED_ON", "vm-1", "hv-1"),
        ])
        #expect(violations(try db.audit(), "orphan") == ["vm-2"])
    }

    @Test("correctness: stale when never verified or verified longer ago than the limit")
    func stale() throws {
        let db = try TestDatabase()
        try db.load([
            ci("vm-1", "VirtualServer", ["hostname": "a"]), ci("vm-2", "VirtualServer", ["hostname": "b"]),
            ci("vm-3", "VirtualServer", ["hostname": "c"]), ci("app-1", "Application", [:]),
        ])
        let day: Int64 = 86_400_000_000
        let now: Int64 = 1_800_000_000_000_000
        try db.store.write(ChangeInfo(actor: "t", changeReference: nil, origin: "verify")) { tx in
            try tx.stampVerified([try #require(try tx.nodeID(forExternalID: "vm-1"))], at: now - 2 * day)
            try tx.stampVerified([try #require(try tx.nodeID(forExternalID: "vm-2"))], at: now - 40 * day)
        }
        #expect(violations(try db.audit(now: now), "stale") == ["vm-2", "vm-3"])
        #expect(violations(try db.audit(now: now, staleDays: 50), "stale") == ["vm-3"])
    }

    @Test("correctness: relations the schema no longer allows")
    func relationsNotAllowed() throws {
        let db = try TestDatabase()
        try db.load([ci("vm-1", "VirtualServer", ["hostname": "a"]), ci("hv-1", "Hypervisor", ["serial": "X"]),
            rel("HOSTED_ON", "vm-1", "hv-1")])
        let narrower = try BuiltInSchemaVariant.withoutHypervisorHosting()
        let r = try db.store.read { tx in
            try AuditEngine(tx: tx, schema: narrower, options: AuditOptions(now: 0)).run()
        }
        #expect(violations(r, "relation-not-allowed") == ["vm-1"])
        #expect(violations(try db.audit(), "relation-not-allowed").isEmpty)
    }

    @Test("correctness: live CIs depending on withdrawn or disposed ones, following the direction of impact")
    func dependsOnRetired() throws {
        let db = try TestDatabase()
        try db.load([
            ci("app-1", "Application", [:]), ci("srv-1", "VirtualServer", status: "withdrawn", ["hostname": "a"]),
            ci("srv-2", "PhysicalServer", status: "disposed", ["serial": "B"]),
            ci("clu-1", "Cluster", [:]), ci("app-2", "Application", status: "withdrawn", [:]),
            rel("RUNS_ON", "app-1", "srv-1"), rel("MEMBER_OF", "srv-2", "clu-1"), rel("RUNS_ON", "app-2", "srv-1"),
            rel("BACKED_UP_BY", "clu-1", "app-2"),
        ])
        #expect(violations(try db.audit(), "depends-on-retired") == ["app-1", "clu-1"])
    }

    @Test("compliance: illegal status transitions found in the history")
    func illegalTransitions() throws {
        let db = try TestDatabase()
        try db.load([ci("ap-1", "AccessPoint", status: "planned", ["serial": "A"]),
            ci("ap-2", "AccessPoint", status: "planned", ["serial": "B"])])
        try db.load([ci("ap-1", "AccessPoint", status: "live", ["serial": "A"]),
            ci("ap-2", "AccessPoint", status: "ordered", ["serial": "B"])])
        let r = try db.audit()
        #expect(violations(r, "illegal-transition") == ["ap-1"])
        #expect(r.violations.first { $0.rule == "illegal-transition" }?.message.contains("planned → live") == true)
    }

    @Test("compliance: changes without a change reference since the previous run")
    func changesWithoutReference() throws {
        let db = try TestDatabase()
        try db.load([ci("app-1", "Application", [:])], change: "CHG-1")
        try db.load([ci("app-2", "Application", [:]), ci("app-3", "Application", [:]), rel("DEPENDS_ON", "app-2", "app-3")],
            change: nil)
        let all = try db.audit()
        #expect(violations(all, "no-change-reference") == ["app-2", "app-3"])
        #expect(outcome(all, "no-change-reference")?.failing == 3)
        let last = try db.store.read { tx in try tx.lastCommittedTransaction }
        #expect(violations(try db.audit(since: last), "no-change-reference").isEmpty)
    }

    @Test("compliance: a blank change reference (written by older builds) counts as none")
    func blankChangeReference() throws {
        let db = try TestDatabase()
        try db.load([ci("app-1", "Application", [:])], change: "CHG-1")
        // Written straight through the importer, as builds before the blank check recorded them.
        try db.load([ci("app-2", "Application", [:])], change: "")
        try db.load([ci("app-3", "Application", [:])], change: "   ")
        try db.load([ci("app-4", "Application", [:])], change: "\t\n\u{3000}")
        let all = try db.audit()
        #expect(violations(all, "no-change-reference") == ["app-2", "app-3", "app-4"])
        #expect(outcome(all, "no-change-reference")?.failing == 3)
    }

    @Test("compliance: ids that break the class's naming pattern")
    func naming() throws {
        let db = try TestDatabase()
        try db.load([ci("app-ok", "Application", [:]), ci("App_Bad", "Application", [:])])
        #expect(violations(try db.audit(), "id-naming") == ["App_Bad"])
    }

    @Test("user rules run through the injected runner; failures name the rule's file and line")
    func userRules() throws {
        let db = try TestDatabase()
        try db.load([ci("app-1", "Application", [:]), ci("app-2", "Application", ["vendor": "x"])])
        let rules = try AuditRulesFile.parse("""
            - name: app-without-vendor
              category: completeness
              severity: low
              message: "application has no vendor"
              query: "MATCH (a:Application) WHERE a.vendor IS NULL RETURN a"
            """, file: "rules.yaml")
        var asked: [String] = []
        let r = try db.audit(rules: rules, runner: { rule in
            asked.append(rule.query)
            return ["app-1", "app-1"]
        })
        #expect(asked == ["MATCH (a:Application) WHERE a.vendor IS NULL RETURN a"])
        let mine = r.violations.filter { $0.rule == "app-without-vendor" }
        #expect(mine.map(\.ci) == ["app-1"])
        #expect(mine.first?.message == "application has no vendor" && mine.first?.category == .completeness)
        #expect(outcome(r, "app-without-vendor")?.failing == 1)
        do {
            _ = try db.audit(rules: rules, runner: { _ in throw RunnerFailure() })
            Issue.record("a failing runner did not fail the audit")
        } catch let error as AuditRuleError {
            #expect(error.description == "rules.yaml:1: rule 'app-without-vendor': the query failed")
        }
    }

    @Test("bad rules files name file:line", arguments: [
        ("- name: a\n  category: completness\n  severity: low\n  message: m\n  query: q\n",
            "rules.yaml:2:13: unknown category 'completness' (did you mean 'completeness'?)"),
        ("- name: a\n  category: compliance\n  severity: urgent\n  message: m\n  query: q\n",
            "rules.yaml:3:13: unknown severity 'urgent'"),
        ("- name: a\n  category: compliance\n  severity: low\n  message: m\n", "rules.yaml:1:3: the rule is missing 'query'"),
        ("- name: a\n  categroy: compliance\n", "rules.yaml:2:3: unknown key 'categroy' in a rule (did you mean 'category'?)"),
        ("name: a\n", "rules.yaml:1:1: the rules file must be a list"),
        ("- name: stale\n  category: compliance\n  severity: low\n  message: m\n  query: q\n",
            "rules.yaml:1:9: 'stale' is the name of a built-in rule"),
        ("- name: [a\n", "rules.yaml:2:"),
    ])
    func badRulesFiles(text: String, expected: String) throws {
        do {
            _ = try AuditRulesFile.parse(text, file: "rules.yaml")
            Issue.record("no error for \(text)")
        } catch let error as VerificationInputError {
            #expect(error.description.hasPrefix(expected), "\(error)")
        }
    }

    @Test("runs are stored; the next run reports what is new and what was fixed")
    func history() throws {
        let db = try TestDatabase()
        try db.load([ci("App_1", "Application", ["owner": "t", "criticality": 1]), ci("app-2", "Application", [:])])
        func runAndStore() throws -> AuditResult {
            var r = try db.audit()
            try db.store.read { tx in try AuditHistory.compare(&r, with: tx) }
            let stored = r
            try db.store.write(ChangeInfo(actor: "t", changeReference: nil, origin: "audit")) { tx in
                try AuditHistory.store(stored, in: tx)
            }
            return r
        }
        let first = try runAndStore()
        #expect(first.run == 1 && first.previousRun == nil)
        try db.load([ci("app-2", "Application", ["owner": "t", "criticality": 1]), ci("app-3", "Application", ["owner": "t"])])
        let second = try runAndStore()
        #expect(second.run == 2 && second.previousRun == 1)
        #expect(Set(second.fixed.map { "\($0.rule) \($0.ci)" }) == ["missing-recommended app-2"])
        #expect(Set(second.new.map { "\($0.rule) \($0.ci)" }) == ["missing-recommended app-3", "orphan app-3"])
        let runs = try db.store.read { tx in try AuditHistory.summaries(tx) }
        #expect(runs.map(\.run) == [1, 2])
        #expect(runs.last?.violations == second.violations.count)
        #expect(runs.last?.scores == second.scores)
    }
}

struct RunnerFailure: Error, CustomStringConvertible {
    var description: String { "the query failed" }
}
