#!/bin/sh
# Alert latency (accepted report to webhook received) at a steady rate of reports, and
# partner signals accepted per second, through the real server on loopback. Two webhook
# receivers (a bank with bank code ABNA and the police) run beside `signaal serve
# --sqlite-sync full` behind a trusted proxy address; build/bench_alerts does the rest.
#   bench/alerts.sh [BUILD_DIR]   (RATE, SECONDS_ALERTS, SECONDS_SIGNALS, CONNECTIONS and
#                                  SIGNAAL_ARGS override)
set -eu
SIGNAAL_ARGS=${SIGNAAL_ARGS:-}
cd "$(dirname "$0")/.."
build=${1:-build}
rate=${RATE:-500}
secs=${SECONDS_ALERTS:-10}
sig_secs=${SECONDS_SIGNALS:-5}
conns=${CONNECTIONS:-8}
secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
work=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts a receiver; its port is in $work/NAME.port once it listens.
receiver() {
	"$build/receiver" --port-file "$work/$1.port" --secret "$secret" --log "$work/$1.log" \
		>/dev/null 2>>"$work/receivers.log" &
	pids="$pids $!"
	i=0
	until [ -s "$work/$1.port" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "bench: receiver $1 did not start" >&2; exit 1; }
		sleep 0.1
	done
}

partner() {
	name=$1 sector=$2 port=$3
	shift 3
	"$build/signaal" partner add --data-dir "$work/server" --webhook-allow-loopback true \
		--name "$name" --sector "$sector" --webhook "http://127.0.0.1:$port/hook" \
		--webhook-secret "$secret" --log-level warn "$@" >/dev/null
}

receiver bank
receiver police
partner "ABN AMRO" bank "$(cat "$work/bank.port")" --bank-code ABNA
partner Politie police "$(cat "$work/police.port")"
key=$("$build/signaal" partner key create --data-dir "$work/server" --log-level warn \
	"ABN AMRO" 2>"$work/key.err") || { cat "$work/key.err" >&2; exit 1; }

port=$(free_port)
# shellcheck disable=SC2086 # SIGNAAL_ARGS is a list of flags
"$build/signaal" serve --listen "127.0.0.1:$port" --data-dir "$work/server" \
	--trusted-proxies 127.0.0.1 --webhook-allow-loopback true --log-level warn \
	--report-rate-limit 0 \
	--sqlite-sync full $SIGNAAL_ARGS 2>"$work/signaal.log" &
pids="$pids $!"
i=0
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "bench: server did not start" >&2; exit 1; }
	sleep 0.1
done

status=0
"$build/bench_alerts" "http://127.0.0.1:$port" "$key" "$work/bank.log" "$work/police.log" \
	"$rate" "$secs" "$sig_secs" "$conns" || status=$?
if [ $status -ne 0 ] && [ -s "$work/signaal.log" ]; then
	echo "bench: server log (last lines):" >&2
	tail -n 20 "$work/signaal.log" >&2
fi
exit $status
