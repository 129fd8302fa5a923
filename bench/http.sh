#!/bin/sh
# Throughput of one signaal endpoint against nginx answering a fixed 200 in the same
# run: wrk with keep-alive, 64 connections, rounds in pairs, the median of the pairs' ratios.
#   bench/http.sh [SIGNAAL_BIN [ENDPOINT]]   (ROUNDS, SECONDS_PER_ROUND, CONNECTIONS and
#                                             SIGNAAL_ARGS override)
# ENDPOINT is one of
#   healthz  GET /healthz; nginx answers {"status":"ok"}.
#   check    GET /v1/check?kind=iban&value=..., rotating over $check_ibans (bench/check.lua)
#            with the per-address limit off.  The first IBAN is listed: three reports from
#            three X-Forwarded-For addresses, which the server believes from 127.0.0.1.
#            Every answer is checked (200, and "listed" as expected) before measuring;
#            nginx answers a fixed JSON of the mean size of signaal's answers.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/signaal}
endpoint=${2:-healthz}
rounds=${ROUNDS:-5}
secs=${SECONDS_PER_ROUND:-5}
conns=${CONNECTIONS:-64}
check_ibans="NL39RABO0300065264 NL91ABNA0417164300 NL20INGB0001234567 NL02ABNA0123456789
	NL18RABO0123459876"
case $endpoint in
healthz)
	target=0.80 server_args="" ;;
check)
	target=0.70 server_args="--check-rate-limit 0 --trusted-proxies 127.0.0.1" ;;
*)
	echo "usage: bench/http.sh [SIGNAAL_BIN [healthz|check]]" >&2
	exit 2 ;;
esac
work=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + $$ % 20000 + $1))
}

wait_up() {
	i=0
	until curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "bench: server on port $1 did not start" >&2; exit 1; }
		sleep 0.1
	done
}

fail() {
	echo "bench: $*" >&2
	exit 1
}

nport=$(free_port 1)
sport=$(free_port 2)
# shellcheck disable=SC2086 # word splitting of the argument lists is intended
"$bin" serve --listen "127.0.0.1:$sport" --data-dir "$work/data" --log-level warn \
	--max-connections 4096 $server_args ${SIGNAAL_ARGS:-} 2>"$work/signaal.log" &
pids="$pids $!"
wait_up "$sport"

# The setup of each endpoint: what wrk asks (path, script) and nginx's fixed answer.
case $endpoint in
healthz)
	path=/healthz script="" body='{"status":"ok"}' ;;
check)
	path=/ script=bench/check.lua
	listed=${check_ibans%% *}
	for addr in 198.51.100.1 198.51.100.2 198.51.100.3; do
		code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
			-H "X-Forwarded-For: $addr" -d '{"fraud_type": "bank_helpdesk", "identifiers":
			[{"kind": "iban", "value": "'"$listed"'", "role": "beneficiary"}]}' \
			"http://127.0.0.1:$sport/v1/reports")
		[ "$code" = 201 ] || fail "report from $addr answered $code"
	done
	n=0
	for v in $check_ibans; do
		n=$((n + 1))
		code=$(curl -sS -o "$work/answer.$n" -w '%{http_code}' \
			"http://127.0.0.1:$sport/v1/check?kind=iban&value=$v")
		want='"listed":false'
		[ "$v" != "$listed" ] || want='"listed":true'
		if [ "$code" != 200 ] || ! grep -q "$want" "$work/answer.$n"; then
			fail "check of $v answered $code, not $want: $(cat "$work/answer.$n")"
		fi
	done
	# The second answer (not listed) padded to the mean size of all of them.
	mean=$(($(cat "$work"/answer.* | wc -c) / n))
	pad=$((mean - $(wc -c <"$work/answer.2") - 14)) # 14: ,"padding":""
	# (nginx reads a quoted string of at most 4 KiB)
	if [ $pad -lt 0 ] || [ $mean -ge 4000 ]; then
		fail "unexpected answer sizes (mean $mean)"
	fi
	body="$(sed 's/}$//' "$work/answer.2"),\"padding\":\"$(printf "%${pad}s" "" | tr ' ' .)\"}"
	case $body in *[\$\'\\]*) fail "nginx cannot quote this answer: $body" ;; esac ;;
esac

mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $work/nginx/body;
	proxy_temp_path $work/nginx/proxy;
	fastcgi_temp_path $work/nginx/fastcgi;
	uwsgi_temp_path $work/nginx/uwsgi;
	scgi_temp_path $work/nginx/scgi;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$nport;
		default_type application/json;
		location = /healthz { return 200 '{"status":"ok"}'; }
		location = /v1/check { return 200 '$body'; }
	}
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log" &
pids="$pids $!"
wait_up "$nport"

rate() { # port -> requests per second; fails on any answer other than 2xx
	# shellcheck disable=SC2086 # $check_ibans are the script's arguments
	wrk -t2 -c"$conns" -d"${secs}s" --latency ${script:+-s "$script"} \
		"http://127.0.0.1:$1$path" ${script:+-- $check_ibans} >"$work/wrk" 2>&1 ||
		fail "wrk failed: $(cat "$work/wrk")"
	! grep -q 'Non-2xx' "$work/wrk" || fail "answers other than 2xx: $(cat "$work/wrk")"
	awk '/Requests\/sec/ { print $2 }' "$work/wrk"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Rounds in pairs, the order turned each round (nginx first, then signaal first), so that
# a change in what else the machine runs falls on both alike; the ratio is the median of
# the pairs' ratios, and every pair's is shown.
: >"$work/n"
: >"$work/s"
: >"$work/r"
r=1
while [ $r -le "$rounds" ]; do
	if [ $((r % 2)) = 1 ]; then
		nr=$(rate "$nport")
		sr=$(rate "$sport")
	else
		sr=$(rate "$sport")
		nr=$(rate "$nport")
	fi
	echo "$nr" >>"$work/n"
	echo "$sr" >>"$work/s"
	awk -v s="$sr" -v n="$nr" 'BEGIN { printf "%.2f\n", s / n }' >>"$work/r"
	r=$((r + 1))
done
n=$(median <"$work/n")
s=$(median <"$work/s")
ratio=$(median <"$work/r")
pairs=$(paste -sd, "$work/r")
echo "http_$endpoint: signaal_rps=$s nginx_rps=$n ratio=$ratio (target >= $target;" \
	"wrk -t2 -c$conns, $rounds pairs of ${secs}s rounds, order turned each pair;" \
	"ratio: median of the pairs' $pairs)"
