#!/usr/bin/env python3
"""Runs `swift test` (the arguments after --) under a time limit, and when the limit passes says what was running.

CI gives the whole run 90 minutes and shows only the end of its output. A test that hangs used to use all of it and
leave nothing to go on: swift test's output reached the log in 8 KiB blocks, so the log stopped mid-line, long before
the hang. Here the test binary's output is line-buffered (stdbuf), echoed as it comes, and past the limit this
prints the tests that started and never finished, the process tree under the run (with what each process waits
in), and the stacks of the test process's threads (gdb, when it is installed); then it stops the run, exit 124.

usage: run_with_watchdog.py MINUTES -- COMMAND ARGS...
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

STARTED = re.compile(r"^◇ Test (.+?) started\.$")
ENDED = re.compile(r"^[✔✘] Test (.+?)(?: with \d+ test cases?)? (?:passed|failed)(?: after| with| \()")


def descendants(root):
    """Pids under `root`, parents before children, read from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    order, stack = [], [root]
    while stack:
        pid = stack.pop()
        order.append(pid)
        stack.extend(sorted(children.get(pid, []), reverse=True))
    return order


def describe(pid):
    def read(name):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as f:
                return f.read()
        except OSError:
            return b""
    args = read("cmdline").replace(b"\0", b" ").decode(errors="replace").strip()[:300]
    wchan = read("wchan").decode(errors="replace") or "-"
    state = next((line.split(":", 1)[1].strip() for line in read("status").decode(errors="replace").splitlines()
                  if line.startswith("State:")), "?")
    return f"{pid:>7} {state:<14} {wchan:<24} {args}"


def report(root, running, minutes):
    out = sys.stdout
    out.write(f"\n=== the test run passed its {minutes} minute limit; stopping it ===\n")
    out.write(f"tests started and not finished ({len(running)}):\n")
    for name in running:
        out.write(f"  {name}\n")
    out.write("processes under the run (pid, state, waiting in, command):\n")
    pids = descendants(root)
    for pid in pids:
        out.write(describe(pid) + "\n")
    gdb = shutil.which("gdb")
    tests = [p for p in pids if "xctest" in describe(p)]
    for pid in tests[:1]:
        if not gdb:
            out.write("(gdb is not installed: no thread stacks)\n")
            break
        out.write(f"thread stacks of the test process {pid}:\n")
        out.flush()
        subprocess.run([gdb, "-p", str(pid), "-batch", "-nx", "-ex", "thread apply all bt 25"],
                       stdout=sys.stdout, stderr=subprocess.STDOUT, timeout=300)
    out.flush()


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    minutes = float(sys.argv[1])
    command = sys.argv[3:]
    if shutil.which("stdbuf"):
        command = ["stdbuf", "-oL", "-eL"] + command
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    running = {}
    lock = threading.Lock()

    def pump():
        for raw in process.stdout:
            sys.stdout.buffer.write(raw)
            sys.stdout.buffer.flush()
            line = raw.decode(errors="replace").rstrip("\n")
            with lock:
                if m := STARTED.match(line):
                    running[m.group(1)] = True
                elif m := ENDED.match(line):
                    running.pop(m.group(1), None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        code = process.wait(timeout=minutes * 60)
    except subprocess.TimeoutExpired:
        with lock:
            names = list(running)
        report(process.pid, names, minutes)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        reader.join(timeout=10)
        sys.exit(124)
    reader.join(timeout=60)
    sys.exit(code)


if __name__ == "__main__":
    main()
