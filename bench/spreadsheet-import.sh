#!/bin/sh
# Import of N CIs as CSV (with bench/cis-csv.yaml) against the same CIs as JSON Lines, release build:
#   [ROUNDS=3] bench/spreadsheet-import.sh [N] [DATA_DIR]      (defaults: 100000, /tmp/bench/data/1m)
# Takes the first N rows of DATA_DIR/cis.csv and the first N lines of DATA_DIR/cmdb.jsonl (the same CIs, in the
# same order), imports each into a fresh database three times under /usr/bin/time -v and prints wall time and peak
# RSS per run.
set -eu
N=${1:-100000}
DATA=${2:-/tmp/bench/data/1m}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CMDB_BIN:-$ROOT/.build/release/cmdb}
WORK=${BENCH_WORK:-/tmp/spreadsheets-bench}
mkdir -p "$WORK"
head -n $((N + 1)) "$DATA/cis.csv" > "$WORK/cis.csv"
head -n "$N" "$DATA/cmdb.jsonl" > "$WORK/cis.jsonl"
for round in $(seq 1 "${ROUNDS:-3}"); do
  for kind in jsonl csv; do
    rm -rf "$WORK/db-$kind"
    "$BIN" --db "$WORK/db-$kind" init > /dev/null 2>&1
    if [ "$kind" = csv ]; then set -- "$WORK/cis.csv" --map "$ROOT/bench/cis-csv.yaml"; else set -- "$WORK/cis.jsonl"; fi
    /usr/bin/time -v "$BIN" --db "$WORK/db-$kind" import "$@" 2> "$WORK/time-$kind.txt" > /dev/null
    wall=$(grep 'Elapsed (wall clock)' "$WORK/time-$kind.txt" | awk '{print $NF}')
    rss=$(grep 'Maximum resident' "$WORK/time-$kind.txt" | awk '{print $NF}')
    echo "round $round $kind: wall $wall, peak RSS $((rss / 1024)) MiB"
  done
done
"$BIN" --db "$WORK/db-csv" export > "$WORK/export-csv.jsonl"
"$BIN" --db "$WORK/db-jsonl" export > "$WORK/export-jsonl.jsonl"
python3 - "$WORK/export-csv.jsonl" "$WORK/export-jsonl.jsonl" <<'PY'
import json, sys
a, b = ([json.dumps(json.loads(l), sort_keys=True) for l in open(p)] for p in sys.argv[1:])
print("both databases hold the same CIs" if a == b else "error: the databases differ")
sys.exit(a != b)
PY
