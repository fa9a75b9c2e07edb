#!/usr/bin/env bash
# Measures `ecrsign serve --state` (fsync on) with wrk as a separate process, each load on a
# fresh state: PutImage from CONNS connections into 64 repositories and into one, then
# DescribeImageSigningStatus of 1,024 images (pushed first by seed.go). For each it prints
# wrk's figures, the server's CPU time per request (utime+stime of /proc/PID/stat), the
# store's commits per second (one transaction and its fsyncs each, from the server's log at
# shutdown) and the load average.
#
#   bash bench/wrk/run.sh                              # from anywhere in the repository
#   DURATION=10s CONNS=64 THREADS=2 bash bench/wrk/run.sh
#   READ_CONNS=32 bash bench/wrk/run.sh               # the read load at another concurrency
#   SERVER_CPUS=0 WRK_CPUS=1 bash bench/wrk/run.sh     # pin each to a core (taskset)
#   SERVE_FLAGS='--max-requests 64' bash bench/wrk/run.sh
#   ECRSIGN=/tmp/ecrsign-old bash bench/wrk/run.sh     # measure another build
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
READ_CONNS=${READ_CONNS:-$CONNS}
THREADS=${THREADS:-2}
PORT=${PORT:-18645}
work=$(mktemp -d)
server=
trap 'stop; rm -rf "$work"' EXIT
if [ -n "${ECRSIGN:-}" ]; then # a binary built elsewhere (another commit, for comparison)
  cp "$ECRSIGN" "$work/ecrsign"
else
  go build -o "$work/ecrsign" ./cmd/ecrsign
fi
tick=$(getconf CLK_TCK)
pin() { local cpus=$1; shift; if [ -n "$cpus" ]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi; }

start() { # start [keep]: a server on a fresh state, or on the state there with keep
  [ "${1:-}" = keep ] || rm -rf "$work/state"*
  (pin "${SERVER_CPUS:-}" "$work/ecrsign" serve --addr "127.0.0.1:$PORT" --world bench/wrk/world.json \
    --state "$work/state.db" --max-images 0 ${SERVE_FLAGS:-}) >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 400); do # wait until it answers (at most 20 s)
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return
    sleep 0.05
  done
  echo "the server did not answer:" >&2; cat "$work/serve.log" >&2; exit 1
}

stop() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=; fi
}

cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }

run() {
  local name=$1 conns=$2; shift 2
  local before after requests seconds commits load
  before=$(cpu)
  (pin "${WRK_CPUS:-}" wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency "$@") >"$work/wrk.out"
  after=$(cpu)
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  stop
  commits=$(grep -o 'commits=[0-9]*' "$work/serve.log" | tail -1 | cut -d= -f2 || true)
  commits=${commits:-0} # a build that does not log them
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  seconds=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$work/wrk.out")
  echo "== $name (load average $load)"
  grep -E 'Requests/sec|Latency  |50%|90%|99%|Non-2xx|Socket errors' "$work/wrk.out"
  echo "   server CPU: $(( (after - before) * 1000000 / tick / requests )) µs per request; commits: $(awk -v c="$commits" -v s="$seconds" 'BEGIN {printf "%.0f/s", c / s}') ($commits in all)"
}

start
run "PutImage, $CONNS connections, 64 repositories" "$CONNS" -s bench/wrk/putimage.lua "http://127.0.0.1:$PORT/" -- 64 "$THREADS"
start
run "PutImage, $CONNS connections, one repository" "$CONNS" -s bench/wrk/putimage.lua "http://127.0.0.1:$PORT/" -- 1 "$THREADS"
start
go run bench/wrk/seed.go -url "http://127.0.0.1:$PORT" -repos 64 -per 16 -out "$work/digests.lua"
stop
start keep # so that the commits counted are the run's
run "DescribeImageSigningStatus, $READ_CONNS connections" "$READ_CONNS" -s bench/wrk/describe.lua "http://127.0.0.1:$PORT/" -- 64 16 "$work/digests.lua"
