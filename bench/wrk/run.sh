#!/usr/bin/env bash
# Measures `ecrsign serve --state` (fsync on) with wrk as a separate process: PutImage from 64
# connections into 64 repositories and into one, then DescribeImageSigningStatus. For each
# run it prints wrk's figures, the server's CPU time per request (utime+stime from
# /proc/PID/stat) and the load average.
#
#   bash bench/wrk/run.sh                 # from the repository's root
#   DURATION=10s CONNS=64 bash bench/wrk/run.sh
#   SERVER_CPUS=0 WRK_CPUS=1 bash bench/wrk/run.sh   # pin each to a core (taskset)
#   SERVE_FLAGS='--max-requests 64' bash bench/wrk/run.sh   # more flags for the server
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18645}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/ecrsign" ./cmd/ecrsign
pin() { local cpus=$1; shift; if [ -n "$cpus" ]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi; }
(pin "${SERVER_CPUS:-}" "$work/ecrsign" serve --addr "127.0.0.1:$PORT" --world bench/wrk/world.json \
  --state "$work/state.db" --max-images 10000000 ${SERVE_FLAGS:-}) >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 200); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
  sleep 0.05
done
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
tick=$(getconf CLK_TCK)
run() {
  local name=$1; shift
  local before after requests
  before=$(cpu)
  (pin "${WRK_CPUS:-}" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@") >"$work/wrk.out"
  after=$(cpu)
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  echo "== $name ($(cut -d' ' -f1-3 /proc/loadavg) load average)"
  grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors' "$work/wrk.out"
  echo "   server CPU: $(( (after - before) * 1000000 / tick / requests )) µs per request, $(( (after - before) * 100 / tick )) centiseconds in all"
}
run "PutImage, $CONNS connections, 64 repositories" -s bench/wrk/putimage.lua "http://127.0.0.1:$PORT/" -- 64 "$THREADS"
run "PutImage, $CONNS connections, one repository" -s bench/wrk/putimage.lua "http://127.0.0.1:$PORT/" -- 1 "$THREADS"
go run bench/wrk/seed.go -url "http://127.0.0.1:$PORT" -repos 64 -per 16 -out "$work/digests.lua"
run "DescribeImageSigningStatus, $CONNS connections" -s bench/wrk/describe.lua "http://127.0.0.1:$PORT/" -- 64 16 "$work/digests.lua"
