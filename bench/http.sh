#!/bin/sh
# /healthz throughput of signaal against nginx answering a fixed 200, in the
# same run: wrk with keep-alive, 64 connections, alternating rounds, medians.
#   bench/http.sh [SIGNAAL_BIN]      (ROUNDS, SECONDS, CONNECTIONS override)
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/signaal}
rounds=${ROUNDS:-3}
secs=${SECONDS_PER_ROUND:-5}
conns=${CONNECTIONS:-64}
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

nport=$(free_port 1)
sport=$(free_port 2)
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
		location = /healthz {
			default_type application/json;
			return 200 '{"status":"ok"}';
		}
	}
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log" &
pids="$pids $!"
"$bin" serve --listen "127.0.0.1:$sport" --data-dir "$work/data" --log-level warn \
	--max-connections 4096 ${SIGNAAL_ARGS:-} 2>"$work/signaal.log" &
pids="$pids $!"
wait_up "$nport"
wait_up "$sport"

rate() { # port -> requests per second
	wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$1/healthz" 2>&1 |
		awk '/Requests\/sec/ { print $2 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

: >"$work/n"
: >"$work/s"
r=1
while [ $r -le "$rounds" ]; do
	rate "$nport" >>"$work/n"
	rate "$sport" >>"$work/s"
	r=$((r + 1))
done
n=$(median <"$work/n")
s=$(median <"$work/s")
ratio=$(awk -v s="$s" -v n="$n" 'BEGIN { printf "%.2f", s / n }')
echo "http_healthz: signaal_rps=$s nginx_rps=$n ratio=$ratio (target >= 0.80;" \
	"wrk -t2 -c$conns, $rounds x ${secs}s rounds, medians)"
