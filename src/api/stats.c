/*
 * stats.c - insight: GET /v1/stats (analyst keys) and GET /v1/stats/public.
 *
 * Both answer counts of reports and stated losses per municipality,
 * province, fraud type or month, protected as stats.h describes.  Analysts
 * choose the grouping and the months; the public view is one grouping at a
 * time over the last twelve whole months, with a higher threshold.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "partner.h"
#include "stats.h"
#include "taxonomy.h"

#define STATS_MAX_MONTHS 120

/* "YYYY-MM" to a month number (year * 12 + month - 1); -1 if malformed. */
static int month_parse(const char *s)
{
	int y, m;
	char end;

	if (!s || strlen(s) != 7 || s[4] != '-' || sscanf(s, "%4d-%2d%c", &y, &m, &end) != 2 ||
	    y < 2000 || y > 9999 || m < 1 || m > 12)
		return -1;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return -1;
	return y * 12 + m - 1;
}

/* The month as "YYYY-MM"; months are within years 2000 to 9999 here. */
static void month_text(int month, const char *suffix, char out[16])
{
	unsigned y = (unsigned)(month / 12) % 10000u, m = (unsigned)(month % 12) + 1;

	snprintf(out, 16, "%04u-%02u%.3s", y, m, suffix);
}

static int month_now(void)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 12 + tm.tm_mon;
}

static json_t *row_json(const struct app *app, const struct stats_row *r, unsigned group)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (group & STATS_MUNICIPALITY) {
		const struct municipality *mu =
			r->municipality[0]
				? municipalities_find(app->municipalities, r->municipality)
				: NULL;

		json_object_set_new(o, "municipality", mu ? json_string(mu->code) : json_null());
		json_object_set_new(o, "municipality_name",
				    mu ? json_string(mu->name) : json_null());
	}
	if (group & STATS_PROVINCE) {
		const char *name = NULL;

		for (size_t i = 0; r->province[0] && i < municipalities_count(app->municipalities);
		     i++) {
			const struct municipality *mu = municipalities_at(app->municipalities, i);

			if (strcmp(mu->province_code, r->province) == 0) {
				name = mu->province;
				break;
			}
		}
		json_object_set_new(o, "province", name ? json_string(r->province) : json_null());
		json_object_set_new(o, "province_name", name ? json_string(name) : json_null());
	}
	if (group & STATS_FRAUD_TYPE)
		json_object_set_new(o, "fraud_type", json_string(r->fraud_type));
	if (group & STATS_MONTH)
		json_object_set_new(o, "month", json_string(r->month));
	json_object_set_new(o, "reports", json_integer(r->reports));
	json_object_set_new(o, "loss_eur", json_integer(r->loss_cents / 100));
	return o;
}

static void answer(struct http_req *req, struct http_reply *rep, int first, int last,
		   unsigned group, const char *group_text, int min_cell)
{
	char from[16], to[16], first_text[16], last_text[16];
	struct stats s;
	json_t *cells;
	int rc;

	month_text(first, "", first_text);
	month_text(last, "", last_text);
	month_text(first, "-01", from);
	month_text(last + 1, "-01", to);
	rc = stats_compute(req->app->store, req->app->municipalities, from, to, group, min_cell,
			   &s);
	if (rc) {
		api_store_error(rep, rc);
		return;
	}
	cells = json_array();
	for (size_t i = 0; cells && i < s.n; i++)
		json_array_append_new(cells, row_json(req->app, &s.rows[i], group));
	http_reply_json(rep, 200,
			json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:o,s:I}", "from", first_text, "to",
				  last_text, "group", group_text, "min_cell", min_cell,
				  "counts_rounded_to", STATS_COUNT_ROUND, "loss_rounded_to_eur",
				  STATS_LOSS_ROUND / 100, "cells", cells, "suppressed",
				  (json_int_t)s.suppressed));
	stats_free(&s);
}

static int group_arg(struct http_req *req, struct http_reply *rep, const char *dflt, bool one_only,
		     unsigned *group, const char **text)
{
	const char *g = http_query(req, "group");
	char bad[48], msg[160];

	*text = g && g[0] ? g : dflt;
	if (stats_group_parse(*text, group, bad, sizeof(bad)) ||
	    (one_only && (*group & (*group - 1)))) {
		json_t *errors = NULL;

		if (one_only)
			snprintf(msg, sizeof(msg),
				 "one of municipality, province, fraud_type or month");
		else
			snprintf(msg, sizeof(msg),
				 "a comma-separated list of municipality, province, fraud_type "
				 "and month, each once%s%s%s",
				 bad[0] ? " ('" : "", bad, bad[0] ? "' is not one)" : "");
		http_problem_field(&errors, "group", msg);
		http_reply_problem(rep, 400, "invalid-parameter", "Invalid statistics query",
				   "see errors", errors);
		return -1;
	}
	return 0;
}

void api_stats(struct http_req *req, struct http_reply *rep)
{
	struct partner p;
	const char *group_text, *f, *t;
	unsigned group;
	int now = month_now(), first, last;
	json_t *errors = NULL;

	if (api_analyst_auth(req, rep, &p) ||
	    group_arg(req, rep, "province", false, &group, &group_text))
		return;
	f = http_query(req, "from");
	t = http_query(req, "to");
	first = f ? month_parse(f) : now - 11;
	last = t ? month_parse(t) : now;
	if (first < 0)
		http_problem_field(&errors, "from", "a month, YYYY-MM");
	if (last < 0)
		http_problem_field(&errors, "to", "a month, YYYY-MM");
	if (!errors && last < first)
		http_problem_field(&errors, "to", "must not be before from");
	if (!errors && last - first >= STATS_MAX_MONTHS)
		http_problem_field(&errors, "to", "at most 120 months after from");
	if (errors) {
		http_reply_problem(rep, 400, "invalid-parameter", "Invalid statistics query",
				   "see errors", errors);
		return;
	}
	answer(req, rep, first, last, group, group_text, req->app->cfg->stats_min_cell);
}

void api_stats_public(struct http_req *req, struct http_reply *rep)
{
	const char *group_text;
	unsigned group;
	int now = month_now();

	if (group_arg(req, rep, "province", true, &group, &group_text))
		return;
	/* The twelve whole months before this one: the answer changes once a month. */
	answer(req, rep, now - 12, now - 1, group, group_text,
	       req->app->cfg->stats_public_min_cell);
	http_reply_header(rep, "Cache-Control", "public, max-age=3600");
}
