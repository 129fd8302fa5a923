/*
 * Black-box tests of the client library (include/signaal/client.h) and of
 * `signaal client check` against the real server.  A small proxy on
 * loopback sits between the two when a test needs to see or change the
 * traffic: it records every request, counts the lookups, and can flip a
 * byte of the server's proof, answer too much, or redirect.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "signaal/client.h"

#define KNOWN_IBAN   "NL91ABNA0417164300"
#define UNKNOWN_IBAN "NL02ABNA0123456789"

static struct server srv;
static char key[64], data_dir[128];

/* ---- a recording, tampering proxy ---- */

enum proxy_mode {
	PROXY_PASS,	      /* forward as is */
	PROXY_FLIP_PROOF,     /* change one character of "proof" in an evaluation */
	PROXY_FLIP_EVALUATED, /* change one character of the first evaluated element */
	PROXY_HUGE,	      /* answer 5 MB without a Content-Length */
	PROXY_REDIRECT,	      /* answer 302 to another host */
};

struct proxy {
	int listen_fd;
	unsigned port;
	char base[64];
	enum proxy_mode mode;
	pthread_t thread;
	volatile int stop;
	pthread_mutex_t lock;
	int keys, evaluations, lookups, other; /* requests seen, by route */
	char *seen;			       /* every request, concatenated */
	size_t seen_len;
};

static int connect_server(void)
{
	struct sockaddr_in a = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)srv.port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* The Content-Length of the headers ending at `end`, or 0. */
static size_t content_length(const char *head, const char *end)
{
	static const char name[] = "\r\ncontent-length:";

	for (const char *p = head; p < end; p++)
		if (strncasecmp(p, name, sizeof(name) - 1) == 0)
			return strtoul(p + sizeof(name) - 1, NULL, 10);
	return 0;
}

/* Reads one request (headers and a Content-Length body); returns its length or 0. */
static size_t read_request(int fd, char *buf, size_t cap)
{
	size_t got = 0, want = 0;
	struct pollfd p = { fd, POLLIN, 0 };

	while (got + 1 < cap && poll(&p, 1, 3000) > 0) {
		ssize_t r = read(fd, buf + got, cap - 1 - got);
		char *end;

		if (r <= 0)
			break;
		got += (size_t)r;
		buf[got] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end && !want)
			want = (size_t)(end + 4 - buf) + content_length(buf, end);
		if (want && got >= want)
			return got;
	}
	return 0;
}

/* Changes one base64url character after `field` in the body, keeping it valid base64url. */
static void flip_after(char *body, const char *field)
{
	char *p = strstr(body, field);

	if (p) {
		p += strlen(field) + 5;
		*p = *p == 'A' ? 'B' : 'A';
	}
}

static void proxy_one(struct proxy *px, int cfd)
{
	static char req[262144], res[1048576];
	char fwd[sizeof(req) + 32];
	size_t n = read_request(cfd, req, sizeof(req)), line, got;
	int sfd;

	if (n == 0)
		return;
	pthread_mutex_lock(&px->lock);
	if (strncmp(req, "GET /v1/oprf/key ", 17) == 0)
		px->keys++;
	else if (strncmp(req, "POST /v1/oprf/evaluate ", 23) == 0)
		px->evaluations++;
	else if (strncmp(req, "POST /v1/lookup ", 16) == 0)
		px->lookups++;
	else
		px->other++;
	px->seen = realloc(px->seen, px->seen_len + n + 1);
	memcpy(px->seen + px->seen_len, req, n + 1);
	px->seen_len += n;
	pthread_mutex_unlock(&px->lock);

	if (px->mode == PROXY_HUGE) {
		static char spaces[65536];
		const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				   "Connection: close\r\n\r\n";

		memset(spaces, ' ', sizeof(spaces));
		send_all(cfd, head, strlen(head));
		for (int i = 0; i < 80; i++)
			send_all(cfd, spaces, sizeof(spaces));
		return;
	}
	if (px->mode == PROXY_REDIRECT) {
		const char *r = "HTTP/1.1 302 Found\r\nLocation: http://192.0.2.1/elsewhere\r\n"
				"Content-Length: 0\r\nConnection: close\r\n\r\n";

		send_all(cfd, r, strlen(r));
		return;
	}
	/* One request per connection: the server closes after answering. */
	line = strcspn(req, "\n") + 1;
	memcpy(fwd, req, line);
	memcpy(fwd + line, "Connection: close\r\n", 19);
	memcpy(fwd + line + 19, req + line, n - line);
	sfd = connect_server();
	if (sfd < 0)
		return;
	send_all(sfd, fwd, n + 19);
	got = raw_read_all(sfd, res, sizeof(res), 5000);
	close(sfd);
	if (strncmp(req, "POST /v1/oprf/evaluate ", 23) == 0 && strstr(res, " 200 ")) {
		if (px->mode == PROXY_FLIP_PROOF)
			flip_after(res, "\"proof\":\"");
		else if (px->mode == PROXY_FLIP_EVALUATED)
			flip_after(res, "\"evaluated\":[\"");
	}
	send_all(cfd, res, got);
}

static void *proxy_main(void *arg)
{
	struct proxy *px = arg;

	while (!px->stop) {
		struct pollfd p = { px->listen_fd, POLLIN, 0 };
		int cfd;

		if (poll(&p, 1, 50) <= 0)
			continue;
		cfd = accept(px->listen_fd, NULL, NULL);
		if (cfd < 0)
			continue;
		proxy_one(px, cfd);
		close(cfd);
	}
	return NULL;
}

static void proxy_start(struct proxy *px, enum proxy_mode mode)
{
	struct sockaddr_in a = { 0 };
	socklen_t alen = sizeof(a);

	memset(px, 0, sizeof(*px));
	px->mode = mode;
	pthread_mutex_init(&px->lock, NULL);
	px->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(px->listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(px->listen_fd, 16), 0);
	assert_int_equal(getsockname(px->listen_fd, (struct sockaddr *)&a, &alen), 0);
	px->port = ntohs(a.sin_port);
	snprintf(px->base, sizeof(px->base), "http://127.0.0.1:%u", px->port);
	assert_int_equal(pthread_create(&px->thread, NULL, proxy_main, px), 0);
}

static void proxy_stop(struct proxy *px)
{
	px->stop = 1;
	pthread_join(px->thread, NULL);
	close(px->listen_fd);
	pthread_mutex_destroy(&px->lock);
	free(px->seen);
	px->seen = NULL;
}

/* Whether the proxy saw `s` anywhere in the requests. */
static int proxy_saw(struct proxy *px, const char *s)
{
	int found;

	pthread_mutex_lock(&px->lock);
	found = 0;
	for (size_t i = 0; px->seen && !found && i + strlen(s) <= px->seen_len; i++)
		found = memcmp(px->seen + i, s, strlen(s)) == 0;
	pthread_mutex_unlock(&px->lock);
	return found;
}

/* ---- the server ---- */

static void cli_ok(const char *const *argv, char *out_line, size_t linesz)
{
	char *out, *err;
	int rc = run_cli(argv, NULL, &out, &err);

	if (rc != 0)
		fail_msg("signaal %s %s: exit %d: %s", argv[0], argv[1], rc, err);
	if (out_line) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(out_line, linesz, "%s", out);
	}
	free(out);
	free(err);
}

static void report_from(const char *addr, const char *value)
{
	char xff[64], body[512];
	const char *h[] = { "Content-Type: application/json", xff, NULL };
	struct response r;

	snprintf(xff, sizeof(xff), "X-Forwarded-For: %s", addr);
	snprintf(body, sizeof(body),
		 "{\"fraud_type\": \"bank_helpdesk\", \"identifiers\": [{\"kind\": \"iban\", "
		 "\"value\": \"%s\", \"role\": \"beneficiary\"}]}",
		 value);
	http_do(&srv, "POST", "/v1/reports", h, body, strlen(body), &r);
	if (r.status != 201)
		fail_msg("report: %ld %s", r.status, r.body);
	response_free(&r);
}

/* A partner "Bank" with a key, a server, and KNOWN_IBAN reported by three people. */
static int start(void **state)
{
	char dir[64];
	const char *extra[] = { "--trusted-proxies", "127.0.0.1", NULL };

	(void)state;
	unsetenv("SIGNAAL_API_KEY");
	temp_dir(dir, sizeof(dir));
	snprintf(data_dir, sizeof(data_dir), "%s/data", dir);
	const char *add[] = { "partner", "add",	     "--data-dir", data_dir, "--name",
			      "Bank",	 "--sector", "bank",	   NULL };
	cli_ok(add, NULL, 0);
	const char *kc[] = { "partner", "key", "create", "--data-dir", data_dir, "Bank", NULL };
	cli_ok(kc, key, sizeof(key));
	server_start_in(&srv, dir, extra);
	report_from("198.51.100.1", "NL91 ABNA 0417 1643 00");
	report_from("198.51.100.2", "nl91abna0417164300");
	report_from("198.51.100.3", KNOWN_IBAN);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	server_cleanup(&srv);
	return 0;
}

static struct signaal_client *client_for(const char *base, const char *k)
{
	struct signaal_client *c = NULL;
	struct signaal_client_error err;

	if (signaal_client_new(&c, base, k, &err) != SIGNAAL_CLIENT_OK)
		fail_msg("signaal_client_new: %s", err.message);
	assert_int_equal(err.code, SIGNAAL_CLIENT_OK);
	return c;
}

static int has_string(char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* The server's public key as GET /v1/oprf/key gives it. */
static void server_public_key(char *out, size_t outsz)
{
	struct response r;
	json_t *doc;

	http_do(&srv, "GET", "/v1/oprf/key", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	doc = json_loadb(r.body, r.len, 0, NULL);
	snprintf(out, outsz, "%s", json_string_value(json_object_get(doc, "public_key")));
	json_decref(doc);
	response_free(&r);
}

/* ---- the library ---- */

/*
 * End to end through a recording proxy: the reported IBAN comes back known
 * with its counts, the others unknown, each in its canonical form; and
 * neither the identifiers nor their kinds were ever sent.
 */
static void test_check_end_to_end(void **state)
{
	const struct signaal_item items[] = {
		{ "iban", "nl91 abna 0417 1643 00" },
		{ "iban", UNKNOWN_IBAN },
		{ "phone", "06-12345678" },
	};
	struct signaal_client_error err;
	struct signaal_result *res;
	struct signaal_client *c;
	struct proxy px;

	(void)state;
	proxy_start(&px, PROXY_PASS);
	c = client_for(px.base, key);
	if (signaal_client_check(c, items, 3, &res, &err) != SIGNAAL_CLIENT_OK)
		fail_msg("check: %s", err.message);
	assert_int_equal(err.code, SIGNAAL_CLIENT_OK);

	assert_string_equal(res[0].kind, "iban");
	assert_string_equal(res[0].canonical, KNOWN_IBAN);
	assert_true(res[0].known);
	assert_string_equal(res[0].status, "reported");
	assert_int_equal(res[0].reports, 3);
	assert_int_equal(res[0].signals, 0);
	assert_true(strncmp(res[0].first_seen, "20", 2) == 0);
	assert_true(strcmp(res[0].first_seen, res[0].last_seen) <= 0);
	assert_int_equal(res[0].nfraud_types, 1);
	assert_string_equal(res[0].fraud_types[0], "bank_helpdesk");
	assert_true(has_string(res[0].rules_fired, res[0].nrules_fired, "iban_three_reports"));

	assert_string_equal(res[1].canonical, UNKNOWN_IBAN);
	assert_false(res[1].known);
	assert_null(res[1].status);
	assert_int_equal(res[1].reports, 0);
	assert_string_equal(res[2].kind, "phone");
	assert_string_equal(res[2].canonical, "+31612345678");
	assert_false(res[2].known);
	signaal_results_free(res, 3);

	/* One key fetch, one evaluation, one lookup; nothing else. */
	assert_int_equal(px.keys, 1);
	assert_int_equal(px.evaluations, 1);
	assert_int_equal(px.lookups, 1);
	assert_int_equal(px.other, 0);
	/* The proxy saw the traffic... */
	assert_true(proxy_saw(&px, "\"blinded\""));
	assert_true(proxy_saw(&px, "Bearer "));
	/* ...but no identifier, in any form, and no kind. */
	assert_false(proxy_saw(&px, KNOWN_IBAN));
	assert_false(proxy_saw(&px, "0417"));
	assert_false(proxy_saw(&px, UNKNOWN_IBAN));
	assert_false(proxy_saw(&px, "12345678"));
	assert_false(proxy_saw(&px, "iban"));
	assert_false(proxy_saw(&px, "phone"));

	/* The key is fetched once per handle. */
	{
		const struct signaal_item one[] = { { "iban", KNOWN_IBAN } };

		assert_int_equal(signaal_client_check(c, one, 1, &res, &err), SIGNAAL_CLIENT_OK);
		assert_true(res[0].known);
		signaal_results_free(res, 1);
		assert_int_equal(px.keys, 1);
		assert_int_equal(px.evaluations, 2);
	}
	/* No items: nothing to do, nothing sent. */
	res = (struct signaal_result *)&err;
	assert_int_equal(signaal_client_check(c, items, 0, &res, &err), SIGNAAL_CLIENT_OK);
	assert_null(res);
	assert_int_equal(px.evaluations, 2);
	signaal_client_free(c);
	proxy_stop(&px);
}

/* Beyond 1,000 items: evaluations and lookups in batches of 1,000 (a full lookup is over max_body). */
static void test_check_batches(void **state)
{
	enum { N = 1001 };
	static struct signaal_item items[N];
	static char values[N][16];
	struct signaal_client_error err;
	struct signaal_result *res;
	struct signaal_client *c;
	struct proxy px;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		snprintf(values[i], sizeof(values[i]), "0612%06zu", i);
		items[i].kind = "phone";
		items[i].value = values[i];
	}
	items[N - 1].kind = "iban";
	items[N - 1].value = KNOWN_IBAN;
	proxy_start(&px, PROXY_PASS);
	c = client_for(px.base, key);
	if (signaal_client_check(c, items, N, &res, &err) != SIGNAAL_CLIENT_OK)
		fail_msg("check: %s", err.message);
	assert_string_equal(res[0].canonical, "+31612000000");
	assert_string_equal(res[999].canonical, "+31612000999");
	assert_false(res[999].known);
	assert_string_equal(res[N - 1].canonical, KNOWN_IBAN);
	assert_true(res[N - 1].known);
	assert_int_equal(res[N - 1].reports, 3);
	signaal_results_free(res, N);
	assert_int_equal(px.evaluations, 2);
	assert_int_equal(px.lookups, 2);
	signaal_client_free(c);
	proxy_stop(&px);
}

/*
 * A proof that does not verify, because the proof or an evaluated element
 * was changed on the way: PROOF_INVALID, and no lookup at all.
 */
static void test_wrong_proof_is_refused(void **state)
{
	static const enum proxy_mode modes[] = { PROXY_FLIP_PROOF, PROXY_FLIP_EVALUATED };
	const struct signaal_item items[] = { { "iban", KNOWN_IBAN }, { "iban", UNKNOWN_IBAN } };

	(void)state;
	for (size_t m = 0; m < 2; m++) {
		struct signaal_client_error err;
		struct signaal_result *res = NULL;
		struct signaal_client *c;
		struct proxy px;

		proxy_start(&px, modes[m]);
		c = client_for(px.base, key);
		assert_int_equal(signaal_client_check(c, items, 2, &res, &err),
				 SIGNAAL_CLIENT_EPROOF);
		assert_int_equal(err.code, SIGNAAL_CLIENT_EPROOF);
		assert_null(res);
		assert_non_null(strstr(err.message, "proof did not verify"));
		assert_int_equal(px.evaluations, 1);
		assert_int_equal(px.lookups, 0);
		signaal_client_free(c);
		proxy_stop(&px);
	}
	assert_string_equal(signaal_client_strerror(SIGNAAL_CLIENT_EPROOF),
			    "the server's proof did not verify");
}

/* A pinned key is never fetched; a server whose key is not the pinned one fails the proof. */
static void test_pinned_key(void **state)
{
	const struct signaal_item items[] = { { "iban", KNOWN_IBAN } };
	struct signaal_client_error err;
	struct signaal_result *res = NULL;
	struct signaal_client *c;
	struct proxy px;
	char pk[64], other[64];
	uint8_t p[32];

	(void)state;
	server_public_key(pk, sizeof(pk));
	proxy_start(&px, PROXY_PASS);
	c = client_for(px.base, key);
	assert_int_equal(signaal_client_pin_key(c, pk, &err), SIGNAAL_CLIENT_OK);
	assert_int_equal(signaal_client_check(c, items, 1, &res, &err), SIGNAAL_CLIENT_OK);
	assert_true(res[0].known);
	signaal_results_free(res, 1);
	assert_int_equal(px.keys, 0);
	signaal_client_free(c);

	/* Another valid key: the server's proof cannot hold for it. */
	crypto_core_ristretto255_random(p);
	sodium_bin2base64(other, sizeof(other), p, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	c = client_for(px.base, key);
	assert_int_equal(signaal_client_pin_key(c, other, &err), SIGNAAL_CLIENT_OK);
	assert_int_equal(signaal_client_check(c, items, 1, &res, &err), SIGNAAL_CLIENT_EPROOF);
	assert_null(res);
	assert_non_null(strstr(err.message, "pinned"));
	assert_int_equal(px.keys, 0);
	assert_int_equal(px.lookups, 1); /* the first check's only */

	/* Not a key at all. */
	assert_int_equal(signaal_client_pin_key(c, "AAAA", &err), SIGNAAL_CLIENT_EARG);
	assert_int_equal(signaal_client_pin_key(c, "not base64 at all!", &err),
			 SIGNAAL_CLIENT_EARG);
	signaal_client_free(c);
	proxy_stop(&px);
}

/* Past the partner's evaluation quota: the 429, its problem type and Retry-After. */
static void test_quota_exhausted(void **state)
{
	const char *extra[] = { "--oprf-quota", "2", NULL };
	const struct signaal_item items[] = {
		{ "iban", KNOWN_IBAN },
		{ "iban", UNKNOWN_IBAN },
		{ "phone", "0612345678" },
	};
	struct signaal_client_error err;
	struct signaal_result *res = NULL;
	struct signaal_client *c;
	struct server s;
	char dir[64], data[128], k[64];

	(void)state;
	temp_dir(dir, sizeof(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	const char *add[] = { "partner", "add",	     "--data-dir", data, "--name",
			      "KPN",	 "--sector", "telecom",	   NULL };
	cli_ok(add, NULL, 0);
	const char *kc[] = { "partner", "key", "create", "--data-dir", data, "KPN", NULL };
	cli_ok(kc, k, sizeof(k));
	server_start_in(&s, dir, extra);

	c = client_for(s.base, k);
	assert_int_equal(signaal_client_check(c, items, 2, &res, &err), SIGNAAL_CLIENT_OK);
	signaal_results_free(res, 2);
	res = NULL;
	assert_int_equal(signaal_client_check(c, items, 3, &res, &err), SIGNAAL_CLIENT_EHTTP);
	assert_null(res);
	assert_int_equal(err.http_status, 429);
	assert_true(err.retry_after >= 1);
	assert_string_equal(err.problem, "quota-exceeded");
	assert_non_null(strstr(err.message, "fewer than this batch"));
	assert_non_null(strstr(err.message, "retry after"));
	signaal_client_free(c);

	/* The command line says the same, and exits 1. */
	{
		char env[96], *out, *errs;
		const char *envs[] = { env, NULL };
		const char *argv[] = { "client", "check",    "--server", s.base,
				       "iban",	 KNOWN_IBAN, NULL };

		snprintf(env, sizeof(env), "SIGNAAL_API_KEY=%s", k);
		assert_int_equal(run_cli(argv, envs, &out, &errs), 1);
		assert_string_equal(out, "");
		assert_non_null(strstr(errs, "429"));
		assert_non_null(strstr(errs, "retry after"));
		free(out);
		free(errs);
	}
	assert_int_equal(server_stop(&s, SIGTERM), 0);
	server_cleanup(&s);
}

/* Invalid identifiers are refused before anything is sent, with the item and the reason. */
static void test_invalid_identifier(void **state)
{
	const struct signaal_item bad_iban[] = {
		{ "iban", KNOWN_IBAN },
		{ "iban", "NL91ABNA0417164301" },
	};
	const struct signaal_item bad_kind[] = { { "phone", "0612345678" }, { "bsn", "1" } };
	const struct signaal_item no_value[] = { { "iban", NULL } };
	struct signaal_client_error err;
	struct signaal_result *res = NULL;
	struct signaal_client *c;
	struct proxy px;

	(void)state;
	proxy_start(&px, PROXY_PASS);
	c = client_for(px.base, key);
	assert_int_equal(signaal_client_check(c, bad_iban, 2, &res, &err), SIGNAAL_CLIENT_EIDENT);
	assert_null(res);
	assert_int_equal(err.item, 1);
	assert_true(strncmp(err.message, "invalid iban: ", 14) == 0);
	assert_non_null(strstr(err.message, "check"));
	assert_int_equal(signaal_client_check(c, bad_kind, 2, &res, &err), SIGNAAL_CLIENT_EIDENT);
	assert_int_equal(err.item, 1);
	assert_non_null(strstr(err.message, "unknown kind 'bsn'"));
	assert_int_equal(signaal_client_check(c, no_value, 1, &res, &err), SIGNAAL_CLIENT_EIDENT);
	assert_int_equal(err.item, 0);
	/* Not one request. */
	assert_int_equal(px.keys + px.evaluations + px.lookups + px.other, 0);
	assert_int_equal(signaal_client_check(c, NULL, 1, &res, &err), SIGNAAL_CLIENT_EARG);
	signaal_client_free(c);
	proxy_stop(&px);
}

/* A wrong key, no server, a bad URL, an answer too big, a redirect. */
static void test_transport_and_server_errors(void **state)
{
	const struct signaal_item items[] = { { "iban", KNOWN_IBAN } };
	struct signaal_client_error err;
	struct signaal_result *res = NULL;
	struct signaal_client *c;
	struct proxy px;
	char closed[64], wrong[64];

	(void)state;
	/* 401: the key is fetched without the API key, the evaluation is refused. */
	snprintf(wrong, sizeof(wrong), "%s", key);
	wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == 'A' ? 'B' : 'A';
	c = client_for(srv.base, wrong);
	assert_int_equal(signaal_client_check(c, items, 1, &res, &err), SIGNAAL_CLIENT_EHTTP);
	assert_null(res);
	assert_int_equal(err.http_status, 401);
	assert_string_equal(err.problem, "unauthorized");
	assert_int_equal(err.retry_after, -1);
	if (!strstr(err.message, "blind evaluation: http status 401 Unauthorized: the API key is "
				 "unknown or revoked"))
		fail_msg("message: %s", err.message);
	signaal_client_free(c);

	/* Nothing listening: the proxy's port after it has gone. */
	proxy_start(&px, PROXY_PASS);
	snprintf(closed, sizeof(closed), "%s", px.base);
	proxy_stop(&px);
	c = client_for(closed, key);
	assert_int_equal(signaal_client_check(c, items, 1, &res, &err), SIGNAAL_CLIENT_ETRANSPORT);
	assert_non_null(strstr(err.message, "fetching the public key"));
	signaal_client_free(c);

	/* An answer past the limit is cut off. */
	proxy_start(&px, PROXY_HUGE);
	c = client_for(px.base, key);
	assert_int_equal(signaal_client_check(c, items, 1, &res, &err), SIGNAAL_CLIENT_ETRANSPORT);
	assert_non_null(strstr(err.message, "larger than"));
	signaal_client_free(c);
	proxy_stop(&px);

	/* A redirect is not followed. */
	proxy_start(&px, PROXY_REDIRECT);
	c = client_for(px.base, key);
	assert_int_equal(signaal_client_check(c, items, 1, &res, &err), SIGNAAL_CLIENT_EHTTP);
	assert_int_equal(err.http_status, 302);
	assert_int_equal(px.keys, 1);
	assert_int_equal(px.other, 0);
	signaal_client_free(c);
	proxy_stop(&px);

	/* Bad arguments. */
	assert_int_equal(signaal_client_new(&c, "ftp://127.0.0.1/", key, &err),
			 SIGNAAL_CLIENT_EARG);
	assert_null(c);
	assert_int_equal(signaal_client_new(&c, "not a url", key, &err), SIGNAAL_CLIENT_EARG);
	assert_int_equal(signaal_client_new(&c, "http://127.0.0.1/?x=1", key, &err),
			 SIGNAAL_CLIENT_EARG);
	assert_int_equal(signaal_client_new(&c, "http://u:p@127.0.0.1/", key, &err),
			 SIGNAAL_CLIENT_EARG);
	assert_int_equal(signaal_client_new(&c, srv.base, "two words", &err), SIGNAAL_CLIENT_EARG);
	assert_int_equal(signaal_client_new(&c, srv.base, "", &err), SIGNAAL_CLIENT_EARG);
	assert_int_equal(signaal_client_new(&c, srv.base, "k\r\nX-Evil: 1", &err),
			 SIGNAAL_CLIENT_EARG);
	assert_int_equal(signaal_client_new(NULL, srv.base, key, NULL), SIGNAAL_CLIENT_EARG);
	c = client_for(srv.base, key);
	assert_int_equal(signaal_client_set_timeout(c, 0, &err), SIGNAAL_CLIENT_EARG);
	assert_int_equal(signaal_client_set_timeout(c, 5000, &err), SIGNAAL_CLIENT_OK);
	signaal_client_free(c);
	signaal_client_free(NULL);
	signaal_results_free(NULL, 3);
}

/* ---- the command ---- */

static int cli(const char *const *argv, int with_key, char **out, char **err)
{
	char env[96];
	const char *envs[] = { env, NULL };

	snprintf(env, sizeof(env), "SIGNAAL_API_KEY=%s", key);
	return run_cli(argv, with_key ? envs : NULL, out, err);
}

static void assert_one_line_error(const char *err, const char *want)
{
	assert_true(strncmp(err, "signaal: ", 9) == 0);
	assert_non_null(strchr(err, '\n'));
	assert_true(strchr(err, '\n')[1] == '\0');
	if (!strstr(err, want))
		fail_msg("stderr '%s' lacks '%s'", err, want);
}

static void test_cli_check(void **state)
{
	static const char human_first[] =
		"iban " KNOWN_IBAN ": known, reported, 3 reports, 0 signals, first 20";
	char *out, *err, keyfile[192];
	json_t *doc, *items;
	FILE *f;

	(void)state;
	/* Human output: one line per identifier, in order. */
	const char *human[] = { "client", "check",	 "--server",
				srv.base, "iban",	 "nl91 abna 0417 1643 00",
				"phone",  "06-12345678", NULL };
	assert_int_equal(cli(human, 1, &out, &err), 0);
	assert_string_equal(err, "");
	if (strncmp(out, human_first, strlen(human_first)) != 0 ||
	    !strstr(out, "; fraud types bank_helpdesk; rules fired iban_three_reports\n"
			 "phone +31612345678: not known\n") ||
	    strchr(strchr(out, '\n') + 1, '\n')[1] != '\0')
		fail_msg("unexpected output: %s", out);
	free(out);
	free(err);

	/* --json, with the key from a file and the server key pinned. */
	{
		char pk[64];
		const char *argv[] = { "client",
				       "check",
				       "--json",
				       "--server",
				       srv.base,
				       "--key-file",
				       keyfile,
				       "--public-key",
				       pk,
				       "iban",
				       "nl91abna0417164300",
				       "iban",
				       UNKNOWN_IBAN,
				       NULL };

		server_public_key(pk, sizeof(pk));
		snprintf(keyfile, sizeof(keyfile), "%s/partner.key", srv.dir);
		f = fopen(keyfile, "w");
		assert_non_null(f);
		fprintf(f, "%s\n", key);
		fclose(f);
		assert_int_equal(cli(argv, 0, &out, &err), 0);
		assert_string_equal(err, "");
		doc = json_loads(out, 0, NULL);
		assert_non_null(doc);
		items = json_object_get(doc, "items");
		assert_int_equal(json_array_size(items), 2);
		assert_string_equal(
			json_string_value(json_object_get(json_array_get(items, 0), "canonical")),
			KNOWN_IBAN);
		assert_string_equal(
			json_string_value(json_object_get(json_array_get(items, 0), "input")),
			"nl91abna0417164300");
		assert_true(json_is_true(json_object_get(json_array_get(items, 0), "known")));
		assert_int_equal(
			json_integer_value(json_object_get(json_array_get(items, 0), "reports")),
			3);
		assert_string_equal(
			json_string_value(json_array_get(
				json_object_get(json_array_get(items, 0), "rules_fired"), 0)),
			"iban_three_reports");
		assert_true(json_is_false(json_object_get(json_array_get(items, 1), "known")));
		assert_null(json_object_get(json_array_get(items, 1), "reports"));
		json_decref(doc);
		free(out);
		free(err);
	}

	/* --key on the command line works too (and --server=URL). */
	{
		char server[96];
		const char *argv[] = { "client", "check", server,     "--key",
				       key,	 "iban",  KNOWN_IBAN, NULL };

		snprintf(server, sizeof(server), "--server=%s", srv.base);
		assert_int_equal(cli(argv, 0, &out, &err), 0);
		assert_non_null(strstr(out, ": known, "));
		free(out);
		free(err);
	}
}

static void test_cli_errors(void **state)
{
	/* "@" stands for the server's URL. */
	static const struct {
		const char *argv[12];
		int with_key;
		int status;
		const char *want;
	} cases[] = {
		{ { "client", "check", "--server", "@", "iban", NULL }, 1, 2, "KIND VALUE pairs" },
		{ { "client", "check", "--server", "@", NULL }, 1, 2, "KIND VALUE pairs" },
		{ { "client", "check", "iban", KNOWN_IBAN, NULL }, 1, 2, "no server" },
		{ { "client", "check", "--server", "@", "iban", KNOWN_IBAN, NULL },
		  0,
		  2,
		  "no API key" },
		{ { "client", "check", "--server", "@", "bsn", "1", NULL },
		  1,
		  2,
		  "unknown kind 'bsn'" },
		{ { "client", "check", "--server", "@", "--bogus", "iban", KNOWN_IBAN, NULL },
		  1,
		  2,
		  "unknown option '--bogus'" },
		{ { "client", "check", "--server", "@", "--timeout", "0", "iban", KNOWN_IBAN,
		    NULL },
		  1,
		  2,
		  "--timeout" },
		{ { "client", "check", "iban", KNOWN_IBAN, "--server", NULL },
		  1,
		  2,
		  "'--server' needs a value" },
		{ { "client", "check", "--server", "@", "--public-key", "AAAA", "iban", KNOWN_IBAN,
		    NULL },
		  1,
		  2,
		  "public key" },
		{ { "client", "check", "--server", "@", "--key-file", "/nonexistent/key", "iban",
		    KNOWN_IBAN, NULL },
		  0,
		  1,
		  "cannot open key file" },
		{ { "client", "check", "--server", "@", "--key", "k", "--key-file", "f", "iban",
		    KNOWN_IBAN, NULL },
		  0,
		  2,
		  "not both" },
		{ { "client", "check", "--server", "@", "iban", "NL91ABNA0417164301", NULL },
		  1,
		  1,
		  "'NL91ABNA0417164301': invalid iban: " },
		{ { "client", "check", "--server", "@", "--key", "sk_wrong", "iban", KNOWN_IBAN,
		    NULL },
		  0,
		  1,
		  "401" },
		{ { "client", "check", "--server", "http://127.0.0.1:1", "iban", KNOWN_IBAN, NULL },
		  1,
		  1,
		  "fetching the public key" },
		{ { "client", "check", "--server", "gopher://x", "iban", KNOWN_IBAN, NULL },
		  1,
		  2,
		  "http or https" },
	};
	char *out, *err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[12];
		int rc;

		for (size_t j = 0; j < 12; j++)
			argv[j] = cases[i].argv[j] && strcmp(cases[i].argv[j], "@") == 0
					  ? srv.base
					  : cases[i].argv[j];
		rc = cli(argv, cases[i].with_key, &out, &err);
		if (rc != cases[i].status)
			fail_msg("case %zu: exit %d, stderr %s", i, rc, err);
		assert_one_line_error(err, cases[i].want);
		assert_string_equal(out, "");
		free(out);
		free(err);
	}

	/* A bad proof through the command: exit 1, nothing printed. */
	{
		struct proxy px;
		const char *argv[] = {
			"client", "check", "--server", NULL, "iban", KNOWN_IBAN, NULL
		};

		proxy_start(&px, PROXY_FLIP_PROOF);
		argv[3] = px.base;
		assert_int_equal(cli(argv, 1, &out, &err), 1);
		assert_one_line_error(err, "proof did not verify");
		assert_string_equal(out, "");
		assert_int_equal(px.lookups, 0);
		free(out);
		free(err);
		proxy_stop(&px);
	}

	/* --help, as a command and through `signaal help`. */
	{
		const char *h1[] = { "client", "check", "--help", NULL };
		const char *h2[] = { "help", "client", "check", NULL };
		const char *grp[] = { "client", NULL };

		assert_int_equal(cli(h1, 0, &out, &err), 0);
		assert_true(strncmp(out, "usage: signaal client check", 27) == 0);
		assert_non_null(strstr(out, "SIGNAAL_API_KEY"));
		assert_non_null(strstr(out, "process list"));
		assert_string_equal(err, "");
		free(out);
		free(err);
		assert_int_equal(cli(h2, 0, &out, &err), 0);
		assert_true(strncmp(out, "usage: signaal client check", 27) == 0);
		free(out);
		free(err);
		assert_int_equal(cli(grp, 0, &out, &err), 2);
		assert_one_line_error(err, "'client' needs a subcommand");
		free(out);
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_end_to_end),
		cmocka_unit_test(test_check_batches),
		cmocka_unit_test(test_wrong_proof_is_refused),
		cmocka_unit_test(test_pinned_key),
		cmocka_unit_test(test_invalid_identifier),
		cmocka_unit_test(test_transport_and_server_errors),
		cmocka_unit_test(test_cli_check),
		cmocka_unit_test(test_cli_errors),
	};
	const struct CMUnitTest quota[] = {
		cmocka_unit_test(test_quota_exhausted),
	};
	int failed;

	if (sodium_init() < 0)
		return 1;
	curl_global_init(CURL_GLOBAL_ALL);
	failed = cmocka_run_group_tests_name("client", tests, start, stop);
	failed += cmocka_run_group_tests_name("client-quota", quota, NULL, NULL);
	http_thread_done();
	curl_global_cleanup();
	return failed;
}
