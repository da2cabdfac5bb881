import Glibc
import JSONLines
import Testing

struct OutputSinkTests {
    @Test func buffersAndFlushes() throws {
        let file = TemporaryFile("")
        let descriptor = open(file.path, O_WRONLY | O_TRUNC)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        var expected: [UInt8] = []
        do {
            let sink = OutputSink(fileDescriptor: descriptor, bufferSize: 100)
            for index in 0..<500 {
                let line = "{\"line\":\(index)}\n"
                try sink.write(line)
                expected += Array(line.utf8)
            }
            let big = [UInt8](repeating: UInt8(ascii: "b"), count: 1000)
            try sink.write(big)
            expected += big
            try sink.write([UInt8(ascii: "\n")])
            expected.append(UInt8(ascii: "\n"))
            try sink.flush()
            #expect(file.contents() == expected)
            try sink.write("tail")
            expected += Array("tail".utf8)
        }
        // Released: deinit flushed the tail.
        #expect(file.contents() == expected)
    }

    @Test func writerOutputThroughSink() throws {
        let file = TemporaryFile("")
        let descriptor = open(file.path, O_WRONLY | O_TRUNC)
        defer { close(descriptor) }
        let sink = OutputSink(fileDescriptor: descriptor)
        var writer = JSONWriter()
        for index in 0..<3 {
            writer.removeAll()
            writer.write(.object(JSONObject([("i", .int(Int64(index)))])))
            writer.writeByte(UInt8(ascii: "\n"))
            try sink.write(writer.bytes)
        }
        try sink.flush()
        #expect(String(decoding: file.contents(), as: UTF8.self) == "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n")
    }

    @Test func brokenPipeThrows() throws {
        signal(SIGPIPE, SIG_IGN)
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        let sink = OutputSink(fileDescriptor: ends[1])
        try sink.write("lost\n")
        do {
            try sink.flush()
            Issue.record("flush to a closed pipe succeeded")
        } catch let error as OutputSinkError {
            #expect(error.isBrokenPipe)
            #expect(error.message == "write error: Broken pipe")
        }
    }
}
