#!/usr/bin/env bash
# Throughput and latency of `cmdb serve` on the 1M-CI benchmark database, with wrk (Debian's package):
#   1. point lookups through POST /v1/query (MATCH (n {id: $id}) RETURN n), ids from the benchmark's q1 set;
#   2. hypervisor impact through POST /v1/impact;
#   3. the lookups again while a 1M-CI import runs through the CLI into the same database.
# 8 concurrent keep-alive connections (wrk -t2 -c8), DURATION seconds each (default 20).
#
# usage: bench/server.sh [DATA_DIR] [DB_DIR]    (defaults /tmp/bench/data/1m and /tmp/server-db)
# The database is loaded from DATA_DIR/cmdb.jsonl once (a release build's `cmdb import`), then reused.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-/tmp/bench/data/1m}
DB=${2:-/tmp/server-db}
DURATION=${DURATION:-20}
PORT=${PORT:-18080}
BIN=.build/release/cmdb
WORK=$(mktemp -d /tmp/server-bench-XXXXXX)
command -v wrk >/dev/null || { echo "wrk is missing: make deps" >&2; exit 3; }
[ -x "$BIN" ] || { echo "no release build: make release" >&2; exit 3; }

if [ ! -e "$DB/data.mdb" ]; then
  echo "loading $DATA/cmdb.jsonl into $DB …" >&2
  "$BIN" --db "$DB" init
  /usr/bin/time -f "import: %e s, %M KB max RSS" "$BIN" --db "$DB" import "$DATA/cmdb.jsonl" --change BENCH-LOAD --actor bench
fi

NAME="bench-$$"
TOKEN=$("$BIN" --db "$DB" token create "$NAME" --role admin 2>/dev/null)
SERVER_PID=""
IMPORT_PID=""
cleanup() {
  [ -n "$IMPORT_PID" ] && kill "$IMPORT_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  "$BIN" --db "$DB" token revoke "$NAME" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

CMDB_LOG_LEVEL=warning "$BIN" --db "$DB" serve --listen "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "serving" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT"

awk -F'\t' '$1=="q1"{print $2}' "$DATA/params.tsv" > "$WORK/ids"
grep -o '"hv-[0-9]*"' "$DATA/params.json" | tr -d '"' | sort -u > "$WORK/hypervisors"
[ -s "$WORK/hypervisors" ] || awk -F'\t' '$2 ~ /^hv-/{print $2}' "$DATA/params.tsv" | sort -u > "$WORK/hypervisors"

run() {  # label ids-file body-template
  echo "== $1" >&2
  IDS_FILE="$2" BODY_TEMPLATE="$3" TOKEN="$TOKEN" \
    wrk -t2 -c8 -d"${DURATION}s" --latency -s bench/wrk/post_ids.lua "$URL$4" | tee "$WORK/$1.txt"
}

run lookups "$WORK/ids" '{"statement":"MATCH (n {id: $id}) RETURN n","parameters":{"id":"{ID}"}}' /v1/query
run impact "$WORK/hypervisors" '{"targets":["{ID}"]}' /v1/impact

echo "== lookups while a 1M-CI import runs (cmdb generate --cis 1000000 --seed 7 | cmdb import -)" >&2
( "$BIN" generate --cis 1000000 --seed 7 | "$BIN" --db "$DB" import - --change BENCH-REIMPORT --actor bench ) \
  >"$WORK/import.log" 2>&1 &
IMPORT_PID=$!
sleep 3
run lookups-during-import "$WORK/ids" '{"statement":"MATCH (n {id: $id}) RETURN n","parameters":{"id":"{ID}"}}' /v1/query
if kill -0 "$IMPORT_PID" 2>/dev/null; then echo "(the import was still running at the end of the run)" >&2; fi
wait "$IMPORT_PID" || true
IMPORT_PID=""
cat "$WORK/import.log" >&2
