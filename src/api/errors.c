/* errors.c - storage errors as HTTP problems: the one mapping. */
#include "api/api.h"

#include <stdio.h>

#include "store/store.h"

void api_store_error(struct http_reply *rep, int code)
{
	switch (code) {
	case STORE_ENOTFOUND:
		http_reply_problem(rep, 404, "not-found", "Not found", "no such resource", NULL);
		break;
	case STORE_EEXISTS:
		http_reply_problem(rep, 409, "conflict", "Conflict", "the resource exists already",
				   NULL);
		break;
	case STORE_ECONFLICT:
		http_reply_problem(rep, 409, "conflict", "Conflict",
				   "the resource's state does not allow this", NULL);
		break;
	case STORE_EBUSY:
		http_reply_problem(rep, 503, "unavailable", "Service unavailable",
				   "the database is busy; try again shortly", NULL);
		http_reply_header(rep, "Retry-After", "1");
		break;
	case STORE_EFULL:
		http_reply_problem(rep, 503, "unavailable", "Service unavailable",
				   "the server cannot store more data now; nothing was saved",
				   NULL);
		http_reply_header(rep, "Retry-After", "60");
		break;
	default:
		/* No internals in the reply; the store has logged the details. */
		http_reply_problem(rep, 500, "internal", "Internal server error",
				   "the server failed; nothing was saved", NULL);
		break;
	}
}

void api_too_many(struct http_reply *rep, const char *slug, const char *title, const char *detail,
		  int retry_after, long quota, long window)
{
	char ra[16], policy[48], limit[24];

	snprintf(ra, sizeof(ra), "%d", retry_after > 0 ? retry_after : 1);
	snprintf(policy, sizeof(policy), "%ld;w=%ld", quota, window);
	snprintf(limit, sizeof(limit), "%ld", quota);
	http_reply_problem(rep, 429, slug, title, detail, NULL);
	http_reply_header(rep, "Retry-After", ra);
	http_reply_header(rep, "RateLimit-Policy", policy);
	http_reply_header(rep, "RateLimit-Limit", limit);
	http_reply_header(rep, "RateLimit-Remaining", "0");
	http_reply_header(rep, "RateLimit-Reset", ra);
}
