/*
 * advice.h - first steps for fraud victims, in Dutch and English.
 *
 * The steps live in data/advice.json, which the build embeds in the program.
 * Each step says when it applies: always, or for some fraud types, payment
 * methods or identifier kinds (the codes of data/taxonomy.json and the kinds
 * of ident.h).  A victim's page asks for the steps that match the report:
 *
 *	struct advice *a;
 *	char err[ADVICE_ERR_MAX];
 *	if (advice_load_buffer(buf, len, tx, &a, err, sizeof(err)) != ADVICE_OK)
 *		die("%s", err);
 *	json_t *steps = advice_select(a, "bank_helpdesk", "bank_transfer",
 *				      1u << IDENT_IBAN, "nl");
 *	...
 *	json_decref(steps);
 *	advice_free(a);
 *
 * The document:
 *	{"schema_version": 1, "version": "yyyy-mm-dd", "steps": [
 *	  {"id": "call_bank_now", "priority": 10, "urgent": true,
 *	   "title": {"nl": ..., "en": ...}, "text": {"nl": ..., "en": ...},
 *	   "when": {"fraud_types": [...], "payment_methods": [...],
 *		    "identifier_kinds": [...], "always": false}}, ...]}
 * Every member of "when" may be left out (an empty list, false); a step must
 * either be "always" or list at least one condition, not both.
 *
 * A loaded struct advice is immutable, so one instance may be shared by all
 * threads without locking.
 */
#ifndef SIGNAAL_ADVICE_H
#define SIGNAAL_ADVICE_H

#include <jansson.h>

#include "taxonomy.h"

/* Return codes of advice_load_buffer. */
#define ADVICE_OK     0
#define ADVICE_EINVAL (-1) /* the data is invalid; err says where and why */
#define ADVICE_ENOMEM (-2) /* allocation failed; err says "out of memory" */
/*
 * As with the taxonomy, jansson reports some allocation failures inside its
 * parser as a syntax error, so running out of memory can also give
 * ADVICE_EINVAL "invalid json ...".
 */

#define ADVICE_ERR_MAX	      512 /* room for every message */
#define ADVICE_SCHEMA_VERSION 1	  /* the "schema_version" this build reads */

struct advice;

/*
 * Parse and validate `len` bytes of JSON at `buf` (need not be
 * NUL-terminated).  Fraud types and payment methods are checked against `tx`
 * (not NULL), identifier kinds against ident_kind_parse().  On success
 * returns ADVICE_OK and stores a new struct in *out (free it with
 * advice_free).  On failure *out is NULL and `err` holds one lower-case line
 * naming the step (index and id) and what is wrong, e.g.
 *	steps[3] 'bank_never_asks': title has no 'en' text
 */
int advice_load_buffer(const char *buf, size_t len, const struct taxonomy *tx, struct advice **out,
		       char *err, size_t errsz);

void advice_free(struct advice *a); /* NULL is a no-op */

/* The document's "version", e.g. "2026-11-23". Borrowed. */
const char *advice_version(const struct advice *a);

/*
 * The steps that apply to a report, as a NEW JSON array (the caller
 * json_decref()s it) of {"id", "title", "text", "urgent"} objects with the
 * texts in `lang`: "en", or "nl" for anything else (NULL included).  A step
 * applies when it is "always", or when `fraud_type` or `payment_method`
 * (either may be NULL) is one of its codes, or when `kinds_mask` (bit
 * 1u << enum ident_kind per kind involved) holds one of its kinds.  Urgent
 * steps come first, then by priority, then by id.  NULL when memory runs out.
 */
json_t *advice_select(const struct advice *a, const char *fraud_type, const char *payment_method,
		      unsigned kinds_mask, const char *lang);

#endif
