/*
 * test_nodes.c - two `signaal serve` nodes on one PostgreSQL database.
 *
 * Reports go in through node 1; node 2, started with the same key files
 * and the same database, answers lookups and streams the alert at once;
 * node 1 is killed with SIGKILL in the middle of a webhook delivery, and
 * node 2 delivers every alert.  On SQLite, one node per database file,
 * that test skips.  A node with other key files refuses to start on a
 * database, on either backend.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

static const char *const ibans[] = { "NL91ABNA0417164300", "NL02ABNA0123456789",
				     "NL75ABNA0555555555" };

static struct server n1, n2;
static struct receiver bank;

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int stop_all(void **state)
{
	(void)state;
	if (n1.pid > 0)
		server_stop(&n1, SIGKILL);
	if (n2.pid > 0)
		server_stop(&n2, SIGKILL);
	receiver_stop(&bank);
	return 0;
}

static char *cli(const char *const *argv)
{
	char *out, *err;

	if (run_cli(argv, NULL, &out, &err) != 0)
		fail_msg("%s %s: %s", argv[0], argv[1], err);
	free(err);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/* Copies DIR1/data/keys to DIR2/data/keys: what an operator does for a second node. */
static void copy_keys(const char *dir1, const char *dir2)
{
	static const char *const names[] = { "pseudonym.key", "audit.key" };
	char from[256], to[256], buf[512];

	snprintf(to, sizeof(to), "%s/data", dir2);
	mkdir(to, 0700);
	snprintf(to, sizeof(to), "%s/data/keys", dir2);
	mkdir(to, 0700);
	for (size_t i = 0; i < 2; i++) {
		int in, out;
		ssize_t n;

		snprintf(from, sizeof(from), "%s/data/keys/%s", dir1, names[i]);
		snprintf(to, sizeof(to), "%s/data/keys/%s", dir2, names[i]);
		in = open(from, O_RDONLY);
		out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(in >= 0 && out >= 0);
		while ((n = read(in, buf, sizeof(buf))) > 0)
			assert_int_equal(write(out, buf, (size_t)n), n);
		close(in);
		close(out);
	}
}

static void report(struct server *s, const char *iban, int i)
{
	char body[256], xff[64];
	const char *h[] = { "Content-Type: application/json", xff, NULL };
	struct response r;

	snprintf(xff, sizeof(xff), "X-Forwarded-For: 198.51.100.%d", i + 1);
	snprintf(body, sizeof(body),
		 "{\"fraud_type\": \"purchase_fraud\", \"identifiers\": [{\"kind\": "
		 "\"iban\", \"value\": \"%s\", \"role\": \"beneficiary\"}]}",
		 iban);
	http_do(s, "POST", "/v1/reports", h, body, strlen(body), &r);
	assert_int_equal(r.status, 201);
	response_free(&r);
}

/* The lookup of one IBAN through node s: its number of independent reports, or -1. */
static long reports_known(struct server *s, const char *key, const char *iban)
{
	char auth[96], body[160];
	const char *h[] = { "Content-Type: application/json", auth, NULL };
	struct response r;
	json_t *doc, *item;
	long n = -1;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	snprintf(body, sizeof(body), "{\"items\": [{\"kind\": \"iban\", \"value\": \"%s\"}]}",
		 iban);
	http_do(s, "POST", "/v1/lookup", h, body, strlen(body), &r);
	assert_int_equal(r.status, 200);
	doc = json_loads(r.body, 0, NULL);
	item = json_array_get(json_object_get(doc, "items"), 0);
	if (json_is_true(json_object_get(item, "known")))
		n = (long)json_integer_value(json_object_get(item, "reports"));
	json_decref(doc);
	response_free(&r);
	return n;
}

/* Reads the stream on fd until `want` has come or timeout_ms have passed. */
static int stream_has(int fd, char *buf, size_t cap, const char *want, int timeout_ms)
{
	size_t got = strlen(buf);

	for (int waited = 0; !strstr(buf, want) && waited < timeout_ms; waited += 100) {
		struct timeval tv = { 0, 100000 };
		fd_set fds;

		FD_ZERO(&fds);
		FD_SET(fd, &fds);
		if (select(fd + 1, &fds, NULL, NULL, &tv) > 0) {
			ssize_t n = read(fd, buf + got, cap - 1 - got);

			if (n <= 0)
				break;
			got += (size_t)n;
			buf[got] = '\0';
		}
	}
	return strstr(buf, want) != NULL;
}

/* Valid POSTs the bank's receiver has logged, and how many distinct webhook ids. */
static void received(int *posts, int *ids)
{
	char line[8192], seen[16][64];
	FILE *f = fopen(bank.log, "r");

	*posts = *ids = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		json_t *o = json_loads(line, 0, NULL);
		const char *id = json_string_value(json_object_get(o, "id"));
		int known = 0;

		assert_true(json_is_true(json_object_get(o, "valid")));
		(*posts)++;
		for (int i = 0; id && i < *ids; i++)
			known |= strcmp(seen[i], id) == 0;
		if (id && !known && *ids < 16)
			snprintf(seen[(*ids)++], sizeof(seen[0]), "%s", id);
		json_decref(o);
	}
	fclose(f);
}

static long bank_alerts(struct server *s, int delivered)
{
	return db_count(s, delivered ? "SELECT count(*) FROM outbox o JOIN partners p ON p.id = "
				       "o.partner_id WHERE p.name = 'Bank' AND o.event = 'alert' "
				       "AND o.delivered_at IS NOT NULL"
				     : "SELECT count(*) FROM outbox o JOIN partners p ON p.id = "
				       "o.partner_id WHERE p.name = 'Bank' AND o.event = 'alert'");
}

static void test_second_node_takes_over(void **state)
{
	char dir1[64], dir2[64], data1[128], url[600], hook[96], buf[65536], req[512];
	const char *extra1[] = { "--trusted-proxies", "127.0.0.1", "--webhook-allow-loopback",
				 "true", NULL };
	const char *extra2[] = { "--trusted-proxies",
				 "127.0.0.1",
				 "--webhook-allow-loopback",
				 "true",
				 "--store-url",
				 url,
				 NULL };
	char *key;
	int fd, n, posts, ids, waited;

	(void)state;
	if (!harness_pg())
		skip(); /* one node per SQLite file */
	temp_dir(dir1, sizeof(dir1));
	snprintf(data1, sizeof(data1), "%s/data", dir1);
	/* Each delivery takes the bank 2 s: node 1 is in the middle of one when it dies. */
	receiver_start(&bank, dir1, "bank", SECRET,
		       (const char *const[]){ "--delay-ms", "2000", NULL });
	snprintf(hook, sizeof(hook), "http://127.0.0.1:%u/hook", bank.port);
	free(cli((const char *const[]){ "partner", "add", "--data-dir", data1,
					"--webhook-allow-loopback", "true", "--name", "Bank",
					"--sector", "bank", "--bank-code", "ABNA", "--webhook",
					hook, "--webhook-secret", SECRET, NULL }));
	key = cli((const char *const[]){ "partner", "key", "create", "--data-dir", data1, "Bank",
					 NULL });
	server_start_in(&n1, dir1, extra1);
	for (size_t i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			report(&n1, ibans[i], (int)i * 3 + j);
	/* Node 1 delivers: wait for the first POST to reach the bank. */
	received(&posts, &ids);
	for (waited = 0; posts == 0 && waited < 10000; waited += 50) {
		sleep_ms(50);
		received(&posts, &ids);
	}
	assert_int_equal(posts, 1);

	/* Node 2: its own data directory, the same keys, the same database. */
	temp_dir(dir2, sizeof(dir2));
	copy_keys(dir1, dir2);
	harness_store_url(dir1, url, sizeof(url));
	server_start_in(&n2, dir2, extra2);
	/* Node 2's index has node 1's reports (it loaded or followed them). */
	assert_int_equal(reports_known(&n2, key, ibans[0]), 3);
	/* A report through node 1 reaches node 2's index within its follow interval. */
	report(&n1, ibans[0], 20);
	for (waited = 0; reports_known(&n2, key, ibans[0]) != 4 && waited < 3000; waited += 50)
		sleep_ms(50);
	assert_int_equal(reports_known(&n2, key, ibans[0]), 4);
	/* Node 2 streams the bank's alerts, written by node 1. */
	fd = raw_connect(&n2);
	n = snprintf(
		req, sizeof(req),
		"GET /v1/alerts/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
		key);
	assert_int_equal(write(fd, req, (size_t)n), n);
	buf[0] = '\0';
	assert_true(stream_has(fd, buf, sizeof(buf), ibans[2], 5000));
	assert_non_null(strstr(buf, ibans[0]));
	close(fd);

	/* SIGKILL node 1 while a delivery is under way. */
	assert_int_equal(bank_alerts(&n1, 0), 3);
	assert_true(bank_alerts(&n1, 1) < 3);
	server_stop(&n1, SIGKILL);
	for (waited = 0; bank_alerts(&n1, 1) < 3 && waited < 40000; waited += 200)
		sleep_ms(200);
	assert_int_equal(bank_alerts(&n1, 1), 3);
	/*
	 * Every alert reached the bank; the one node 1 was sending when it died
	 * may have come twice (at least once: the webhook id lets the bank see it).
	 */
	received(&posts, &ids);
	assert_int_equal(ids, 3);
	assert_true(posts >= 3 && posts <= 4);
	free(key);
	assert_int_equal(server_stop(&n2, SIGTERM), 0);
	receiver_stop(&bank);
}

/* A node with key files of its own would compute other pseudonyms: it must not start. */
static void test_node_with_other_keys_refused(void **state)
{
	char dir1[64], dir3[64], data1[128], data3[128], url[600], *out, *err;
	const char *extra1[] = { NULL };
	pid_t pid;
	int status = 0, waited;

	(void)state;
	temp_dir(dir1, sizeof(dir1));
	snprintf(data1, sizeof(data1), "%s/data", dir1);
	server_start_in(&n1, dir1, extra1);
	assert_int_equal(server_stop(&n1, SIGTERM), 0);
	temp_dir(dir3, sizeof(dir3));
	snprintf(data3, sizeof(data3), "%s/data", dir3);
	/* keys init makes dir3 keys of its own. */
	assert_int_equal(run_cli((const char *const[]){ "keys", "init", "--data-dir", data3, NULL },
				 NULL, &out, &err),
			 0);
	free(out);
	free(err);
	/* On SQLite the same holds for a database file opened with other keys. */
	if (harness_pg())
		harness_store_url(dir1, url, sizeof(url));
	else
		snprintf(url, sizeof(url), "%s/signaal.db", data1);
	pid = fork();
	if (pid == 0) {
		char logf[160];
		int lfd;

		snprintf(logf, sizeof(logf), "%s/server.log", dir3);
		lfd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(lfd, 2);
		dup2(lfd, 1);
		execl(getenv("SIGNAAL_BIN"), "signaal", "serve", "--listen", "127.0.0.1:0",
		      "--data-dir", data3, "--store", harness_pg() ? "postgres" : "sqlite",
		      "--store-url", url, (char *)NULL);
		_exit(127);
	}
	for (waited = 0; waitpid(pid, &status, WNOHANG) == 0 && waited < 10000; waited += 50)
		sleep_ms(50);
	if (waited >= 10000) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("a node with other keys started");
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	{
		char logf[160], text[4096] = "";
		FILE *f;
		size_t got;

		snprintf(logf, sizeof(logf), "%s/server.log", dir3);
		f = fopen(logf, "r");
		assert_non_null(f);
		got = fread(text, 1, sizeof(text) - 1, f);
		text[got] = '\0';
		fclose(f);
		assert_non_null(strstr(text, "not the ones this database was first used with"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_second_node_takes_over, stop_all),
		cmocka_unit_test_teardown(test_node_with_other_keys_refused, stop_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
