/* health.c - probes for load balancers and orchestrators, and the metrics. */
#include "api/api.h"

#include <malloc.h>
#include <sqlite3.h>
#include <sodium.h>
#include <stdio.h>
#include <microhttpd.h>

#include "app.h"
#include "audit.h"
#include "lookup_index.h"
#include "metrics.h"
#include "store/store.h"
#include "util/mem.h"
#include "version.h"

static const char healthz_body[] = "{\"status\":\"ok\"}";

/* Alive: answers as long as the process serves HTTP; touches nothing else. */
void api_healthz(struct http_req *req, struct http_reply *rep)
{
	(void)req;
	http_reply_static(rep, 200, "application/json", healthz_body, sizeof(healthz_body) - 1);
}

/* Ready: the database answers and its schema is the one this program expects. */
void api_readyz(struct http_req *req, struct http_reply *rep)
{
	struct store *st = req->app->store;
	int rc = store_ping(st), version = 0;
	char detail[160];

	if (rc == STORE_OK)
		rc = store_schema_version(st, &version);
	if (rc != STORE_OK) {
		snprintf(detail, sizeof(detail), "the database is not reachable: %s",
			 store_strerror(rc));
		http_reply_problem(rep, 503, "not-ready", "Not ready", detail, NULL);
		http_reply_header(rep, "Retry-After", "5");
		return;
	}
	if (version != store_schema_latest(st)) {
		snprintf(detail, sizeof(detail), "database schema version %d, expected %d", version,
			 store_schema_latest(st));
		http_reply_problem(rep, 503, "not-ready", "Not ready", detail, NULL);
		return;
	}
	http_reply_json(rep, 200,
			json_pack("{s:s,s:s,s:i}", "status", "ready", "store", store_name(st),
				  "schema_version", version));
}

/* Bytes the allocator has handed out and not had back: live memory, without its slack. */
static long long heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();

	return (long long)(mi.uordblks + mi.hblkhd);
#else
	return -1;
#endif
}

/* What the process holds in memory by design, so that growth can be told from a leak. */
static int memory_gauges(const struct app *app, struct buf *b)
{
	return buf_addf(
		b,
		"# HELP signaal_heap_in_use_bytes Memory allocated and not freed (glibc "
		"mallinfo2; -1 where unknown).\n# TYPE signaal_heap_in_use_bytes gauge\n"
		"signaal_heap_in_use_bytes %lld\n"
		"# HELP signaal_store_memory_bytes Memory the database library holds, "
		"caches included.\n# TYPE signaal_store_memory_bytes gauge\n"
		"signaal_store_memory_bytes %lld\n"
		"# HELP signaal_lookup_index_bytes Memory of the in-memory lookup index.\n"
		"# TYPE signaal_lookup_index_bytes gauge\nsignaal_lookup_index_bytes %zu\n"
		"# HELP signaal_audit_entries Entries in the audit log (its tree is in "
		"memory).\n# TYPE signaal_audit_entries gauge\nsignaal_audit_entries %llu\n",
		heap_in_use(), app->store ? store_memory_used(app->store) : 0LL,
		app->index ? lookup_index_memory(app->index) : (size_t)0,
		app->audit ? (unsigned long long)audit_size(app->audit) : 0ULL);
}

void api_metrics(struct http_req *req, struct http_reply *rep)
{
	struct buf b = BUF_INIT(4 << 20);
	char *text;
	size_t len;

	if (metrics_render(&b) != 0 || memory_gauges(req->app, &b) != 0 ||
	    !(text = buf_detach(&b, &len))) {
		buf_release(&b);
		http_reply_problem(rep, 500, "internal", "Internal server error",
				   "cannot render the metrics", NULL);
		return;
	}
	http_reply_take(rep, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

void api_version(struct http_req *req, struct http_reply *rep)
{
	(void)req;
	http_reply_json(rep, 200,
			json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", "signaal", "version",
				  SIGNAAL_VERSION, "sqlite", sqlite3_libversion(), "libsodium",
				  sodium_version_string(), "libmicrohttpd", MHD_get_version()));
}
