import Foundation
import Synchronization
import Testing
@testable import GraphStorage

/// The lock that keeps the memory map in place: a resize must get through a steady stream of readers, and a
/// read inside a read must not queue behind a waiting resize. A failure here leaves threads blocked, never the
/// test: every wait is polled with a limit.
struct MapLockTests {
    /// A flag shared between threads.
    private final class Flag: Sendable {
        private let value = Atomic(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        func set() { value.store(true, ordering: .releasing) }
        func clear() { value.store(false, ordering: .releasing) }
    }

    /// Which of two threads is to let go next.
    private final class Turn: Sendable {
        private let owner = Atomic(0)
        func `is`(_ thread: Int) -> Bool { owner.load(ordering: .acquiring) == thread }
        func pass(to thread: Int) { owner.store(thread, ordering: .releasing) }
    }

    /// Runs `body` on a new thread; the returned flag is set when it returned.
    private static func onThread(_ body: @escaping @Sendable () -> Void) -> Flag {
        let done = Flag()
        Thread {
            body()
            done.set()
        }.start()
        return done
    }

    /// Polls `condition` for up to `seconds`.
    private static func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(2_000)
        }
        return condition()
    }

    @Test("a resize gets in while readers on other threads pass the lock between them (it waited forever before)")
    func exclusiveIsNotStarvedByOverlappingReaders() {
        let lock = MapLock()
        let stop = Flag()
        let holding = [Flag(), Flag()]
        let releaser = Turn()
        // Two readers that let go only while the other holds the lock, so that some thread holds it shared at
        // every moment (a read-preferring lock never lets the resize in then). Every wait for the other reader is
        // bounded: when new shared holds wait behind the resize, a reader lets go anyway.
        let readers = (0..<2).map { me in
            Self.onThread {
                let other = 1 - me
                lock.lockShared()
                holding[me].set()
                while !stop.isSet {
                    let deadline = Date().addingTimeInterval(0.1)
                    while !(releaser.is(me) && holding[other].isSet) && Date() < deadline && !stop.isSet {
                        usleep(200)
                    }
                    holding[me].clear()
                    lock.unlockShared()
                    releaser.pass(to: other)
                    lock.lockShared()
                    holding[me].set()
                }
                holding[me].clear()
                lock.unlockShared()
            }
        }
        #expect(Self.eventually(10) { holding[0].isSet && holding[1].isSet })
        let resized = Self.onThread { _ = try? lock.exclusive {} }
        let gotIn = Self.eventually(10) { resized.isSet }
        stop.set()
        #expect(gotIn, "the resize was starved by the readers")
        #expect(Self.eventually(10) { readers.allSatisfy(\.isSet) && resized.isSet })
    }

    @Test("a thread that holds the lock shared takes it again while a resize waits, without dead-locking")
    func nestedSharedHoldWithWaitingResize() {
        let lock = MapLock()
        let held = Flag()
        let goOn = Flag()
        let reentered = Flag()
        let reader = Self.onThread {
            lock.lockShared()
            held.set()
            while !goOn.isSet { usleep(1_000) }
            // A read inside a read: the waiting resize waits for this very thread's hold.
            lock.lockShared()
            reentered.set()
            lock.unlockShared()
            lock.unlockShared()
        }
        #expect(Self.eventually(10) { held.isSet })
        let resized = Self.onThread { _ = try? lock.exclusive {} }
        usleep(50_000)
        #expect(!resized.isSet, "the resize ran under a shared hold")
        goOn.set()
        #expect(Self.eventually(10) { reentered.isSet }, "the nested hold dead-locked behind the waiting resize")
        #expect(Self.eventually(10) { reader.isSet && resized.isSet }, "the resize did not run once the holds ended")
    }
}
