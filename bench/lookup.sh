#!/bin/sh
# The in-memory lookup index: bytes per identifier at 10 million, lookups in
# memory against the same lookups in SQLite, and batch lookups by pseudonym
# through the real server (POST /v1/lookup, 1,000 pseudonyms a request, half
# of them known, keep-alive).
#   bench/lookup.sh [BUILD_DIR]   (IDENTIFIERS, MEMORY_IDENTIFIERS, SECONDS_PER_ROUND,
#                                  CONNECTIONS override)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
n=${IDENTIFIERS:-200000}
nmem=${MEMORY_IDENTIFIERS:-10000000}
secs=${SECONDS_PER_ROUND:-5}
conns=${CONNECTIONS:-4}
work=$(mktemp -d)
pid=""
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# LOOKUP_MEMORY=0 leaves out the memory figure (bench/backends.sh runs the rest per backend).
[ "${LOOKUP_MEMORY:-1}" = 0 ] || "$build/bench_index" memory "$nmem"
"$build/bench_index" store "$work/data" "$n" "$work/body.json" "$secs" 2>/dev/null
"$build/signaal" partner add --data-dir "$work/data" --name Bench --sector bank \
	--bank-code ABNA >/dev/null 2>&1
key=$("$build/signaal" partner key create --data-dir "$work/data" Bench 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# --partner-rate-limit 0: the default 6,000 requests a minute a key would cut in.
"$build/signaal" serve --listen "127.0.0.1:$port" --data-dir "$work/data" --log-level warn \
	--partner-rate-limit 0 \
	2>"$work/signaal.log" &
pid=$!
i=0
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 300 ] || { echo "bench: server did not start" >&2; exit 1; }
	sleep 0.1
done
# The answer must be the lookup's, with known and unknown items, before it is timed.
curl -fsS -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
	--data-binary "@$work/body.json" "http://127.0.0.1:$port/v1/lookup" >"$work/answer.json"
known=$(grep -o '"known":true' "$work/answer.json" | wc -l)
[ "$known" -ge 400 ] || { echo "bench: the lookup found $known of 1000, not about half" >&2; exit 1; }
# Half known: every answer is a disclosure the audit log records before it is sent.
# One in fifty known: screening, as a bank screens payments.
for kind in half screening; do
	body=$work/body.json
	[ "$kind" = half ] || body=$work/body.json.screening
	out=$(KEY=$key BODY=$body wrk -t2 -c"$conns" -d"${secs}s" -s bench/lookup.lua \
		"http://127.0.0.1:$port/")
	rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
	bad=$(echo "$out" | awk -F= '/non200=/ { print $2 }')
	ids=$(awk -v r="$rps" 'BEGIN { printf "%.0f", r * 1000 }')
	known=$([ "$kind" = half ] && echo "half known" || echo "1 in 50 known")
	[ "${bad:-0}" = 0 ] || { echo "bench: $bad lookups answered other than 200" >&2; exit 1; }
	echo "lookup_http_$kind: identifiers_per_s=$ids requests_per_s=$rps non_200=$bad" \
		"(target >= 500000; $n identifiers indexed, 1000 pseudonyms a request, $known," \
		"each hit audited before the answer; wrk -t2 -c$conns ${secs}s)"
done
