/*
 * http.h - what a request handler sees: the request, the reply, the routes.
 *
 * The server (server.c) reads the request, matches a route (router.c), caps
 * and parses the body, and calls the route's handler once, with the whole
 * request in hand.  The handler fills a struct http_reply with one of the
 * http_reply_* functions; the server adds the common headers, sends it,
 * counts it in the metrics and writes the access-log line.
 *
 * Handlers run on the server's worker threads and must not block for long.
 * Everything reachable from the request is borrowed until the handler
 * returns, except what the handler puts into the reply, which the reply owns.
 */
#ifndef SIGNAAL_HTTP_H
#define SIGNAAL_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct app;
struct http_server;

enum http_method {
	HTTP_GET = 0,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_OPTIONS,
	HTTP_METHOD_COUNT,
	HTTP_OTHER = HTTP_METHOD_COUNT
};

#define ROUTE_PARAMS_MAX    4
#define ROUTE_PARAM_MAX_LEN 256

/* Route flags. */
#define ROUTE_JSON_BODY 0x01 /* the body must be a JSON document; req->json holds it */
#define ROUTE_NO_LOG	0x02 /* no access-log line (for probes hit every second) */
/*
 * With ROUTE_JSON_BODY: the server checks the content type and that there
 * is a body, but leaves req->json NULL; the handler reads the body itself
 * (a fast path for one common form) and otherwise calls http_req_json().
 */
#define ROUTE_JSON_LATER 0x04

struct http_req;
struct http_reply;

typedef void (*http_handler)(struct http_req *req, struct http_reply *rep);

struct route {
	enum http_method method;
	const char *pattern; /* "/v1/cases/{code}": a {name} matches one non-empty segment */
	http_handler handler;
	unsigned flags;
	/*
	 * For routes that take batches: asked when the headers are in and the
	 * body may be larger than max_body; when it says yes (a valid partner
	 * key, say), the body may be up to max_batch_body.  NULL: max_body.
	 */
	bool (*large_body)(struct http_req *req);
};

struct route_params {
	size_t n;
	const char *name[ROUTE_PARAMS_MAX]; /* points into the pattern, not terminated */
	size_t name_len[ROUTE_PARAMS_MAX];
	char value[ROUTE_PARAMS_MAX][ROUTE_PARAM_MAX_LEN];
};

#define ROUTE_NOT_FOUND	 (-1)
#define ROUTE_BAD_METHOD (-2)

/*
 * Finds the route for `method` and `path` (HEAD matches GET routes).
 * Returns its index and fills `params`; or ROUTE_NOT_FOUND; or
 * ROUTE_BAD_METHOD with `*allowed` set to a bitmask (1 << method) of the
 * methods that the path does have.
 */
int router_match(const struct route *routes, size_t nroutes, enum http_method method,
		 const char *path, struct route_params *params, unsigned *allowed);

/* "GET, HEAD, POST" for a bitmask from router_match, into out. */
void router_allow_header(unsigned allowed, char *out, size_t outsz);

enum http_method http_method_parse(const char *s);
const char *http_method_name(enum http_method m);

/* ---- the request, as handlers see it ---- */

struct http_req {
	struct app *app; /* the running application: config, store */
	enum http_method method;
	const char *path; /* percent-decoded, without the query */
	int route;	  /* index into the route table */
	struct route_params params;
	struct buf body; /* the raw body, NUL-terminated */
	json_t *json;	 /* for ROUTE_JSON_BODY routes, else NULL; borrowed */
	char request_id[64];
	void *conn; /* the server's connection; use the functions below */
};

/* The value of path parameter `name`, or NULL. */
const char *http_param(const struct http_req *req, const char *name);

/* A query-string argument, or NULL when absent; "" when given without a value. */
const char *http_query(const struct http_req *req, const char *name);

/* The client's address as text (the peer of the connection). 0, or -1. */
int http_client_addr(const struct http_req *req, char *out, size_t outsz);

/* A request header (case-insensitive name), or NULL. */
const char *http_header(const struct http_req *req, const char *name);
/*
 * Parses the body into req->json for a ROUTE_JSON_LATER route (at once if
 * it is parsed already).  Returns 0, or -1 with a 400 malformed-json
 * problem in rep, as the server answers for any other JSON route.
 */
int http_req_json(struct http_req *req, struct http_reply *rep);

/*
 * A whole-number query argument within [min, max]; `def` when absent.
 * Returns 0, or -1 after filling `rep` with a 400 problem naming the argument.
 */
int http_query_long(struct http_req *req, struct http_reply *rep, const char *name, long min,
		    long max, long def, long *out);

/*
 * Deferring the reply.  A handler that must wait (for a commit to reach
 * the disk) calls http_defer() and returns without a reply; the
 * connection is suspended and its worker thread serves others meanwhile.
 * Whoever finishes the work fills http_deferred_reply(d) and calls
 * http_deferred_done(d) exactly once, from any thread; the reply is then
 * sent.  `d` is valid from http_defer() until http_deferred_done().
 */
struct http_deferred;
struct http_deferred *http_defer(struct http_req *req);
struct http_reply *http_deferred_reply(struct http_deferred *d);
void http_deferred_done(struct http_deferred *d);

/* ---- the reply ---- */

#define REPLY_HEADERS_MAX 8

struct http_reply {
	int status;		  /* 0 until a reply is set */
	const char *content_type; /* static string */
	char *body;		  /* owned (mem_free) unless body_static */
	size_t len;
	bool body_static;
	size_t nheaders;
	struct {
		char name[32];
		char value[160];
	} headers[REPLY_HEADERS_MAX];
	struct http_stream *stream; /* a streamed body (http_reply_stream), else NULL */
};

/*
 * Streamed replies (server-sent events).  `fill` is called whenever the
 * client can take more: it writes at most `max` bytes into buf and returns
 * how many; 0 when it has nothing now (the connection then waits, holding
 * no thread, until http_stream_wake()); -1 to end the reply.  `done` frees
 * `arg` once the connection is finished, whatever the reason; after that
 * the stream must not be woken again, so `done` is where a registry of
 * streams lets go of it.
 */
typedef long (*http_stream_fill)(void *arg, char *buf, size_t max);
struct http_stream *http_reply_stream(struct http_reply *rep, int status, const char *content_type,
				      http_stream_fill fill, void (*done)(void *arg), void *arg);

/*
 * Calls the stream's fill again soon; from any thread.  A stream that has
 * ended is left alone.  Whoever keeps a stream pointer beyond `done` (a
 * registry waking it from another thread) holds a reference: the stream's
 * memory lasts until the last http_stream_unref().
 */
void http_stream_wake(struct http_stream *s);
void http_stream_ref(struct http_stream *s);
void http_stream_unref(struct http_stream *s);

/* A JSON document; takes the reference to doc. */
void http_reply_json(struct http_reply *rep, int status, json_t *doc);

/* A static body that outlives the server (string literals). */
void http_reply_static(struct http_reply *rep, int status, const char *content_type,
		       const char *body, size_t len);

/* Takes ownership of body (allocated with mem_alloc). */
void http_reply_take(struct http_reply *rep, int status, const char *content_type, char *body,
		     size_t len);

/* Adds a header; copies name and value; silently truncated values are a bug (logged). */
void http_reply_header(struct http_reply *rep, const char *name, const char *value);

/*
 * An RFC 9457 problem: `slug` becomes the type "urn:signaal:problem:<slug>",
 * `title` the short summary, `detail` this occurrence.  `errors` (taken,
 * may be NULL) is an array of {"field", "message"} for validation failures.
 */
void http_reply_problem(struct http_reply *rep, int status, const char *slug, const char *title,
			const char *detail, json_t *errors);

/* Appends {"field": field, "message": message} to *errors (creating the array). */
void http_problem_field(json_t **errors, const char *field, const char *message);

void http_reply_release(struct http_reply *rep);

#endif
