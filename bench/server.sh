#!/usr/bin/env bash
# Throughput and latency of `cmdb serve` on the 1M-CI benchmark database, with wrk (Debian's package):
#   1. point lookups through POST /v1/query (MATCH (n {id: $id}) RETURN n), ids from the benchmark's q1 set;
#   2. hypervisor impact through POST /v1/impact;
#   3. the lookups again while a 1M-CI import of NEW CIs runs through the CLI into the same database: the benchmark
#      file with every id moved into a namespace of its own (imp<time>-…), so the import really writes 1M CIs and
#      their relations (the database grows by that much each run), then a summary of the lookups before and during.
# 8 concurrent keep-alive connections (wrk -t2 -c8), DURATION seconds each (default 20).
#
# usage: bench/server.sh [DATA_DIR] [DB_DIR]    (defaults /tmp/bench/data/1m and /tmp/server-db)
# The database is loaded from DATA_DIR/cmdb.jsonl once (a release build's `cmdb import`), then reused.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-/tmp/bench/data/1m}
DB=${2:-/tmp/server-db}
DURATION=${DURATION:-20}
# SERVE_OPTIONS: more options for `cmdb serve`.
SERVE_OPTIONS=${SERVE_OPTIONS:-}
PORT=${PORT:-18080}
BIN=${BIN:-.build/release/cmdb}
# RUNS: which runs, of "lookups impact import" (default all of them).
RUNS=${RUNS:-lookups impact import}
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

CMDB_LOG_LEVEL=warning "$BIN" --db "$DB" serve --listen "127.0.0.1:$PORT" $SERVE_OPTIONS 2>"$WORK/serve.log" &
SERVER_PID=$!
echo "server pid $SERVER_PID" >&2
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

LOOKUP='{"statement":"MATCH (n {id: $id}) RETURN n","parameters":{"id":"{ID}"}}'
[[ " $RUNS " == *" lookups "* ]] && run lookups "$WORK/ids" "$LOOKUP" /v1/query
[[ " $RUNS " == *" impact "* ]] && run impact "$WORK/hypervisors" '{"targets":["{ID}"]}' /v1/impact
if [[ " $RUNS " == *" import "* ]]; then

NAMESPACE="imp$(date +%s)-"
echo "== lookups while a 1M-CI import of new CIs runs (ids of $DATA/cmdb.jsonl moved to $NAMESPACE…, cmdb import -)" >&2
( sed -e "s/\"id\":\"/\"id\":\"$NAMESPACE/; s/\"from\":\"/\"from\":\"$NAMESPACE/; s/\"to\":\"/\"to\":\"$NAMESPACE/" "$DATA/cmdb.jsonl" \
    | /usr/bin/time -f "import: %e s, %M KB max RSS" "$BIN" --db "$DB" import - --change BENCH-IMPORT --actor bench ) \
  >"$WORK/import.log" 2>&1 &
IMPORT_PID=$!
sleep 3
run lookups-during-import "$WORK/ids" "$LOOKUP" /v1/query
if kill -0 "$IMPORT_PID" 2>/dev/null; then echo "(the import was still running at the end of the run)" >&2; fi
wait "$IMPORT_PID" || true
IMPORT_PID=""
cat "$WORK/import.log" >&2
CREATED=$("$BIN" --db "$DB" query "MATCH (n {id: '${NAMESPACE}dc-ams1'}) RETURN count(*) AS n" --format json | tr -dc '0-9')
echo "the import created ${NAMESPACE}dc-ams1: $([ "$CREATED" = 1 ] && echo yes || echo NO)" >&2
fi

summary() {  # label file
  awk -v label="$1" '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2}
    /Non-2xx/ {bad=$NF}
    END {printf "%-24s %12s req/s  p50 %8s  p90 %8s  p99 %8s  non-2xx %s\n", label, rps, p50, p90, p99, (bad==""?0:bad)}' "$2"
}
echo "== summary" >&2
for r in lookups impact lookups-during-import; do [ -e "$WORK/$r.txt" ] && summary "$r" "$WORK/$r.txt"; done; true
