import Glibc
import JSONLines
import Testing

struct LineReaderTests {
    @Test func crlfEmptyLinesAndNoTrailingNewline() throws {
        let content = "a\r\nb\n\n{\"x\":1}\r\n\r\nlast"
        let file = TemporaryFile(content)
        let reader = try LineReader(path: file.path)
        let lines = try readAllLines(reader)
        #expect(lines.map(\.text) == ["a", "b", "", "{\"x\":1}", "", "last"])
        #expect(lines.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(reader.lineNumber == 6)
        #expect(reader.bytesConsumed == content.utf8.count)
        #expect(try reader.nextLine { _ in 0 } == nil)
        reader.close()
    }

    @Test func countersWhileReading() throws {
        let file = TemporaryFile("one\ntwo\r\n")
        let reader = try LineReader(path: file.path)
        #expect(reader.lineNumber == 0)
        #expect(try reader.nextLine { String(decoding: $0, as: UTF8.self) } == "one")
        #expect(reader.lineNumber == 1)
        #expect(reader.bytesConsumed == 4)
        #expect(try reader.nextLine { String(decoding: $0, as: UTF8.self) } == "two")
        #expect(reader.lineNumber == 2)
        #expect(reader.bytesConsumed == 9)
        #expect(try reader.nextLine { $0.count } == nil)
        #expect(reader.lineNumber == 2)
    }

    @Test func carriageReturnOnlyBeforeNewlineIsStripped() throws {
        let file = TemporaryFile("a\rb\n\r\n")
        let lines = try readAllLines(LineReader(path: file.path))
        #expect(lines.map(\.text) == ["a\rb", ""])
    }

    @Test(arguments: ["", "\n", "\n\n", "x", "x\n"])
    func tinyFiles(content: String) throws {
        let file = TemporaryFile(content)
        let lines = try readAllLines(LineReader(path: file.path))
        var expected = content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if content.hasSuffix("\n") || content.isEmpty { expected.removeLast() }
        #expect(lines.map(\.text) == expected)
    }

    @Test func lineLongerThanTheChunk() throws {
        let long = String(repeating: "0123456789", count: 300_000)
        let file = TemporaryFile("first\n" + long + "\nlast\n")
        for chunkSize in [1 << 20, 4096] {
            let descriptor = open(file.path, O_RDONLY)
            #expect(descriptor >= 0)
            let reader = LineReader(fileDescriptor: descriptor, chunkSize: chunkSize)
            let lines = try readAllLines(reader)
            #expect(lines.count == 3)
            #expect(lines.first?.text == "first")
            #expect(lines.dropFirst().first?.text == long)
            #expect(lines.last?.text == "last")
            #expect(reader.bytesConsumed == 6 + long.utf8.count + 1 + 5)
            reader.close()
            close(descriptor)
        }
    }

    @Test func smallChunksSplitLinesEverywhere() throws {
        let lines = (0..<2000).map { index in String(repeating: "ab", count: index % 37) + "\(index)" }
        let file = TemporaryFile(lines.joined(separator: "\n") + "\n")
        let descriptor = open(file.path, O_RDONLY)
        defer { close(descriptor) }
        let reader = LineReader(fileDescriptor: descriptor, chunkSize: 7)
        let read = try readAllLines(reader)
        #expect(read.map(\.text) == lines)
        #expect(read.last?.number == 2000)
    }

    @Test func parsesLinesInPlace() throws {
        let file = TemporaryFile("{\"id\":\"a\"}\n\n{\"id\":\"b\"}\n")
        let reader = try LineReader(path: file.path)
        var ids: [String] = []
        while let id = try reader.nextLine({ bytes -> String? in
            if bytes.isEmpty { return nil }
            return try JSONParser.parse(bytes).objectValue?["id"]?.stringValue
        }) {
            if let id { ids.append(id) }
        }
        #expect(ids == ["a", "b"])
    }

    @Test func bodyErrorsPropagate() throws {
        struct Stop: Error {}
        let file = TemporaryFile("a\nb\n")
        let reader = try LineReader(path: file.path)
        #expect(throws: Stop.self) { try reader.nextLine { _ in throw Stop() } }
        #expect(reader.lineNumber == 1)
        #expect(try reader.nextLine { String(decoding: $0, as: UTF8.self) } == "b")
    }

    @Test func openErrorNamesThePath() {
        do {
            _ = try LineReader(path: "/nonexistent/dir/file.jsonl")
            Issue.record("opened a missing file")
        } catch {
            #expect(error.message == "cannot open '/nonexistent/dir/file.jsonl': No such file or directory")
        }
    }

    @Test func readErrorIsThrown() throws {
        let directory = open("/tmp", O_RDONLY)
        defer { close(directory) }
        let reader = LineReader(fileDescriptor: directory)
        #expect(throws: LineReaderError.self) { try reader.nextLine { $0.count } }
    }

    @Test func closedReaderReturnsNil() throws {
        let file = TemporaryFile("a\nb\n")
        let reader = try LineReader(path: file.path)
        reader.close()
        #expect(try reader.nextLine { $0.count } == nil)
    }
}
