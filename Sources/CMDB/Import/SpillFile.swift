import Glibc
import GraphStorage
import JSONLines

/// A temporary file for relation lines whose CIs come later in the import, so memory stays flat.
final class SpillFile {
    private var sink: OutputSink?
    private var count = 0

    init() throws {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(dir)/cmdb-import-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw ImportError(file: dir, line: 0, message: "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        // Unlinked at once: the file lives as long as the descriptor, so even a killed import leaves nothing.
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        sink = OutputSink(fileDescriptor: fd)
        descriptor = fd
    }

    private let descriptor: Int32

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
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw ImportError(file: "spill file", line: 0, message: String(cString: strerror(errno)))
        }
        let reader = LineReader(fileDescriptor: descriptor)
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
        close(descriptor)
    }
}
