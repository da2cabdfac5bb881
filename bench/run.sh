#!/usr/bin/env bash
# Our side of the peer benchmark (../shared/bench): load the same data into cmdb, run the
# same queries, and print the tables with our row ("swift") next to the peers.
#
#   bench/run.sh SIZE [--peers "lmdb sqlite kuzu networkx"|all] [--bin PATH]
#
#   SIZE     10k | 100k | 1m | a plain number of CIs (same names as run_peers.sh)
#   --peers  also (re)run these peers via run_peers.sh first; without it, peer results already
#            in the work dir are shown next to ours
#   --bin    the cmdb binary (default: .build/release/cmdb of this repo)
#
# Env: BENCH_WORK (/tmp/cmdb-bench) work dir; SHARED_BENCH (<repo>/../shared/bench);
#      SEED (42); LOAD_TIMEOUT (900 s); DB_ROOT (db/ in the work dir); CMDB_INIT_ARGS /
#      CMDB_IMPORT_ARGS (extra words for `init` / `import`, e.g. CMDB_INIT_ARGS="--schema none");
#      CIQL_BENCH_ARGS (extra words for bench/ciql_bench.py, e.g. "--reps 5 --budget 10 --only Q1,Q2").
# Everything large (data, databases, results, venv) goes to the work dir, never into the repo.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'bench/run.sh: error: %s\n' "$*" >&2; exit 1; }

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

# ---- arguments
SIZE="" PEERS="" BIN=""
while [ $# -gt 0 ]; do
  case $1 in
    --peers) [ $# -ge 2 ] || usage; PEERS=$2; shift 2 ;;
    --peers=*) PEERS=${1#--peers=}; shift ;;
    --bin) [ $# -ge 2 ] || usage; BIN=$2; shift 2 ;;
    --bin=*) BIN=${1#--bin=}; shift ;;
    -h|--help) usage ;;
    -*) echo "unknown option $1" >&2; usage ;;
    *) [ -z "$SIZE" ] || { echo "more than one SIZE given" >&2; usage; }; SIZE=$1; shift ;;
  esac
done
[ -n "$SIZE" ] || usage
[[ $SIZE =~ ^[0-9]+[kKmM]?$ ]] || die "SIZE must be 10k, 100k, 1m or a number of CIs, not '$SIZE'"
case "$SIZE" in
  *[kK]) N=$(( ${SIZE%[kK]} * 1000 )) ;;
  *[mM]) N=$(( ${SIZE%[mM]} * 1000000 )) ;;
  *) N=$SIZE ;;
esac
[ "$N" -gt 0 ] || die "SIZE must be positive"
[ "$PEERS" = all ] && PEERS="lmdb sqlite kuzu networkx"
for p in $PEERS; do
  case $p in lmdb|sqlite|kuzu|networkx) ;; *) die "unknown peer '$p' (peers: lmdb sqlite kuzu networkx, or all)" ;; esac
done

SEED=${SEED:-42}; export SEED
LOAD_TIMEOUT=${LOAD_TIMEOUT:-900}
CMDB_INIT_ARGS=${CMDB_INIT_ARGS:-}
CMDB_IMPORT_ARGS=${CMDB_IMPORT_ARGS:-}

SHARED_BENCH=${SHARED_BENCH:-$HERE/../../shared/bench}
[ -f "$SHARED_BENCH/run_peers.sh" ] && [ -f "$SHARED_BENCH/summarize.py" ] ||
  die "shared peer benchmark not found at $SHARED_BENCH (expected shared/ beside the repo; set SHARED_BENCH)"
SHARED_BENCH=$(cd "$SHARED_BENCH" && pwd)

BIN=${BIN:-$REPO/.build/release/cmdb}
[ -x "$BIN" ] && [ -f "$BIN" ] ||
  die "no executable cmdb at $BIN: build it with 'make release', or pass --bin PATH"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing: apt-get install time (or run 'make deps')"
command -v timeout >/dev/null || die "timeout (coreutils) is missing"
command -v python3 >/dev/null || die "python3 is missing"

W=${BENCH_WORK:-/tmp/cmdb-bench}
mkdir -p "$W" || die "cannot create work dir $W"
W=$(cd "$W" && pwd)
[ "$W" != "$SHARED_BENCH" ] || die "BENCH_WORK must not be the shared folder itself (it is read-only)"

# ---- 1. peers (optional) and the work dir
STARTED=$(date +%s)
rm -f "$W/results/$SIZE/swift".*   # our old results: run_peers.sh's own summary must not show a stale row
if [ -n "$PEERS" ]; then
  log "running peers ($PEERS) for $SIZE via $SHARED_BENCH/run_peers.sh in $W"
  # its own summary (without our row) goes to stderr; ours follows on stdout
  # shellcheck disable=SC2086
  BENCH_WORK=$W "$SHARED_BENCH/run_peers.sh" "$SIZE" $PEERS >&2 || die "run_peers.sh failed (see above)"
fi

# the same layout run_peers.sh makes for BENCH_WORK (scripts refreshed every run, notes kept)
for f in run_peers.sh gen_cmdb.py lmdb_peer.c sqlite_peer.py kuzu_peer.py nx_peer.py bench_common.py summarize.py; do
  cp "$SHARED_BENCH/$f" "$W/$f"
done
[ -f "$W/results-peers.md" ] || cp "$SHARED_BENCH/results-peers.md" "$W/"
chmod u+w "$W"/*.py "$W"/*.sh "$W"/*.c "$W/results-peers.md"   # the shared copies are read-only

cd "$W"
DATA=$W/data/$SIZE
RES=$W/results/$SIZE
DBS=${DB_ROOT:-$W/db}/$SIZE
if [ ! -f "$DATA/stats.json" ] || ! grep -q "\"seed\": $SEED," "$DATA/stats.json" || ! grep -q "\"cis\": $N," "$DATA/stats.json"; then
  log "generating $N CIs (seed $SEED) into $DATA"
  python3 gen_cmdb.py --cis "$N" --seed "$SEED" --out "$DATA" || die "data generation failed"
fi
for f in cmdb.jsonl params.json params.tsv; do [ -s "$DATA/$f" ] || die "missing $DATA/$f"; done
mkdir -p "$RES" "$DBS"
DBS=$(cd "$DBS" && pwd)

# ---- 2. our side: peer "swift"
PEER=swift
DB=$DBS/$PEER
OUT=$RES/$PEER.jsonl
rm -f "$RES/$PEER".*.time "$RES/$PEER".*.err "$RES/$PEER".*.out "$RES/$PEER".*.rejected "$RES/$PEER".load.stamps
: > "$OUT"
rm -rf "$DB"

FAILED=""   # set by a failed query/cold-start run or rejected output: reported, tables still printed, exit 1
rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$1" 2>/dev/null || true; }
meta() { # key value [key value...] -> one JSON line in results/SIZE/swift.jsonl (values are JSON)
  local out="{\"peer\":\"$PEER\""
  while [ $# -ge 2 ]; do out="$out,\"$1\":$2"; shift 2; done
  echo "$out}" >> "$OUT"
}
show_err() { # name: print the tail of a phase's stderr
  if [ -s "$RES/$PEER.$1.err" ]; then echo "--- tail of $RES/$PEER.$1.err:" >&2; tail -20 "$RES/$PEER.$1.err" >&2; fi
}
log "swift: load $DATA/cmdb.jsonl into $DB (init + import, under /usr/bin/time -v)"
# One measured process (a shell running `init` then `import`): /usr/bin/time's max RSS is then that of
# the largest of them, and the stamps taken inside give the seconds from empty directory to closed DB.
rc=0
/usr/bin/time -v -o "$RES/$PEER.load.time" timeout "$LOAD_TIMEOUT" bash -c '
  set -e
  bin=$1 db=$2 data=$3 stamps=$4
  s=$(date +%s%N)
  "$bin" --db "$db" init $5
  m=$(date +%s%N)
  "$bin" --db "$db" import "$data" $6
  e=$(date +%s%N)
  echo "$s $m $e" > "$stamps"
' bench-load "$BIN" "$DB" "$DATA/cmdb.jsonl" "$RES/$PEER.load.stamps" "$CMDB_INIT_ARGS" "$CMDB_IMPORT_ARGS" \
  > "$RES/$PEER.load.out" 2> "$RES/$PEER.load.err" || rc=$?
if [ $rc -eq 0 ] && [ ! -d "$DB" ]; then
  echo "init + import exited 0 but left no database directory at $DB" >> "$RES/$PEER.load.err"; rc=99
fi
if [ $rc -ne 0 ]; then
  [ $rc -eq 124 ] && log "swift: load timed out after $LOAD_TIMEOUT s (LOAD_TIMEOUT)"
  meta phase '"load"' failed_rc $rc
  meta phase '"load"' rss_mb "$(r=$(rss_mb "$RES/$PEER.load.time"); echo "${r:-null}")"
  show_err load
  die "swift load failed (exit $rc); details in $RES/$PEER.load.{err,out,time}"
fi
read -r t0 t1 t2 < "$RES/$PEER.load.stamps"
meta query '"load"' \
  seconds "$(awk -v a="$t0" -v b="$t2" 'BEGIN {printf "%.3f", (b - a) / 1e9}')" \
  init_seconds "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')" \
  import_seconds "$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.3f", (b - a) / 1e9}')" \
  measured '"wall time of init + import processes"'
rss=$(rss_mb "$RES/$PEER.load.time")
meta phase '"load"' rss_mb "${rss:-null}"
meta query '"dbsize"' bytes "$(du -sb "$DB" | cut -f1)"
log "swift: loaded in $(awk -v a="$t0" -v b="$t2" 'BEGIN {printf "%.3f", (b - a) / 1e9}') s, peak RSS ${rss:-?} MiB, DB $(du -sh "$DB" | cut -f1)"

# ---- 3. the queries: CIQL through the binary, a process per batch (bench/ciql_bench.py says the protocol)
log "swift: CIQL statements through '$BIN query -f' (batch of N vs batch of 1 per statement)"
rc=0
python3 "$HERE/ciql_bench.py" --bin "$BIN" --db "$DB" --data "$DATA" --results "$RES" \
  --json "$RES/$PEER.ciql.json" ${CIQL_BENCH_ARGS:-} > "$RES/$PEER.ciql.md" 2> "$RES/$PEER.ciql.err" || rc=$?
if [ $rc -ne 0 ]; then
  show_err ciql
  FAILED="${FAILED:+$FAILED; }CIQL batch run exited $rc"
fi

# ---- 3b. the C floor and SQLite under the same protocol (fresh process, only that query's ids, nothing before)
if [ -x "$W/lmdb_peer" ] && [ -d "$W/db/$SIZE/lmdb" ] && [ -f "$W/db/$SIZE/sqlite.db" ] && [ -z "${CIQL_BENCH_ARGS:-}" ]; then
  log "peers under cmdb's protocol: Q2, Q3 first runs in fresh processes (bench/peers_first_touch.py)"
  python3 "$HERE/peers_first_touch.py" --work "$W" --size "$SIZE" --queries Q2,Q3 \
    > "$RES/peers-first-touch.md" 2> "$RES/peers-first-touch.err" || log "peers_first_touch.py failed: see $RES/peers-first-touch.err"
fi

# ---- 4. the tables
others=() earlier=()
for f in "$RES"/*.jsonl; do
  p=$(basename "$f" .jsonl); [ "$p" != "$PEER" ] || continue
  others+=("$p")
  [ "$(stat -c %Y "$f")" -ge "$STARTED" ] || earlier+=("$p")
  if [ "$f" -ot "$DATA/stats.json" ]; then
    log "warning: the $p results are older than the data in $DATA (regenerated since?): rerun with --peers"
  fi
done
if [ ${#others[@]} -eq 0 ]; then
  log "no peer results in $RES: only our row is shown; pass --peers \"lmdb sqlite kuzu\" (or all) to compare"
elif [ ${#earlier[@]} -gt 0 ]; then
  log "${PEERS:+besides the peers run now, }including earlier peer results from $RES: ${earlier[*]} (not rerun now)"
fi
log "summarize.py $SIZE (writes $RES/table.md and $W/results-peers.md)"
TABLE=$(python3 summarize.py "$SIZE") || die "summarize.py failed"
printf '## %s CIs\n\n%s\n\n' "$SIZE" "$TABLE"
printf 'Row "swift" = cmdb (%s): its load only. Its load s is the wall time of the `init` + `import` processes (start to exit,\n' "$BIN"
printf 'durable); the peers report in-process load time. DB on disk = du -b of the whole DB directory.\n'

if [ -s "$RES/$PEER.ciql.md" ]; then
  printf '\n### cmdb: CIQL through the CLI, beside the peers of this run\n\n'
  printf 'Per statement = (batch of N - batch of 1) / (N - 1), one `cmdb query -f FILE --format jsonl` process per\n'
  printf 'batch, ids as literals; peers: per operation in process, from results/%s/*.jsonl.\n\n' "$SIZE"
  cat "$RES/$PEER.ciql.md"
  grep -q '✗' "$RES/$PEER.ciql.md" && FAILED="${FAILED:+$FAILED; }a CIQL check differs from the C floor's (✗ above)"
fi

if [ -s "$RES/peers-first-touch.md" ]; then
  printf '\n### The C floor and SQLite under the same protocol (bench/peers_first_touch.py)\n\n'
  printf 'Per operation = (first run of N ids - first run of 1 id) / (N - 1), each in a fresh peer process given only that\n'
  printf "query's ids, as every cmdb batch is; beside run_peers.sh's medians, not instead of them.\n\n"
  cat "$RES/peers-first-touch.md"
fi

mismatch=$(grep '^Results (all peers compared)' <<<"$TABLE" | tr ';' '\n' | grep 'MISMATCH' | grep "\"$PEER\":" | sed -E 's/^ *(Q[0-9]+) .*MISMATCH /\1 /; s/\.$//' || true)
if [ -n "$mismatch" ]; then
  FAILED="${FAILED:+$FAILED; }check values differ from the peers: $(echo $mismatch)"
fi
if [ -n "$FAILED" ]; then die "$FAILED (details in $RES/$PEER.*)"; fi
log "done: results in $RES/$PEER.jsonl"
