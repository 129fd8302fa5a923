/*
 * api.h - the HTTP API: the route table and the handlers, one file per
 * resource in src/api/.  Handlers translate between HTTP/JSON and the
 * domain; they hold no business rules of their own.
 */
#ifndef SIGNAAL_API_H
#define SIGNAAL_API_H

#include <stddef.h>

#include "http/http.h"

extern const struct route api_routes[];
extern const size_t api_nroutes;

/* Maps a STORE_E* code to a problem reply: the one place where that happens. */
void api_store_error(struct http_reply *rep, int code);

/* health.c */
void api_healthz(struct http_req *req, struct http_reply *rep);
void api_readyz(struct http_req *req, struct http_reply *rep);
void api_metrics(struct http_req *req, struct http_reply *rep);
void api_version(struct http_req *req, struct http_reply *rep);

#endif
