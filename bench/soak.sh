#!/bin/sh
# The soak: ten minutes (SOAK_SECONDS) of mixed traffic against one server on
# loopback, with latency and the server's memory every SOAK_INTERVAL seconds
# (bench/bench_soak.c says what is sent and how memory is judged).
#   bench/soak.sh [BUILD_DIR]
# Exit status 1 when a request failed or memory grew beyond what the audit
# log explains.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
secs=${SOAK_SECONDS:-600}
interval=${SOAK_INTERVAL:-30}
work=$(mktemp -d)
pid=""
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$build/signaal" partner add --data-dir "$work/data" --name Soakbank --sector bank \
	--bank-code ABNA >/dev/null 2>&1
key=$("$build/signaal" partner key create --data-dir "$work/data" Soakbank 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# No limits: the soak measures the server, not its rate limits (they have their tests).
"$build/signaal" serve --listen "127.0.0.1:$port" --data-dir "$work/data" --log-level warn \
	--trusted-proxies 127.0.0.1 --report-rate-limit 0 --check-rate-limit 0 \
	--partner-rate-limit 0 --oprf-quota 0 2>"$work/signaal.log" &
pid=$!
i=0
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 300 ] || { echo "soak: server did not start" >&2; exit 1; }
	sleep 0.1
done
echo "# signaal soak, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, ${secs} s"
rc=0
"$build/bench_soak" "http://127.0.0.1:$port" "$key" "$pid" "$secs" "$interval" || rc=$?
echo "server log: $(grep -c 'level=error' "$work/signaal.log" || true) errors"
exit $rc
