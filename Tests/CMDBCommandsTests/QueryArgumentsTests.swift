import TestSupport
import Testing

@testable import CMDBCommands

/// `cmdb query`'s command line read by hand (`QueryInvocation(quickParsing:)`) must mean what ArgumentParser reads,
/// and everything it does not read must go to ArgumentParser.
struct QueryArgumentsTests {
    /// What ArgumentParser makes of a command line, through `CommandRunner`'s own steps; nil when it refuses it or
    /// reads another command.
    private func standard(_ arguments: [String]) -> QueryInvocation? {
        guard repeatedGlobalOption(in: arguments) == nil, unknownCommand(in: arguments) == nil else { return nil }
        let prepared = joiningNegativeNumbers(movingGlobalOptions(shellByDefault(arguments, hasTerminal: false)))
        guard let command = try? CMDBCommand.parseAsRoot(prepared) as? QueryCommand else { return nil }
        return command.invocation
    }

    @Test(arguments: [
        ["query", "RETURN 1"],
        ["--db", "/tmp/db", "query", "RETURN 1 AS one", "--format", "jsonl"],
        ["--db", "/tmp/db", "query", "-f", "batch.ciql", "--format", "jsonl"],
        ["--db=/tmp/db", "query", "-f", "-"],
        ["query", "--db", "/tmp/db", "MATCH (n) RETURN n", "--format=csv", "--quiet"],
        ["--timeout", "10", "--max-memory", "512M", "query", "RETURN 1"],
        ["query", "RETURN $a", "--param", "a=5", "--param", "b=x=y", "--param=c=[1,2]"],
        ["query", "USING CHANGE 'C' MATCH (v {id: 'vm-1'}) SET v.status = 'live'", "--change", "CHG1", "--actor", "me"],
        ["--db", "query", "query", "RETURN 1"],
        ["query", "--timeout=0", "--max-memory=0", "RETURN 1"],
        ["query", "query"],
        ["query", "", "--format", "table"],
        ["query", "-f", "x.ciql", "--change", "-", "--actor", ""],
    ])
    func plainFormsAreReadByHandAsArgumentParserReadsThem(_ arguments: [String]) throws {
        let quick = try #require(QueryInvocation(quickParsing: arguments), "not read by hand: \(arguments)")
        #expect(quick == standard(arguments), "\(arguments)")
    }

    @Test(arguments: [
        ["query", "--help"], ["query", "-h"], ["help", "query"], ["query"], ["query", "RETURN 1", "-f", "x"],
        ["query", "--", "RETURN 1"], ["query", "-1"], ["query", "RETURN 1", "RETURN 2"],
        ["query", "RETURN 1", "--format", "yaml"], ["query", "RETURN 1", "--format", "csv", "--format", "json"],
        ["--db", "a", "query", "--db", "b", "RETURN 1"], ["query", "RETURN 1", "--timeout", "-1"],
        ["query", "RETURN 1", "--timeout", "nan"], ["query", "RETURN 1", "--timeout", "inf"],
        ["query", "RETURN 1", "--max-memory", "lots"], ["query", "RETURN 1", "--param", "novalue"],
        ["query", "RETURN 1", "--quiet", "--quiet"], ["query", "RETURN 1", "--quiet=true"],
        ["--format", "csv", "query", "RETURN 1"], ["--quiet", "query", "RETURN 1"], ["import", "query"],
        ["query", "-fx.ciql"], ["query", "RETURN 1", "--param"], ["query", "--version"], ["shell"], [],
        ["query", "RETURN 1", "--unknown", "x"], ["version", "query", "RETURN 1"],
        ["query", "--db=", "RETURN 1"],
    ])
    func everythingElseGoesToArgumentParser(_ arguments: [String]) {
        #expect(QueryInvocation(quickParsing: arguments) == nil, "\(arguments)")
    }

    /// Command lines put together at random from the words of both kinds: whatever is read by hand is read the same by
    /// ArgumentParser.
    @Test func generatedCommandLinesAgreeWithArgumentParser() {
        let words = [
            "query", "query", "query", "--db", "/tmp/x", "--db=/tmp/y", "-f", "-", "q.ciql", "--format", "jsonl", "csv",
            "table", "bogus", "--format=json", "--param", "a=1", "b", "=", "--change", "CHG1", "--actor", "me",
            "--quiet", "--timeout", "5", "-1", "inf", "1e2", "--timeout=0", "--max-memory", "2G", "12Q",
            "--max-memory=64M", "RETURN 1", "", "--", "--help", "-h", "--unknown", "-x", "import", "help", "--version",
            "shell", "--param=x=2", "--db=",
        ]
        var random = SplitMix64(seed: 12)
        var readByHand = 0
        for _ in 0..<5000 {
            var arguments = (0..<random.below(9)).map { _ in words[random.below(words.count)] }
            if random.below(3) > 0 { arguments.insert("query", at: random.below(min(arguments.count, 3) + 1)) }
            guard let quick = QueryInvocation(quickParsing: arguments) else { continue }
            readByHand += 1
            #expect(quick == standard(arguments), "\(arguments)")
        }
        // The corpus must reach the hand-read forms often enough to mean something.
        #expect(readByHand > 150, "only \(readByHand) command lines were read by hand")
    }
}
