/*
 * test_tls.c - `signaal serve --tls-cert FILE --tls-key FILE`: HTTPS with a
 * certificate from a throwaway CA made for the test with the openssl
 * program, checked by libcurl against that CA; HSTS; keep-alive; plain
 * HTTP and old TLS versions refused; bad settings refused before start; and
 * the client library over HTTPS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static char dir[64], ca[128], cert[128], key[128], other_key[128], log_file[160];
static pid_t pid;
static unsigned port;
static char base[64];

static unsigned free_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned p;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		fail_msg("no free port");
	p = ntohs(a.sin_port);
	close(fd);
	return p;
}

__attribute__((format(printf, 1, 2))) static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

/* A CA, a certificate for 127.0.0.1 and localhost signed by it, and a key that is not its. */
static void make_certificates(void)
{
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(cert, sizeof(cert), "%s/server.pem", dir);
	snprintf(key, sizeof(key), "%s/server.key", dir);
	snprintf(other_key, sizeof(other_key), "%s/other.key", dir);
	sh("cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	   "-keyout ca.key -out ca.pem -days 2 -subj '/CN=Signaal test CA' 2>/dev/null && "
	   "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key "
	   "-out server.csr -subj '/CN=localhost' 2>/dev/null && "
	   "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext && "
	   "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
	   "-out server.pem -days 2 -extfile ext 2>/dev/null && "
	   "openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out other.key "
	   "2>/dev/null && chmod 600 server.key other.key",
	   dir);
}

struct got {
	long status;
	char hsts[128];
	long connects;
	CURLcode rc;
	char body[4096];
	size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct got *g = arg;
	size_t len = size * n, room = sizeof(g->body) - 1 - g->len;

	memcpy(g->body + g->len, p, len < room ? len : room);
	g->len += len < room ? len : room;
	g->body[g->len] = '\0';
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct got *g = arg;
	size_t len = size * n;

	if (len > 26 && strncasecmp(p, "Strict-Transport-Security:", 26) == 0) {
		snprintf(g->hsts, sizeof(g->hsts), "%.*s", (int)(len - 27), p + 27);
		g->hsts[strcspn(g->hsts, "\r\n")] = '\0';
	}
	return len;
}

/* One request with `h` (a handle kept for keep-alive), verified against the test CA. */
static void request(CURL *h, const char *scheme, const char *path, const char *body, long tls_max,
		    struct got *g)
{
	char url[160];
	struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");

	memset(g, 0, sizeof(*g));
	snprintf(url, sizeof(url), "%s://127.0.0.1:%u%s", scheme, port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, g);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, g);
	if (tls_max)
		curl_easy_setopt(h, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1 | tls_max);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	else
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	g->rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &g->status);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &g->connects);
	curl_slist_free_all(hl);
}

static int start(void **state)
{
	char listen[32], data[128];
	CURL *h = curl_easy_init();
	struct got g;

	(void)state;
	temp_dir(dir, sizeof(dir));
	make_certificates();
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(log_file, sizeof(log_file), "%s/server.log", dir);
	for (int attempt = 0; attempt < 3; attempt++) {
		port = free_port();
		snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
		snprintf(base, sizeof(base), "https://127.0.0.1:%u", port);
		pid = fork();
		if (pid == 0) {
			if (!freopen(log_file, "a", stderr) || !freopen(log_file, "a", stdout))
				_exit(126);
			execl(getenv("SIGNAAL_BIN"), "signaal", "serve", "--listen", listen,
			      "--data-dir", data, "--tls-cert", cert, "--tls-key", key,
			      "--report-rate-limit", "0", (char *)NULL);
			_exit(127);
		}
		for (int i = 0; i < 100; i++) {
			request(h, "https", "/healthz", NULL, 0, &g);
			if (g.status == 200) {
				curl_easy_cleanup(h);
				return 0;
			}
			if (waitpid(pid, NULL, WNOHANG) == pid)
				break;
			nanosleep(&(struct timespec){ 0, 50000000L }, NULL);
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	fail_msg("the HTTPS server did not start; see %s", log_file);
	return -1;
}

static int stop(void **state)
{
	char cmd[128];
	int status;

	(void)state;
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_https_with_hsts_and_keep_alive(void **state)
{
	CURL *h = curl_easy_init();
	struct got g;

	(void)state;
	request(h, "https", "/healthz", NULL, 0, &g);
	assert_int_equal(g.rc, CURLE_OK);
	assert_int_equal(g.status, 200);
	assert_string_equal(g.hsts, "max-age=31536000");
	request(h, "https", "/v1/reports", "{\"fraud_type\": \"phishing\"}", 0, &g);
	assert_int_equal(g.status, 201);
	assert_non_null(strstr(g.body, "case_code"));
	assert_int_equal(g.connects, 0); /* the same TLS connection */
	/* TLS 1.2 is enough. */
	request(h, "https", "/healthz", NULL, CURL_SSLVERSION_MAX_TLSv1_2, &g);
	assert_int_equal(g.status, 200);
	curl_easy_cleanup(h);
}

static void test_plain_http_and_old_tls_refused(void **state)
{
	CURL *h = curl_easy_init();
	struct got g;

	(void)state;
	request(h, "http", "/healthz", NULL, 0, &g);
	assert_int_not_equal(g.rc, CURLE_OK);
	assert_int_equal(g.status, 0);
	curl_easy_reset(h);
	request(h, "https", "/healthz", NULL, CURL_SSLVERSION_MAX_TLSv1_1, &g);
	assert_int_not_equal(g.rc, CURLE_OK);
	assert_int_equal(g.status, 0);
	curl_easy_cleanup(h);
	/* The server goes on. */
	h = curl_easy_init();
	request(h, "https", "/healthz", NULL, 0, &g);
	assert_int_equal(g.status, 200);
	curl_easy_cleanup(h);
}

/* `signaal serve` with these TLS files exits 1 with a message holding `want`. */
static void refused(const char *cert_file, const char *key_file, const char *want)
{
	char data[128], *out, *err;
	const char *argv[] = { "serve",	     "--listen", "127.0.0.1:0", "--data-dir", data,
			       "--tls-cert", cert_file,	 "--tls-key",	key_file,     NULL };

	snprintf(data, sizeof(data), "%s/refused", dir);
	assert_int_equal(run_cli(argv, NULL, &out, &err), 1);
	if (!strstr(err, want))
		fail_msg("expected '%s' in: %s", want, err);
	free(out);
	free(err);
}

static void test_bad_settings_refused(void **state)
{
	char open_key[160], garbage[160];

	(void)state;
	snprintf(open_key, sizeof(open_key), "%s/open.key", dir);
	snprintf(garbage, sizeof(garbage), "%s/garbage.pem", dir);
	sh("cp %s %s && chmod 644 %s && echo 'not a certificate' > %s && chmod 600 %s", key,
	   open_key, open_key, garbage, garbage);
	refused(cert, open_key, "chmod 600");
	refused(garbage, key, "is not PEM");
	refused(cert, garbage, "is not PEM");
	refused(cert, "", "needs both");
	{
		char nofile[160], data[160];
		struct stat st;

		snprintf(nofile, sizeof(nofile), "%s/missing.pem", dir);
		refused(nofile, key, "cannot read the TLS certificate");
		/* Refused before anything was touched: no data directory was made. */
		snprintf(data, sizeof(data), "%s/refused", dir);
		assert_int_not_equal(stat(data, &st), 0);
	}
	/* A key that is not the certificate's shows only when the server starts. */
	refused(cert, other_key, "not a valid pair");
}

/* The client library checks blindly over HTTPS, trusting the test CA only when told. */
static void test_client_over_https(void **state)
{
	char data[128], pkey[128], *out, *err;

	(void)state;
	snprintf(data, sizeof(data), "%s/data", dir);
	{
		const char *add[] = { "partner", "add",	     "--data-dir", data, "--name",
				      "Bank",	 "--sector", "bank",	   NULL };
		const char *mk[] = { "partner", "key", "create", "--data-dir", data, "Bank", NULL };

		assert_int_equal(run_cli(add, NULL, &out, &err), 0);
		free(out);
		free(err);
		assert_int_equal(run_cli(mk, NULL, &out, &err), 0);
		out[strcspn(out, "\n")] = '\0';
		snprintf(pkey, sizeof(pkey), "%s", out);
		free(out);
		free(err);
	}
	{
		const char *argv[] = { "client", "check", "--server", base,   "--cacert",
				       ca,	 "--key", pkey,	      "iban", "NL91ABNA0417164300",
				       NULL };

		assert_int_equal(run_cli(argv, NULL, &out, &err), 0);
		assert_non_null(strstr(out, "NL91ABNA0417164300: not known"));
		free(out);
		free(err);
	}
	{
		/* Without the CA the server's certificate is not trusted: nothing is checked. */
		const char *argv[] = { "client", "check", "--server",		base, "--key",
				       pkey,	 "iban",  "NL91ABNA0417164300", NULL };

		assert_int_equal(run_cli(argv, NULL, &out, &err), 1);
		assert_null(strstr(out, "not known"));
		free(out);
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https_with_hsts_and_keep_alive),
		cmocka_unit_test(test_plain_http_and_old_tls_refused),
		cmocka_unit_test(test_bad_settings_refused),
		cmocka_unit_test(test_client_over_https),
	};

	curl_global_init(CURL_GLOBAL_ALL);
	return cmocka_run_group_tests(tests, start, stop);
}
