import Foundation
import Testing

/// `cmdb shell`: scripted through stdin (no terminal), and interactively through a pseudo-terminal.
struct ShellEndToEndTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("without a terminal the shell runs a script: plain results, no prompts, exit 0")
    func script() throws {
        try harness.makeDatabase(withSample: true)
        let script = """
            // a comment line, then a statement over two lines
            MATCH (h:Hypervisor) WHERE h.id STARTS WITH 'hv-bb'
            RETURN h.id AS id ORDER BY id LIMIT 2;
            :param name => 'ESX01'
            :format csv
            MATCH (h {name: $name}) RETURN h.id AS id;
            :format json
            RETURN 1 AS one
            """
        let result = try harness.cmdb("shell", stdin: Data(script.utf8))
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.out == """
            id
            ────────
            hv-bb-00
            hv-bb-01
            id
            hv-bb-01
            {"columns":["one"],"rows":[[1]]}

            """)
        #expect(result.err.isEmpty, "\(result)")
    }

    @Test("a failing statement goes to stderr with its caret, the script goes on, and the exit code is 2")
    func scriptWithErrors() throws {
        try harness.makeDatabase(withSample: true)
        let script = "RETURN 1 +;\nRETURN 2 AS two;\n:describe no-such-ci\n:bogus\n"
        let result = try harness.cmdb("shell", stdin: Data(script.utf8))
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.out == "two\n───\n2\n")
        #expect(result.err == """
            error[SyntaxError.UnexpectedSyntax] 1:11: expected an expression after '+', found the end of the input
              RETURN 1 +
                        ^
            error[GraphError.UnknownCI]: unknown CI 'no-such-ci' (tab after :describe completes ids)
            error[Usage.InvalidArgument]: unknown command ':bogus'; :help lists the commands

            """)
    }

    @Test("writes in a script are recorded with :change and --actor")
    func scriptWrites() throws {
        try harness.makeDatabase(withSample: true)
        let script = ":change CHG-SCRIPT-1\nCREATE (:Application {id: 'app-script', name: 'x'});\n"
        let result = try harness.cmdb("shell", "--actor", "robot", stdin: Data(script.utf8))
        #expect(result.exitCode == 0, "\(result)")
        let history = try harness.cmdb("history", "app-script", "--format", "csv")
        #expect(history.out.contains("robot,CHG-SCRIPT-1,shell,created"), "\(history)")
    }

    @Test("cmdb alone without a terminal shows the usage, naming the shell")
    func bareCommandWithoutTerminal() throws {
        let result = try harness.run([])
        #expect(result.out.contains("cmdb shell") || result.err.contains("cmdb shell"), "\(result)")
    }

    /// Runs Tests/REPL/repl_pty_test.py, which types into the REPL on a pseudo-terminal and reads the screen.
    @Test("the REPL on a terminal: multi-line statements, tables, caret, history, completion, Ctrl-C, Ctrl-D")
    func terminal() throws {
        let script = Paths.packageRoot.appendingPathComponent("Tests/REPL/repl_pty_test.py").path
        // python3 from PATH (make deps installs it); standard library only.
        let result = try harness.tool("/usr/bin/env", ["python3", script, Paths.binary, Paths.sample])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.out.contains("all steps passed"), "\(result)")
    }

    /// Runs Tests/REPL/repl_pty_input_test.py: stored ids holding escape sequences through tab completion, and
    /// bytes that are not UTF-8 typed on the line, checked in the bytes the terminal receives.
    @Test("the REPL on a terminal: completion shows hostile ids escaped and inserts them readably; bad UTF-8 costs one U+FFFD")
    func terminalHostileInput() throws {
        let script = Paths.packageRoot.appendingPathComponent("Tests/REPL/repl_pty_input_test.py").path
        let result = try harness.tool("/usr/bin/env", ["python3", script, Paths.binary])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.out.contains("all steps passed"), "\(result)")
    }
}
