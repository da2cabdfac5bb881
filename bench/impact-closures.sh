#!/usr/bin/env bash
# Q3/Q4/Q5 (closures) of ../shared/bench for cmdb next to the C floor, alternating, ROUNDS times:
#   bench/impact-closures.sh [SIZE]        (SIZE: 1m by default; data and the C peer's db from run_peers.sh)
# Env: BENCH_WORK (/tmp/cmdb-bench), DB (the cmdb database, loaded from data/SIZE/cmdb.jsonl when missing),
#      BIN (.build/release/cmdb), ROUNDS (3). Prints one JSON line per query and round, plus peak RSS lines.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SIZE=${1:-1m}
W=${BENCH_WORK:-/tmp/cmdb-bench}
BIN=${BIN:-$REPO/.build/release/cmdb}
DB=${DB:-/tmp/impact-bench-db-$SIZE}
ROUNDS=${ROUNDS:-3}
[ -x "$BIN" ] || { echo "no $BIN: make release" >&2; exit 1; }
[ -f "$W/data/$SIZE/params.json" ] || { echo "no $W/data/$SIZE: run ../shared/bench/run_peers.sh $SIZE lmdb first" >&2; exit 1; }
if [ ! -e "$DB/data.mdb" ]; then
  "$BIN" --db "$DB" init >&2 && "$BIN" --db "$DB" import "$W/data/$SIZE/cmdb.jsonl" >&2
fi
rss() { echo "{\"peer\":\"$1\",\"round\":$2,\"rss_mb\":$(awk -F': ' '/Maximum resident/ {printf "%.1f", $2/1024}' "$3")}"; }
t=$(mktemp); trap 'rm -f "$t"' EXIT
for i in $(seq "$ROUNDS"); do
  if [ -x "$W/lmdb_peer" ] && [ -d "$W/db/$SIZE/lmdb" ]; then
    (cd "$W" && /usr/bin/time -v -o "$t" ./lmdb_peer query "db/$SIZE/lmdb" "data/$SIZE/params.tsv") |
      grep -E '"Q[345]"' | sed "s/}\$/,\"round\":$i}/"
    rss lmdb-c "$i" "$t"
  fi
  for semantics in reachability impact; do
    /usr/bin/time -v -o "$t" "$BIN" --db "$DB" bench-queries --params "$W/data/$SIZE/params.json" \
      --semantics "$semantics" | sed "s/}\$/,\"round\":$i}/"
    rss "swift-$semantics" "$i" "$t"
  done
done
