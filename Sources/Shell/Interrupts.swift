package import CIQL
import Glibc
import Synchronization

/// Ctrl-C while the shell runs: one SIGINT handler for the whole session.
///
/// While a statement runs, the handler sets `cancellation`, which the operators check, so the statement stops
/// and the session goes on. While a line is being edited, libedit passes the signal on to this handler and its
/// `readline` returns nil; `takeInterrupt()` then tells that apart from end of input. The handler only stores to
/// atomics, which is async-signal-safe.
package enum Interrupts {
    /// Set by Ctrl-C; the session resets it before each statement.
    package static let cancellation = CancellationFlag()

    /// Installs the handler (without SA_RESTART, so a blocking read returns EINTR) and returns what to restore.
    package static func install() -> PreviousHandler {
        // Touch the lazily initialised globals now: their first access must not happen inside the handler.
        _ = cancellation.isCancelled
        _ = pending.load(ordering: .relaxed)
        if wakePipe.read < 0 {
            var ends: [Int32] = [-1, -1]
            if pipe(&ends) == 0 {
                for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
                wakePipe = (ends[0], ends[1])
            }
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            pending.store(true, ordering: .relaxed)
            Interrupts.cancellation.cancel()
            var byte: UInt8 = 3
            _ = write(Interrupts.wakePipe.write, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var previous = sigaction()
        sigaction(SIGINT, &action, &previous)
        // A parent may have left SIGINT blocked (some test runners and job controllers do); the shell needs it.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        return PreviousHandler(action: previous)
    }

    /// Puts back the handler `install()` replaced.
    package static func restore(_ previous: PreviousHandler) {
        var action = previous.action
        sigaction(SIGINT, &action, nil)
    }

    /// Whether Ctrl-C was pressed since the last call; clears it.
    package static func takeInterrupt() -> Bool {
        drainWakePipe()
        return pending.exchange(false, ordering: .relaxed)
    }

    /// Whether Ctrl-C was pressed and not yet taken.
    package static var isPending: Bool { pending.load(ordering: .relaxed) }

    /// The pipe the handler writes a byte to, so that a `poll` on the terminal wakes up without a race between
    /// checking the flag and starting to wait (the self-pipe trick). Set once by `install`, before the handler.
    nonisolated(unsafe) package private(set) static var wakePipe: (read: Int32, write: Int32) = (-1, -1)

    /// Empties the wake-up pipe.
    package static func drainWakePipe() {
        guard wakePipe.read >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakePipe.read, &buffer, buffer.count) > 0 {}
    }

    /// Forgets an earlier Ctrl-C before a statement starts.
    package static func reset() {
        pending.store(false, ordering: .relaxed)
        cancellation.reset()
    }
}

/// The SIGINT disposition in force before the shell's, to put back when it ends.
package struct PreviousHandler {
    fileprivate var action: sigaction
}

private let pending = Atomic<Bool>(false)
