#!/bin/sh
# Report intake on each storage backend, in one run on this machine:
# SQLite with one node, PostgreSQL with one node, and PostgreSQL with two
# nodes on one database (the load split between them), each POST /v1/reports
# over keep-alive; beside raw inserts of the same rows into SQLite
# (bench_sqlite) and into PostgreSQL (bench_pg), one transaction a report.
# Then alert latency, signal intake and batch lookups (bench/alerts.sh,
# bench/lookup.sh) once on each backend, at the same rate and size.
# The PostgreSQL server is a throwaway one on loopback (scripts/pg-test-server).
#   bench/backends.sh [BUILD_DIR]     (SECONDS_PER_ROUND, CONNECTIONS, ALERT_RATE,
#                                      LOOKUP_IDENTIFIERS override)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
secs=${SECONDS_PER_ROUND:-5}
conns=${CONNECTIONS:-16}
work=$(mktemp -d)
pg=/tmp/signaal-bench-pg-$$
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	scripts/pg-test-server stop --remove "$pg" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# serve NAME DATA_DIR [ARGS...]: starts a node and waits for it; its port is in $port.
serve() {
	name=$1 data=$2
	shift 2
	port=$(free_port)
	"$build/signaal" serve --listen "127.0.0.1:$port" --data-dir "$data" --log-level warn \
		--report-rate-limit 0 --sqlite-sync full "$@" >/dev/null 2>"$work/$name.log" &
	pids="$pids $!"
	i=0
	until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "bench: $name did not start" >&2; exit 1; }
		sleep 0.1
	done
}

stop_all() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=""
}

# rate PORT CONNECTIONS: reports per second through one node.
rate() {
	wrk -t1 -c"$2" -d"${secs}s" -s bench/report.lua "http://127.0.0.1:$1/" >"$work/wrk.$1"
	bad=$(awk -F= '/non201=/ { print $2 }' "$work/wrk.$1")
	[ "${bad:-0}" -eq 0 ] || { echo "bench: $bad reports not accepted" >&2; exit 1; }
	awk '/Requests\/sec/ { print $2 }' "$work/wrk.$1"
}

url=$(scripts/pg-test-server start "$pg")
base=${url%/*}
for d in raw one two; do psql -q "$url" -c "CREATE DATABASE bench_$d"; done

raw_sqlite=$("$build/bench_sqlite" "$work/raw" "$secs")
raw_pg=$("$build/bench_pg" "$base/bench_raw" "$secs" 2>"$work/bench_pg.log") ||
	{ cat "$work/bench_pg.log" >&2; exit 1; }

serve sqlite "$work/sqlite"
sqlite=$(rate "$port" "$conns")
stop_all

serve pg1 "$work/node1" --store postgres --store-url "$base/bench_one"
one=$(rate "$port" "$conns")
stop_all

serve pg2a "$work/node2a" --store postgres --store-url "$base/bench_two"
port1=$port
mkdir -p "$work/node2b" && cp -rp "$work/node2a/keys" "$work/node2b/keys"
serve pg2b "$work/node2b" --store postgres --store-url "$base/bench_two"
port2=$port
half=$((conns / 2))
rate "$port1" "$half" >"$work/r1" &
w1=$!
rate "$port2" "$half" >"$work/r2" &
w2=$!
wait $w1 $w2
two=$(awk '{ s += $1 } END { printf "%.2f", s }' "$work/r1" "$work/r2")
stop_all

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "reports_sqlite_1_node: signaal_per_sec=$sqlite raw_sqlite_per_sec=$raw_sqlite" \
	"ratio=$(ratio "$sqlite" "$raw_sqlite") (wrk -c$conns ${secs}s, synchronous=FULL)"
echo "reports_postgres_1_node: signaal_per_sec=$one raw_postgres_per_sec=$raw_pg" \
	"ratio=$(ratio "$one" "$raw_pg") (wrk -c$conns ${secs}s, synchronous_commit=on)"
echo "reports_postgres_2_nodes: signaal_per_sec=$two one_node_per_sec=$one" \
	"ratio=$(ratio "$two" "$one") (two wrk -c$half ${secs}s at once, one per node)"
echo "reports_postgres_vs_sqlite: postgres_1_node_per_sec=$one sqlite_1_node_per_sec=$sqlite" \
	"ratio=$(ratio "$one" "$sqlite")"

# The same figures on both backends: the backend is chosen by the environment
# (SIGNAAL_STORE, SIGNAAL_STORE_URL), which every command and bench_index read.
arate=${ALERT_RATE:-200}
nlook=${LOOKUP_IDENTIFIERS:-50000}
for d in alerts lookup; do psql -q "$url" -c "CREATE DATABASE bench_$d"; done
for b in sqlite postgres; do
	if [ "$b" = postgres ]; then
		set -- env SIGNAAL_STORE=postgres
		a_url=$base/bench_alerts l_url=$base/bench_lookup
	else
		set -- env
		a_url="" l_url=""
	fi
	"$@" ${a_url:+SIGNAAL_STORE_URL=$a_url} RATE="$arate" SECONDS_ALERTS="$secs" \
		SECONDS_SIGNALS="$secs" bench/alerts.sh "$build" | sed "s/^/$b: /"
	"$@" ${l_url:+SIGNAAL_STORE_URL=$l_url} LOOKUP_MEMORY=0 IDENTIFIERS="$nlook" \
		SECONDS_PER_ROUND="$secs" bench/lookup.sh "$build" | sed "s/^/$b: /"
done
