import Glibc

/// This process's memory mappings, from `/proc/self/smaps`, read byte by byte.
enum ProcessMappings {
    /// How many KiB of the mapping that starts at `address` the kernel maps by huge pages (`FilePmdMapped` in
    /// `/proc/self/smaps`); nil when there is no such mapping or the file cannot be read.
    static func hugePageKiB(ofMappingAt address: UInt) -> Int? {
        guard let text = contents(of: "/proc/self/smaps") else { return nil }
        let key = Array("FilePmdMapped:".utf8)
        var inMapping = false
        var found: Int?
        forEachLine(text) { line in
            guard found == nil else { return }
            var s = line
            if let low = s.number(radix: 16), s.skip(UInt8(ascii: "-")), s.number(radix: 16) != nil {
                inMapping = low == UInt64(address)
            } else if inMapping, line.starts(with: key) {
                var value = line
                value.skip(count: key.count)
                value.skipSpaces()
                found = value.number(radix: 10).map { Int(truncatingIfNeeded: $0) }
            }
        }
        return found
    }

    /// The address range of this process's mapping of `length` bytes of the file with `inode` from its offset 0
    /// (as LMDB maps `data.mdb`), from `/proc/self/maps`; nil when there is none or the file cannot be read.
    /// Not matched by device: `/proc` does not always print the one `stat` gives (btrfs prints the file system's,
    /// not the subvolume's; overlayfs printed the lower file's before Linux 6.8).
    static func mapping(inode: UInt64, length: Int) -> Range<UInt>? {
        guard length > 0, let text = contents(of: "/proc/self/maps") else { return nil }
        // The kernel maps whole pages.
        let page = max(1, sysconf(Int32(_SC_PAGESIZE)))
        let (pages, overflow) = (length / page).addingReportingOverflow(length % page == 0 ? 0 : 1)
        guard !overflow, !pages.multipliedReportingOverflow(by: page).overflow else { return nil }
        let mapped = UInt64(pages * page)
        var found: Range<UInt>?
        forEachLine(text) { line in
            guard found == nil else { return }
            // start-end perms offset major:minor inode path
            var s = line
            guard let low = s.number(radix: 16), s.skip(UInt8(ascii: "-")), let high = s.number(radix: 16),
                high > low, high - low == mapped, s.skip(UInt8(ascii: " "))
            else { return }
            s.skipField()
            s.skipSpaces()
            guard s.number(radix: 16) == 0 else { return }
            s.skipSpaces()
            s.skipField()
            s.skipSpaces()
            guard s.number(radix: 10) == inode else { return }
            found = UInt(truncatingIfNeeded: low)..<UInt(truncatingIfNeeded: high)
        }
        return found
    }

    /// A line of a `/proc` file, read from the front.
    private struct Line {
        let text: [UInt8]
        var position: Int
        let end: Int

        func starts(with prefix: [UInt8]) -> Bool {
            end - position >= prefix.count && text[position..<(position + prefix.count)].elementsEqual(prefix)
        }

        mutating func skip(count: Int) { position = min(end, position + count) }

        /// Moves past `byte` when it comes next.
        mutating func skip(_ byte: UInt8) -> Bool {
            guard position < end, text[position] == byte else { return false }
            position += 1
            return true
        }

        /// Moves up to the next space (past what is left of a field).
        mutating func skipField() {
            while position < end, text[position] != UInt8(ascii: " ") { position += 1 }
        }

        mutating func skipSpaces() {
            while position < end, text[position] == UInt8(ascii: " ") { position += 1 }
        }

        /// The number written next in lower-case `radix` 10 or 16; nil when there is none or it overflows.
        mutating func number(radix: UInt64) -> UInt64? {
            var value: UInt64 = 0
            let first = position
            while position < end {
                let c = text[position]
                let digit: UInt64
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = UInt64(c - UInt8(ascii: "a") + 10)
                default: return position > first ? value : nil
                }
                let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
                let (sum, carry) = shifted.addingReportingOverflow(digit)
                guard !overflow, !carry else { return nil }
                value = sum
                position += 1
            }
            return position > first ? value : nil
        }
    }

    private static func forEachLine(_ text: [UInt8], _ body: (Line) -> Void) {
        var start = 0
        while start < text.count {
            var end = start
            while end < text.count, text[end] != UInt8(ascii: "\n") { end += 1 }
            body(Line(text: text, position: start, end: end))
            start = end + 1
        }
    }

    /// A file read to its end (a `/proc` file has no size to read up to); nil when it cannot be read.
    private static func contents(of path: String) -> [UInt8]? {
        let fd = unsafe open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = unsafe chunk.withUnsafeMutableBytes { unsafe read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }
}
