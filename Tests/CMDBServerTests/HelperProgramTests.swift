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

    @Test("a program that hangs is killed at its time limit, even after writing part of its output")
    func hangingProgramIsKilled() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("cmdb-helper-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: marker) }
        var out: [UInt8]? = []
        let took = Self.seconds {
            out = HelperProgram.output(
                of: "/bin/sh", ["-c", "echo $$ > '\(marker.path)'; echo partial; exec sleep 60"],
                timeLimit: .milliseconds(300))
        }
        #expect(out == nil)
        #expect(took < 5, "returned after \(took) s")
        // The program is gone: killed and reaped, not left running.
        let pid = try #require(Int32(String(decoding: try Data(contentsOf: marker), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
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
