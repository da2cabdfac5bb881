import Glibc
import GraphStorage
import JSONLines

/// A temporary file for relation lines whose CIs come later in the import, so memory stays flat.
final class SpillFile {
    private let path: String
    private var sink: OutputSink?
    private var count = 0

    init() throws {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(dir)/cmdb-import-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw ImportError(file: dir, line: 0, message: "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        sink = OutputSink(fileDescriptor: fd)
        fd0 = fd
    }
    private var fd0: Int32

    /// Remembers a relation line: `source<TAB>line<TAB>json`.
    func append(sourceIndex: Int, lineNumber: Int, type: String, from: String, to: String, properties: Properties)
        throws
    {
        guard let sink else { return }
        var w = JSONWriter(capacity: 256)
        w.writeRaw("\(sourceIndex)\t\(lineNumber)\t")
        w.writeRelation(type: type, from: from, to: to, properties: properties, includeKind: true)
        w.writeRaw("\n")
        try sink.write(w.bytes)
        count += 1
    }

    func forEach(_ body: (Int, Int, UnsafeRawBufferPointer) throws -> Void) throws {
        guard count > 0, let sink else { return }
        try sink.flush()
        let reader = try LineReader(path: path)
        defer { reader.close() }
        while try reader.nextLine({ (line) throws -> Bool in
            var fields: [Int] = []
            var start = 0
            for i in 0..<line.count where line[i] == 9 && fields.count < 2 {
                fields.append(Int(String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<i]), as: UTF8.self)) ?? 0)
                start = i + 1
            }
            try body(fields.first ?? 0, fields.count > 1 ? fields[1] : 0,
                UnsafeRawBufferPointer(rebasing: line[start...]))
            return true
        }) != nil {}
    }

    func remove() {
        try? sink?.flush()
        sink = nil
        close(fd0)
        unlink(path)
    }
}
