/* harness.c - see harness.h. */
#include "harness.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *bin(void)
{
	const char *b = getenv("SIGNAAL_BIN");

	if (!b)
		fail_msg("SIGNAAL_BIN is not set");
	return b;
}

/* The test cluster's URL (its postgres database), or NULL when testing SQLite. */
static const char *pg_admin_url(void)
{
	static char url[512];
	static int state; /* 0 unread, 1 PostgreSQL, -1 SQLite */
	const char *dir = getenv("SIGNAAL_TEST_PG_DIR");
	char path[600];
	FILE *f;

	if (state)
		return state > 0 ? url : NULL;
	state = -1;
	if (!dir || !*dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/url", dir);
	f = fopen(path, "r");
	if (!f || !fgets(url, sizeof(url), f))
		fail_msg("SIGNAAL_TEST_PG_DIR is set but %s cannot be read: is the test cluster "
			 "running (scripts/pg-test-server start)?",
			 path);
	fclose(f);
	url[strcspn(url, "\r\n")] = '\0';
	state = 1;
	return url;
}

bool harness_pg(void)
{
	return pg_admin_url() != NULL;
}

const char *harness_store_url(const char *dir, char *out, size_t outsz)
{
	const char *admin = pg_admin_url(), *name = strrchr(dir, '/'), *slash;
	char sql[256];
	PGconn *c;
	PGresult *r;

	out[0] = '\0';
	if (!admin)
		return out;
	name = name ? name + 1 : dir;
	slash = strrchr(admin, '/');
	snprintf(out, outsz, "%.*s/%s", (int)(slash - admin), admin, name);
	/* One database per directory, made on first use. */
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
	c = PQconnectdb(admin);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot connect to the test cluster: %s", PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

		if (!state || strcmp(state, "42P04") != 0) /* duplicate_database is fine */
			fail_msg("%s: %s", sql, PQerrorMessage(c));
	}
	PQclear(r);
	PQfinish(c);
	return out;
}

/* Points the commands this process starts from now on at DIR's database. */
static void store_env(const char *dir)
{
	char url[600];

	if (!harness_pg())
		return;
	harness_store_url(dir, url, sizeof(url));
	setenv("SIGNAAL_STORE", "postgres", 1);
	setenv("SIGNAAL_STORE_URL", url, 1);
}

void temp_dir(char *out, size_t outsz)
{
	snprintf(out, outsz, "/tmp/signaal-it-XXXXXX");
	if (!mkdtemp(out))
		fail_msg("mkdtemp: %s", strerror(errno));
	store_env(out);
}

static unsigned free_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		fail_msg("cannot find a free port: %s", strerror(errno));
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int try_start(struct server *s, const char *const *extra)
{
	char listen[64], data[128], logf[128];
	const char *argv[64];
	int n = 0;

	s->port = free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", s->port);
	snprintf(data, sizeof(data), "%s/data", s->dir);
	snprintf(logf, sizeof(logf), "%s/server.log", s->dir);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u", s->port);
	argv[n++] = bin();
	argv[n++] = "serve";
	argv[n++] = "--listen";
	argv[n++] = listen;
	argv[n++] = "--data-dir";
	argv[n++] = data;
	/* Tests send many reports from one address; the limit has its own test. */
	argv[n++] = "--report-rate-limit";
	argv[n++] = "0";
	argv[n++] = "--sqlite-sync";
	argv[n++] = "normal";
	for (int i = 0; extra && extra[i] && n < 62; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	store_env(s->dir);
	s->pid = fork();
	if (s->pid == 0) {
		int fd = open(logf, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(fd, 2);
		dup2(fd, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		struct response r;
		int status;

		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			return -1; /* exited: maybe the port was taken meanwhile */
		http_do(s, "GET", "/healthz", NULL, NULL, 0, &r);
		int up = r.status == 200;
		response_free(&r);
		if (up)
			return 0;
		sleep_ms(50);
	}
	return -1;
}

void server_start_in(struct server *s, const char *dir, const char *const *extra)
{
	char copy[sizeof(s->dir)];

	snprintf(copy, sizeof(copy), "%s", dir); /* dir may be s->dir itself */
	memcpy(s->dir, copy, sizeof(copy));
	for (int attempt = 0; attempt < 3; attempt++) {
		if (try_start(s, extra) == 0)
			return;
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	fail_msg("the server did not start; see %s/server.log", s->dir);
}

void server_start(struct server *s, const char *const *extra)
{
	char dir[64];

	temp_dir(dir, sizeof(dir));
	server_start_in(s, dir, extra);
}

int server_stop(struct server *s, int sig)
{
	int status;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, sig);
	if (waitpid(s->pid, &status, 0) != s->pid)
		return -1;
	s->pid = 0;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

void server_cleanup(struct server *s)
{
	char cmd[128];

	if (s->pid > 0)
		server_stop(s, SIGKILL);
	if (s->dir[0] && strncmp(s->dir, "/tmp/signaal-it-", 16) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", s->dir);
	}
}

struct sink {
	char *data;
	size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *k = arg;
	char *d = realloc(k->data, k->len + size * n + 1);

	if (!d)
		return 0;
	memcpy(d + k->len, p, size * n);
	k->len += size * n;
	d[k->len] = '\0';
	k->data = d;
	return size * n;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);

	if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	line += nl + 1;
	len -= nl + 1;
	while (len && *line == ' ')
		line++, len--;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	snprintf(out, outsz, "%.*s", (int)len, line);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct response *r = arg;
	size_t len = size * n;

	header_value(p, len, "Content-Type", r->content_type, sizeof(r->content_type));
	header_value(p, len, "X-Request-Id", r->request_id, sizeof(r->request_id));
	header_value(p, len, "Allow", r->allow, sizeof(r->allow));
	header_value(p, len, "Connection", r->connection, sizeof(r->connection));
	header_value(p, len, "Retry-After", r->retry_after, sizeof(r->retry_after));
	header_value(p, len, "Content-Security-Policy", r->csp, sizeof(r->csp));
	header_value(p, len, "Cache-Control", r->cache_control, sizeof(r->cache_control));
	header_value(p, len, "Idempotent-Replayed", r->replayed, sizeof(r->replayed));
	header_value(p, len, "X-Content-Type-Options", r->nosniff, sizeof(r->nosniff));
	header_value(p, len, "X-Frame-Options", r->frame_options, sizeof(r->frame_options));
	header_value(p, len, "Referrer-Policy", r->referrer_policy, sizeof(r->referrer_policy));
	header_value(p, len, "Cross-Origin-Resource-Policy", r->corp, sizeof(r->corp));
	header_value(p, len, "WWW-Authenticate", r->www_authenticate, sizeof(r->www_authenticate));
	header_value(p, len, "RateLimit-Policy", r->ratelimit_policy, sizeof(r->ratelimit_policy));
	return len;
}

/* One curl handle per thread keeps connections alive between requests, as clients do. */
static _Thread_local CURL *thread_curl;

void http_do(struct server *s, const char *method, const char *path, const char *const *headers,
	     const void *body, size_t len, struct response *out)
{
	struct curl_slist *hl = NULL;
	struct sink k = { 0 };
	char url[512];

	memset(out, 0, sizeof(*out));
	if (!thread_curl)
		thread_curl = curl_easy_init();
	curl_easy_reset(thread_curl);
	snprintf(url, sizeof(url), "%s%s", s->base, path);
	curl_easy_setopt(thread_curl, CURLOPT_URL, url);
	curl_easy_setopt(thread_curl, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(thread_curl, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(thread_curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(thread_curl, CURLOPT_WRITEDATA, &k);
	curl_easy_setopt(thread_curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(thread_curl, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(thread_curl, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(thread_curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(thread_curl, CURLOPT_NOPROXY, "*");
	hl = curl_slist_append(hl, "Expect:");
	for (int i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(thread_curl, CURLOPT_HTTPHEADER, hl);
	if (body) {
		curl_easy_setopt(thread_curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(thread_curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	out->curl_error = curl_easy_perform(thread_curl);
	curl_easy_getinfo(thread_curl, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_getinfo(thread_curl, CURLINFO_NUM_CONNECTS, &out->connects);
	curl_slist_free_all(hl);
	out->body = k.data ? k.data : strdup("");
	out->len = k.len;
}

void http_thread_done(void)
{
	if (thread_curl)
		curl_easy_cleanup(thread_curl);
	thread_curl = NULL;
}

void response_free(struct response *r)
{
	free(r->body);
	r->body = NULL;
}

int raw_connect(struct server *s)
{
	struct sockaddr_in a = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)s->port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		fail_msg("connect: %s", strerror(errno));
	return fd;
}

size_t raw_read_all(int fd, char *buf, size_t cap, int timeout_ms)
{
	size_t got = 0;
	struct pollfd p = { fd, POLLIN, 0 };

	while (got + 1 < cap && poll(&p, 1, timeout_ms) > 0) {
		ssize_t r = read(fd, buf + got, cap - 1 - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return got;
}

long db_exec_dir(const char *dir, const char *sql)
{
	char path[600], *err = NULL;
	sqlite3 *db;
	long n = 0;

	if (harness_pg()) {
		PGconn *c = PQconnectdb(harness_store_url(dir, path, sizeof(path)));
		PGresult *r;

		if (PQstatus(c) != CONNECTION_OK)
			fail_msg("cannot connect to %s: %s", path, PQerrorMessage(c));
		r = PQexec(c, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, PQerrorMessage(c));
		n = strtol(PQcmdTuples(r), NULL, 10);
		PQclear(r);
		PQfinish(c);
		return n;
	}
	snprintf(path, sizeof(path), "%s/data/signaal.db", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		fail_msg("cannot open %s", path);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	n = sqlite3_changes(db);
	sqlite3_close(db);
	return n;
}

static long pg_count(struct server *s, const char *sql)
{
	char url[600];
	PGconn *c;
	PGresult *r;
	long n = -1;

	c = PQconnectdb(harness_store_url(s->dir, url, sizeof(url)));
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot connect to %s: %s", url, PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	else
		fprintf(stderr, "query failed: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	if (n < 0)
		fail_msg("query failed: %s", sql);
	return n;
}

long db_count(struct server *s, const char *sql)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	long n = -1;

	if (harness_pg())
		return pg_count(s, sql);
	snprintf(path, sizeof(path), "file:%s/data/signaal.db?mode=ro", s->dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
		fail_msg("cannot open %s", path);
	/* The server may be writing or checkpointing: wait as its own readers do. */
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (n < 0)
		fail_msg("query failed: %s", sql);
	return n;
}

static char *slurp_fd(int fd)
{
	struct sink k = { 0 };
	char tmp[4096];
	ssize_t r;

	while ((r = read(fd, tmp, sizeof(tmp))) > 0)
		on_body(tmp, 1, (size_t)r, &k);
	return k.data ? k.data : strdup("");
}

int run_cli(const char *const *argv, const char *const *env, char **out, char **err)
{
	char outf[] = "/tmp/signaal-cli-out-XXXXXX", errf[] = "/tmp/signaal-cli-err-XXXXXX";
	int ofd = mkstemp(outf), efd = mkstemp(errf), status;
	const char *args[64];
	pid_t pid;
	int n = 0;

	args[n++] = bin();
	for (int i = 0; argv[i] && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	for (int i = 0; argv[i]; i++) {
		char dir[256];
		const char *v = NULL;
		size_t len;

		if (strcmp(argv[i], "--data-dir") == 0 && argv[i + 1])
			v = argv[i + 1];
		else if (strncmp(argv[i], "--data-dir=", 11) == 0)
			v = argv[i] + 11;
		if (!v)
			continue;
		/* Tests keep data in DIR/data: the database is DIR's. */
		snprintf(dir, sizeof(dir), "%s", v);
		len = strlen(dir);
		if (len > 5 && strcmp(dir + len - 5, "/data") == 0)
			dir[len - 5] = '\0';
		store_env(dir);
		break;
	}
	pid = fork();
	if (pid == 0) {
		for (int i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		dup2(ofd, 1);
		dup2(efd, 2);
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	lseek(ofd, 0, SEEK_SET);
	lseek(efd, 0, SEEK_SET);
	*out = slurp_fd(ofd);
	*err = slurp_fd(efd);
	close(ofd);
	close(efd);
	unlink(outf);
	unlink(errf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void receiver_start(struct receiver *r, const char *dir, const char *name, const char *secret,
		    const char *const *extra)
{
	char portf[160];
	const char *bin = getenv("RECEIVER_BIN");
	const char *argv[32];
	int n = 0;

	if (!bin)
		fail_msg("RECEIVER_BIN is not set");
	snprintf(portf, sizeof(portf), "%s/%s.port", dir, name);
	snprintf(r->log, sizeof(r->log), "%s/%s.log", dir, name);
	argv[n++] = bin;
	argv[n++] = "--port-file";
	argv[n++] = portf;
	argv[n++] = "--secret";
	argv[n++] = secret;
	argv[n++] = "--log";
	argv[n++] = r->log;
	for (int i = 0; extra && extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	r->pid = fork();
	if (r->pid == 0) {
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(portf, "r");

		if (f && fscanf(f, "%u", &r->port) == 1) {
			fclose(f);
			return;
		}
		if (f)
			fclose(f);
		sleep_ms(25);
	}
	fail_msg("receiver %s did not start", name);
}

void receiver_stop(struct receiver *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGTERM);
		waitpid(r->pid, NULL, 0);
		r->pid = 0;
	}
}
