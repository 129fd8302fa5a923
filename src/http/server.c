/*
 * server.c - libmicrohttpd glue: one struct conn_req per request, from the
 * first call of the access handler to the completion callback.
 *
 * The access handler is called (1) when the headers are in, (2) once per
 * piece of body, and (3) with no body data when the request is complete.
 * We never queue a reply in call (1): libmicrohttpd would then close a
 * keep-alive connection after the reply (see DESIGN.md, "Pitfalls").
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "http/http.h"
#include "metrics.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"

/*
 * Request line plus headers, per connection.  libmicrohttpd zeroes its pool
 * for every request (1.5 times this size): at 32 KiB that was most of the
 * server's own instructions for a small request.
 */
#define HEADER_MEMORY_LIMIT (16 * 1024)
#define DISCARD_MAX	    (8u * 1024 * 1024) /* oversized body read before cutting off */

struct http_server {
	struct MHD_Daemon *daemon;
	struct app *app;
	unsigned port;
	atomic_long inflight;
	atomic_int draining;
	atomic_ulong next_id;
	unsigned id_prefix;
	bool tls;
	char *tls_cert; /* PEM, kept while the daemon runs */
	char *tls_key;	/* PEM; wiped when freed */
};

struct conn_req {
	struct http_req req; /* first, so handlers' req pointers map back */
	struct http_server *srv;
	struct MHD_Connection *conn;
	uint64_t start_ns;
	int match; /* route index, ROUTE_NOT_FOUND or ROUTE_BAD_METHOD */
	unsigned allowed;
	bool too_large;
	bool answered;
	bool deferred;		   /* the handler will answer later (http_defer) */
	atomic_bool deferred_done; /* ...and now has: deferred_rep is ready */
	struct http_reply deferred_rep;
	int status;
	size_t bytes_in;
	size_t body_max; /* max_body, or max_batch_body for an admitted batch */
	size_t bytes_out;
	char method[16];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct MHD_Connection *req_conn(const struct http_req *req)
{
	return req->conn;
}

const char *http_query(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req_conn(req), MHD_GET_ARGUMENT_KIND, name);
}

/* Whether `addr` is one of the comma-separated addresses in `list`. */
static int addr_listed(const char *list, const char *addr, size_t len)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		const char *q = p;
		size_t m = n;

		while (m && *q == ' ')
			q++, m--;
		while (m && q[m - 1] == ' ')
			m--;
		if (m == len && strncmp(q, addr, len) == 0)
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

static int is_ip_literal(const char *s, size_t len)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, bin) == 1 || inet_pton(AF_INET6, buf, bin) == 1;
}

int http_client_addr(const struct http_req *req, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req_conn(req), MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	const char *trusted = req->app->cfg->trusted_proxies, *xff;
	socklen_t len;

	if (!sa)
		return -1;
	len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (getnameinfo(sa, len, out, (socklen_t)outsz, NULL, 0, NI_NUMERICHOST))
		return -1;
	if (!trusted[0] || !addr_listed(trusted, out, strlen(out)))
		return 0;
	/*
	 * From a trusted proxy: the client is the rightmost X-Forwarded-For entry
	 * that is not itself a trusted proxy (entries further left are the
	 * client's own claims and prove nothing).
	 */
	xff = MHD_lookup_connection_value(req_conn(req), MHD_HEADER_KIND, "X-Forwarded-For");
	for (size_t end = xff ? strlen(xff) : 0; end > 0;) {
		size_t start = end, a, b;

		while (start > 0 && xff[start - 1] != ',')
			start--;
		a = start;
		b = end;
		while (a < b && xff[a] == ' ')
			a++;
		while (b > a && xff[b - 1] == ' ')
			b--;
		if (!is_ip_literal(xff + a, b - a))
			break; /* garbage: keep the proxy's own address */
		if (!addr_listed(trusted, xff + a, b - a)) {
			snprintf(out, outsz, "%.*s", (int)(b - a), xff + a);
			return 0;
		}
		end = start ? start - 1 : 0;
	}
	return 0;
}

const char *http_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req_conn(req), MHD_HEADER_KIND, name);
}

int http_query_long(struct http_req *req, struct http_reply *rep, const char *name, long min,
		    long max, long def, long *out)
{
	const char *v = http_query(req, name);
	char detail[200];
	char *end;
	long n;

	if (!v) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < min || n > max) {
		json_t *errors = NULL;

		snprintf(detail, sizeof(detail), "expected a whole number from %ld to %ld", min,
			 max);
		http_problem_field(&errors, name, detail);
		snprintf(detail, sizeof(detail), "query parameter '%s' is invalid", name);
		http_reply_problem(rep, 400, "invalid-parameter", "Invalid query parameter", detail,
				   errors);
		return -1;
	}
	*out = n;
	return 0;
}

/*
 * "%08x-%lx" of the server's prefix and a counter into out (at least 26
 * bytes), by hand: snprintf was 3 % of the instructions of a check.
 */
static void id_format(char *out, unsigned prefix, unsigned long seq)
{
	static const char hex[] = "0123456789abcdef";
	char tail[sizeof(seq) * 2];
	size_t n = 0;

	for (int shift = 28; shift >= 0; shift -= 4)
		*out++ = hex[(prefix >> shift) & 0xf];
	*out++ = '-';
	do {
		tail[n++] = hex[seq & 0xf];
		seq >>= 4;
	} while (seq);
	while (n)
		*out++ = tail[--n];
	*out = '\0';
}

/* An incoming X-Request-Id is kept when it is short and plain, else we make one. */
static void request_id(struct conn_req *cr)
{
	const char *in = MHD_lookup_connection_value(cr->conn, MHD_HEADER_KIND, "X-Request-Id");
	size_t n = in ? strlen(in) : 0;

	if (n > 0 && n < sizeof(cr->req.request_id) &&
	    n == strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789._:-")) {
		memcpy(cr->req.request_id, in, n + 1);
		return;
	}
	_Static_assert(sizeof(cr->req.request_id) >= 26, "id_format writes up to 26 bytes");
	id_format(cr->req.request_id, cr->srv->id_prefix,
		  atomic_fetch_add_explicit(&cr->srv->next_id, 1, memory_order_relaxed));
}

static int content_type_is_json(const char *ct)
{
	const char *p;

	if (!ct)
		return 0;
	if (strncasecmp(ct, "application/json", 16) != 0)
		return 0;
	p = ct + 16;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 1;
	if (*p != ';')
		return 0;
	/* The only parameter that may follow is charset, and JSON is UTF-8 (RFC 8259). */
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "charset=", 8) != 0)
		return 0;
	p += 8;
	if (*p == '"')
		p++;
	return strncasecmp(p, "utf-8", 5) == 0 &&
	       (p[5] == '\0' || p[5] == '"' || p[5] == ' ' || p[5] == ';');
}

static void reply_bad_json(struct http_reply *rep, const json_error_t *e)
{
	char detail[300];
	json_t *doc;

	snprintf(detail, sizeof(detail),
		 "the request body is not valid JSON: %s (line %d, column %d,"
		 " byte %d)",
		 e->text, e->line, e->column, e->position);
	http_reply_problem(rep, 400, "malformed-json", "Malformed JSON", detail, NULL);
	/* Add the position as members of their own, for programs. */
	if (rep->status != 400)
		return;
	doc = json_loadb(rep->body, rep->len, 0, NULL);
	if (!doc)
		return;
	json_object_set_new(doc, "line", json_integer(e->line));
	json_object_set_new(doc, "column", json_integer(e->column));
	json_object_set_new(doc, "position", json_integer(e->position));
	http_reply_json(rep, 400, doc);
	rep->content_type = "application/problem+json";
}

int http_req_json(struct http_req *req, struct http_reply *rep)
{
	json_error_t e;

	if (req->json)
		return 0;
	req->json = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &e);
	if (!req->json) {
		reply_bad_json(rep, &e);
		return -1;
	}
	return 0;
}

/* Everything in the request is in: decide the reply. */
static void dispatch(struct conn_req *cr, struct http_reply *rep)
{
	const struct app *app = cr->srv->app;
	const struct route *route;
	char detail[300], allow[96];

	if (cr->match == ROUTE_NOT_FOUND) {
		snprintf(detail, sizeof(detail), "there is no resource at '%.200s'", cr->req.path);
		http_reply_problem(rep, 404, "not-found", "Not found", detail, NULL);
		return;
	}
	if (cr->match == ROUTE_BAD_METHOD) {
		router_allow_header(cr->allowed, allow, sizeof(allow));
		snprintf(detail, sizeof(detail), "method %s is not allowed here; allowed: %s",
			 cr->method, allow);
		http_reply_problem(rep, 405, "method-not-allowed", "Method not allowed", detail,
				   NULL);
		http_reply_header(rep, "Allow", allow);
		return;
	}
	if (cr->too_large) {
		route = cr->match >= 0 ? &app->routes[cr->match] : NULL;
		if (route && route->large_body && cr->body_max < (size_t)app->cfg->max_batch_body)
			snprintf(detail, sizeof(detail),
				 "the request body is larger than %zu bytes; with a valid partner "
				 "key a batch may have up to %ld",
				 cr->body_max, app->cfg->max_batch_body);
		else
			snprintf(detail, sizeof(detail),
				 "the request body is larger than %zu bytes", cr->body_max);
		http_reply_problem(rep, 413, "body-too-large", "Request body too large", detail,
				   NULL);
		return;
	}
	route = &app->routes[cr->match];
	if (route->flags & ROUTE_JSON_BODY) {
		const char *ct = http_header(&cr->req, "Content-Type");

		if (!content_type_is_json(ct)) {
			snprintf(detail, sizeof(detail),
				 "expected Content-Type application/json, got "
				 "'%.100s'",
				 ct ? ct : "(none)");
			http_reply_problem(rep, 415, "unsupported-media-type",
					   "Unsupported media type", detail, NULL);
			return;
		}
		if (cr->req.body.len == 0) {
			http_reply_problem(rep, 400, "malformed-json", "Malformed JSON",
					   "the request body is empty; expected a JSON document",
					   NULL);
			return;
		}
		if (!(route->flags & ROUTE_JSON_LATER) && http_req_json(&cr->req, rep))
			return;
	}
	route->handler(&cr->req, rep);
	if (cr->deferred && rep->status == 0)
		return;
	if (rep->status < 100 || rep->status > 599) {
		log_error("BUG: handler set no reply", "route", route->pattern);
		http_reply_release(rep);
		http_reply_problem(rep, 500, "internal", "Internal server error",
				   "the server failed to answer; the failure has been logged",
				   NULL);
	}
}

/* ---- streamed replies ---- */

struct http_stream {
	struct MHD_Connection *conn;
	http_stream_fill fill;
	void (*done)(void *arg);
	void *arg;
	pthread_mutex_t lock;
	bool suspended; /* waiting for http_stream_wake */
	bool woken;	/* a wake came while fill ran */
	bool ended;	/* the connection is finished: wake no more */
	int refs;	/* the response's, and those of http_stream_ref */
};

void http_stream_ref(struct http_stream *st)
{
	pthread_mutex_lock(&st->lock);
	st->refs++;
	pthread_mutex_unlock(&st->lock);
}

void http_stream_unref(struct http_stream *st)
{
	int left;

	pthread_mutex_lock(&st->lock);
	left = --st->refs;
	pthread_mutex_unlock(&st->lock);
	if (left == 0) {
		pthread_mutex_destroy(&st->lock);
		mem_free(st);
	}
}

struct http_stream *http_reply_stream(struct http_reply *rep, int status, const char *content_type,
				      http_stream_fill fill, void (*done)(void *arg), void *arg)
{
	struct http_stream *st = mem_calloc(1, sizeof(*st));

	if (!st) {
		done(arg);
		http_reply_problem(rep, 500, "internal", "Internal server error",
				   "the server ran out of memory", NULL);
		return NULL;
	}
	st->fill = fill;
	st->done = done;
	st->arg = arg;
	st->refs = 1;
	pthread_mutex_init(&st->lock, NULL);
	http_reply_static(rep, status, content_type, "", 0);
	rep->stream = st;
	return st;
}

void http_stream_wake(struct http_stream *st)
{
	bool resume;

	/*
	 * A suspended connection stays alive until it is resumed, and only this
	 * function resumes it; so once `suspended` is taken back under the lock,
	 * resuming outside it is safe (and keeps MHD's locks out of ours).
	 */
	pthread_mutex_lock(&st->lock);
	resume = st->suspended && !st->ended;
	st->suspended = false;
	st->woken = !resume;
	pthread_mutex_unlock(&st->lock);
	if (resume)
		MHD_resume_connection(st->conn);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_stream *st = cls;
	long n;

	(void)pos;
	n = st->fill(st->arg, buf, max);
	if (n < 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n > 0)
		return (ssize_t)n;
	/* Nothing now: park the connection until woken, unless a wake just came. */
	pthread_mutex_lock(&st->lock);
	if (st->woken) {
		st->woken = false;
	} else {
		st->suspended = true;
		MHD_suspend_connection(st->conn);
	}
	pthread_mutex_unlock(&st->lock);
	return 0;
}

static void stream_free(void *cls)
{
	struct http_stream *st = cls;

	pthread_mutex_lock(&st->lock);
	st->ended = true;
	pthread_mutex_unlock(&st->lock);
	st->done(st->arg);
	http_stream_unref(st);
}

static enum MHD_Result send_reply(struct conn_req *cr, struct http_reply *rep)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	bool cacheable = false, has_csp = false;

	if (rep->stream) {
		rep->stream->conn = cr->conn;
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read,
							 rep->stream, stream_free);
		if (!resp) {
			stream_free(rep->stream);
			rep->stream = NULL;
		}
	} else {
		resp = MHD_create_response_from_buffer(rep->len, rep->body,
						       rep->body_static ? MHD_RESPMEM_PERSISTENT
									: MHD_RESPMEM_MUST_FREE);
	}
	if (!resp) {
		http_reply_release(rep);
		return MHD_NO;
	}
	rep->body = NULL; /* the response owns it now */
	rep->stream = NULL;
	if (rep->status != 204)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					rep->content_type ? rep->content_type : "application/json");
	MHD_add_response_header(resp, "X-Request-Id", cr->req.request_id);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	for (size_t i = 0; i < rep->nheaders; i++) {
		MHD_add_response_header(resp, rep->headers[i].name, rep->headers[i].value);
		if (strcasecmp(rep->headers[i].name, "Cache-Control") == 0)
			cacheable = true;
		else if (strcasecmp(rep->headers[i].name, "Content-Security-Policy") == 0)
			has_csp = true;
	}
	/* Replies hold personal data unless a handler says otherwise. */
	if (!cacheable)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	/* What is not a page may not run, load or be framed; pages set their own. */
	if (!has_csp)
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'none'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (cr->srv->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (atomic_load_explicit(&cr->srv->draining, memory_order_relaxed))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	cr->status = rep->status;
	cr->bytes_out = rep->len;
	cr->answered = true;
	ret = MHD_queue_response(cr->conn, (unsigned)rep->status, resp);
	MHD_destroy_response(resp);
	http_reply_release(rep);
	return ret;
}

/* How much of an oversized body is read and dropped before the connection is cut. */
static size_t discard_limit(const struct conn_req *cr)
{
	return cr->body_max < DISCARD_MAX / 8 ? cr->body_max * 8 : DISCARD_MAX;
}

/*
 * The body cap of a request: max_body, unless its route takes batches, the
 * body may be larger (no Content-Length, or a larger one) and the route
 * admits it.  Asking only then keeps the check off small requests.
 */
static size_t body_max(struct http_server *srv, struct conn_req *cr)
{
	const struct config *cfg = srv->app->cfg;
	const struct route *route = cr->match >= 0 ? &srv->app->routes[cr->match] : NULL;
	const char *cl;

	if (!route || !route->large_body || cfg->max_batch_body <= cfg->max_body)
		return (size_t)cfg->max_body;
	cl = MHD_lookup_connection_value(cr->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) <= (unsigned long long)cfg->max_body)
		return (size_t)cfg->max_body;
	return route->large_body(&cr->req) ? (size_t)cfg->max_batch_body : (size_t)cfg->max_body;
}

/*
 * Each thread keeps one struct conn_req for its next request.  It is about
 * 3 KiB, past glibc's small bins, and allocating one for every request made
 * malloc consolidate its fast bins every time (2 % of the server's time
 * under load).  The key's destructor frees a thread's spare when it ends.
 */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static int spare_ok;

static void spare_init(void)
{
	spare_ok = pthread_key_create(&spare_key, mem_free) == 0;
}

static struct conn_req *conn_req_alloc(void)
{
	struct conn_req *cr;

	pthread_once(&spare_once, spare_init);
	cr = spare_ok ? pthread_getspecific(spare_key) : NULL;
	if (!cr)
		return mem_calloc(1, sizeof(*cr));
	pthread_setspecific(spare_key, NULL);
	memset(cr, 0, sizeof(*cr));
	return cr;
}

static void conn_req_free(struct conn_req *cr)
{
	if (spare_ok && !pthread_getspecific(spare_key) && pthread_setspecific(spare_key, cr) == 0)
		return;
	mem_free(cr);
}

static struct conn_req *conn_req_new(struct http_server *srv, struct MHD_Connection *conn,
				     const char *url, const char *method)
{
	struct conn_req *cr = conn_req_alloc();

	if (!cr)
		return NULL;
	cr->srv = srv;
	cr->conn = conn;
	cr->start_ns = now_ns();
	cr->req.app = srv->app;
	cr->req.conn = conn;
	cr->req.path = url;
	cr->req.method = http_method_parse(method);
	{
		size_t n = strnlen(method, sizeof(cr->method) - 1);

		memcpy(cr->method, method, n);
		cr->method[n] = '\0';
	}
	request_id(cr);
	cr->match = router_match(srv->app->routes, srv->app->nroutes, cr->req.method, url,
				 &cr->req.params, &cr->allowed);
	cr->req.route = cr->match;
	cr->body_max = body_max(srv, cr);
	buf_init(&cr->req.body, cr->body_max);
	return cr;
}

struct http_deferred *http_defer(struct http_req *req)
{
	struct conn_req *cr = (struct conn_req *)req; /* req is the first member */

	cr->deferred = true;
	/* Suspend now, before anyone can finish the work and resume us. */
	MHD_suspend_connection(cr->conn);
	return (struct http_deferred *)cr;
}

struct http_reply *http_deferred_reply(struct http_deferred *d)
{
	return &((struct conn_req *)d)->deferred_rep;
}

void http_deferred_done(struct http_deferred *d)
{
	struct conn_req *cr = (struct conn_req *)d;

	atomic_store(&cr->deferred_done, true);
	MHD_resume_connection(cr->conn);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version, const char *upload_data,
				 size_t *upload_data_size, void **req_cls)
{
	struct http_server *srv = cls;
	struct conn_req *cr = *req_cls;
	struct http_reply rep = { 0 };

	(void)version;
	if (!cr) {
		cr = conn_req_new(srv, conn, url, method);
		if (!cr)
			return MHD_NO;
		*req_cls = cr;
		atomic_fetch_add(&srv->inflight, 1);
		metrics_inflight(1);
		return MHD_YES;
	}
	if (cr->deferred) {
		/* Resumed: the deferred work is done and its reply is ready. */
		if (!atomic_load(&cr->deferred_done))
			return MHD_YES;
		cr->deferred = false;
		return send_reply(cr, &cr->deferred_rep);
	}
	if (cr->answered)
		return MHD_YES; /* discard the rest of a body we already refused */
	if (*upload_data_size) {
		cr->bytes_in += *upload_data_size;
		/* A body for no route is counted and dropped, never kept. */
		if (cr->match < 0 && cr->bytes_in > cr->body_max)
			cr->too_large = true;
		else if (cr->match >= 0 && !cr->too_large &&
			 buf_add(&cr->req.body, upload_data, *upload_data_size) != BUF_OK) {
			cr->too_large = true;
			buf_release(&cr->req.body);
		}
		*upload_data_size = 0;
		/*
		 * An oversized body is read and dropped, so that the client, still
		 * sending, is there to read the 413.  Past a ceiling it is cut off:
		 * we answer at once and the connection closes.
		 */
		if (!cr->too_large || cr->bytes_in <= discard_limit(cr))
			return MHD_YES;
	}
	dispatch(cr, &rep);
	if (cr->deferred && rep.status == 0)
		return MHD_YES; /* suspended; resumed by http_deferred_done() */
	return send_reply(cr, &rep);
}

/* How a request ended, for the access log; NULL when it completed normally. */
static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK: return NULL;
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return "client-abort";
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return "timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return "shutdown";
	default: return "error";
	}
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct conn_req *cr = *req_cls;
	uint64_t dur;

	(void)conn;
	if (!cr)
		return;
	*req_cls = NULL;
	dur = now_ns() - cr->start_ns;
	metrics_request(cr->match, cr->status, dur);
	if (srv->app->cfg->access_log && log_enabled(LOG_INFO) &&
	    !(cr->match >= 0 && (srv->app->routes[cr->match].flags & ROUTE_NO_LOG) &&
	      cr->status < 400)) {
		char status[8], ms[32], in[24], out[24];
		const char *route = cr->match >= 0 ? srv->app->routes[cr->match].pattern : "-";
		const char *end = termination_name(toe);

		snprintf(status, sizeof(status), "%d", cr->status);
		snprintf(ms, sizeof(ms), "%.3f", (double)dur / 1e6);
		snprintf(in, sizeof(in), "%zu", cr->bytes_in);
		snprintf(out, sizeof(out), "%zu", cr->bytes_out);
		/* A request that did not end normally says how it ended; the key is left out otherwise. */
		/*
		 * The route pattern, not the path: paths carry case codes and
		 * identifiers, which do not belong in a log.
		 */
		log_info("request", "method", cr->method, "route", route, "status", status, "ms",
			 ms, "in", in, "out", out, "id", cr->req.request_id,
			 end ? "end" : (const char *)NULL, end);
	}
	json_decref(cr->req.json);
	buf_release(&cr->req.body);
	http_reply_release(&cr->deferred_rep); /* sent already, or never: the client left */
	conn_req_free(cr);
	metrics_inflight(-1);
	atomic_fetch_sub(&srv->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	log_warn("http server", "detail", msg);
}

static int resolve(const char *listen, struct sockaddr_storage *ss, char *err, size_t errsz)
{
	struct addrinfo hints = { 0 }, *res;
	char host[256], port[8];
	unsigned p;
	int rc;

	if (config_listen_split(listen, host, sizeof(host), &p, err, errsz))
		return -1;
	snprintf(port, sizeof(port), "%u", p);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		snprintf(err, errsz, "cannot resolve listen address '%s': %s", listen,
			 gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/*
 * TLS 1.2 and 1.3 only, AEAD ciphers with ephemeral key exchange (forward
 * secrecy), the server's order of preference.
 */
#define TLS_PRIORITIES                                                                      \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:" \
	"+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE"
#define TLS_FILE_MAX (1 << 20)

static void free_secret(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		mem_free(s);
	}
}

/* A whole PEM file into *out (NUL-terminated); -1 with err. */
static int read_pem(const char *what, const char *path, const char *marker, char **out, char *err,
		    size_t errsz)
{
	char why[256];
	char *buf = mem_alloc(TLS_FILE_MAX + 1);
	long n;

	*out = NULL;
	if (!buf) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	n = fs_read_small(path, buf, TLS_FILE_MAX, why, sizeof(why));
	if (n < 0) {
		snprintf(err, errsz, "cannot read the TLS %s: %s", what, why);
		mem_free(buf);
		return -1;
	}
	buf[n] = '\0';
	if ((size_t)n != strlen(buf) || !strstr(buf, marker)) {
		snprintf(err, errsz, "the TLS %s '%s' is not PEM (no '%s' line)", what, path,
			 marker);
		free_secret(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* Reads the certificate and key that cfg names, if any. */
static int tls_load(struct http_server *srv, const struct config *cfg, char *err, size_t errsz)
{
	struct stat st;

	if (!cfg->tls_cert[0] && !cfg->tls_key[0])
		return 0;
	if (!cfg->tls_cert[0] || !cfg->tls_key[0]) {
		snprintf(err, errsz, "TLS needs both tls_cert and tls_key (--tls-cert, --tls-key)");
		return -1;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errsz,
			 "this libmicrohttpd was built without TLS; serve plain HTTP "
			 "behind a TLS proxy instead");
		return -1;
	}
	if (stat(cfg->tls_key, &st) == 0 && (st.st_mode & 077)) {
		snprintf(err, errsz,
			 "the TLS key '%s' may be read by others (mode %03o); "
			 "chmod 600 it",
			 cfg->tls_key, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	if (read_pem("certificate", cfg->tls_cert, "-----BEGIN CERTIFICATE-----", &srv->tls_cert,
		     err, errsz) ||
	    read_pem("key", cfg->tls_key, "PRIVATE KEY-----", &srv->tls_key, err, errsz))
		return -1;
	srv->tls = true;
	return 0;
}

static void server_free(struct http_server *srv)
{
	mem_free(srv->tls_cert);
	free_secret(srv->tls_key);
	mem_free(srv);
}

int http_server_tls_check(const struct config *cfg, char *err, size_t errsz)
{
	struct http_server tmp = { 0 };
	int rc = tls_load(&tmp, cfg, err, errsz);

	mem_free(tmp.tls_cert);
	free_secret(tmp.tls_key);
	return rc;
}

struct http_server *http_server_start(struct app *app, char *err, size_t errsz)
{
	const struct config *cfg = app->cfg;
	struct http_server *srv = mem_calloc(1, sizeof(*srv));
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	unsigned threads = (unsigned)cfg->threads;
	struct MHD_OptionItem tls_opts[4] = { { MHD_OPTION_END, 0, NULL } };

	if (!srv) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (resolve(cfg->listen, &ss, err, errsz) || tls_load(srv, cfg, err, errsz)) {
		server_free(srv);
		return NULL;
	}
	if (srv->tls) {
		flags |= MHD_USE_TLS;
		tls_opts[0] =
			(struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert };
		tls_opts[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key };
		tls_opts[2] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						       (void *)TLS_PRIORITIES };
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		/* Handlers never wait for the disk (see http_defer), so one a core is enough. */
		threads = n > 0 ? (unsigned)n : 1;
	}
	srv->app = app;
	srv->id_prefix = (unsigned)(now_ns() ^ ((uint64_t)getpid() << 16));
	/* clang-format off: one option per line */
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_access, srv,
		/* First, so that messages about the options below reach our log too. */
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_MEMORY_LIMIT,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
		srv, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
	/* clang-format on */
	if (!srv->daemon) {
		if (srv->tls)
			snprintf(err, errsz,
				 "cannot serve HTTPS on '%s': the certificate '%s' and key '%s' "
				 "are not a valid pair, or the address is taken (see the log)",
				 cfg->listen, cfg->tls_cert, cfg->tls_key);
		else
			snprintf(err, errsz, "cannot listen on '%s': %s", cfg->listen,
				 errno ? strerror(errno) : "the HTTP server did not start");
		server_free(srv);
		return NULL;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	return srv;
}

unsigned http_server_port(const struct http_server *srv)
{
	return srv->port;
}

long http_server_drain(struct http_server *srv, int timeout_s)
{
	uint64_t deadline = now_ns() + (uint64_t)timeout_s * 1000000000u;
	MHD_socket lsock;
	int quiet = 0;
	long left;

	atomic_store(&srv->draining, 1);
	lsock = MHD_quiesce_daemon(srv->daemon);
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	/*
	 * Wait until no request is in flight, and has not been for a moment:
	 * a keep-alive client may have sent one more request that is still
	 * being read.  Replies now carry "Connection: close".
	 */
	while (now_ns() < deadline) {
		struct timespec pause = { 0, 10 * 1000 * 1000 };

		if (atomic_load(&srv->inflight) == 0) {
			if (++quiet >= 10)
				break;
		} else {
			quiet = 0;
		}
		nanosleep(&pause, NULL);
	}
	left = atomic_load(&srv->inflight);
	MHD_stop_daemon(srv->daemon);
	server_free(srv);
	return left;
}
