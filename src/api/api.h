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
/*
 * A 429 problem for a spent limit of `quota` a `window` seconds: with
 * Retry-After and the RateLimit-Policy, -Limit, -Remaining and -Reset
 * headers of the IETF draft (draft-ietf-httpapi-ratelimit-headers).
 */
void api_too_many(struct http_reply *rep, const char *slug, const char *title, const char *detail,
		  int retry_after, long quota, long window);

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

/* reports.c */
struct app;
struct report;
struct report_ident;
void api_reports_create(struct http_req *req, struct http_reply *rep);
void api_advice(struct http_req *req, struct http_reply *rep);

/*
 * Checks a free-text field: a string of at most `max` characters without
 * control characters or HTML tags.  0, or -1 after adding a field error.
 */
int api_text_field(json_t *v, const char *field, size_t max, json_t **errors);

/*
 * Parses an array of {kind, value, role} under `prefix` ("identifiers"),
 * normalising each value; valid ones go to out[0..*n), problems to *errors.
 * out must hold REPORT_IDENTS_MAX entries; the caller releases them.
 */
int api_identifiers_parse(const struct app *app, json_t *arr, const char *prefix,
			  struct report_ident *out, size_t *n, json_t **errors);

/* Where alerts about an identifier go: the bank code of an IBAN, the TLD of a site. */
void api_routing(const struct ident *id, char *out, size_t outsz);

/* The identifier kinds in a report, as a mask (1u << enum ident_kind). */
unsigned api_kinds_mask(const struct report *r);

/* cases.c */
void api_case_get(struct http_req *req, struct http_reply *rep);
void api_case_add(struct http_req *req, struct http_reply *rep);
void api_case_consent(struct http_req *req, struct http_reply *rep);
void api_case_withdraw(struct http_req *req, struct http_reply *rep);
void api_case_police_report(struct http_req *req, struct http_reply *rep);

/* alerts.c */
struct partner;
/* The partner whose key the request carries; 0, or -1 with a 401 reply set. */
int api_partner_auth(struct http_req *req, struct http_reply *rep, struct partner *out);
/* The same for analyst keys, which read statistics and nothing else (403 for partner keys). */
int api_analyst_auth(struct http_req *req, struct http_reply *rep, struct partner *out);
/* For route.large_body: whether the request carries a valid partner key. */
bool api_partner_batch(struct http_req *req);
void api_rules(struct http_req *req, struct http_reply *rep);
void api_alerts(struct http_req *req, struct http_reply *rep);
void api_alerts_stream(struct http_req *req, struct http_reply *rep);
void api_referral_update(struct http_req *req, struct http_reply *rep);

/*
 * The alert streams' hub: wakes every open stream each second (for
 * heartbeats) and at once when kicked (new alerts committed).  Close it
 * before draining the server: open streams then end.
 */
struct stream_hub;
struct stream_hub *stream_hub_new(void);
void stream_hub_kick(struct stream_hub *hub);
void stream_hub_close(struct stream_hub *hub);
void stream_hub_free(struct stream_hub *hub);

/* signals.c */
void api_signals_create(struct http_req *req, struct http_reply *rep);
void api_signal_get(struct http_req *req, struct http_reply *rep);
void api_signal_feedback(struct http_req *req, struct http_reply *rep);

/* check.c */
void api_check(struct http_req *req, struct http_reply *rep);
void api_lookup(struct http_req *req, struct http_reply *rep);
void api_stats(struct http_req *req, struct http_reply *rep);
void api_stats_public(struct http_req *req, struct http_reply *rep);

/* oprf.c */
void api_oprf_key(struct http_req *req, struct http_reply *rep);
void api_oprf_evaluate(struct http_req *req, struct http_reply *rep);

/* admin.c */
void api_admin_partners(struct http_req *req, struct http_reply *rep);
void api_admin_partner_add(struct http_req *req, struct http_reply *rep);
void api_admin_key_create(struct http_req *req, struct http_reply *rep);
void api_admin_key_revoke(struct http_req *req, struct http_reply *rep);

/* audit.c: the audit log, in public */
void api_audit_checkpoint(struct http_req *req, struct http_reply *rep);
void api_audit_key(struct http_req *req, struct http_reply *rep);
void api_audit_entries(struct http_req *req, struct http_reply *rep);
void api_audit_inclusion(struct http_req *req, struct http_reply *rep);
void api_audit_consistency(struct http_req *req, struct http_reply *rep);
/* subjects.c: requests of data subjects */
void api_subject_request_create(struct http_req *req, struct http_reply *rep);
void api_subject_request_get(struct http_req *req, struct http_reply *rep);

/* static.c: the web pages */
void api_static(struct http_req *req, struct http_reply *rep);

/* reference.c */
void api_taxonomy(struct http_req *req, struct http_reply *rep);
void api_municipalities(struct http_req *req, struct http_reply *rep);

#endif
