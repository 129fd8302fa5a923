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

struct app {
	const struct config *cfg;
	struct store *store;
	const struct route *routes;
	size_t nroutes;
	time_t started;
};

#endif
