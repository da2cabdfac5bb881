import Foundation
import Testing

@testable import CMDBServer

/// The server's helper programs (Graphviz's `dot`) run bounded: killed at their time limit or output limit, and
/// a failure is nil, so the page falls back to its own drawing.
struct HelperProgramTests {
    private static func seconds(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test("the output of a program that exits 0")
    func outputOfAProgram() {
        let out = HelperProgram.output(of: "/bin/echo", ["hello", "dot"], timeLimit: .seconds(10))
        #expect(out.map { String(decoding: $0, as: UTF8.self) } == "hello dot\n")
    }

    @Test("a failing, missing or killed program gives nil")
    func failures() {
        #expect(HelperProgram.output(of: "/bin/sh", ["-c", "echo partial; exit 3"], timeLimit: .seconds(10)) == nil)
        #expect(HelperProgram.output(of: "/nonexistent/dot", ["-Tsvg"], timeLimit: .seconds(10)) == nil)
        #expect(HelperProgram.output(of: "/bin/sh", ["-c", "echo partial; kill -9 $$"], timeLimit: .seconds(10)) == nil)
    }

    /// Runs `script` with a one-second limit, `$MARKER` naming a file it writes a process number to; expects nil
    /// within 5 s, and that the process the file names is gone (killed and reaped), waiting up to 2 s for it.
    private func expectKilled(_ script: String) throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("cmdb-helper-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: marker) }
        var out: [UInt8]? = []
        let took = Self.seconds {
            out = HelperProgram.output(
                of: "/bin/sh", ["-c", script.replacingOccurrences(of: "$MARKER", with: "'\(marker.path)'")],
                timeLimit: .seconds(1))
        }
        #expect(out == nil)
        #expect(took < 5, "returned after \(took) s")
        let text = String(decoding: try Data(contentsOf: marker), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let pid = try #require(Int32(text))
        var gone = false
        for _ in 0..<100 where !gone {
            gone = kill(pid, 0) == -1 && errno == ESRCH
            if !gone { usleep(20_000) }
        }
        #expect(gone, "process \(pid) still runs")
    }

    @Test("a program that hangs is killed at its time limit, even after writing part of its output")
    func hangingProgramIsKilled() throws {
        try expectKilled("echo $$ > $MARKER; echo partial; exec sleep 60")
    }

    @Test("a program that closes its output and goes on running is killed at its time limit, with what it started")
    func programThatClosesItsOutputIsKilled() throws {
        // The shell closes its output, starts a worker of its own and waits for it: the whole group is killed.
        try expectKilled("echo hi; exec >&-; sleep 60 & echo $! > $MARKER; wait")
    }

    @Test("the helper inherits none of the server's descriptors")
    func descriptorsAreNotInherited() throws {
        // A descriptor this process holds open without close-on-exec, as a listening socket may be.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        let out = try #require(HelperProgram.output(of: "/bin/sh", ["-c", "ls /proc/$$/fd"], timeLimit: .seconds(10)))
        let open = String(decoding: out, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
        // 3: the directory ls reads; the socket (\(fd)) and every other descriptor of this process stay behind.
        #expect(Set(open).isSubset(of: [0, 1, 2, 3]), "descriptor \(fd) or another was inherited: \(open)")
    }

    @Test("a program that writes without end is killed at the output limit")
    func endlessOutputIsCut() {
        var out: [UInt8]? = []
        let took = Self.seconds {
            out = HelperProgram.output(of: "/usr/bin/yes", [], timeLimit: .seconds(30), maximumBytes: 1 << 20)
        }
        #expect(out == nil)
        #expect(took < 10, "returned after \(took) s")
    }

    @Test(
        "Graphviz draws an impact graph through it",
        .enabled(if: ImpactGraph.dotPath != nil, "Graphviz's dot is not installed"))
    func graphvizDraws() throws {
        let dot = try #require(ImpactGraph.dotPath)
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("cmdb-helper-\(UUID().uuidString).dot")
        defer { try? FileManager.default.removeItem(at: input) }
        try Data("digraph g { a -> b }".utf8).write(to: input)
        let out = try #require(HelperProgram.output(of: dot, ["-Tsvg", input.path], timeLimit: ImpactGraph.dotTimeLimit))
        #expect(String(decoding: out, as: UTF8.self).contains("<svg"))
    }
}
