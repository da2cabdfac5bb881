#!/usr/bin/env python3
"""CIQL through the binary: the benchmark statements as users type them, timed per statement.

    bench/ciql_bench.py --bin CMDB --db DB --data DATA_DIR --results RESULTS_DIR [--reps 3] [--budget 6]

Protocol (the issues' protocol, the same for every row):
  - a batch is one file of statements with the ids as literals, run by one `cmdb query -f FILE --format jsonl`
    process (a fresh process per batch, so each batch pays start-up, open and the first plan once);
  - per statement = (wall time of a batch of N statements - wall time of a batch of 1) / (N - 1), each
    batch time the median of --reps runs (at least 11 for a batch under a second), the batches of 1 and of N
    run alternately so that a drift of the machine's speed moves both alike; N is as many of the benchmark's ids as fit in --budget seconds
    (at least 3, at most all of them), found from the batch of 1;
  - peak RSS is /usr/bin/time's maximum resident set size of the batch-of-N process.
The check values are computed from the rows the statements return, the same way the peers compute theirs,
and compared with the C floor's (results/SIZE/lmdb-c.jsonl from run_peers.sh in the same run).

After the present-graph rows it makes one write (a SET on the first Q1 CI, so that transaction 2, the
import, is in the past) and times the AS OF rows against transaction 2. Prints one markdown table.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def q(s):
    """A CIQL string literal."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


# name, statement template over one id, which params list, how to turn rows into the check, peer key
def rows_count(rows):
    return len(rows)


def first_col_sum(rows):
    total = 0
    for r in rows:
        v = next(iter(r.values()))
        total += v if isinstance(v, (int, float)) else 0
    return total


def q1_check(rows):
    found = len(rows)
    crit = sum(r.get("k") or 0 for r in rows if isinstance(r.get("k"), (int, float)))
    return [found, crit]


def q7_check(rows):
    return [len(rows), sum(r.get("n", 0) for r in rows)]


STATEMENTS = [
    # key, label, template, params key, check function, peer query name, peer unit
    ("Q1", "Q1 lookup", "MATCH (c {{id: {x}}}) RETURN c.criticality AS k", "Q1", q1_check, "Q1"),
    ("Q2", "Q2 1-hop in", "MATCH (x)-->(v {{id: {x}}}) RETURN DISTINCT x.id AS x", "q2", rows_count, "Q2"),
    ("Q3", "Q3 closure of a hypervisor", "MATCH (t {{id: {x}}})<-[*]-(x) RETURN count(DISTINCT x) AS n", "q3",
     first_col_sum, "Q3"),
    ("Q4", "Q4 closure of a datacenter", "MATCH (t {{id: {x}}})<-[*]-(x) RETURN count(DISTINCT x) AS n", "q4",
     first_col_sum, "Q4"),
    ("Q5", "Q5 what a service stands on", "MATCH (t {{id: {x}}})-[*]->(x) RETURN count(DISTINCT x) AS n", "q5",
     first_col_sum, "Q5"),
    ("Q6", "Q6 4-hop pattern",
     "MATCH (a:Application)-[:RUNS_ON]->(v)-[:HOSTED_ON]->(h)-[:LOCATED_IN]->(r)-[:LOCATED_IN]->(d {{id: {x}}}) "
     "WHERE a.criticality >= 4 RETURN count(DISTINCT a) AS n", "q6", first_col_sum, "Q6"),
    ("Q7", "Q7 group-by", "MATCH (n) RETURN class(n) AS c, n.status AS s, count(*) AS n", None, q7_check, "Q7"),
    ("Q3i", "Q3i impact of a hypervisor", "CALL impact([{x}]) YIELD ci RETURN count(ci) AS n", "q3",
     first_col_sum, None),
    ("Q4i", "Q4i impact of a datacenter", "CALL impact([{x}]) YIELD ci RETURN count(ci) AS n", "q4",
     first_col_sum, None),
]

AS_OF = [
    ("Q1@TX2", "Q1 lookup AS OF TX 2", "MATCH (c {{id: {x}}}) RETURN c.criticality AS k AS OF TX 2", "Q1",
     q1_check, "Q1"),
    ("Q3@TX2", "Q3 closure AS OF TX 2",
     "MATCH (t {{id: {x}}})<-[*]-(x) RETURN count(DISTINCT x) AS n AS OF TX 2", "q3", first_col_sum, "Q3"),
    ("Q5@TX2", "Q5 closure AS OF TX 2",
     "MATCH (t {{id: {x}}})-[*]->(x) RETURN count(DISTINCT x) AS n AS OF TX 2", "q5", first_col_sum, "Q5"),
]


def ids_for(params, key):
    if key is None:
        return [None] * 100
    v = params[key if key in params else key.lower()]
    return v if isinstance(v, list) else [v] * 20


def run_batch(args, statements, tmp):
    """Wall seconds, peak RSS MiB and the rows of one process running `statements`."""
    path = os.path.join(tmp, "batch.ciql")
    with open(path, "w") as f:
        for s in statements:
            f.write(s + ";\n")
    tfile = os.path.join(tmp, "time.txt")
    cmd = ["/usr/bin/time", "-v", "-o", tfile, args.bin, "--db", args.db, "query", "-f", path, "--format", "jsonl"]
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit("cmdb query failed (exit %d) on %s…:\n%s" % (p.returncode, statements[0][:120],
                                                              p.stderr.decode(errors="replace")[-2000:]))
    rss = None
    with open(tfile) as f:
        for line in f:
            if "Maximum resident set size" in line:
                rss = int(line.rsplit(":", 1)[1]) / 1024
    rows = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    return wall, rss, rows


def median_run(args, statements, tmp):
    first = run_batch(args, statements, tmp)
    # a batch over 5 s is timed once; one under a second, whose time start-up noise moves most, seven times
    reps = 1 if first[0] >= 5.0 else args.reps if first[0] >= 1.0 else max(args.reps, 7)
    runs = [first] + [run_batch(args, statements, tmp) for _ in range(reps - 1)]
    return statistics.median(r[0] for r in runs), max(r[1] or 0 for r in runs), runs[0][2]


def paired_runs(args, one, batch, tmp):
    """The batch of 1 and the batch of N run alternately, so that a drift of the machine's speed while they are
    timed moves both alike: (median time of the batch of 1, median time of the batch of N, peak RSS and rows of
    the batch of N). A batch of N over 5 s is timed once; one under a second, whose time start-up noise moves
    most, eleven times."""
    first = run_batch(args, batch, tmp)
    reps = 1 if first[0] >= 5.0 else args.reps if first[0] >= 1.0 else max(args.reps, 11)
    ones, runs = [], [first]
    for i in range(reps):
        ones.append(run_batch(args, one, tmp)[0])
        if i > 0:
            runs.append(run_batch(args, batch, tmp))
    return (statistics.median(ones), statistics.median(r[0] for r in runs), max(r[1] or 0 for r in runs),
            first[2])


def measure(args, params, spec, tmp):
    key, label, template, pkey, check, peer = spec
    ids = ids_for(params, pkey)
    stmts = [template.format(x=q(i) if i is not None else "") for i in ids]
    t1, _, _ = median_run(args, stmts[:1], tmp)
    # estimate one statement from a small batch (2 when one statement is slow, else up to 10)
    k = 2 if t1 > 1.0 else min(len(stmts), 10)
    tk, _, _ = median_run(args, stmts[:k], tmp)
    per = max((tk - t1) / (k - 1), 1e-6)
    n = int(min(len(stmts), max(3, args.budget / per)))
    if pkey is not None and not isinstance(params[pkey if pkey in params else pkey.lower()], list):
        n = max(3, min(n, 20))
    t1, tn, rss, rows = paired_runs(args, stmts[:1], stmts[:n], tmp)
    per_stmt = (tn - t1) / (n - 1)
    repeated = pkey is None or not isinstance(params[pkey if pkey in params else pkey.lower()], list)
    if repeated:
        rows = rows[: len(rows) // n]   # the same statement n times: check one answer
    # the check runs over every id the peers use, when that is the batch (else over the batch's ids)
    first_rows = rows[:3] if len(rows) >= 3 else rows
    # The same N statements R more times in one process, less the batch of N, per statement: passes over ids
    # whose pages this process has mapped already, as the peers' medians (which repeat their ids after a warm-up)
    # are measured. R makes the passes last about 0.3 s, so start-up noise does not swamp them.
    warm = None
    if not repeated and n >= 3:
        passes = max(1, min(50, int(0.3 / max(n * per_stmt, 1e-6))))
        tr, _, _ = median_run(args, stmts[:n] * (passes + 1), tmp)
        warm = (tr - tn) / (n * passes) if tr > tn else None   # noise larger than the passes: no figure
    return {"key": key, "label": label, "n": n, "first3": check(first_rows), "t1": t1, "tn": tn, "per_s": per_stmt,
            "warm_s": warm, "rss": rss,
            "check": check(rows), "peer": peer, "all_ids": n == len(stmts) or not isinstance(
                params.get(pkey if pkey in params else (pkey or "").lower()), list)}


def load_peers(results_dir):
    peers = {}
    for name in ("lmdb-c", "sqlite", "kuzu"):
        path = os.path.join(results_dir, name + ".jsonl")
        if not os.path.exists(path):
            continue
        recs = {}
        for line in open(path):
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            if isinstance(r.get("query"), str) and r["query"].startswith("Q"):
                recs[r["query"]] = r
        peers[name] = (recs, os.path.getmtime(path))
    return peers


def peer_seconds(rec):
    """A peer's per-operation seconds: per_op_us where it has one, else the median ms."""
    if rec is None:
        return None
    if "per_op_us" in rec:
        return rec["per_op_us"] / 1e6
    return rec["median_ms"] / 1e3


def peer_first_run_seconds(rec):
    """A peer's per-operation seconds in its first run of the batch, right after it opened the database in a
    fresh process (cold_ms / ops): the run that, like cmdb's batches, touches every page for the first time."""
    if rec is None or rec.get("cold_ms") is None or not rec.get("ops"):
        return None
    return rec["cold_ms"] / 1e3 / rec["ops"]


def fmt(sec):
    if sec is None:
        return "—"
    us = sec * 1e6
    if us < 1000:
        return "%.1f µs" % us if us < 100 else "%.0f µs" % us
    ms = us / 1000
    return ("%.1f ms" % ms if ms < 100 else "{:,.0f} ms".format(ms))


def peer_check(peers, name, key, check):
    """The C floor's check for this query in the units we compute ours in."""
    if "lmdb-c" not in peers or name is None:
        return None
    rec = peers["lmdb-c"][0].get(name)
    if rec is None:
        return None
    return rec.get("check")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--budget", type=float, default=6.0, help="seconds a batch of N may take (sets N)")
    ap.add_argument("--only", default="", help="comma-separated row keys to run (default: all)")
    ap.add_argument("--json", help="also write the measured rows here (JSON Lines)")
    args = ap.parse_args()
    params = json.load(open(os.path.join(args.data, "params.json")))
    if "Q1" not in params and "q1" in params:
        params["Q1"] = params["q1"]
    only = set(filter(None, args.only.split(",")))
    peers = load_peers(args.results)
    out = []
    with tempfile.TemporaryDirectory(prefix="ciql-bench-") as tmp:
        # start-up alone: a fresh process running one trivial statement
        cold = sorted(run_batch(args, ["RETURN 1 AS one"], tmp)[0] for _ in range(5))
        coldq1 = sorted(run_batch(args, [STATEMENTS[0][2].format(x=q(params["Q1"][0]))], tmp)[0]
                        for _ in range(5))
        for spec in STATEMENTS:
            if only and spec[0] not in only:
                continue
            r = measure(args, params, spec, tmp)
            print("[%s] %s: N=%d, batch 1 %.3f s, batch N %.3f s, per statement %s, peak RSS %.0f MiB, check %s"
                  % (time.strftime("%H:%M:%S"), r["key"], r["n"], r["t1"], r["tn"], fmt(r["per_s"]), r["rss"],
                     r["check"]), file=sys.stderr)
            out.append(r)
        if not only or any(k.endswith("@TX2") for k in only):
            # what the present graph answers for the first ids, before the write (one row per statement)
            expected_past = {}
            for spec in AS_OF:
                ids = ids_for(params, spec[3])[:3]
                present_stmt = spec[2].replace(" AS OF TX 2", "")
                rows = run_batch(args, [present_stmt.format(x=q(i)) for i in ids], tmp)[2]
                expected_past[spec[0]] = spec[4](rows)
            first = params["Q1"][0]
            w = subprocess.run([args.bin, "--db", args.db, "query", "--change", "BENCH-ASOF",
                                "MATCH (c {id: %s}) SET c.criticality = 1" % q(first)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if w.returncode != 0:
                sys.exit("the write before the AS OF rows failed: " + w.stderr.decode(errors="replace"))
            for spec in AS_OF:
                if only and spec[0] not in only:
                    continue
                r = measure(args, params, spec, tmp)
                r["expected"] = expected_past[spec[0]]
                print("[%s] %s: N=%d, per statement %s, peak RSS %.0f MiB, check %s"
                      % (time.strftime("%H:%M:%S"), r["key"], r["n"], fmt(r["per_s"]), r["rss"], r["check"]),
                      file=sys.stderr)
                out.append(r)
    present = {r["key"]: r for r in out}
    print("| work | cmdb per statement (CIQL, CLI) | N | peak RSS MiB | C floor | ratio to C | SQLite | Kuzu "
          "| cmdb repeated passes (ratio to C) | C floor first run (ratio) | SQLite first run | check |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in out:
        base_key = r["key"].split("@")[0]
        ref_name = r["peer"] if not r["key"].endswith("i") else base_key[:-1]
        if r["key"].endswith("i"):
            ref_name = {"Q3i": "Q3", "Q4i": "Q4"}[r["key"]]
        c = peer_seconds(peers.get("lmdb-c", ({}, 0))[0].get(ref_name)) if "lmdb-c" in peers else None
        s = peer_seconds(peers.get("sqlite", ({}, 0))[0].get(ref_name)) if "sqlite" in peers else None
        k = peer_seconds(peers.get("kuzu", ({}, 0))[0].get(ref_name)) if "kuzu" in peers else None
        c_first = peer_first_run_seconds(peers.get("lmdb-c", ({}, 0))[0].get(ref_name))
        s_first = peer_first_run_seconds(peers.get("sqlite", ({}, 0))[0].get(ref_name))
        first = fmt(c_first) + (" (%.1fx)" % (r["per_s"] / c_first) if c_first else "")
        ratio = "%.1fx" % (r["per_s"] / c) if c else "—"
        if r["key"].endswith("i") or "@" in r["key"]:
            ratio += " (of %s)" % ref_name if c else ""
        expected = peer_check(peers, r["peer"], r["key"], None) if not r["key"].endswith("i") else None
        if "@" in r["key"]:
            # AS OF TX 2 is the state before the write: its first answers equal the present graph's before it
            ok = _equal(r["first3"], r["expected"])
            chk = "%s (first 3: %s %s before the write)" % (r["check"], r["first3"], "✓ =" if ok else "✗ ≠")
        elif expected is None:
            chk = str(r["check"])
        elif not r["all_ids"]:
            chk = "%s (over %d ids; C floor %s over all)" % (r["check"], r["n"], expected)
        else:
            chk = "%s %s" % (r["check"], "✓" if _equal(r["check"], expected) else "✗ C floor: %s" % expected)
        warm = "—"
        if r.get("warm_s") is not None:
            warm = fmt(r["warm_s"]) + (" (%.1fx)" % (r["warm_s"] / c) if c else "")
        print("| %s | %s | %d | %.0f | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["label"], fmt(r["per_s"]), r["n"], r["rss"] or 0, fmt(c), ratio, fmt(s), fmt(k), warm, first,
            fmt(s_first), chk))
    print()
    print("cmdb per statement: (batch of N - batch of 1) / (N - 1), one fresh process per batch, each id once, so it"
          " pays the first touch of every page it reads. Repeated passes: (the N statements 1 + R times - once) /"
          " (R N), the same process reading the same ids again (R sized to about 0.3 s), as the peers' figures are"
          " medians of repeated runs over their ids; labelled, beside the protocol's figure, not instead of it."
          " First run: the peer's first run of the whole batch in its process, right after opening the database"
          " (run_peers.sh's cold_ms / ops), which touches its pages for the first time as each cmdb batch does;"
          " labelled, beside the peers' medians, not instead of them.")
    print("Start-up (fresh process, wall, median of 5): `RETURN 1` %.1f ms; one Q1 lookup %.1f ms."
          % (statistics.median(cold) * 1e3, statistics.median(coldq1) * 1e3))
    stale = [n for n, (_, mt) in peers.items() if mt < time.time() - 6 * 3600]
    if stale:
        print("\nWarning: peer results older than six hours: %s (rerun with --peers)." % ", ".join(stale))
    if args.json:
        with open(args.json, "w") as f:
            for r in out:
                f.write(json.dumps(r) + "\n")


def _equal(a, b):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    try:
        return abs(float(a) - float(b)) < 1e-6
    except (TypeError, ValueError):
        return a == b


if __name__ == "__main__":
    main()
