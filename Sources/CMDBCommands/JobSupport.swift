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

/// A report file written atomically: to a fresh temporary file beside it, synced, then renamed over the
/// target, so a reader sees the old report or the new one, never half of one.
///
/// The temporary file is made by `mkstemp` (`O_CREAT|O_EXCL`, a random name): a file or symlink planted
/// under a predictable name cannot redirect the write, and `rename` replaces a symlink at the target itself
/// rather than following it. Reports name every CI and owner, so they are owner-only (0600) unless `mode`
/// says otherwise.
struct AtomicReportFile {
    let path: String
    var mode: mode_t = 0o600

    /// Writes the report and puts it in place.
    func write(_ produce: (ReportWriter) throws -> Void) throws {
        try prepare(produce).commit()
    }

    /// Writes the report to its temporary file, not yet in place: `commit()` renames it over the target,
    /// `discard()` (or dropping it uncommitted) removes it.
    func prepare(_ produce: (ReportWriter) throws -> Void) throws -> PreparedReportFile {
        switch try Self.target(of: path) {
        case .directStream, .descriptor:
            // A device, a FIFO, or a link to one of this process's streams (`/dev/stdout`): written into, never
            // replaced. The report waits in memory until `commit()`, so a reader sees nothing of a run that fails.
            var bytes: [UInt8] = []
            try produce(ReportWriter { bytes += $0 })
            var descriptor: Int32?
            if case .descriptor(let fd) = try Self.target(of: path) { descriptor = fd }
            return PreparedReportFile(path: path, direct: bytes, descriptor: descriptor)
        case .replace(let file):
            return try prepareReplacement(of: file, produce)
        }
    }

    /// What writing a report to a path does.
    enum Target: Equatable {
        /// Write a temporary file beside `file` and rename it over it (a regular file, or none yet).
        case replace(String)
        /// Open the path and write into it (a character device, a FIFO, or a symlink to a FIFO).
        case directStream
        /// Write into this process's open descriptor: the path is a symlink to `/proc/self/fd/N` or `/dev/fd/N`
        /// (`/dev/stdout`, `/dev/stderr`), so the report goes where that stream goes, at its offset.
        case descriptor(Int32)
    }

    /// How a report reaches `path`: a regular file (or none) is replaced atomically, and so is a symlink at the
    /// path (the link itself, never followed, so a planted link cannot redirect the report) unless it names one
    /// of this process's streams (`/dev/stdout`) or a FIFO; a character device or FIFO is written into; anything
    /// else (a directory, a block device, a socket, a link to a device) is refused (exit 2), left as it is.
    static func target(of path: String) throws -> Target {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return .replace(path) }
            throw CommandFailure.environment("cannot write the report '\(path)': \(String(cString: strerror(errno)))")
        }
        let linkType = st.st_mode & S_IFMT
        if linkType == S_IFREG { return .replace(path) }
        if linkType == S_IFLNK {
            if let fd = streamDescriptor(linkedFrom: path) { return .descriptor(fd) }
            guard stat(path, &st) == 0 else { return .replace(path) }
            switch st.st_mode & S_IFMT {
            case S_IFIFO: return .directStream
            case S_IFREG: return .replace(path)
            case S_IFDIR: break
            default:
                throw CommandFailure.badInput("the report path '\(path)' is a symbolic link to a device; name the "
                    + "device itself, or a file")
            }
        }
        switch st.st_mode & S_IFMT {
        case S_IFCHR, S_IFIFO:
            return .directStream
        case S_IFDIR:
            throw CommandFailure.badInput("the report path '\(path)' is a directory; name a file in it")
        default:
            throw CommandFailure.badInput("the report path '\(path)' is neither a regular file nor a character "
                + "device or FIFO; it is left as it is and no report was written")
        }
    }

    /// N when following `path`'s symlinks (at most 8) reaches `/proc/self/fd/N` or `/dev/fd/N` and N is open.
    private static func streamDescriptor(linkedFrom path: String) -> Int32? {
        var current = path
        for _ in 0..<8 {
            for prefix in ["/proc/self/fd/", "/dev/fd/"] where current.hasPrefix(prefix) {
                guard let fd = Int32(current.dropFirst(prefix.count)), fd >= 0, fcntl(fd, F_GETFD) != -1 else {
                    return nil
                }
                return fd
            }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else { return nil }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("/") {
                current = target
            } else {
                let slash = current.lastIndex(of: "/")
                current = (slash.map { String(current[...$0]) } ?? "") + target
            }
        }
        return nil
    }

    private func prepareReplacement(of path: String, _ produce: (ReportWriter) throws -> Void) throws
        -> PreparedReportFile
    {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = ((directory.isEmpty ? "" : directory) + "/.\(name).tmp-XXXXXX").utf8CString
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        guard fd >= 0 else {
            throw CommandFailure.environment("cannot write the report '\(path)': \(String(cString: strerror(errno)))")
        }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let prepared = PreparedReportFile(path: path, temporary: temporary)
        do {
            let writer = ReportWriter { bytes in try Self.writeAll(fd, bytes, path: temporary) }
            try produce(writer)
            guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
                throw CommandFailure.environment(
                    "cannot write the report '\(path)': \(String(cString: strerror(errno)))")
            }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else {
            throw CommandFailure.environment("cannot write the report '\(path)': \(String(cString: strerror(errno)))")
        }
        return prepared
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
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

/// A report written to its temporary file (or held in memory, for a device or FIFO) and waiting to be put in
/// place; removed unless committed.
final class PreparedReportFile {
    let path: String
    let temporary: String?
    private let direct: [UInt8]
    private let descriptor: Int32?
    private var isDone = false

    init(path: String, temporary: String) {
        self.path = path
        self.temporary = temporary
        self.direct = []
        self.descriptor = nil
    }

    init(path: String, direct: [UInt8], descriptor: Int32?) {
        self.path = path
        self.temporary = nil
        self.direct = direct
        self.descriptor = descriptor
    }

    deinit { discard() }

    /// Renames the report over its target, or writes it into the device or FIFO.
    func commit() throws {
        guard !isDone else { return }
        isDone = true
        guard let temporary else {
            if let descriptor {
                try AtomicReportFile.writeAll(descriptor, direct, path: path)
                return
            }
            // Opened as any program opens a path: through a link, without truncating or re-creating the node.
            let fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
            guard fd >= 0 else {
                throw CommandFailure.environment("cannot open the report '\(path)': \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            try AtomicReportFile.writeAll(fd, direct, path: path)
            return
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CommandFailure.environment("cannot put the report in place at '\(path)': \(reason)")
        }
    }

    /// Removes the temporary file.
    func discard() {
        guard !isDone else { return }
        isDone = true
        if let temporary { unlink(temporary) }
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

    @Option(help: ArgumentHelp("Permissions of the report file, in octal (default 600: reports name every CI "
        + "and owner; e.g. 644 for a web server to serve it).", valueName: "mode"))
    var reportMode: String?

    @Flag(help: "Print nothing unless the run fails (for cron mail).")
    var quiet = false

    func validate() throws {
        _ = try parsedDestination()
        _ = try threshold()
    }

    /// Where the report goes; a report path that cannot take a report is refused here, before the run changes
    /// anything.
    func destination() throws -> ReportDestination {
        if let report { _ = try AtomicReportFile.target(of: report) }
        return try parsedDestination()
    }

    private func parsedDestination() throws -> ReportDestination {
        var destination = try ReportDestination(file: report, format: format)
        if let reportMode {
            guard let mode = mode_t(reportMode, radix: 8), mode <= 0o777 else {
                throw ValidationError("--report-mode must be octal permissions such as 600 or 644, not '\(reportMode)'")
            }
            destination.mode = mode
        }
        return destination
    }

    func threshold() throws -> Severity? { try parseSeverity(failOn) }
}

struct ReportDestination {
    var file: String?
    var format: ReportFormat
    /// The report file's permissions.
    var mode: mode_t = 0o600

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

    /// Writes a report file to its temporary place (nil for standard output, which is written by `write`).
    func prepare(_ produce: (ReportWriter) throws -> Void) throws -> PreparedReportFile? {
        guard let file else { return nil }
        return try AtomicReportFile(path: file, mode: mode).prepare(produce)
    }

    /// Writes the report to the file (atomically) or to standard output.
    func write(_ produce: (ReportWriter) throws -> Void) throws {
        if let file {
            try AtomicReportFile(path: file, mode: mode).write(produce)
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
