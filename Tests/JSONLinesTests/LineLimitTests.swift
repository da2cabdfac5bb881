import Glibc
import JSONLines
import Testing

/// The line length limit of `LineReader` and the replay of `SpooledInput`.
struct LineLimitTests {
    @Test(arguments: [1, 7, 64])
    func aLineOverTheLimitIsAnErrorWithItsNumber(chunkSize: Int) throws {
        let file = TemporaryFile("short\n12345678\r\nnext\n")
        let descriptor = open(file.path, O_RDONLY)
        defer { close(descriptor) }
        let reader = LineReader(fileDescriptor: descriptor, chunkSize: chunkSize)
        reader.maximumLineLength = 7
        #expect(try reader.nextLine { String(decoding: $0, as: UTF8.self) } == "short")
        #expect {
            _ = try reader.nextLine { $0.count }
        } throws: { error in
            let e = error as? LineReaderError
            return e?.line == 2 && e?.message == "line longer than 7 bytes"
        }
    }

    @Test func aLineAtTheLimitPasses() throws {
        let file = TemporaryFile("1234567\r\n1234567")
        let reader = try LineReader(path: file.path)
        reader.maximumLineLength = 7
        #expect(try readAllLines(reader).map(\.text) == ["1234567", "1234567"])
    }

    @Test func anEndlessInputStopsAtTheLimit() throws {
        let descriptor = open("/dev/zero", O_RDONLY)
        defer { close(descriptor) }
        let reader = LineReader(fileDescriptor: descriptor, chunkSize: 1 << 16)
        reader.maximumLineLength = 1 << 20
        #expect(throws: LineReaderError.self) { _ = try reader.nextLine { $0.count } }
    }

    @Test func aSpooledInputIsReadAsItArrivesAndReplayedFromTheStart() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let spooled = try SpooledInput(descriptor: fds[0], name: "<pipe>", directory: "/tmp")
        _ = "a\nb\n".withCString { write(fds[1], $0, 4) }
        let first = spooled.makeLineReader()
        // The writing end is still open: lines already written come out without waiting for the end.
        #expect(try first.nextLine { String(decoding: $0, as: UTF8.self) } == "a")
        #expect(try first.nextLine { String(decoding: $0, as: UTF8.self) } == "b")
        _ = "c\n".withCString { write(fds[1], $0, 2) }
        close(fds[1])
        let second = spooled.makeLineReader()
        #expect(try readAllLines(second).map(\.text) == ["a", "b", "c"])
        let third = spooled.makeLineReader()
        #expect(try readAllLines(third).map(\.text) == ["a", "b", "c"])
    }
}
