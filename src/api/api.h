/*
 * api.h - the HTTP API: the route table and the handlers, one file per
 * resource in src/api/.  Handlers translate between HTTP/JSON and the
 * domain; they hold no business rules of their own.
 */
#ifndef SIGNAAL_API_H
#define SIGNAAL_API_H

#include <stddef.h>

#include "http/http.h"
#include "ident/ident.h"

extern const struct route api_routes[];
extern const size_t api_nroutes;

/* Maps a STORE_E* code to a problem reply: the one place where that happens. */
void api_store_error(struct http_reply *rep, int code);

/* health.c */
void api_healthz(struct http_req *req, struct http_reply *rep);
void api_readyz(struct http_req *req, struct http_reply *rep);
void api_metrics(struct http_req *req, struct http_reply *rep);
void api_version(struct http_req *req, struct http_reply *rep);

/* identifiers.c */
void api_identifiers_normalize(struct http_req *req, struct http_reply *rep);

/*
 * One normalisation result as the API and the CLI show it: {"kind", "input",
 * "valid": true, "canonical", "attributes", ("expressions")} or {"kind",
 * "input", "valid": false, "error"}.  `rc` and `err` are what
 * ident_normalize() returned.  New reference; NULL when out of memory.
 */
json_t *api_ident_json(enum ident_kind kind, const char *input, size_t len, const struct ident *id,
		       int rc, const char *err);

/* reference.c */
void api_taxonomy(struct http_req *req, struct http_reply *rep);
void api_municipalities(struct http_req *req, struct http_reply *rep);

#endif
