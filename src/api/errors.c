/* errors.c - storage errors as HTTP problems: the one mapping. */
#include "api/api.h"

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
