#!/usr/bin/env python3
"""Two cmdb binaries on a database that has just been dropped from the page cache, run alternately.

usage: bench/cold_cache.py BINARY_A BINARY_B DB_DIR DATA_DIR [ROUNDS]

What a database read back from disk costs (after a reboot, or after the kernel reclaimed its idle page cache), and
how the file is cached afterwards. Each round, for A then B (B then A in every second round):
  - drops DB_DIR/data.mdb from the page cache (posix_fadvise DONTNEED: the clean pages no process maps);
  - times one fresh `BINARY --db DB_DIR query "<Q1 of one id>" --format jsonl` process (wall, ms): the first
    lookup, which reads its pages from disk;
  - then times Q2 on what that left in the cache, with bench/ciql_bench.py's per-statement formula: (batch of N -
    batch of 1) / (N - 1), N = all 1,000 Q2 ids of DATA_DIR/params.json, each batch the median of 7 fresh
    processes, the two batches alternating; the first of them reads from disk what the lookup did not.
It prints, per binary, the median over ROUNDS rounds (default 3) and every round's figure.
"""
import json, os, statistics, subprocess, sys, tempfile, time


def drop(db):
    fd = os.open(os.path.join(db, "data.mdb"), os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def wall(binary, db, args):
    started = time.perf_counter()
    subprocess.run([binary, "--db", db, "query"] + args + ["--format", "jsonl"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def q(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    binaries, db, data = sys.argv[1:3], sys.argv[3], sys.argv[4]
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    with open(os.path.join(data, "params.json")) as f:
        params = json.load(f)
    q1 = params["q1"]
    q2 = ["MATCH (x)-->(v {id: %s}) RETURN DISTINCT x.id AS x;" % q(i) for i in params["q2"]]
    results = {b: {"first": [], "q2": []} for b in binaries}
    with tempfile.TemporaryDirectory(prefix="cmdb-cold-") as tmp:
        batch_n, batch_1 = os.path.join(tmp, "q2_n.ciql"), os.path.join(tmp, "q2_1.ciql")
        with open(batch_n, "w") as f:
            f.write("\n".join(q2) + "\n")
        with open(batch_1, "w") as f:
            f.write(q2[0] + "\n")
        for r in range(rounds):
            for b in (binaries if r % 2 == 0 else binaries[::-1]):
                drop(db)
                lookup = "MATCH (c {id: %s}) RETURN c.criticality AS k" % q(q1[(r * 7919) % len(q1)])
                results[b]["first"].append(wall(b, db, [lookup]) * 1e3)
                ns, ones = [], []
                for _ in range(7):
                    ns.append(wall(b, db, ["-f", batch_n]))
                    ones.append(wall(b, db, ["-f", batch_1]))
                per = (statistics.median(ns) - statistics.median(ones)) / (len(q2) - 1)
                results[b]["q2"].append(per * 1e6)
    for b in binaries:
        for kind, unit, label in (("first", "ms", "first lookup after the drop"), ("q2", "us", "Q2 per statement")):
            figures = results[b][kind]
            print("%s %s: median %.1f %s (rounds: %s)" % (b, label, statistics.median(figures), unit,
                                                         ", ".join("%.1f" % f for f in figures)))


if __name__ == "__main__":
    main()
