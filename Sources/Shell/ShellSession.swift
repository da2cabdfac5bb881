public import CIQL
import CIQLResults
import CIQLSyntax
public import CMDB
import ConfigurationSchema
import Glibc
import GraphStorage
import JSONLines

/// The REPL: reads lines, runs the statements they complete and the meta-commands, shows the results.
///
/// On a terminal it edits lines with libedit, completes with tab, fits tables to the width, pages long ones
/// and lets Ctrl-C cancel the running statement. Without one it reads standard input as a script.
public final class ShellSession {
    let engine: QueryEngine
    var configuration: ShellConfiguration
    let reader: any LineReader
    let completion: CompletionSource
    let pager: Pager
    let output: OutputSink = {
        let sink = OutputSink(fileDescriptor: 1)
        sink.escapesControlCharacters = Terminal.isTerminal(1)
        return sink
    }()
    var timing = false
    /// How many statements and commands failed (non-interactive sessions exit 2 when any did).
    private(set) var failures = 0
    /// How each parameter was shown when it was set, for `:params`.
    var parameterTexts: [String: String] = [:]
    private var accumulator = StatementAccumulator()

    public init(database: ConfigurationDatabase, configuration: ShellConfiguration, procedures: [ProcedureDefinition] = []) {
        engine = QueryEngine(database: database, procedures: procedures)
        self.configuration = configuration
        completion = CompletionSource(
            keywords: CIQLLexer.keywords, vocabulary: { try Self.vocabulary(of: database) },
            ids: { prefix, limit in try database.store.read { tx in try tx.externalIDs(startingWith: prefix, limit: limit) } })
        if configuration.isInteractive {
            reader = EditLineReader(historyFile: configuration.historyFile, completion: completion)
        } else {
            reader = PlainLineReader()
        }
        pager = configuration.isInteractive ? Pager.fromEnvironment() : Pager(command: nil)
        for (name, value) in configuration.parameters { parameterTexts[name] = "\(value)" }
        completion.parameterNames = { [unowned self] in Array(self.configuration.parameters.keys) }
    }

    /// Runs until `:quit`, Ctrl-D or the end of input; returns the exit code (2 when a scripted statement failed).
    public func run() -> Int32 {
        var previousHandler: PreviousHandler?
        if configuration.isInteractive {
            previousHandler = Interrupts.install()
            say("cmdb shell on \(configuration.databasePath). Statements end with ';'. :help for help, Ctrl-D to leave.")
        }
        defer {
            try? output.flush()
            reader.finish()
            if let previousHandler { Interrupts.restore(previousHandler) }
        }
        var typed: [String] = []
        loop: while true {
            completion.isContinuation = !accumulator.isEmpty
            switch reader.readLine(prompt: accumulator.isEmpty ? prompt : continuationPrompt) {
            case .end:
                // A script's last statement may omit its ';'.
                if !configuration.isInteractive, !accumulator.pending.trimmingWhitespace().isEmpty {
                    execute(accumulator.pending.trimmingWhitespace())
                }
                break loop
            case .interrupted:
                accumulator.reset()
                typed = []
            case .line(let line):
                if accumulator.isEmpty, line.trimmingWhitespace().hasPrefix(":") {
                    reader.remember(line.trimmingWhitespace())
                    if !perform(line) { break loop }
                    continue
                }
                if accumulator.isEmpty, line.trimmingWhitespace().isEmpty { continue }
                typed.append(line)
                let statements = accumulator.add(line)
                if accumulator.isEmpty {
                    rememberStatement(typed)
                    typed = []
                }
                for statement in statements { execute(statement) }
            }
        }
        return !configuration.isInteractive && failures > 0 ? 2 : 0
    }

    // MARK: - Prompts and history

    var prompt: String {
        if let change = configuration.changeReference { return "cmdb \(change)> " }
        return "cmdb> "
    }

    var continuationPrompt: String { String(repeating: " ", count: max(0, prompt.count - 5)) + "...> " }

    /// A statement typed over several lines goes into the history as one line, so up-arrow brings all of it
    /// back; lines with `//` comments stay apart, since joining them would comment out what follows.
    private func rememberStatement(_ lines: [String]) {
        if lines.contains(where: { $0.contains("//") }) {
            for line in lines { reader.remember(line) }
        } else {
            reader.remember(lines.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: " "))
        }
    }

    // MARK: - Statements

    /// Runs one statement and shows its results, or the error with a caret under the place.
    func execute(_ text: String) {
        Interrupts.reset()
        // The shell keeps the database open for hours: reader slots of processes killed meanwhile would pin
        // old pages and make every write grow the file. A failed check only means the slots stay for now.
        _ = try? engine.database.store.clearStaleReaders()
        do {
            for statement in try CIQLParser.parse(text) {
                try show(statement)
            }
        } catch let error as CIQLError where Interrupts.cancellation.isCancelled && error.kind == .runtime {
            say("\ncancelled (a cancelled statement writes nothing)")
        } catch let error as CIQLError {
            report(error, source: text)
        } catch let error as StorageError {
            report(error)
        } catch let error as OutputSinkError where error.isBrokenPipe {
            return
        } catch {
            report("\(error)", code: .runtime(.executionFailed))
        }
        // The statement (or another process meanwhile) may have added classes, relation types or keys.
        completion.invalidate()
    }

    /// Runs one parsed statement into the format in force.
    func show(_ statement: Statement) throws {
        let change = ChangeInfo(actor: configuration.actor, changeReference: configuration.changeReference, origin: "shell")
        guard configuration.format == .table else {
            let writer = ResultWriter(format: configuration.format, output: output)
            if configuration.isInteractive { writer.onSummary = { [unowned self] in say(summaryText($0)) } }
            try engine.execute(statement, parameters: configuration.parameters, change: change,
                cancellation: Interrupts.cancellation, limits: configuration.limits, into: writer)
            return
        }
        let sink = TableSink(limits: configuration.limits)
        try engine.execute(statement, parameters: configuration.parameters, change: change,
            cancellation: Interrupts.cancellation, limits: configuration.limits, into: sink)
        showTable(sink)
    }

    /// The table (fitted to the terminal, through the pager when long) and, on a terminal, the summary line.
    func showTable(_ sink: TableSink, summary: Bool = true) {
        var text = sink.rendered(width: configuration.isInteractive ? Terminal.size(of: 1)?.columns : nil)
        if configuration.isInteractive, summary {
            text += summaryText(ResultWriter.summaryLine(sink.summary, columns: sink.columns)) + "\n"
        }
        if configuration.isInteractive {
            pager.show(text)
        } else {
            try? output.write(text)
            try? output.flush()
        }
    }

    /// The summary line; its timing only with `:timing` on.
    private func summaryText(_ line: String) -> String {
        guard !timing, line.hasSuffix(" ms)"), let open = line.lastIndex(of: "(") else { return line }
        return String(line[..<open]).trimmingWhitespace()
    }

    // MARK: - Messages

    /// A line for the user: stdout on a terminal; nothing in scripts, whose stdout holds results only.
    func say(_ text: String) {
        guard configuration.isInteractive else { return }
        try? output.flush()
        let shown = TerminalText.escaped(text)
        Terminal.write(shown.hasSuffix("\n") ? shown : shown + "\n", to: 1)
    }

    /// An error on stderr (red on a terminal); counts towards the exit code of a script.
    /// Writes `error[CODE]: message` to stderr (the `error[CODE]` in red on a terminal).
    func report(_ message: String, code: CIQLError.Code = .usage(.invalidArgument)) {
        reportRendered("error[\(code)]: " + message)
    }

    /// A CIQL error as `query` shows it: `error[CODE] line:column: message`, the line and a caret, for each error.
    func report(_ error: CIQLError, source: String) {
        reportRendered(error.rendered(source: source))
    }

    /// The rendering of a storage error: `error[Storage.Locked]: …`.
    func report(_ error: StorageError) {
        report(error.message, code: CIQLError.Code(error))
    }

    private func reportRendered(_ text: String) {
        failures += 1
        try? output.flush()
        // Control characters from stored values are shown as escapes; then the colour goes on.
        var text = TerminalText.escaped(text)
        if configuration.isInteractive && Terminal.isTerminal(2) {
            text = text.replacing(#/(?m)^error\[/#) { _ in "\u{1B}[1;31merror\u{1B}[0m[" }
        }
        Terminal.write(text + "\n", to: 2)
    }

    static func vocabulary(of database: ConfigurationDatabase) throws -> CompletionSource.Vocabulary {
        let schema = database.schema
        return try database.store.read { tx in
            let reserved = ["id", "name", "status", "version", "owner", "criticality"]
            let attributes = schema.classes.flatMap { $0.attributes.map(\.name) }
            return CompletionSource.Vocabulary(
                classes: Array(Set(schema.classes.map(\.name) + tx.labelNames)).sorted(),
                relationTypes: Array(Set(schema.relations.map(\.name) + tx.relationTypeNames)).sorted(),
                propertyKeys: Array(Set(reserved + attributes + tx.propertyKeyNames)).sorted())
        }
    }
}
