#!/usr/bin/env python3
"""Time from exec to the first byte of the REPL's prompt, on a pseudo-terminal.

usage: bench/repl_startup.py CMDB_BINARY DB_DIR [RUNS]

Starts `cmdb --db DB_DIR shell` on a fresh pty RUNS times (default 20), measures from just before exec
until the prompt ("cmdb> ") has been written, then sends Ctrl-D. Prints min, median and max in ms. The
history file is a temporary one, so the user's history is neither read nor touched.
"""
import os, pty, select, statistics, sys, tempfile, time


def once(binary, db, history):
    env = dict(os.environ, CMDB_HISTORY=history, TERM=os.environ.get("TERM", "xterm"))
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binary, [binary, "--db", db, "shell"], env)
    seen = b""
    elapsed = None
    deadline = started + 10
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        seen += os.read(fd, 65536)
        if b"cmdb> " in seen:
            elapsed = (time.perf_counter() - started) * 1000
            break
    os.write(fd, b"\x04")
    os.waitpid(pid, 0)
    os.close(fd)
    if elapsed is None:
        sys.exit(f"no prompt within 10 s; the screen showed: {seen!r}")
    return elapsed


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, db = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    with tempfile.TemporaryDirectory() as work:
        times = [once(binary, db, os.path.join(work, "history")) for _ in range(runs)]
    print(f"exec to first prompt byte over {runs} runs: min {min(times):.1f} ms, "
          f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms")


main()
