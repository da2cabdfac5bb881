import ArgumentParser
import CMDB
import JSONLines

/// `cmdb generate`: a large CMDB of realistic shape, for benchmarks and trials.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a generated CMDB of realistic shape as JSON Lines to standard output.",
        discussion: """
            Datacenters → racks → switches and hypervisors → VMs → databases and applications → business
            services, with clusters and storage; about 2 relations per CI; valid against the built-in schema.
            The same --cis and --seed always give the same bytes.
              cmdb generate --cis 100000 --seed 42 | cmdb import -
            """)

    @Option(help: "How many CIs.")
    var cis: Int

    @Option(help: "The random seed.")
    var seed: UInt64 = 42

    func validate() throws {
        if cis < 0 { throw ValidationError("--cis must be zero or more") }
    }

    func run() throws {
        let sink = Console.standardOutput
        try CMDBGenerator(ciCount: cis, seed: seed).generate { line in
            try sink.write(line)
            try sink.write("\n")
        }
        try sink.flush()
    }
}
