/*
 * serve.c - `signaal serve`: set everything up, serve until SIGTERM or
 * SIGINT, then drain.  All start-up failures happen here, before the server
 * listens, with a message that says what to fix.
 */
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "app.h"
#include "cmd/cmd.h"
#include "config.h"
#include "http/server.h"
#include "keys.h"
#include "metrics.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/log.h"
#include "version.h"

int cmd_serve(int argc, char **argv)
{
	struct config cfg;
	struct app app = { 0 };
	struct http_server *srv;
	struct store *st = NULL;
	sigset_t sigs;
	char err[1200], port[8], from_s[12], to_s[12], left_s[24];
	int npos, rc, from, to, sig = 0, created;
	long left;

	rc = cmd_setup("serve", &cfg, argc, argv, NULL, 0, &npos);
	if (rc)
		return rc;
	if (sodium_init() < 0) {
		cmd_error("cannot initialise libsodium");
		return 1;
	}
	if (fs_mkdir_p(cfg.data_dir, 0700, err, sizeof(err)) ||
	    keys_ensure(cfg.data_dir, &created, err, sizeof(err))) {
		cmd_error("%s", err);
		return 1;
	}
	if (created)
		log_info("key files created", "dir", cfg.data_dir);
	if (store_open(&st, &cfg, err, sizeof(err)) != STORE_OK ||
	    store_migrate(st, &from, &to, err, sizeof(err)) != STORE_OK) {
		cmd_error("%s", err);
		store_close(st);
		return 1;
	}
	snprintf(from_s, sizeof(from_s), "%d", from);
	snprintf(to_s, sizeof(to_s), "%d", to);
	log_info("database ready", "store", store_name(st), "schema_from", from_s, "schema", to_s);
	if (metrics_init(api_routes, api_nroutes)) {
		cmd_error("out of memory");
		store_close(st);
		return 1;
	}

	app.cfg = &cfg;
	app.store = st;
	app.routes = api_routes;
	app.nroutes = api_nroutes;
	app.started = time(NULL);

	/* Signals go to this thread alone (sigwait below), never to a worker mid-request. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	srv = http_server_start(&app, err, sizeof(err));
	if (!srv) {
		cmd_error("%s", err);
		metrics_free();
		store_close(st);
		return 1;
	}
	snprintf(port, sizeof(port), "%u", http_server_port(srv));
	log_info("listening", "listen", cfg.listen, "port", port, "version", SIGNAAL_VERSION);

	while (sigwait(&sigs, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
	log_info("shutting down", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	left = http_server_drain(srv, cfg.shutdown_timeout);
	snprintf(left_s, sizeof(left_s), "%ld", left);
	metrics_free();
	store_close(st);
	if (left) {
		log_warn("stopped with requests unfinished", "unfinished", left_s);
		return 1;
	}
	log_info("stopped");
	return 0;
}
