import ArgumentParser
import Glibc
import JSONLines
import Verification
import CIQLSyntax

/// Keeps two runs of the same job (`verify`, `audit`) on one database from overlapping.
///
/// A non-blocking `flock` on `<db>/<job>.lock`: the kernel releases it when the process ends, however it ends,
/// so a killed run never leaves a stale lock behind.
final class JobLock {
    private let descriptor: Int32

    /// Takes the lock, or fails at once (exit 3) when another run holds it.
    init(database path: String, job: String) throws {
        let file = path + "/\(job).lock"
        let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CommandFailure.environment("cannot open the lock file '\(file)': \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(fd)
            if busy {
                throw CommandFailure.environment("another 'cmdb \(job)' is running on this database (lock '\(file)' "
                    + "is held); this run did nothing", code: .storage(.locked))
            }
            throw CommandFailure.environment("cannot lock '\(file)': \(reason)", code: .storage(.locked))
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}

/// A report file written atomically: to a temporary file beside it, synced, then renamed over the target, so a
/// reader sees the old report or the new one, never half of one.
struct AtomicReportFile {
    let path: String

    func write(_ produce: (ReportWriter) throws -> Void) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CommandFailure.environment("cannot write the report '\(path)': \(String(cString: strerror(errno)))")
        }
        var committed = false
        defer {
            if !committed {
                close(fd)
                unlink(temporary)
            }
        }
        let writer = ReportWriter { bytes in try Self.writeAll(fd, bytes, path: temporary) }
        try produce(writer)
        guard fsync(fd) == 0 else {
            throw CommandFailure.environment("cannot write the report '\(path)': \(String(cString: strerror(errno)))")
        }
        close(fd)
        committed = true
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CommandFailure.environment("cannot put the report in place at '\(path)': \(reason)")
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + offset }, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CommandFailure.environment("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}

/// Where a report goes and in which format, from --report and --format.
/// The report options `verify` and `audit` share: where the report goes, its format, the exit threshold.
struct JobReportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the report to this file (atomically) instead of standard output.",
        valueName: "file"))
    var report: String?

    @Option(help: ArgumentHelp("text, json, markdown, html or junit (default: from the report file's extension, "
        + "else text).", valueName: "format"))
    var format: String?

    @Option(help: ArgumentHelp("Exit 1 when a finding is at or above this severity (info, low, medium, high, "
        + "critical).", valueName: "severity"))
    var failOn: String?

    @Flag(help: "Print nothing unless the run fails (for cron mail).")
    var quiet = false

    func validate() throws {
        _ = try destination()
        _ = try threshold()
    }

    func destination() throws -> ReportDestination { try ReportDestination(file: report, format: format) }

    func threshold() throws -> Severity? { try parseSeverity(failOn) }
}

struct ReportDestination {
    var file: String?
    var format: ReportFormat

    init(file: String?, format: String?) throws {
        self.file = file
        if let format {
            guard let f = ReportFormat(rawValue: format.lowercased()) else {
                throw ValidationError("unknown format '\(format)'; use "
                    + ReportFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
            self.format = f
        } else if let file {
            self.format = ReportFormat.guessed(fromPath: file) ?? .markdown
        } else {
            self.format = .text
        }
    }

    /// Writes the report to the file (atomically) or to standard output.
    func write(_ produce: (ReportWriter) throws -> Void) throws {
        if let file {
            try AtomicReportFile(path: file).write(produce)
        } else {
            let writer = ReportWriter { bytes in
                try Console.standardOutput.write(bytes)
            }
            try produce(writer)
            try Console.standardOutput.flush()
        }
    }
}

/// Parses --fail-on.
func parseSeverity(_ text: String?) throws -> Severity? {
    guard let text else { return nil }
    guard let s = Severity(named: text) else {
        throw ValidationError("unknown severity '\(text)' for --fail-on; use \(Severity.names)")
    }
    return s
}
