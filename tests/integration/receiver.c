/*
 * receiver.c - a webhook receiver for integration tests.
 *
 *	receiver --port-file FILE --secret whsec_... --log FILE
 *		 [--fail-first N] [--drop-first N] [--status CODE] [--delay-ms N]
 *		 [--reject-invalid]
 *
 * Listens on 127.0.0.1 on a free port and, once listening, writes the port
 * number to --port-file (written to a temporary name and renamed, so a reader
 * never sees half a number).  Every POST is checked with webhook_verify() and
 * logged to --log as one JSON line:
 *
 *	{"id": "...", "timestamp": 1700000000, "valid": true, "path": "/...",
 *	 "body": <the body parsed as JSON, or the raw text>, "status": 204,
 *	 "seq": 1, "received_ms": 1700000000123, "error": "<why not valid>"}
 *
 * ("timestamp" is the header as an integer when it is one, else its text or
 * null; "received_ms" is CLOCK_REALTIME in milliseconds when the whole
 * request had arrived, for latency benchmarks; "error" only when not valid.)
 * With --drop-first the first N POSTs get no answer at all: the connection
 * is closed once the request is read (logged with "status": 0).
 * The answer is 500 for the first N POSTs with --fail-first, else 401 for an
 * invalid signature with --reject-invalid, else --status (default 204), sent
 * after --delay-ms.  Other methods get 405 and are not logged.  SIGTERM or
 * SIGINT stop it; it exits 0 after a clean stop, 2 on bad arguments, 1 on
 * other failures.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>

#include "deliver/webhook.h"
#include "util/mem.h"

#define BODY_MAX (1024 * 1024)

struct config {
	const char *port_file;
	const char *secret;
	const char *log_path;
	long fail_first;
	long drop_first;
	long status;
	long delay_ms;
	bool reject_invalid;
};

static struct config cfg = { .status = 204 };
static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static long posts_seen;
static int stop_pipe[2] = { -1, -1 };

struct req {
	char *body;
	size_t len, cap;
	bool too_large;
};

static void usage(void)
{
	fprintf(stderr, "usage: receiver --port-file FILE --secret whsec_... --log FILE "
			"[--fail-first N] [--drop-first N] [--status CODE] [--delay-ms N] "
			"[--reject-invalid]\n");
}

static int parse_long(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = s ? strtol(s, &end, 10) : 0;
	if (!s || errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "receiver: %s '%s' is not a number from %ld to %ld\n", opt,
			s ? s : "", min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--reject-invalid") == 0) {
			cfg.reject_invalid = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, "receiver: option '%s' needs a value\n", a);
			return -1;
		}
		i++;
		if (strcmp(a, "--port-file") == 0)
			cfg.port_file = v;
		else if (strcmp(a, "--secret") == 0)
			cfg.secret = v;
		else if (strcmp(a, "--log") == 0)
			cfg.log_path = v;
		else if (strcmp(a, "--fail-first") == 0) {
			if (parse_long(a, v, 0, LONG_MAX, &cfg.fail_first))
				return -1;
		} else if (strcmp(a, "--drop-first") == 0) {
			if (parse_long(a, v, 0, LONG_MAX, &cfg.drop_first))
				return -1;
		} else if (strcmp(a, "--status") == 0) {
			if (parse_long(a, v, 100, 599, &cfg.status))
				return -1;
		} else if (strcmp(a, "--delay-ms") == 0) {
			if (parse_long(a, v, 0, 600000, &cfg.delay_ms))
				return -1;
		} else {
			fprintf(stderr, "receiver: unknown option '%s'\n", a);
			return -1;
		}
	}
	if (!cfg.port_file || !cfg.secret || !cfg.log_path) {
		fprintf(stderr, "receiver: --port-file, --secret and --log are required\n");
		return -1;
	}
	return 0;
}

static int req_append(struct req *r, const char *data, size_t n)
{
	if (r->too_large || r->len + n > BODY_MAX) {
		r->too_large = true;
		return 0;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		char *p;

		while (cap < r->len + n + 1)
			cap *= 2;
		p = mem_realloc(r->body, cap);
		if (!p)
			return -1;
		r->body = p;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return 0;
}

static json_t *timestamp_json(const char *ts)
{
	char *end;
	long long v;

	if (!ts)
		return json_null();
	errno = 0;
	v = strtoll(ts, &end, 10);
	if (!errno && end != ts && !*end)
		return json_integer(v);
	return json_string(ts);
}

static json_t *body_json(const struct req *r)
{
	json_t *j;

	if (!r->len)
		return json_string("");
	j = json_loadb(r->body, r->len, JSON_DECODE_ANY, NULL);
	if (j)
		return j;
	/* Not JSON: keep the text; bytes that are not UTF-8 make it null. */
	j = json_stringn(r->body, r->len);
	return j ? j : json_null();
}

static void log_request(const char *id, const char *ts, bool valid, const char *path,
			const struct req *r, unsigned status, long seq, long long received_ms,
			const char *err)
{
	json_t *o = json_object();
	char *line;

	if (!o)
		return;
	json_object_set_new(o, "id", id ? json_string(id) : json_null());
	json_object_set_new(o, "timestamp", timestamp_json(ts));
	json_object_set_new(o, "valid", json_boolean(valid));
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "body", r->too_large ? json_null() : body_json(r));
	json_object_set_new(o, "status", json_integer(status));
	json_object_set_new(o, "seq", json_integer(seq));
	json_object_set_new(o, "received_ms", json_integer(received_ms));
	if (!valid)
		json_object_set_new(o, "error", json_string(err));
	line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (!line)
		return;
	pthread_mutex_lock(&log_lock);
	fprintf(log_file, "%s\n", line);
	fflush(log_file);
	pthread_mutex_unlock(&log_lock);
	free(line); /* jansson's allocation */
}

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version, const char *upload_data,
				 size_t *upload_data_size, void **req_cls)
{
	struct req *r = *req_cls;
	const char *id, *ts, *sig;
	char err[200] = "";
	struct timespec now;
	long long received_ms;
	unsigned status;
	bool valid;
	long seq;

	(void)cls;
	(void)version;
	if (!r) {
		/* The first call has only the headers; answering now would close the connection. */
		r = mem_calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*req_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (req_append(r, upload_data, *upload_data_size) != 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "POST") != 0)
		return answer(conn, 405);
	clock_gettime(CLOCK_REALTIME, &now);
	received_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;

	id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "webhook-id");
	ts = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "webhook-timestamp");
	sig = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "webhook-signature");
	if (r->too_large) {
		valid = false;
		snprintf(err, sizeof(err), "body larger than %d bytes", BODY_MAX);
	} else {
		valid = webhook_verify(cfg.secret, id, ts, sig, r->body, r->len,
				       (long long)time(NULL), err, sizeof(err)) == 0;
	}

	pthread_mutex_lock(&log_lock);
	seq = ++posts_seen;
	pthread_mutex_unlock(&log_lock);
	if (seq <= cfg.drop_first) {
		log_request(id, ts, valid, url, r, 0, seq, received_ms, err);
		return MHD_NO; /* the connection is closed without an answer */
	}
	if (seq <= cfg.fail_first)
		status = 500;
	else if (!valid && cfg.reject_invalid)
		status = 401;
	else
		status = (unsigned)cfg.status;
	log_request(id, ts, valid, url, r, status, seq, received_ms, err);

	if (cfg.delay_ms) {
		struct timespec d = { cfg.delay_ms / 1000, (cfg.delay_ms % 1000) * 1000000L };

		while (nanosleep(&d, &d) != 0 && errno == EINTR)
			;
	}
	return answer(conn, status);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *r = *req_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r) {
		mem_free(r->body);
		mem_free(r);
	}
	*req_cls = NULL;
}

/*
 * A handler rather than a blocked mask and sigwait(): the signal may land on
 * any of MHD's threads, and a handler makes every thread safe to receive it.
 */
static void on_stop_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (write(stop_pipe[1], &c, 1) < 0) {
		/* The pipe is full: a stop is already pending. */
	}
	errno = saved;
}

static int write_port_file(const char *path, unsigned port)
{
	char tmp[PATH_MAX];
	FILE *f;
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);

	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		fprintf(stderr, "receiver: port file name '%s' is too long\n", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "receiver: cannot write port file '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	struct sigaction act = { .sa_handler = on_stop_signal };
	char err[200];
	unsigned char c;

	if (parse_args(argc, argv) != 0) {
		usage();
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "receiver: cannot initialise libsodium\n");
		return 1;
	}
	/* Check the secret once now, so that a typo fails here and not on every request. */
	if (webhook_verify(cfg.secret, "x", "0", "", "", 0, 0, err, sizeof(err)) != 0 &&
	    strncmp(err, "malformed", 9) == 0) {
		fprintf(stderr, "receiver: --secret: %s\n", err);
		return 2;
	}
	log_file = fopen(cfg.log_path, "a");
	if (!log_file) {
		fprintf(stderr, "receiver: cannot open log '%s': %s\n", cfg.log_path,
			strerror(errno));
		return 1;
	}

	if (pipe(stop_pipe) != 0) {
		fprintf(stderr, "receiver: cannot create a pipe: %s\n", strerror(errno));
		fclose(log_file);
		return 1;
	}
	sigemptyset(&act.sa_mask);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	signal(SIGPIPE, SIG_IGN);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
			     NULL, NULL, on_access, NULL, MHD_OPTION_SOCK_ADDR, &sa,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "receiver: cannot listen on 127.0.0.1\n");
		fclose(log_file);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || !info->port || write_port_file(cfg.port_file, info->port) != 0) {
		MHD_stop_daemon(d);
		fclose(log_file);
		return 1;
	}

	while (read(stop_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	MHD_stop_daemon(d);
	fclose(log_file);
	return 0;
}
