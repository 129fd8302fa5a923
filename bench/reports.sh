#!/bin/sh
# Durable report intake: POST /v1/reports (two identifiers each, synchronous=FULL)
# through the real server, beside raw SQLite inserts of the same rows in the same run.
#   bench/reports.sh [BUILD_DIR]     (SECONDS_PER_ROUND, CONNECTIONS override)
set -eu
SIGNAAL_ARGS=${SIGNAAL_ARGS:-}
cd "$(dirname "$0")/.."
build=${1:-build}
secs=${SECONDS_PER_ROUND:-5}
conns=${CONNECTIONS:-16}
work=$(mktemp -d)
pid=""
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/signaal" serve --listen "127.0.0.1:$port" --data-dir "$work/server" --log-level warn \
	--report-rate-limit 0 \
	--sqlite-sync full $SIGNAAL_ARGS 2>"$work/signaal.log" &
pid=$!
i=0
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "bench: server did not start" >&2; exit 1; }
	sleep 0.1
done
out=$(wrk -t2 -c"$conns" -d"${secs}s" -s bench/report.lua "http://127.0.0.1:$port/")
rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
bad=$(echo "$out" | awk -F= '/non201=/ { print $2 }')
p99=$(wrk -t1 -c1 -d1s -s bench/report.lua --latency "http://127.0.0.1:$port/" |
	awk '/ 99%/ { print $2 }')
base=$("$build/bench_sqlite" "$work/raw" "$secs")
ratio=$(awk -v s="$rps" -v b="$base" 'BEGIN { printf "%.2f", s / b }')
echo "reports_durable: signaal_per_sec=$rps raw_sqlite_per_sec=$base ratio=$ratio" \
	"non_201=$bad p99_single_client=$p99 (target >= 2000/s; wrk -t2 -c$conns ${secs}s)"
