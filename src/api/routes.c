/* routes.c - every route of the HTTP API, in one table. */
#include "api/api.h"

const struct route api_routes[] = {
	{ HTTP_GET, "/healthz", api_healthz, ROUTE_NO_LOG },
	{ HTTP_GET, "/readyz", api_readyz, ROUTE_NO_LOG },
	{ HTTP_GET, "/metrics", api_metrics, ROUTE_NO_LOG },
	{ HTTP_GET, "/v1/version", api_version, 0 },
	{ HTTP_POST, "/v1/identifiers/normalize", api_identifiers_normalize, ROUTE_JSON_BODY },
	{ HTTP_GET, "/v1/taxonomy", api_taxonomy, 0 },
	{ HTTP_GET, "/v1/municipalities", api_municipalities, 0 },
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
