/*
 * rules.h - the published intervention rules: what triggers an alert, who is
 * told, and what becomes public.
 *
 * The rules live in data/rules.json and are served as they are at /v1/rules,
 * so that everyone can see what triggers what.  A rule counts the writes
 * (victim reports or partner signals) about one identifier that match its
 * "when", and acts once `threshold` independent sources (distinct reporters
 * for reports, distinct partners for signals) did so within `window_days`.
 * This module only loads the rules and answers "does this write count?";
 * the caller counts sources in the store and sends the alerts.
 *
 *	struct rules *rs;
 *	char err[RULES_ERR_MAX];
 *	if (rules_load_buffer(buf, len, tx, &rs, err, sizeof(err)) != RULES_OK)
 *		die("%s", err);
 *	for (size_t i = 0; i < rules_count(rs); i++) {
 *		const struct rule *r = rules_at(rs, i);
 *		if (rule_counts(r, IDENT_IBAN, RULE_FROM_REPORTS, "bank_helpdesk",
 *				"beneficiary", 0) &&
 *		    distinct_reporters(id, r->window_days) >= r->threshold)
 *			fire(r);
 *	}
 *	rules_free(rs);
 *
 * The document:
 *	{"schema_version": 1, "version": "yyyy-mm-dd", "rules": [
 *	  {"id": "iban_three_reports",
 *	   "title": {"nl": ..., "en": ...}, "description": {"nl": ..., "en": ...},
 *	   "when": {"kinds": ["iban"], "source": "reports", "threshold": 3,
 *		    "window_days": 90, "fraud_types": [...], "roles": [...],
 *		    "min_confidence": 80},
 *	   "then": {"alert": [{"to": "holding_bank", "raw": true},
 *			      {"to": "sector", "sector": "police", "raw": true}],
 *		    "public": true, "shield": false}}, ...]}
 * "fraud_types", "roles" and "min_confidence" may be left out (no
 * restriction); "min_confidence" only for source "signals".  Targets:
 *	holding_bank	  the bank that holds the IBAN (by its bank code)
 *	tld_registry	  the registry of the site's top-level domain
 *	sector		  every partner of the sector named in "sector"
 *	signal_scope	  the sectors and partners the signal's sharing scope names
 *	impersonated_bank the bank a spoofed caller pretended to be; the caller
 *			  of this module resolves which one
 * "raw" says whether the recipient gets the identifier itself or only its
 * pseudonym.
 *
 * A loaded struct rules is immutable, so one instance may be shared by all
 * threads without locking.  Every pointer it hands out is borrowed: valid
 * until rules_free().
 */
#ifndef SIGNAAL_RULES_H
#define SIGNAAL_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ident/ident.h"
#include "taxonomy.h"

/* Return codes of rules_load_buffer. */
#define RULES_OK     0
#define RULES_EINVAL (-1) /* the data is invalid; err says where and why */
#define RULES_ENOMEM (-2) /* allocation failed; err says "out of memory" */
/*
 * As with the taxonomy, jansson reports some allocation failures inside its
 * parser as a syntax error, so running out of memory can also give
 * RULES_EINVAL "invalid json ...".
 */

#define RULES_ERR_MAX	     512 /* room for every message */
#define RULES_SCHEMA_VERSION 1	 /* the "schema_version" this build reads */
#define RULES_MAX	     100 /* rules in one document */
#define RULE_ID_MAX	     48	 /* bytes in an id or code, terminator included */
#define RULE_CODES_MAX	     8	 /* fraud types, roles or actions of one rule */
#define RULE_THRESHOLD_MAX   1000
#define RULE_WINDOW_MAX	     3650 /* days */

enum rule_source { RULE_FROM_REPORTS, RULE_FROM_SIGNALS };

enum rule_target {
	RULE_TO_HOLDING_BANK,
	RULE_TO_TLD_REGISTRY,
	RULE_TO_SECTOR,
	RULE_TO_SIGNAL_SCOPE,
	RULE_TO_IMPERSONATED_BANK,
};

struct rule_action {
	enum rule_target to;
	char sector[32]; /* a partner_sectors code for RULE_TO_SECTOR, else "" */
	bool raw;	 /* the identifier itself, not only its pseudonym */
};

struct rule {
	char id[RULE_ID_MAX];
	unsigned kinds; /* 1u << enum ident_kind */
	enum rule_source source;
	int threshold;	     /* independent sources needed, 1..RULE_THRESHOLD_MAX */
	int window_days;     /* within this many days, 1..RULE_WINDOW_MAX */
	int min_confidence;  /* 0..100; 0 when absent and for reports */
	size_t nfraud_types; /* 0: every fraud type counts */
	char fraud_types[RULE_CODES_MAX][RULE_ID_MAX];
	size_t nroles; /* 0: every role counts */
	char roles[RULE_CODES_MAX][RULE_ID_MAX];
	bool make_public; /* show in the public check */
	bool shield;	  /* add to the anti-phishing shield */
	size_t nactions;
	struct rule_action actions[RULE_CODES_MAX];
};

struct rules;

/*
 * Parse and validate `len` bytes of JSON at `buf` (need not be
 * NUL-terminated).  Fraud types, roles and sectors are checked against `tx`
 * (not NULL), kinds against ident_kind_parse().  On success returns RULES_OK
 * and stores a new struct in *out (free it with rules_free).  On failure
 * *out is NULL and `err` holds one lower-case line naming the rule (index
 * and id) and what is wrong, e.g.
 *	rules[2] 'phone_three_reports': when.threshold must be a whole number
 *	from 1 to 1000
 */
int rules_load_buffer(const char *buf, size_t len, const struct taxonomy *tx, struct rules **out,
		      char *err, size_t errsz);

void rules_free(struct rules *rs); /* NULL is a no-op */

/* The whole validated document, to serve as it is at GET /v1/rules. Borrowed. */
json_t *rules_json(const struct rules *rs);

/* The document's "version", e.g. "2026-11-23". Borrowed. */
const char *rules_version(const struct rules *rs);

size_t rules_count(const struct rules *rs);

/* The i-th rule in document order, or NULL if i >= rules_count(). Borrowed. */
const struct rule *rules_at(const struct rules *rs, size_t i);

/*
 * Whether a write with these facts counts towards `r`: `kind` is one of its
 * kinds, `src` its source, `fraud_type` and `role` (either may be NULL) in
 * its lists when these are not empty, and for signals `confidence` at least
 * its min_confidence.  A NULL fraud type or role never satisfies a non-empty
 * list.  Counting the independent sources within window_days and comparing
 * with the threshold is the caller's work.
 */
bool rule_counts(const struct rule *r, enum ident_kind kind, enum rule_source src,
		 const char *fraud_type, const char *role, int confidence);

#endif
