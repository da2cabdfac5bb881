import CDispatch  // where this build finds struct stat (with swift-crypto beside it); Glibc alone no longer does
import Glibc

/// A file's inode, size and modification time (ns), to notice that it was replaced or changed; nil when it cannot
/// be stat'ed. One stat(2), nothing allocated.
func fileStamp(_ path: String) -> (inode: Int, size: Int, modified: Int64)? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return (Int(st.st_ino), Int(st.st_size), Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
}
