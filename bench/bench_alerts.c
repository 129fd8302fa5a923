/*
 * bench_alerts.c - alert latency and signal intake through the real server.
 *
 * Alerts: POST /v1/reports paced at `rate` per second for `seconds` from
 * `connections` kept-alive connections.  Every report names one IBAN of bank
 * ABNA, and every IBAN is reported three times from three addresses (the
 * X-Forwarded-For of a trusted proxy, all in 198.18.0.0/15), its reports
 * 100 ms apart, so the third one fires iban_three_reports and the bank and
 * the police get an alert whose "value" is the IBAN.  The latency of an
 * alert is the receiver's "received_ms" minus the moment the third report
 * got its 201 (both CLOCK_REALTIME, whole milliseconds, so each figure is
 * within a millisecond).  It can be below zero: the server commits, then
 * answers the report while its deliverer already sends the alert.  Alerts
 * that have not arrived GRACE_MS after the last report count as missing.
 *
 * Signals: one client posts batches of 100 distinct phone numbers to
 * POST /v1/signals with a partner key for `signal_seconds`.
 *
 * Usage: bench_alerts URL KEY BANK_LOG POLICE_LOG
 *			[rate [seconds [signal_seconds [connections]]]]
 *	  (defaults 500, 10, 5 and 8)
 * Exits 1 when a request did not get 201 or an alert is missing.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "util/mem.h"

#define GROUP_MS     100   /* between the reports of one IBAN */
#define GRACE_MS     10000 /* after the last report, for alerts still on their way */
#define SIGNAL_BATCH 100
#define ADDRS_MAX    131070 /* usable addresses in 198.18.0.0/15 */
#define CONNS_MAX    64
#define RULE	     "iban_three_reports"
#define IBAN_LEN     18

struct opts {
	const char *url;
	const char *key;
	const char *bank_log;
	const char *police_log;
	double rate;
	double seconds;
	double signal_seconds;
	long connections;
};

/* One report: which IBAN it names, and what came back. */
struct shot {
	long long ack_ms; /* CLOCK_REALTIME when its 201 arrived */
	double late_ms;	  /* how far behind its schedule it was sent */
	double took_ms;	  /* request to response */
	long status;
};

struct run {
	const struct opts *o;
	long nreports;
	long width; /* IBANs per group: rate * GROUP_MS */
	struct shot *shots;
	struct timespec start;
	atomic_long next;
	char report_url[512];
};

static long long realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&d, &d) != 0 && errno == EINTR)
		;
}

/* NLkk ABNA 0nnnnnnnnn with the ISO 13616 check digits; n below 10^9. */
static void iban_make(long n, char out[IBAN_LEN + 1])
{
	char bban[15];
	unsigned rem = 0;
	const char *p;

	snprintf(bban, sizeof(bban), "ABNA0%09ld", n);
	/* The BBAN, then "NL00", letters as 10 to 35, mod 97. */
	for (int pass = 0; pass < 2; pass++) {
		for (p = pass ? "NL00" : bban; *p; p++) {
			if (*p >= 'A' && *p <= 'Z')
				rem = (rem * 100 + (unsigned)(*p - 'A' + 10)) % 97;
			else
				rem = (rem * 10 + (unsigned)(*p - '0')) % 97;
		}
	}
	snprintf(out, IBAN_LEN + 1, "NL%02u%s", 98 - rem, bban);
}

/* Which IBAN report i names: groups of `width` IBANs, each reported in three rounds. */
static long report_iban(const struct run *r, long i)
{
	long group = i / (3 * r->width), j = i % (3 * r->width);

	return group * r->width + j % r->width;
}

/* The IBAN a logged alert names, or -1 when it is none of ours. */
static long iban_index(const char *v, long niban)
{
	char want[IBAN_LEN + 1], *end;
	long n;

	if (!v || strlen(v) != IBAN_LEN || strncmp(v + 4, "ABNA0", 5) != 0)
		return -1;
	errno = 0;
	n = strtol(v + 9, &end, 10);
	if (errno || *end || n < 0 || n >= niban)
		return -1;
	iban_make(n, want);
	return strcmp(want, v) == 0 ? n : -1;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

struct buf {
	char *p;
	size_t len, cap;
	bool failed;
};

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t add = size * n;

	if (b->failed)
		return add;
	if (b->len + add + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *q;

		while (cap < b->len + add + 1)
			cap *= 2;
		q = mem_realloc(b->p, cap);
		if (!q) {
			b->failed = true;
			return add;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, add);
	b->len += add;
	b->p[b->len] = '\0';
	return add;
}

static void *reporter(void *arg)
{
	struct run *r = arg;
	CURL *c = curl_easy_init();
	char body[256], xff[64];
	struct curl_slist *h = NULL;
	long i;

	if (!c) {
		fprintf(stderr, "bench_alerts: cannot create a curl handle\n");
		return NULL;
	}
	curl_easy_setopt(c, CURLOPT_URL, r->report_url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	while ((i = atomic_fetch_add(&r->next, 1)) < r->nreports) {
		struct shot *s = &r->shots[i];
		long addr = i + 1, n = report_iban(r, i);
		char iban[IBAN_LEN + 1];
		struct timespec due = r->start;
		long long ns = (long long)((double)i * 1e9 / r->o->rate);
		double t0;

		due.tv_sec += (time_t)(ns / 1000000000);
		due.tv_nsec += (long)(ns % 1000000000);
		if (due.tv_nsec >= 1000000000) {
			due.tv_sec++;
			due.tv_nsec -= 1000000000;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
			;
		t0 = mono_ms();
		s->late_ms = t0 - ((double)due.tv_sec * 1e3 + (double)due.tv_nsec / 1e6);
		iban_make(n, iban);
		snprintf(body, sizeof(body),
			 "{\"fraud_type\": \"purchase_fraud\", \"identifiers\": [{\"kind\": "
			 "\"iban\", \"value\": \"%s\", \"role\": \"beneficiary\"}]}",
			 iban);
		snprintf(xff, sizeof(xff), "X-Forwarded-For: 198.%ld.%ld.%ld", 18 + addr / 65536,
			 addr / 256 % 256, addr % 256);
		h = curl_slist_append(NULL, "Content-Type: application/json");
		h = h ? curl_slist_append(h, xff) : NULL;
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		if (!h || curl_easy_perform(c) != CURLE_OK)
			s->status = 0;
		else
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &s->status);
		s->ack_ms = realtime_ms();
		s->took_ms = mono_ms() - t0;
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
		curl_slist_free_all(h);
	}
	curl_easy_cleanup(c);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v. */
static double pct(const double *v, size_t n, double q)
{
	size_t k;

	if (!n)
		return NAN;
	k = (size_t)ceil(q * (double)n);
	return v[k ? k - 1 : 0];
}

/*
 * Reads a receiver's log: the first arrival (received_ms) of the alert for
 * each IBAN into got[], -1 where none came.  Counts duplicates (delivery is
 * at least once) and deliveries with a bad signature.
 */
static long read_alerts(const char *path, long niban, long long *got, long *dups, long *invalid)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	long found = 0;

	for (long k = 0; k < niban; k++)
		got[k] = -1;
	*dups = 0;
	*invalid = 0;
	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		json_t *d = json_loads(line, 0, NULL), *body = json_object_get(d, "body");
		const char *rule = json_string_value(json_object_get(body, "rule"));
		long k;

		if (!d)
			continue;
		if (!json_is_true(json_object_get(d, "valid")))
			(*invalid)++;
		k = rule && strcmp(rule, RULE) == 0
			    ? iban_index(json_string_value(json_object_get(body, "value")), niban)
			    : -1;
		if (k >= 0) {
			long long at = json_integer_value(json_object_get(d, "received_ms"));

			if (got[k] < 0) {
				got[k] = at;
				found++;
			} else {
				(*dups)++;
				if (at < got[k])
					got[k] = at;
			}
		}
		json_decref(d);
	}
	free(line); /* getline's allocation */
	fclose(f);
	return found;
}

struct latency {
	long alerts, missing, dups, invalid;
	double min, p50, p99, max;
};

static int latencies(const char *path, long niban, const long long *ack, struct latency *out)
{
	long long *got = mem_calloc((size_t)niban, sizeof(*got));
	double *v = mem_calloc((size_t)niban, sizeof(*v));
	size_t n = 0;

	if (!got || !v) {
		mem_free(got);
		mem_free(v);
		return -1;
	}
	out->alerts = read_alerts(path, niban, got, &out->dups, &out->invalid);
	out->missing = niban - out->alerts;
	for (long k = 0; k < niban; k++)
		if (got[k] >= 0 && ack[k] > 0)
			v[n++] = (double)(got[k] - ack[k]);
	qsort(v, n, sizeof(*v), cmp_double);
	out->p50 = pct(v, n, 0.50);
	out->p99 = pct(v, n, 0.99);
	out->min = n ? v[0] : NAN;
	out->max = n ? v[n - 1] : NAN;
	mem_free(got);
	mem_free(v);
	return 0;
}

static void print_latency(const char *name, const struct latency *l, const struct opts *o)
{
	printf("%s: p50_ms=%.0f p99_ms=%.0f max_ms=%.0f alerts=%ld at reports_per_sec=%.0f "
	       "(target p99 < 100 ms) min_ms=%.0f missing=%ld duplicates=%ld "
	       "bad_signature=%ld\n",
	       name, l->p50, l->p99, l->max, l->alerts, o->rate, l->min, l->missing, l->dups,
	       l->invalid);
}

static int bench_alerts(const struct opts *o)
{
	pthread_t th[CONNS_MAX];
	struct run r = { .o = o };
	long niban, non201 = 0, bad_ack = 0;
	long long *ack;
	double *v, t0, elapsed, deadline;
	struct latency bank, police;
	int rc = 0;

	r.width = (long)(o->rate * GROUP_MS / 1000);
	if (r.width < 1)
		r.width = 1;
	r.nreports = (long)(o->rate * o->seconds) / (3 * r.width) * 3 * r.width;
	if (r.nreports > ADDRS_MAX)
		r.nreports = ADDRS_MAX / (3 * r.width) * 3 * r.width;
	if (r.nreports < 3) {
		fprintf(stderr, "bench_alerts: rate times seconds gives fewer than 3 reports\n");
		return -1;
	}
	niban = r.nreports / 3;
	snprintf(r.report_url, sizeof(r.report_url), "%s/v1/reports", o->url);
	r.shots = mem_calloc((size_t)r.nreports, sizeof(*r.shots));
	ack = mem_calloc((size_t)niban, sizeof(*ack));
	v = mem_calloc((size_t)r.nreports, sizeof(*v));
	if (!r.shots || !ack || !v) {
		fprintf(stderr, "bench_alerts: out of memory\n");
		rc = -1;
		goto out;
	}
	atomic_init(&r.next, 0);
	clock_gettime(CLOCK_MONOTONIC, &r.start);
	r.start.tv_nsec += 50000000; /* let every thread get ready */
	if (r.start.tv_nsec >= 1000000000) {
		r.start.tv_sec++;
		r.start.tv_nsec -= 1000000000;
	}
	t0 = (double)r.start.tv_sec * 1e3 + (double)r.start.tv_nsec / 1e6;
	for (long t = 0; t < o->connections; t++) {
		if (pthread_create(&th[t], NULL, reporter, &r) != 0) {
			fprintf(stderr, "bench_alerts: cannot start thread %ld\n", t);
			atomic_store(&r.next, r.nreports);
			for (long u = 0; u < t; u++)
				pthread_join(th[u], NULL);
			rc = -1;
			goto out;
		}
	}
	for (long t = 0; t < o->connections; t++)
		pthread_join(th[t], NULL);
	elapsed = (mono_ms() - t0) / 1e3;

	/* The alert fires when the last of an IBAN's three reports is accepted. */
	for (long i = 0; i < r.nreports; i++) {
		long k = report_iban(&r, i);

		if (r.shots[i].status != 201) {
			if (non201++ == 0)
				fprintf(stderr, "bench_alerts: report %ld got status %ld\n", i,
					r.shots[i].status);
			ack[k] = -1;
		} else if (ack[k] >= 0 && r.shots[i].ack_ms > ack[k]) {
			ack[k] = r.shots[i].ack_ms;
		}
	}
	for (long k = 0; k < niban; k++)
		bad_ack += ack[k] <= 0;

	deadline = mono_ms() + GRACE_MS;
	do {
		if (latencies(o->bank_log, niban, ack, &bank) ||
		    latencies(o->police_log, niban, ack, &police)) {
			rc = -1;
			goto out;
		}
		if (!bank.missing && !police.missing)
			break;
		sleep_ms(100);
	} while (mono_ms() < deadline);

	for (long i = 0; i < r.nreports; i++)
		v[i] = r.shots[i].took_ms;
	qsort(v, (size_t)r.nreports, sizeof(*v), cmp_double);
	print_latency("alerts_latency", &bank, o);
	print_latency("alerts_latency_police", &police, o);
	printf("reports_paced: sent=%ld ibans=%ld non_201=%ld achieved_per_sec=%.1f "
	       "report_p50_ms=%.1f report_p99_ms=%.1f",
	       r.nreports, niban, non201, (double)r.nreports / elapsed, pct(v, r.nreports, 0.5),
	       pct(v, r.nreports, 0.99));
	for (long i = 0; i < r.nreports; i++)
		v[i] = r.shots[i].late_ms;
	qsort(v, (size_t)r.nreports, sizeof(*v), cmp_double);
	printf(" send_late_p99_ms=%.1f (%ld connections)\n", pct(v, r.nreports, 0.99),
	       o->connections);
	if (bank.missing || police.missing || non201 || bank.invalid || police.invalid) {
		printf("alerts_check: FAILED: %ld bank and %ld police alerts missing %d s after "
		       "the last report, %ld reports without 201 (%ld IBANs not fully reported), "
		       "%ld deliveries with a bad signature\n",
		       bank.missing, police.missing, GRACE_MS / 1000, non201, bad_ack,
		       bank.invalid + police.invalid);
		rc = 1;
	} else {
		printf("alerts_check: ok: all %ld alerts reached the bank and the police, "
		       "every report got 201\n",
		       niban);
	}
out:
	mem_free(r.shots);
	mem_free(ack);
	mem_free(v);
	return rc;
}

/* Builds one batch of SIGNAL_BATCH distinct phone numbers starting at *serial. */
static int signal_batch(char *body, size_t cap, long *serial)
{
	size_t len = 0;
	int n = snprintf(body, cap, "{\"signals\": [");

	if (n < 0 || (size_t)n >= cap)
		return -1;
	len = (size_t)n;
	for (int i = 0; i < SIGNAL_BATCH; i++) {
		n = snprintf(body + len, cap - len,
			     "%s{\"kind\": \"phone\", \"value\": \"+3161%07ld\", "
			     "\"fraud_type\": \"phishing\", \"confidence\": 50, \"tlp\": "
			     "\"GREEN\"}",
			     i ? ", " : "", (*serial)++ % 10000000);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += (size_t)n;
	}
	n = snprintf(body + len, cap - len, "]}");
	return n < 0 || (size_t)n >= cap - len ? -1 : 0;
}

static int bench_signals(const struct opts *o)
{
	char url[512], auth[256], body[SIGNAL_BATCH * 128];
	struct curl_slist *h = NULL;
	struct buf resp = { 0 };
	long serial = 0, batches = 0, accepted = 0, errors = 0, status;
	double t0, elapsed;
	CURL *c = curl_easy_init();
	int rc = 0;

	snprintf(url, sizeof(url), "%s/v1/signals", o->url);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->key);
	h = curl_slist_append(NULL, "Content-Type: application/json");
	h = h ? curl_slist_append(h, auth) : NULL;
	if (!c || !h) {
		fprintf(stderr, "bench_alerts: cannot set up curl\n");
		rc = -1;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	t0 = mono_ms();
	do {
		json_t *doc;

		if (signal_batch(body, sizeof(body), &serial)) {
			fprintf(stderr, "bench_alerts: signal batch does not fit\n");
			rc = -1;
			goto out;
		}
		resp.len = 0;
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		if (curl_easy_perform(c) != CURLE_OK)
			status = 0;
		else
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		batches++;
		doc = status == 201 && resp.p ? json_loadb(resp.p, resp.len, 0, NULL) : NULL;
		if (!doc || !json_is_integer(json_object_get(doc, "accepted"))) {
			if (errors++ == 0)
				fprintf(stderr, "bench_alerts: signals got status %ld: %.300s\n",
					status, resp.p ? resp.p : "");
		} else {
			accepted += (long)json_integer_value(json_object_get(doc, "accepted"));
		}
		json_decref(doc);
		elapsed = (mono_ms() - t0) / 1e3;
	} while (elapsed < o->signal_seconds);
	printf("signals_accepted: per_sec=%.0f (batches of %d, one client) accepted=%ld "
	       "batches=%ld errors=%ld\n",
	       (double)accepted / elapsed, SIGNAL_BATCH, accepted, batches, errors);
	if (errors || accepted != batches * SIGNAL_BATCH)
		rc = 1;
out:
	curl_slist_free_all(h);
	if (c)
		curl_easy_cleanup(c);
	mem_free(resp.p);
	return rc;
}

static int number_arg(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min && v <= max)) {
		fprintf(stderr, "bench_alerts: '%s' is not a number from %g to %g\n", s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .rate = 500, .seconds = 10, .signal_seconds = 5, .connections = 8 };
	double conns = 8;
	int a, b;

	if (argc < 5 || argc > 9) {
		fprintf(stderr, "usage: bench_alerts URL KEY BANK_LOG POLICE_LOG "
				"[rate [seconds [signal_seconds [connections]]]]\n");
		return 2;
	}
	o.url = argv[1];
	o.key = argv[2];
	o.bank_log = argv[3];
	o.police_log = argv[4];
	if ((argc > 5 && number_arg(argv[5], 1, 20000, &o.rate)) ||
	    (argc > 6 && number_arg(argv[6], 0.1, 3600, &o.seconds)) ||
	    (argc > 7 && number_arg(argv[7], 0, 3600, &o.signal_seconds)) ||
	    (argc > 8 && number_arg(argv[8], 1, CONNS_MAX, &conns)))
		return 2;
	o.connections = (long)conns;
	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
		fprintf(stderr, "bench_alerts: cannot initialise libcurl\n");
		return 1;
	}
	a = bench_alerts(&o);
	b = o.signal_seconds > 0 ? bench_signals(&o) : 0;
	curl_global_cleanup();
	return a || b ? 1 : 0;
}
