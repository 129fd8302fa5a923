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
	{ HTTP_POST, "/v1/reports", api_reports_create, ROUTE_JSON_BODY },
	{ HTTP_GET, "/v1/advice", api_advice, 0 },
	{ HTTP_GET, "/v1/rules", api_rules, 0 },
	{ HTTP_GET, "/v1/alerts", api_alerts, 0 },
	{ HTTP_GET, "/v1/alerts/stream", api_alerts_stream, 0 },
	{ HTTP_PUT, "/v1/referrals/{id}", api_referral_update, ROUTE_JSON_BODY },
	{ HTTP_GET, "/v1/admin/partners", api_admin_partners, 0 },
	{ HTTP_POST, "/v1/admin/partners", api_admin_partner_add, ROUTE_JSON_BODY },
	{ HTTP_POST, "/v1/admin/partners/{name}/keys", api_admin_key_create, 0 },
	{ HTTP_DELETE, "/v1/admin/keys/{prefix}", api_admin_key_revoke, 0 },
	{ HTTP_POST, "/v1/signals", api_signals_create, ROUTE_JSON_BODY },
	{ HTTP_GET, "/v1/signals/{id}", api_signal_get, 0 },
	{ HTTP_POST, "/v1/signals/{id}/feedback", api_signal_feedback, ROUTE_JSON_BODY },
	{ HTTP_GET, "/v1/cases/{code}", api_case_get, 0 },
	{ HTTP_DELETE, "/v1/cases/{code}", api_case_withdraw, 0 },
	{ HTTP_POST, "/v1/cases/{code}/additions", api_case_add, ROUTE_JSON_BODY },
	{ HTTP_PUT, "/v1/cases/{code}/consent", api_case_consent, ROUTE_JSON_BODY },
	{ HTTP_GET, "/v1/cases/{code}/police-report", api_case_police_report, 0 },
	{ HTTP_GET, "/", api_static, 0 },
	{ HTTP_GET, "/report", api_static, 0 },
	{ HTTP_GET, "/advice", api_static, 0 },
	{ HTTP_GET, "/case", api_static, 0 },
	{ HTTP_GET, "/static/{file}", api_static, 0 },
	{ HTTP_GET, "/favicon.ico", api_static, ROUTE_NO_LOG },
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
