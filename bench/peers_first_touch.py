#!/usr/bin/env python3
"""The peers under cmdb's protocol: a fresh process per batch, each id once, nothing run before it.

    bench/peers_first_touch.py --work /tmp/bench --size 1m [--queries Q2,Q3] [--runs 5]

run_peers.sh times each peer's queries in one process, one after the other: Q1's 10,000 lookups run before
Q2 and fill the process's map or page cache with index and record pages Q2 reads again, and the peers' medians
repeat the same ids. cmdb's rows (bench/ciql_bench.py) pay for every page a batch reads for the first time.
This script gives the C floor (lmdb_peer) and SQLite (sqlite_peer.py) the same condition: for each query it
writes a parameter file holding only that query's ids (each other query gets one id that matches nothing, so
it reads a few index pages and no record), starts the peer in a fresh process and reads the first run of the query from its output
(cold_ms, the run right after opening the database). Per operation = (first run of N ids - first run of 1 id)
/ (N - 1), each the median of --runs processes, the batches of 1 and N alternating, the same subtraction as
cmdb's per statement. Each peer's database files are read once first, so that they start from the operating
system's page cache as cmdb's freshly loaded database does (no disk reads are timed). Prints one markdown table; labelled, beside run_peers.sh's figures, not instead of them.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

KEYS = {"Q2": "q2", "Q3": "q3", "Q5": "q5"}
NO_MATCH = "no-such-ci-for-this-run"


def params_for(query, ids):
    """params.json and params.tsv contents holding only `ids` for `query`."""
    key = KEYS[query]
    # every other query gets one id that matches nothing (the peers divide by their number of ids)
    p = {"q1": [NO_MATCH], "q2": [NO_MATCH], "q3": [NO_MATCH], "q4": NO_MATCH, "q5": [NO_MATCH], "q6": NO_MATCH}
    p[key] = ids
    tsv = "".join("%s\t%s\n" % (k, i)
                  for k in ("q1", "q2", "q3", "q4", "q5", "q6") for i in (ids if k == key else [NO_MATCH]))
    return p, tsv


def first_run_ms(cmd, query):
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout.decode()
    for line in out.splitlines():
        if line.startswith("{"):
            rec = json.loads(line.replace(":inf,", ":null,"))   # lmdb_peer prints inf per op for 0 ops
            if rec.get("query") == query:
                return rec["cold_ms"]
    sys.exit("no %s line in the output of %s" % (query, " ".join(cmd)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", required=True, help="run_peers.sh's work directory (BENCH_WORK)")
    ap.add_argument("--size", default="1m")
    ap.add_argument("--queries", default="Q2,Q3")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    work = args.work
    data = json.load(open(os.path.join(work, "data", args.size, "params.json")))
    peers = {
        "C floor (lmdb_peer)": lambda d: [os.path.join(work, "lmdb_peer"), "query",
                                          os.path.join(work, "db", args.size, "lmdb"), os.path.join(d, "params.tsv")],
        "SQLite": lambda d: [sys.executable, os.path.join(work, "sqlite_peer.py"), "query", d,
                             os.path.join(work, "db", args.size, "sqlite.db")],
    }
    print("| work | peer | N | first run, fresh process, per op | run_peers.sh median per op |")
    print("|---|---|---:|---:|---:|")
    for path in (os.path.join(work, "db", args.size, "lmdb", "data.mdb"), os.path.join(work, "db", args.size, "sqlite.db")):
        with open(path, "rb") as f:
            while f.read(1 << 20):
                pass
    with tempfile.TemporaryDirectory(prefix="peers-first-touch-") as tmp:
        for query in filter(None, args.queries.split(",")):
            ids = data[KEYS[query]]
            dirs = {}
            for name, sel in (("one", ids[:1]), ("all", ids)):
                d = os.path.join(tmp, query + "-" + name)
                os.makedirs(d)
                p, tsv = params_for(query, sel)
                json.dump(p, open(os.path.join(d, "params.json"), "w"))
                open(os.path.join(d, "params.tsv"), "w").write(tsv)
                dirs[name] = d
            for peer, cmd in peers.items():
                ones, alls = [], []
                for _ in range(args.runs):
                    ones.append(first_run_ms(cmd(dirs["one"]), query))
                    alls.append(first_run_ms(cmd(dirs["all"]), query))
                per_op_us = (statistics.median(alls) - statistics.median(ones)) / (len(ids) - 1) * 1e3
                median = "—"
                rec_file = os.path.join(work, "results", args.size,
                                        ("lmdb-c" if peer.startswith("C") else "sqlite") + ".jsonl")
                if os.path.exists(rec_file):
                    for line in open(rec_file):
                        if line.startswith("{"):
                            r = json.loads(line)
                            if r.get("query") == query and r.get("ops"):
                                median = "%.1f µs" % (r["median_ms"] * 1e3 / r["ops"])
                print("| %s | %s | %d | %.1f µs | %s |" % (query, peer, len(ids), per_op_us, median), flush=True)


if __name__ == "__main__":
    main()
