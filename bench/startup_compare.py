#!/usr/bin/env python3
"""Start-up of two cmdb binaries on one database, run alternately so that the machine's drift moves both alike.

usage: bench/startup_compare.py BINARY_A BINARY_B DB_DIR [ROUNDS]

Each round runs `BINARY --db DB_DIR query 'RETURN 1' --format jsonl` 11 times per binary, A then B, and takes
the median wall time and the median CPU time (user + system of the child) of those 11; it prints, per binary,
the median over ROUNDS rounds (default 10) and every round's figure, in ms.
"""
import os, resource, statistics, subprocess, sys, time


def once(binary, db):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([binary, "--db", db, "query", "RETURN 1", "--format", "jsonl"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1000, cpu * 1000


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    binaries, db = sys.argv[1:3], sys.argv[3]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    results = {b: {"wall": [], "cpu": []} for b in binaries}
    for _ in range(rounds):
        for b in binaries:
            runs = [once(b, db) for _ in range(11)]
            results[b]["wall"].append(statistics.median(r[0] for r in runs))
            results[b]["cpu"].append(statistics.median(r[1] for r in runs))
    for b in binaries:
        for kind in ("wall", "cpu"):
            figures = results[b][kind]
            print("%s %s: median %.1f ms (rounds: %s)" % (b, kind, statistics.median(figures),
                                                          ", ".join("%.1f" % f for f in figures)))


if __name__ == "__main__":
    main()
