#!/usr/bin/env bash
# floor-ratio.sh prints, for each corpus and each benchmark binary, the ratio of an engine's
# time to a baseline's measured in the same process (by default automaton / floor), one ratio
# per process and their median. The floor moves from one process to the next, so a speed
# claim against it is a ratio taken within each process; alternating the binaries spreads
# the machine's drift over all of them.
#
# usage: bench/floor-ratio.sh [-r ROUNDS] [-c CORPORA] [-e ENGINE] [-b BASELINE] BINARY...
#   BINARY     a test binary of this package: go test -c -o /tmp/new.test ./bench/
#   -r ROUNDS  processes per binary, alternated (default 6)
#   -c CORPORA a regexp of corpus names (default 'ecr-max-hot|exact-heavy|prefix-suffix')
#   -e ENGINE  the engine timed (default automaton)
#   -b BASELINE the engine it is divided by (default floor; naive for the tiny corpora)
#   CPU        environment: the core to pin each process to with taskset (default 1; empty
#              for none)
set -euo pipefail
rounds=6 corpora='ecr-max-hot|exact-heavy|prefix-suffix' engine=automaton baseline=floor
while getopts r:c:e:b: opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	c) corpora=$OPTARG ;;
	e) engine=$OPTARG ;;
	b) baseline=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-r ROUNDS] [-c CORPORA] [-e ENGINE] [-b BASELINE] BINARY..." >&2; exit 2; }
cpu=${CPU-1}
pin=()
if [ -n "$cpu" ] && command -v taskset >/dev/null; then pin=(taskset -c "$cpu"); fi
bins=()
for bin in "$@"; do
	[ -x "$bin" ] || { echo "$0: $bin is not an executable test binary" >&2; exit 2; }
	bins+=("$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")")
done
cd "$(dirname "$0")"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq "$rounds"); do
	for bin in "${bins[@]}"; do
		"${pin[@]}" "$bin" -test.run '^$' -test.benchtime 0.3s \
			-test.bench "^BenchmarkMatch\$/^($corpora)\$/^($engine|$baseline)\$" |
			awk -v bin="$bin" '/ns\/op/ { n = split($1, p, "/"); sub(/-[0-9]+$/, "", p[3]); print bin, p[2], p[3], $3 }'
	done
done >"$out"
# pair each process's engine line with the baseline line after it
awk -v engine="$engine" '
	$3 == engine { t[$1 " " $2] = $4; next }
	($1 " " $2) in t { print $2, $1, t[$1 " " $2] / $4; delete t[$1 " " $2] }
' "$out" | sort -k1,1 -k2,2 -s | awk '
	function flush() {
		if (key == "") return
		m = r[int((n + 1) / 2)]; if (n % 2 == 0) m = (r[n / 2] + r[n / 2 + 1]) / 2
		printf "%-14s %-24s median %.2f  [%s]\n", c, b, m, list
	}
	{
		if ($1 " " $2 != key) { flush(); key = $1 " " $2; c = $1; b = $2; n = 0; list = "" }
		r[++n] = $3; list = list (n > 1 ? " " : "") sprintf("%.2f", $3)
		for (i = n; i > 1 && r[i] < r[i - 1]; i--) { x = r[i]; r[i] = r[i - 1]; r[i - 1] = x }
	}
	END { flush() }
'
