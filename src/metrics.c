/* metrics.c - request counters and latency histograms; see metrics.h. */
#include "metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/http.h"
#include "util/mem.h"

#define STATUS_MIN   100
#define STATUS_SLOTS 500 /* 100..599 */

static const double bucket_le[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				    0.1,    0.25,  0.5,	   1,	  2.5,	5 };
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

struct route_stats {
	atomic_ulong status[STATUS_SLOTS];
	atomic_ulong bucket[NBUCKETS + 1]; /* the last is +Inf */
	atomic_ulong sum_us;
	atomic_ulong count;
};

static const struct route *mroutes;
static size_t mnroutes;
static struct route_stats *stats; /* mnroutes + 1 entries; the last for unmatched */
static atomic_ulong db_errors;
static atomic_ulong group_commits, group_reports;
static atomic_long inflight;
static time_t started;

int metrics_init(const struct route *routes, size_t nroutes)
{
	struct route_stats *s = mem_calloc(nroutes + 1, sizeof(*s));

	if (!s)
		return -1;
	mem_free(stats);
	stats = s;
	mroutes = routes;
	mnroutes = nroutes;
	started = time(NULL);
	return 0;
}

void metrics_free(void)
{
	mem_free(stats);
	stats = NULL;
	mnroutes = 0;
}

void metrics_request(int route, int status, uint64_t duration_ns)
{
	struct route_stats *s;
	double secs = (double)duration_ns / 1e9;
	size_t b = 0;

	if (!stats)
		return;
	s = &stats[route >= 0 && (size_t)route < mnroutes ? (size_t)route : mnroutes];
	if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_SLOTS)
		atomic_fetch_add_explicit(&s->status[status - STATUS_MIN], 1, memory_order_relaxed);
	while (b < NBUCKETS && secs > bucket_le[b])
		b++;
	atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_us, duration_ns / 1000, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

void metrics_db_error(void)
{
	atomic_fetch_add_explicit(&db_errors, 1, memory_order_relaxed);
}

void metrics_group_commit(unsigned reports)
{
	atomic_fetch_add_explicit(&group_commits, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&group_reports, reports, memory_order_relaxed);
}

void metrics_inflight(int delta)
{
	atomic_fetch_add_explicit(&inflight, delta, memory_order_relaxed);
}

static unsigned long load(atomic_ulong *a)
{
	return atomic_load_explicit(a, memory_order_relaxed);
}

static const char *route_label(size_t i, char *out, size_t outsz)
{
	if (i >= mnroutes)
		return "unmatched";
	/* Patterns are ASCII paths from our own table: no escaping needed. */
	snprintf(out, outsz, "%s", mroutes[i].pattern);
	return out;
}

int metrics_render(struct buf *out)
{
	int rc = 0;
	char label[128];

	if (!stats)
		return -1;
	rc |= buf_adds(out, "# HELP signaal_http_requests_total HTTP requests answered, by route "
			    "and status.\n# TYPE signaal_http_requests_total counter\n");
	for (size_t i = 0; i <= mnroutes; i++) {
		const char *m = i < mnroutes ? http_method_name(mroutes[i].method) : "";

		const char *rl = route_label(i, label, sizeof(label));

		for (int st = 0; st < STATUS_SLOTS; st++) {
			unsigned long v = load(&stats[i].status[st]);

			if (v)
				rc |= buf_addf(out,
					       "signaal_http_requests_total{method=\"%s\","
					       "route=\"%s\",status=\"%d\"} %lu\n",
					       m, rl, st + STATUS_MIN, v);
		}
	}
	rc |= buf_adds(out, "# HELP signaal_http_request_duration_seconds Time from the first "
			    "byte of a request to its completion.\n"
			    "# TYPE signaal_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= mnroutes; i++) {
		const char *m = i < mnroutes ? http_method_name(mroutes[i].method) : "";
		unsigned long cum = 0, count = load(&stats[i].count);

		const char *rl;

		if (!count)
			continue;
		rl = route_label(i, label, sizeof(label));
		for (size_t b = 0; b <= NBUCKETS; b++) {
			cum += load(&stats[i].bucket[b]);
			if (b < NBUCKETS)
				rc |= buf_addf(out,
					       "signaal_http_request_duration_seconds_bucket{"
					       "method=\"%s\",route=\"%s\",le=\"%g\"} %lu\n",
					       m, rl, bucket_le[b], cum);
			else
				rc |= buf_addf(out,
					       "signaal_http_request_duration_seconds_bucket{"
					       "method=\"%s\",route=\"%s\",le=\"+Inf\"} %lu\n",
					       m, rl, cum);
		}
		rc |= buf_addf(out,
			       "signaal_http_request_duration_seconds_sum{method=\"%s\","
			       "route=\"%s\"} %.6f\n",
			       m, rl, (double)load(&stats[i].sum_us) / 1e6);
		rc |= buf_addf(out,
			       "signaal_http_request_duration_seconds_count{method=\"%s\","
			       "route=\"%s\"} %lu\n",
			       m, rl, count);
	}
	rc |= buf_addf(out,
		       "# HELP signaal_http_requests_in_flight Requests being served.\n"
		       "# TYPE signaal_http_requests_in_flight gauge\n"
		       "signaal_http_requests_in_flight %ld\n",
		       atomic_load_explicit(&inflight, memory_order_relaxed));
	rc |= buf_addf(out,
		       "# HELP signaal_db_errors_total Database operations that failed.\n"
		       "# TYPE signaal_db_errors_total counter\nsignaal_db_errors_total %lu\n",
		       load(&db_errors));
	rc |= buf_addf(out,
		       "# HELP signaal_report_commits_total Transactions that stored reports.\n"
		       "# TYPE signaal_report_commits_total counter\n"
		       "signaal_report_commits_total %lu\n"
		       "# HELP signaal_reports_committed_total Reports stored (several may share "
		       "one commit).\n# TYPE signaal_reports_committed_total counter\n"
		       "signaal_reports_committed_total %lu\n",
		       load(&group_commits), load(&group_reports));
	rc |= buf_addf(out,
		       "# HELP signaal_start_time_seconds Start time of the process.\n"
		       "# TYPE signaal_start_time_seconds gauge\n"
		       "signaal_start_time_seconds %lld\n",
		       (long long)started);
	return rc ? -1 : 0;
}
