/*
 * test_limits.c - limits that keep the service up for everyone: requests
 * per partner key and per client address, and floods of idle, slow and
 * oversized connections while /healthz keeps answering within a second.
 *
 * The floods come from 127.0.0.2 (all of 127.0.0.0/8 is loopback), the
 * health checks from 127.0.0.1, as an attacker and a load balancer would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void cli_key(const char *const *argv, char *key, size_t keysz)
{
	char *out, *err;
	int rc = run_cli(argv, NULL, &out, &err);

	if (rc != 0)
		fail_msg("signaal %s %s: exit %d: %s", argv[0], argv[1], rc, err);
	if (key) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(key, keysz, "%s", out);
	}
	free(out);
	free(err);
}

static void add_partner(const char *data, const char *name, char *key, size_t keysz)
{
	const char *add[] = { "partner", "add",	     "--data-dir", data, "--name",
			      name,	 "--sector", "bank",	   NULL };
	const char *make[] = { "partner", "key", "create", "--data-dir", data, name, NULL };

	cli_key(add, NULL, 0);
	cli_key(make, key, keysz);
}

static long get(struct server *s, const char *path, const char *key, const char *from,
		struct response *r)
{
	char authz[128], xff[64];
	const char *h[3] = { NULL, NULL, NULL };
	int n = 0;

	if (key) {
		snprintf(authz, sizeof(authz), "Authorization: Bearer %s", key);
		h[n++] = authz;
	}
	if (from) {
		snprintf(xff, sizeof(xff), "X-Forwarded-For: %s", from);
		h[n++] = xff;
	}
	http_do(s, "GET", path, h, NULL, 0, r);
	return r->status;
}

static void assert_limited(const struct response *r, const char *policy)
{
	assert_int_equal(r->status, 429);
	assert_string_equal(r->content_type, "application/problem+json");
	assert_true(strtol(r->retry_after, NULL, 10) >= 1);
	assert_string_equal(r->ratelimit_policy, policy);
}

/* One key's requests are limited; another key from the same address is not. */
static void test_partner_limit_is_per_key(void **state)
{
	struct server s;
	char data[160], a[64], b[64];
	const char *extra[] = { "--partner-rate-limit", "5", NULL };
	struct response r;

	(void)state;
	server_start(&s, extra);
	snprintf(data, sizeof(data), "%s/data", s.dir);
	add_partner(data, "A", a, sizeof(a));
	add_partner(data, "B", b, sizeof(b));
	for (int i = 0; i < 5; i++) {
		assert_int_equal(get(&s, "/v1/alerts", a, NULL, &r), 200);
		response_free(&r);
	}
	get(&s, "/v1/alerts", a, NULL, &r);
	assert_limited(&r, "5;w=60");
	assert_non_null(strstr(r.body, "too-many-requests"));
	response_free(&r);
	/* Other routes with the same key are limited too: the bucket is the key's. */
	http_do(&s, "POST", "/v1/lookup",
		(const char *const[]){ "Content-Type: application/json", NULL }, "{}", 2, &r);
	assert_int_equal(r.status, 401); /* no key: not the key's bucket */
	response_free(&r);
	/* B, from the same address, is not. */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(get(&s, "/v1/alerts", b, NULL, &r), 200);
		response_free(&r);
	}
	/* Public routes are not metered by key. */
	assert_int_equal(get(&s, "/v1/rules", a, NULL, &r), 200);
	response_free(&r);
	assert_int_equal(server_stop(&s, SIGTERM), 0);
	server_cleanup(&s);
}

/* Public checks are limited per client address. */
static void test_check_limit_is_per_address(void **state)
{
	struct server s;
	const char *extra[] = { "--check-rate-limit", "3", "--trusted-proxies", "127.0.0.1", NULL };
	const char *path = "/v1/check?kind=iban&value=NL91ABNA0417164300";
	struct response r;

	(void)state;
	server_start(&s, extra);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(get(&s, path, NULL, "192.0.2.1", &r), 200);
		response_free(&r);
	}
	get(&s, path, NULL, "192.0.2.1", &r);
	assert_limited(&r, "3;w=60");
	response_free(&r);
	assert_int_equal(get(&s, path, NULL, "192.0.2.2", &r), 200);
	response_free(&r);
	assert_int_equal(server_stop(&s, SIGTERM), 0);
	server_cleanup(&s);
}

/* A TCP connection from 127.0.0.2 to the server; -1 if refused. */
static int flood_connect(const struct server *s)
{
	struct sockaddr_in from = { 0 }, to = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	from.sin_family = AF_INET;
	from.sin_addr.s_addr = htonl(0x7f000002);
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)s->port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) ||
	    connect(fd, (struct sockaddr *)&to, sizeof(to))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Whether the server closed fd within ms (EOF or reset); data is read and dropped. */
static bool closed_within(int fd, int ms)
{
	char buf[4096];
	double end = now_ms() + ms;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int left = (int)(end - now_ms());

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return false;
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return true;
	}
}

struct drip {
	const struct server *s;
	atomic_bool stop;
	atomic_int open;
};

/* Slow clients: a header byte every 200 ms, never finishing the request. */
static void *drip(void *arg)
{
	struct drip *d = arg;
	const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
	int fd = flood_connect(d->s);
	size_t i = 0;

	if (fd < 0)
		return NULL;
	atomic_fetch_add(&d->open, 1);
	while (!atomic_load(&d->stop)) {
		char c = i < sizeof(req) - 1 ? req[i] : 'a';

		if (send(fd, &c, 1, MSG_NOSIGNAL) != 1)
			break;
		i++;
		nanosleep(&(struct timespec){ 0, 200000000L }, NULL);
	}
	atomic_fetch_sub(&d->open, 1);
	close(fd);
	return NULL;
}

/*
 * Idle, slow-drip and oversized-header connections from one address at
 * once: the server keeps at most per_ip_connections of them, answers the
 * oversized ones 431 (or closes them), closes idle ones after
 * connection_timeout, and /healthz from another address answers within a
 * second throughout.
 */
static void test_floods_are_bounded(void **state)
{
	enum { IDLE = 150, SLOW = 20, BIG = 10, PER_IP = 40 };
	struct server s;
	const char *extra[] = { "--per-ip-connections", "40", "--connection-timeout", "3", NULL };
	int idle[IDLE], kept = 0;
	pthread_t slow[SLOW];
	struct drip d = { .s = &s };
	double worst = 0;
	struct response r;

	(void)state;
	server_start(&s, extra);
	for (int i = 0; i < SLOW; i++)
		assert_int_equal(pthread_create(&slow[i], NULL, drip, &d), 0);
	for (int i = 0; i < IDLE; i++)
		idle[i] = flood_connect(&s);
	/* Oversized headers: 64 KiB of one header, answered 431 or cut. */
	for (int i = 0; i < BIG; i++) {
		static char big[70000];
		int fd = flood_connect(&s);
		size_t n;

		if (fd < 0)
			continue;
		n = (size_t)snprintf(big, sizeof(big),
				     "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
		memset(big + n, 'a', sizeof(big) - n - 5);
		memcpy(big + sizeof(big) - 5, "\r\n\r\n", 4);
		(void)!send(fd, big, sizeof(big) - 1, MSG_NOSIGNAL);
		assert_true(closed_within(fd, 3000));
		close(fd);
	}
	/* The server holds no more than PER_IP from the flood's address. */
	for (int i = 0; i < IDLE; i++)
		if (idle[i] >= 0 && !closed_within(idle[i], 50))
			kept++;
	if (kept + atomic_load(&d.open) > PER_IP + SLOW)
		fail_msg("%d idle and %d slow connections held", kept, atomic_load(&d.open));
	assert_true(kept <= PER_IP);
	/* Health checks from 127.0.0.1 answer within a second, on fresh connections. */
	for (int i = 0; i < 10; i++) {
		double t0 = now_ms();

		http_thread_done();
		http_do(&s, "GET", "/healthz", NULL, NULL, 0, &r);
		assert_int_equal(r.status, 200);
		response_free(&r);
		if (now_ms() - t0 > worst)
			worst = now_ms() - t0;
		nanosleep(&(struct timespec){ 0, 200000000L }, NULL);
	}
	print_message("healthz under flood: worst %.1f ms; %d idle kept of %d\n", worst, kept,
		      IDLE);
	assert_true(worst < 1000.0);
	/* Idle connections are closed by the server after connection_timeout (3 s). */
	for (int i = 0; i < IDLE; i++) {
		if (idle[i] < 0)
			continue;
		assert_true(closed_within(idle[i], 6000));
		close(idle[i]);
	}
	atomic_store(&d.stop, true);
	for (int i = 0; i < SLOW; i++)
		pthread_join(slow[i], NULL);
	http_thread_done();
	assert_int_equal(server_stop(&s, SIGTERM), 0);
	server_cleanup(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partner_limit_is_per_key),
		cmocka_unit_test(test_check_limit_is_per_address),
		cmocka_unit_test(test_floods_are_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
