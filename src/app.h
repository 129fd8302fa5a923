/*
 * app.h - the running application, as request handlers and commands see it.
 * Built once by `signaal serve` (cmd/serve.c) and read-only afterwards.
 */
#ifndef SIGNAAL_APP_H
#define SIGNAAL_APP_H

#include <stddef.h>
#include <time.h>

struct config;
struct route;
struct store;
struct taxonomy;
struct municipalities;
struct pseudonym_key;
struct advice;
struct ratelimit;
struct idem;
struct rules;
struct deliverer;
struct alert_ctx;
struct stream_hub;
struct lookup_index;
struct audit;
struct pseudonym_cache;
struct purger;

struct app {
	const struct config *cfg;
	struct store *store;
	const struct route *routes;
	size_t nroutes;
	time_t started;
	const struct taxonomy *taxonomy;	     /* data/taxonomy.json */
	const struct municipalities *municipalities; /* data/municipalities.tsv */
	const struct pseudonym_key *pseudonym_key;   /* from DATA_DIR/keys/pseudonym.key */
	const struct advice *advice;		     /* data/advice.json */
	struct ratelimit *case_guesses;		     /* wrong case codes per client address */
	struct ratelimit *report_limit;		     /* reports per client address; NULL: none */
	struct ratelimit *check_limit;	 /* public checks per client address; NULL: none */
	struct ratelimit *oprf_quota;	 /* blind evaluations per partner; NULL: none */
	struct ratelimit *partner_limit; /* requests per partner key; NULL: none */
	struct idem *idempotency;	 /* answers kept for retried reports */
	const struct rules *rules;	 /* data/rules.json */
	struct deliverer *deliverer;	 /* sends the outbox */
	struct alert_ctx *alerts;	 /* what rules need inside a write */
	struct stream_hub *streams;	 /* open alert streams */
	struct lookup_index *index; /* the registry's facts in memory, for checks and lookups */
	struct audit *audit;	    /* the audit log: disclosures and administrative acts */
	struct pseudonym_cache *check_cache; /* recent pseudonyms of the public check */
	struct purger *purger;		     /* retention: the periodic purge; NULL when off */
};

#endif
