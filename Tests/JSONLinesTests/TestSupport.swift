import Glibc
import JSONLines

/// Parses `bytes`, returning the value or the syntax error.
func parseBytes(_ bytes: [UInt8]) -> Result<JSONValue, JSONSyntaxError> {
    bytes.withUnsafeBytes { raw in
        Result { () throws(JSONSyntaxError) -> JSONValue in try JSONParser.parse(raw) }
    }
}

/// Parses `text`, returning the value or the syntax error.
func parseText(_ text: String) -> Result<JSONValue, JSONSyntaxError> {
    Result { () throws(JSONSyntaxError) -> JSONValue in try JSONParser.parse(text) }
}

/// The compact JSON text of `value`.
func written(_ value: JSONValue) -> String {
    var writer = JSONWriter()
    writer.write(value)
    return String(decoding: writer.bytes, as: UTF8.self)
}

/// A temporary file that is removed when the value is released.
final class TemporaryFile {
    /// The file's path.
    let path: String

    /// Creates a file in /tmp holding `bytes`.
    init(_ bytes: [UInt8]) {
        var template = Array("/tmp/jsonlines-test-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in
            mkstemp(buffer.baseAddress!)
        }
        precondition(descriptor >= 0, "mkstemp failed")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let count = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                precondition(count > 0, "write failed")
                offset += count
            }
        }
        close(descriptor)
    }

    /// Creates a file in /tmp holding the UTF-8 of `text`.
    convenience init(_ text: String) {
        self.init(Array(text.utf8))
    }

    /// The file's current contents.
    func contents() -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        precondition(descriptor >= 0, "open failed")
        defer { close(descriptor) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count <= 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    deinit {
        unlink(path)
    }
}

/// Reads every line of `reader` as a String, with the line number seen inside the body.
func readAllLines(_ reader: LineReader) throws -> [(text: String, number: Int)] {
    var lines: [(text: String, number: Int)] = []
    while let line = try reader.nextLine({ bytes in
        (text: String(decoding: bytes, as: UTF8.self), number: reader.lineNumber)
    }) {
        lines.append(line)
    }
    return lines
}
