/*
 * serve.c - `signaal serve`: set everything up, serve until SIGTERM or
 * SIGINT, then drain.  All start-up failures happen here, before the server
 * listens, with a message that says what to fix.
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "app.h"
#include "audit.h"
#include "lookup_index.h"
#include "cmd/cmd.h"
#include "config.h"
#include "http/server.h"
#include "embedded.h"
#include "keys.h"
#include "metrics.h"
#include "advice.h"
#include "alert.h"
#include "deliver/deliver.h"
#include "idempotency.h"
#include "rules.h"
#include "pseudonym.h"
#include "pseudonym_cache.h"
#include "purge.h"
#include "ratelimit.h"
#include "taxonomy.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/log.h"
#include "version.h"

/* The reference data and keys the handlers read; freed by unload(). */
struct loaded {
	struct taxonomy *taxonomy;
	struct municipalities *municipalities;
	struct advice *advice;
	struct ratelimit *case_guesses;
	struct ratelimit *report_limit;
	struct ratelimit *check_limit;
	struct ratelimit *oprf_quota;
	struct ratelimit *partner_limit;
	struct idem *idempotency;
	struct rules *rules;
	struct pseudonym_key pseudonym_key;
};

static int load(struct loaded *l, const char *data_dir, char *err, size_t errsz)
{
	const struct embedded_file *tx = embedded_find("data/taxonomy.json");
	const struct embedded_file *mu = embedded_find("data/municipalities.tsv");
	const struct embedded_file *ad = embedded_find("data/advice.json");
	const struct embedded_file *ru = embedded_find("data/rules.json");
	uint8_t seed[KEY_SEED_BYTES];
	int rc;

	if (!tx || !mu || !ad || !ru) {
		snprintf(err, errsz, "BUG: reference data missing from the build");
		return -1;
	}
	if (taxonomy_load_buffer((const char *)tx->data, tx->len, &l->taxonomy, err, errsz) ||
	    municipalities_load_buffer((const char *)mu->data, mu->len, &l->municipalities, err,
				       errsz) ||
	    advice_load_buffer((const char *)ad->data, ad->len, l->taxonomy, &l->advice, err,
			       errsz) ||
	    rules_load_buffer((const char *)ru->data, ru->len, l->taxonomy, &l->rules, err, errsz))
		return -1;
	/* 20 wrong case codes at once, then one every 6 seconds, per client address. */
	l->case_guesses = ratelimit_new(10, 20);
	/* Retries come within minutes; 2,048 answers for 10 minutes is ample. */
	l->idempotency = idem_new(2048, 600);
	if (!l->case_guesses || !l->idempotency) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (keys_load_seed(data_dir, "pseudonym", seed, err, errsz))
		return -1;
	rc = pseudonym_key_from_seed(&l->pseudonym_key, seed);
	sodium_memzero(seed, sizeof(seed));
	if (rc) {
		snprintf(err, errsz, "cannot derive the pseudonym key");
		return -1;
	}
	return 0;
}

static void unload(struct loaded *l)
{
	taxonomy_free(l->taxonomy);
	municipalities_free(l->municipalities);
	advice_free(l->advice);
	ratelimit_free(l->case_guesses);
	ratelimit_free(l->report_limit);
	ratelimit_free(l->check_limit);
	ratelimit_free(l->oprf_quota);
	ratelimit_free(l->partner_limit);
	idem_free(l->idempotency);
	rules_free(l->rules);
	pseudonym_key_clear(&l->pseudonym_key);
}

/* Stops and frees what cmd_serve() started, in reverse order; each part may be missing. */
static void teardown(struct app *app, struct store *st, struct loaded *loaded)
{
	stream_hub_close(app->streams);
	stream_hub_free(app->streams);
	purger_stop(app->purger);	/* between two batches; it records what it did */
	deliverer_stop(app->deliverer); /* what it did not send stays in the outbox */
	audit_stop(app->audit);		/* writes what is queued, and a last checkpoint */
	metrics_free();
	pseudonym_cache_free(app->check_cache);
	lookup_index_free(app->index);
	store_close(st);
	unload(loaded);
}

/* The rules in effect are an administrative act: one entry each time the server starts. */
static void audit_rules(struct app *app)
{
	const struct audit_event ev = { .actor = "server",
					.act = "rules.loaded",
					.ref = rules_version(app->rules) };

	if (audit_record(app->audit, &ev, NULL, NULL))
		log_error("audit: cannot record the rules in effect");
}

/*
 * glibc gives each thread that meets a locked arena a new one, up to eight
 * per CPU, and memory freed in one arena serves only that arena: under the
 * soak's mixed load the resident set grew 10 MiB in ten minutes while live
 * allocations grew 5.4 (all accounted for).  One arena per CPU keeps the
 * slack bounded; MALLOC_ARENA_MAX in the environment still decides.
 */
static void malloc_tune(void)
{
#ifdef M_ARENA_MAX
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (!getenv("MALLOC_ARENA_MAX"))
		mallopt(M_ARENA_MAX, cpus > 2 ? (int)cpus : 2);
#endif
}

int cmd_serve(int argc, char **argv)
{
	struct loaded loaded = { 0 };
	struct alert_ctx alert_ctx = { 0 };
	struct config cfg;
	struct app app = { 0 };
	struct audit_keys audit_keys;
	struct http_server *srv;
	struct store *st = NULL;
	sigset_t sigs;
	char err[1200], port[8], from_s[12], to_s[12], left_s[24];
	int npos, rc, from, to, sig = 0, created;
	long left;

	rc = cmd_setup("serve", &cfg, argc, argv, NULL, 0, &npos);
	if (rc)
		return rc;
	malloc_tune(); /* before any thread starts */
	/*
	 * Signals go to this thread alone (sigwait below), never to a worker or
	 * the deliverer: blocked before any thread starts, so that all inherit it.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (sodium_init() < 0) {
		cmd_error("cannot initialise libsodium");
		return 1;
	}
	/* A TLS set-up that cannot work stops the start before anything is touched. */
	if (http_server_tls_check(&cfg, err, sizeof(err)) ||
	    fs_mkdir_p(cfg.data_dir, 0700, err, sizeof(err)) ||
	    keys_ensure(cfg.data_dir, &created, err, sizeof(err))) {
		cmd_error("%s", err);
		return 1;
	}
	if (created)
		log_info("key files created", "dir", cfg.data_dir);
	if (load(&loaded, cfg.data_dir, err, sizeof(err)) ||
	    audit_keys_load(&audit_keys, cfg.data_dir, cfg.audit_origin, err, sizeof(err)))
		goto fail;
	if (store_open(&st, &cfg, 0, err, sizeof(err)) != STORE_OK ||
	    store_migrate(st, &from, &to, err, sizeof(err)) != STORE_OK ||
	    cmd_keys_match_store(&cfg, st, err, sizeof(err)))
		goto fail;
	snprintf(from_s, sizeof(from_s), "%d", from);
	snprintf(to_s, sizeof(to_s), "%d", to);
	log_info("database ready", "store", store_name(st), "schema_from", from_s, "schema", to_s);
	app.index = lookup_index_new();
	if (!app.index) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}
	if (lookup_index_start(app.index, st, err, sizeof(err)))
		goto fail;
	snprintf(left_s, sizeof(left_s), "%zu", lookup_index_count(app.index));
	log_info("lookup index loaded", "identifiers", left_s);
	app.audit = audit_start(st, &audit_keys, cfg.audit_checkpoint_interval,
				cfg.audit_index_interval, err, sizeof(err));
	audit_keys_wipe(&audit_keys);
	if (!app.audit)
		goto fail;
	snprintf(left_s, sizeof(left_s), "%llu", (unsigned long long)audit_size(app.audit));
	log_info("audit log loaded", "entries", left_s, "origin", cfg.audit_origin);
	if (metrics_init(api_routes, api_nroutes)) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}

	app.cfg = &cfg;
	app.store = st;
	app.routes = api_routes;
	app.nroutes = api_nroutes;
	app.started = time(NULL);
	app.taxonomy = loaded.taxonomy;
	app.municipalities = loaded.municipalities;
	app.pseudonym_key = &loaded.pseudonym_key;
	app.advice = loaded.advice;
	app.case_guesses = loaded.case_guesses;
	if (cfg.report_rate_limit) {
		/* A burst of a sixth of the hourly rate: a victim adding a few reports at once. */
		loaded.report_limit = ratelimit_new(
			(double)cfg.report_rate_limit / 60.0,
			cfg.report_rate_limit / 6 > 1 ? (double)(cfg.report_rate_limit / 6) : 1.0);
		app.report_limit = loaded.report_limit;
	}
	if (cfg.check_rate_limit) {
		loaded.check_limit = ratelimit_new(cfg.check_rate_limit, cfg.check_rate_limit);
		app.check_limit = loaded.check_limit;
	}
	if (cfg.partner_rate_limit) {
		loaded.partner_limit =
			ratelimit_new(cfg.partner_rate_limit, cfg.partner_rate_limit);
		app.partner_limit = loaded.partner_limit;
	}
	if (cfg.oprf_quota) {
		/* The whole hour's quota may be used at once, then it refills. */
		loaded.oprf_quota = ratelimit_new((double)cfg.oprf_quota / 60.0, cfg.oprf_quota);
		app.oprf_quota = loaded.oprf_quota;
	}
	app.idempotency = loaded.idempotency;
	app.rules = loaded.rules;
	/* 65,536 recent checks, 5 MiB: the identifiers of the scams going round. */
	app.check_cache = pseudonym_cache_new(65536);
	if (!app.check_cache) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}
	audit_rules(&app);
	alert_ctx.store = st;
	alert_ctx.rules = loaded.rules;
	store_set_report_hook(st, alert_after_report, &alert_ctx);
	store_set_withdraw_hook(st, alert_after_withdraw, &alert_ctx);
	app.alerts = &alert_ctx;
	app.streams = stream_hub_new();
	if (!app.streams) {
		snprintf(err, sizeof(err), "cannot start the alert streams");
		goto fail;
	}
	app.deliverer = deliverer_start(st, &loaded.pseudonym_key, app.audit,
					cfg.webhook_allow_loopback, err, sizeof(err));
	if (!app.deliverer)
		goto fail;
	if (cfg.purge_interval) {
		struct purge_policy policy;
		char summary[256];

		purge_policy_from_config(&policy, &cfg);
		app.purger =
			purger_start(st, app.audit, &policy, cfg.purge_interval, err, sizeof(err));
		if (!app.purger)
			goto fail;
		purge_policy_summary(&policy, summary, sizeof(summary));
		snprintf(left_s, sizeof(left_s), "%d", cfg.purge_interval);
		log_info("retention purge scheduled", "interval", left_s, "policy", summary);
	} else {
		log_warn("retention purge off (purge_interval 0): run 'signaal purge' on a timer");
	}
	srv = http_server_start(&app, err, sizeof(err));
	if (!srv)
		goto fail;
	snprintf(port, sizeof(port), "%u", http_server_port(srv));
	log_info("listening", "listen", cfg.listen, "port", port, "version", SIGNAAL_VERSION);

	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT)
			break;
		/* A reload signal from a habit or a log rotator must not stop the server. */
		log_warn("SIGHUP ignored: configuration is read at start; restart to change it");
	}
	log_info("shutting down", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	stream_hub_close(app.streams); /* open event streams end, so that draining can finish */
	left = http_server_drain(srv, cfg.shutdown_timeout);
	snprintf(left_s, sizeof(left_s), "%ld", left);
	teardown(&app, st, &loaded);
	if (left) {
		log_warn("stopped with requests unfinished", "unfinished", left_s);
		return 1;
	}
	log_info("stopped");
	return 0;
fail:
	cmd_error("%s", err);
	audit_keys_wipe(&audit_keys);
	teardown(&app, st, &loaded);
	return 1;
}
