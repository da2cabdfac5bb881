import CIQL
import CIQLResults
import CIQLValues
import CIQLSyntax
import CMDB
import GraphStorage
import JSONLines

extension ShellSession {
    /// Runs a meta-command line; returns false when the session should end.
    func perform(_ line: String) -> Bool {
        let command: MetaCommand
        do {
            command = try MetaCommand.parse(line)
        } catch {
            report(error.message)
            return true
        }
        Interrupts.reset()
        do {
            switch command {
            case .help: say(MetaCommand.helpText)
            case .quit: return false
            case .timing(let on):
                timing = on ?? !timing
                say("timing \(timing ? "on" : "off")")
            case .timeout(let setting):
                switch setting {
                case .show: break
                case .off: configuration.limits.timeout = nil
                case .seconds(let s): configuration.limits.timeout = s
                }
                say(configuration.limits.timeout.map { "statements stop after \(StatementLimits.describeSeconds($0))" }
                    ?? "statements have no time limit")
            case .format(let format):
                configuration.format = format
                say("results as \(format.rawValue)")
            case .setParameter(let name, let expression): try setParameter(name, expression)
            case .listParameters: listParameters()
            case .clearParameters:
                configuration.parameters = [:]
                parameterTexts = [:]
                say("no parameters")
            case .change(.show):
                say(configuration.changeReference.map { "writes are recorded under change \($0)" }
                    ?? "no change reference: writes are recorded without one (:change REF sets it)")
            case .change(.clear):
                configuration.changeReference = nil
                say("writes are recorded without a change reference")
            case .change(.set(let reference)):
                configuration.changeReference = reference
                say("writes are recorded under change \(reference)")
            case .schema:
                try showStatement("SHOW CLASSES")
                try showStatement("SHOW RELATION TYPES")
            case .describe(let id): try describe(id)
            case .history(let id):
                try requireCI(id, deletedToo: true)
                try showStatement(
                    "CALL history($id) YIELD tx, at, actor, change, origin, operation, changes "
                        + "RETURN tx, at, actor, change, origin, operation, changes", ["id": .string(id)])
            case .impact(let ids):
                guard let impact = configuration.impact else {
                    report("impact analysis is not available in this build")
                    return true
                }
                let text = try impact(ids)
                if configuration.isInteractive { pager.show(text.hasSuffix("\n") ? text : text + "\n") } else {
                    try output.write(text.hasSuffix("\n") ? text : text + "\n")
                    try output.flush()
                }
            }
        } catch let error as CIQLError where Interrupts.cancellation.isCancelled && error.kind == .runtime {
            say("\ncancelled")
        } catch let error as CIQLError {
            report(error.message, code: error.code)
        } catch let error as StorageError {
            report(error)
        } catch {
            report("\(error)", code: .runtime(.executionFailed))
        }
        return true
    }

    /// Runs a statement the shell wrote itself into a table (its own parameters, not the user's).
    @discardableResult
    private func showStatement(_ text: String, _ parameters: [String: Value] = [:], summary: Bool = true) throws -> TableSink {
        let sink = TableSink(limits: configuration.limits)
        for statement in try CIQLParser.parse(text) {
            try engine.execute(statement, parameters: parameters,
                change: ChangeInfo(actor: configuration.actor, changeReference: nil, origin: "shell"),
                cancellation: Interrupts.cancellation, limits: configuration.limits, into: sink)
        }
        showTable(sink, summary: summary)
        return sink
    }

    /// Throws unless a CI with this id exists (or, with `deletedToo`, ever existed: its history is kept).
    private func requireCI(_ id: String, deletedToo: Bool = false) throws {
        let exists = try engine.database.store.read { tx in
            guard let nid = try tx.nodeID(forExternalID: id) else { return false }
            if deletedToo { return true }
            return try tx.node(nid) != nil
        }
        if !exists { throw CIQLError(.semantic, .graph(.unknownCI), "unknown CI '\(id)' (tab after :describe completes ids)") }
    }

    // MARK: - :param

    /// Evaluates `expression` as CIQL (with the parameters already set) and stores it as `$name`.
    private func setParameter(_ name: String, _ expression: String) throws {
        let text = "RETURN \(expression) AS value"
        let statements: [Statement]
        do {
            statements = try CIQLParser.parse(text)
        } catch {
            throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "the value of :param must be one CIQL expression: \(error.message)")
        }
        guard statements.count == 1, let statement = statements.first else {
            throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "the value of :param must be one CIQL expression")
        }
        let sink = TableSink(limits: configuration.limits)
        try engine.execute(statement, parameters: configuration.parameters,
            change: ChangeInfo(actor: configuration.actor, changeReference: nil, origin: "shell"),
            limits: configuration.limits, into: sink)
        guard let value = sink.values.first?.first, let shown = sink.rows.first?.first else {
            throw CIQLError(.semantic, .semantic(.invalidQuery), "the value of :param gave no value")
        }
        configuration.parameters[name] = value
        parameterTexts[name] = shown
        say("$\(name) => \(shown)")
    }

    private func listParameters() {
        guard !configuration.parameters.isEmpty else {
            say("no parameters (:param name => value sets one)")
            return
        }
        let names = configuration.parameters.keys.sorted()
        let table = TableRenderer(columns: ["parameter", "value"], rows: names.map { ["$" + $0, parameterTexts[$0] ?? ""] })
        say(table.rendered())
    }

    // MARK: - :describe

    /// The CI's class and attributes, then its relations: outgoing (it depends on) and incoming (they depend on it).
    private func describe(_ id: String) throws {
        try requireCI(id)
        var attributes: [[String]] = []
        var heading = id
        let sink = TableSink()
        sink.onNode = { node, renderer in
            heading = node.externalID + (node.label.map { " (\($0))" } ?? "")
            attributes = try node.properties.map { [$0.key, try renderer.text(Value($0.value))] }
        }
        try engine.execute(try single("MATCH (n {id: $id}) RETURN n"), parameters: ["id": .string(id)],
            change: ChangeInfo(actor: configuration.actor, changeReference: nil, origin: "shell"), into: sink)
        var text = heading + "\n"
        let width = configuration.isInteractive ? Terminal.size(of: 1)?.columns : nil
        var table = TableRenderer(columns: ["attribute", "value"], rows: attributes)
        table.maximumWidth = width
        text += table.rendered()
        let columns = "type(r) AS relation, m.id AS ci, class(m) AS class, m.name AS name, m.status AS status "
            + "ORDER BY relation, ci"
        for (title, pattern) in [("outgoing: \(id) -> ci", "-[r]->"), ("incoming: ci -> \(id)", "<-[r]-")] {
            let relations = TableSink()
            try engine.execute(try single("MATCH (n {id: $id})\(pattern)(m) RETURN \(columns)"),
                parameters: ["id": .string(id)],
                change: ChangeInfo(actor: configuration.actor, changeReference: nil, origin: "shell"),
                cancellation: Interrupts.cancellation, into: relations)
            text += "\n\(title) (\(relations.rows.count))\n"
            if !relations.rows.isEmpty { text += relations.rendered(width: width) }
        }
        if configuration.isInteractive {
            pager.show(text)
        } else {
            try output.write(text)
            try output.flush()
        }
    }

    private func single(_ text: String) throws -> Statement {
        guard let statement = try CIQLParser.parse(text).first else { throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "empty statement") }
        return statement
    }
}
