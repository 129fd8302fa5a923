/*
 * bench_soak.c - mixed traffic against a running server for a long time,
 * watching latency and the server's memory (bench/soak.sh starts both).
 *
 *	bench_soak BASE_URL PARTNER_KEY SERVER_PID SECONDS INTERVAL
 *
 * One thread per kind of traffic, each on its own kept-alive connection and
 * at a steady rate of its own (kind_rate: 80 reports, 100 signal batches,
 * 400 checks, 30 lookups, 100 blind evaluations and 20 feed reads a
 * second; a request that is late goes at once): victims' reports (each from an address of its own, so rules fire and
 * alerts flow), partner signals in batches of 10, public checks, partner
 * lookups of 100 identifiers, blind evaluations of 10 elements, feed reads,
 * and two alert streams held open for the whole run.  Identifiers are drawn
 * from a fixed set of 20,000 IBANs, so the registry and the in-memory index
 * stop growing once they are all known; what keeps growing by design is the
 * audit log's tree in memory (one 32-byte leaf hash per entry, plus the
 * table's slack), which the memory verdict allows for.
 *
 * Every INTERVAL seconds it prints a line: per kind requests a second and
 * p50/p99 latency in ms, and the server's VmRSS, VmHWM and open files. At
 * the end: a markdown table per kind (requests, errors, rate, p50, p99,
 * max), the memory over time, and the verdict.  Exit 1 when any request
 * failed unexpectedly or memory grew beyond what the audit log explains.
 */
#include <curl/curl.h>
#include <dirent.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define NIBANS	    20000
#define MAX_SAMPLES 200
#define LAT_MAX	    (1 << 22)

enum kind { REPORT, SIGNAL, CHECK, LOOKUP, EVALUATE, FEED, NKINDS };
/* Requests a second per kind: a steady load, so that runs compare and memory is judged at one load. */
static const double kind_rate[NKINDS] = { 80, 100, 400, 30, 100, 20 };
static const char *const kind_name[NKINDS] = { "report",       "signals (10)", "check",
					       "lookup (100)", "blind (10)",   "feed" };

struct lat {
	pthread_mutex_t lock;
	double *ms; /* latencies since the last interval line */
	size_t n;
	double *all; /* every latency of the run */
	size_t nall;
	long errors, limited;
};

static struct lat lats[NKINDS];
static char ibans[NIBANS][24];
static const char *base, *key;
static double deadline;
static atomic_long stream_events;
static pid_t server;

/* Dutch IBANs with valid check digits: NLkk ABNA 0 + 9 digits. */
static void make_ibans(void)
{
	for (int i = 0; i < NIBANS; i++) {
		char bban[16];
		unsigned rem = 0;

		snprintf(bban, sizeof(bban), "ABNA0%09d", 100000000 + i * 7919);
		/* mod 97 of BBAN + "NL00" with letters as numbers (A=10 ... Z=35). */
		for (const char *p = "ABNA"; *p; p++)
			rem = (rem * 100 + (unsigned)(*p - 'A' + 10)) % 97;
		for (const char *p = bban + 4; *p; p++)
			rem = (rem * 10 + (unsigned)(*p - '0')) % 97;
		rem = (rem * 100 + 23) % 97; /* N */
		rem = (rem * 100 + 21) % 97; /* L */
		rem = (rem * 100) % 97;	     /* 00 */
		snprintf(ibans[i], sizeof(ibans[i]), "NL%02u%s", 98 - rem, bban);
	}
}

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void record(enum kind k, double ms, long status)
{
	struct lat *l = &lats[k];

	pthread_mutex_lock(&l->lock);
	if (status == 429)
		l->limited++;
	else if (status < 200 || status >= 300)
		l->errors++;
	if (l->n < LAT_MAX)
		l->ms[l->n++] = ms;
	if (l->nall < LAT_MAX)
		l->all[l->nall++] = ms;
	pthread_mutex_unlock(&l->lock);
}

/* One request on the thread's kept-alive handle; the latency is recorded. */
static void request(CURL *h, enum kind k, const char *path, const char *body, const char *xff)
{
	char url[512], auth[128], fwd[64];
	struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
	double t0 = bench_now();
	long status = 0;

	snprintf(url, sizeof(url), "%s%s", base, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	hl = curl_slist_append(hl, auth);
	if (xff) {
		snprintf(fwd, sizeof(fwd), "X-Forwarded-For: %s", xff);
		hl = curl_slist_append(hl, fwd);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	else
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	record(k, (bench_now() - t0) * 1e3, status);
	curl_slist_free_all(hl);
}

static void *traffic(void *arg)
{
	enum kind k = (enum kind)(intptr_t)arg;
	CURL *h = curl_easy_init();
	char *body = malloc(16384), path[256], xff[32];
	unsigned long seq = 0;
	long after = 0;
	double next = bench_now();

	while (bench_now() < deadline) {
		size_t at = 0;
		double wait = next - bench_now();

		/* Open loop: the next request is due at a fixed time, late or not. */
		if (wait > 0)
			usleep((useconds_t)(wait * 1e6));
		next += 1.0 / kind_rate[k];
		seq++;
		switch (k) {
		case REPORT:
			snprintf(body, 16384,
				 "{\"fraud_type\": \"purchase_fraud\", \"description\": \"soak\", "
				 "\"identifiers\": [{\"kind\": \"iban\", \"value\": \"%s\", "
				 "\"role\": \"beneficiary\"}], \"victim\": {\"municipality\": "
				 "\"GM0363\"}}",
				 ibans[randombytes_uniform(NIBANS)]);
			snprintf(xff, sizeof(xff), "10.%lu.%lu.%lu", (seq >> 16) & 255,
				 (seq >> 8) & 255, seq & 255);
			request(h, k, "/v1/reports", body, xff);
			break;
		case SIGNAL:
			at = (size_t)snprintf(body, 16384, "{\"signals\": [");
			for (int i = 0; i < 10; i++)
				at += (size_t)snprintf(body + at, 16384 - at,
						       "%s{\"kind\": \"iban\", \"value\": \"%s\", "
						       "\"fraud_type\": \"purchase_fraud\", "
						       "\"confidence\": 60, \"tlp\": \"AMBER\"}",
						       i ? "," : "",
						       ibans[randombytes_uniform(NIBANS)]);
			snprintf(body + at, 16384 - at, "]}");
			request(h, k, "/v1/signals", body, NULL);
			break;
		case CHECK:
			snprintf(path, sizeof(path), "/v1/check?kind=iban&value=%s",
				 ibans[randombytes_uniform(NIBANS)]);
			request(h, k, path, NULL, NULL);
			break;
		case LOOKUP:
			at = (size_t)snprintf(body, 16384, "{\"items\": [");
			for (int i = 0; i < 100; i++)
				at += (size_t)snprintf(body + at, 16384 - at,
						       "%s{\"kind\": \"iban\", \"value\": \"%s\"}",
						       i ? "," : "",
						       ibans[randombytes_uniform(NIBANS)]);
			snprintf(body + at, 16384 - at, "]}");
			request(h, k, "/v1/lookup", body, NULL);
			break;
		case EVALUATE:
			at = (size_t)snprintf(body, 16384, "{\"blinded\": [");
			for (int i = 0; i < 10; i++) {
				unsigned char p[crypto_core_ristretto255_BYTES];
				char b64[64];

				crypto_core_ristretto255_random(p);
				sodium_bin2base64(b64, sizeof(b64), p, sizeof(p),
						  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
				at += (size_t)snprintf(body + at, 16384 - at, "%s\"%s\"",
						       i ? "," : "", b64);
			}
			snprintf(body + at, 16384 - at, "]}");
			request(h, k, "/v1/oprf/evaluate", body, NULL);
			break;
		case FEED:
			snprintf(path, sizeof(path), "/v1/alerts?after=%ld&limit=100", after);
			request(h, k, path, NULL, NULL);
			after = after > 1000000 ? 0 : after + 100;
			break;
		default: break;
		}
	}
	free(body);
	curl_easy_cleanup(h);
	return NULL;
}

static size_t count_events(char *p, size_t size, size_t n, void *arg)
{
	(void)arg;
	for (size_t i = 0; i + 6 <= size * n; i++)
		if (memcmp(p + i, "event:", 6) == 0)
			atomic_fetch_add(&stream_events, 1);
	return size * n;
}

static void *stream(void *arg)
{
	CURL *h = curl_easy_init();
	char url[256], auth[128];
	struct curl_slist *hl;

	(void)arg;
	snprintf(url, sizeof(url), "%s/v1/alerts/stream", base);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	hl = curl_slist_append(NULL, auth);
	while (bench_now() < deadline - 1) {
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count_events);
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
		curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)(deadline - bench_now()));
		curl_easy_perform(h); /* ends at the deadline, or reconnects */
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return NULL;
}

/* VmRSS and VmHWM of the server in KiB, and its open files. */
static void server_memory(long *rss, long *hwm, long *fds)
{
	char path[64], line[256];
	FILE *f;
	DIR *d;

	*rss = *hwm = *fds = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)server);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, "VmRSS:", 6) == 0)
				*rss = strtol(line + 6, NULL, 10);
			else if (strncmp(line, "VmHWM:", 6) == 0)
				*hwm = strtol(line + 6, NULL, 10);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)server);
	if ((d = opendir(path)) != NULL) {
		*fds = 0;
		while (readdir(d))
			(*fds)++;
		closedir(d);
		*fds -= 2;
	}
}

struct text {
	char data[1 << 18];
	size_t len;
};

static size_t keep(char *p, size_t size, size_t n, void *arg)
{
	struct text *t = arg;
	size_t len = size * n, room = sizeof(t->data) - 1 - t->len;

	memcpy(t->data + t->len, p, len < room ? len : room);
	t->len += len < room ? len : room;
	t->data[t->len] = '\0';
	return len;
}

/* What the server holds by design: database caches, the index, audit entries (/metrics). */
struct held {
	long long heap, store, index, entries;
};

static long long gauge(const char *text, const char *name)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\n%s ", name);
	p = strstr(text, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : 0;
}

static void held_now(struct held *h)
{
	static struct text t;
	CURL *c = curl_easy_init();
	char url[256];

	t.len = 0;
	t.data[0] = '\0';
	snprintf(url, sizeof(url), "%s/metrics", base);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	h->heap = gauge(t.data, "signaal_heap_in_use_bytes");
	h->store = gauge(t.data, "signaal_store_memory_bytes");
	h->index = gauge(t.data, "signaal_lookup_index_bytes");
	h->entries = gauge(t.data, "signaal_audit_entries");
}

static double percentile(double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[(size_t)((double)(n - 1) * p)];
}

int main(int argc, char **argv)
{
	pthread_t t[NKINDS], s[2];
	long seconds, interval, rss[MAX_SAMPLES], hwm[MAX_SAMPLES], fds[MAX_SAMPLES];
	struct held held[MAX_SAMPLES];
	double at[MAX_SAMPLES], start;
	int nsamples = 0, failed = 0;

	if (argc != 6) {
		fprintf(stderr, "usage: bench_soak BASE_URL PARTNER_KEY SERVER_PID SECONDS "
				"INTERVAL\n");
		return 2;
	}
	base = argv[1];
	key = argv[2];
	server = (pid_t)strtol(argv[3], NULL, 10);
	seconds = strtol(argv[4], NULL, 10);
	interval = strtol(argv[5], NULL, 10);
	if (sodium_init() < 0 || seconds < 10 || interval < 1 ||
	    seconds / interval >= MAX_SAMPLES) {
		fprintf(stderr, "bench_soak: bad arguments\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_ALL);
	make_ibans();
	for (int k = 0; k < NKINDS; k++) {
		pthread_mutex_init(&lats[k].lock, NULL);
		lats[k].ms = malloc(LAT_MAX * sizeof(double));
		lats[k].all = malloc(LAT_MAX * sizeof(double));
	}
	start = bench_now();
	deadline = start + (double)seconds;
	for (int k = 0; k < NKINDS; k++)
		pthread_create(&t[k], NULL, traffic, (void *)(intptr_t)k);
	for (int i = 0; i < 2; i++)
		pthread_create(&s[i], NULL, stream, NULL);

	printf("| t (s) |");
	for (int k = 0; k < NKINDS; k++)
		printf(" %s req/s (of %.0f), p50/p99 ms |", kind_name[k], kind_rate[k]);
	printf(" stream events | VmRSS MiB | heap in use MiB | open files |\n|---|");
	for (int k = 0; k < NKINDS; k++)
		printf("---|");
	printf("---|---|---|---|\n");
	while (bench_now() < deadline && nsamples < MAX_SAMPLES) {
		sleep((unsigned)interval);
		at[nsamples] = bench_now() - start;
		server_memory(&rss[nsamples], &hwm[nsamples], &fds[nsamples]);
		held_now(&held[nsamples]);
		printf("| %.0f |", at[nsamples]);
		for (int k = 0; k < NKINDS; k++) {
			struct lat *l = &lats[k];

			pthread_mutex_lock(&l->lock);
			printf(" %.0f, %.1f/%.1f |", (double)l->n / (double)interval,
			       percentile(l->ms, l->n, 0.5), percentile(l->ms, l->n, 0.99));
			l->n = 0;
			pthread_mutex_unlock(&l->lock);
		}
		printf(" %ld | %.1f | %.1f | %ld |\n", atomic_load(&stream_events),
		       (double)rss[nsamples] / 1024.0, (double)held[nsamples].heap / 1048576.0,
		       fds[nsamples]);
		fflush(stdout);
		nsamples++;
	}
	for (int k = 0; k < NKINDS; k++)
		pthread_join(t[k], NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(s[i], NULL);

	printf("\n| traffic | requests | errors | 429 | req/s | p50 ms | p99 ms | max ms |\n"
	       "|---|---|---|---|---|---|---|---|\n");
	for (int k = 0; k < NKINDS; k++) {
		struct lat *l = &lats[k];
		double mx = percentile(l->all, l->nall, 1.0);

		printf("| %s | %zu | %ld | %ld | %.0f | %.1f | %.1f | %.1f |\n", kind_name[k],
		       l->nall, l->errors, l->limited, (double)l->nall / (double)seconds,
		       percentile(l->all, l->nall, 0.5), percentile(l->all, l->nall, 0.99), mx);
		failed |= l->errors > 0;
	}
	printf("\nalert stream events received: %ld\n", atomic_load(&stream_events));
	/*
	 * Memory: from the first sample (warm) to the last, what grew beyond
	 * what the server holds by design must stay under 10% of the first
	 * sample.  By design: the database library's caches and the lookup
	 * index (both as /metrics reports them; both bounded), and the audit
	 * log's tree in memory, about 80 bytes an entry with the table's slack
	 * (bench_audit measures 67).
	 */
	if (nsamples >= 2) {
		const struct held *h0 = &held[0], *h1 = &held[nsamples - 1];
		double grown = (double)(rss[nsamples - 1] - rss[0]) * 1024.0;
		double store = (double)(h1->store - h0->store),
		       index = (double)(h1->index - h0->index);
		double audit = (double)(h1->entries - h0->entries) * 80.0;
		double budget = 0.10 * (double)rss[0] * 1024.0;
		double unexplained = grown - store - index - audit;
		bool flat = unexplained <= budget;

		printf("\n| memory (MiB) | at %.0f s | at %.0f s | growth |\n|---|---|---|---|\n",
		       at[0], at[nsamples - 1]);
		printf("| VmRSS | %.1f | %.1f | %+.1f |\n", (double)rss[0] / 1024.0,
		       (double)rss[nsamples - 1] / 1024.0, grown / 1048576.0);
		printf("| heap in use (allocated, not freed) | %.1f | %.1f | %+.1f |\n",
		       (double)h0->heap / 1048576.0, (double)h1->heap / 1048576.0,
		       (double)(h1->heap - h0->heap) / 1048576.0);
		printf("| database library (caches included) | %.1f | %.1f | %+.1f |\n",
		       (double)h0->store / 1048576.0, (double)h1->store / 1048576.0,
		       store / 1048576.0);
		printf("| lookup index | %.1f | %.1f | %+.1f |\n", (double)h0->index / 1048576.0,
		       (double)h1->index / 1048576.0, index / 1048576.0);
		printf("| audit log tree (%lld entries added, 80 bytes each) | | | %+.1f |\n",
		       h1->entries - h0->entries, audit / 1048576.0);
		printf("| **not explained** (allowed: 10%% of the first VmRSS, %.1f) | | | "
		       "**%+.1f** |\n",
		       budget / 1048576.0, unexplained / 1048576.0);
		printf("\nmemory: %s (peak VmRSS %.1f MiB)\n", flat ? "flat" : "GROWING",
		       (double)hwm[nsamples - 1] / 1024.0);
		failed |= !flat;
	}
	curl_global_cleanup();
	return failed ? 1 : 0;
}
