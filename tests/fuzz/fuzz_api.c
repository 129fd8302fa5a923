/*
 * Fuzz target: whole HTTP requests to a real server running in this
 * process (`signaal serve` in a thread, a real SQLite database in a
 * temporary directory, a partner, an analyst, an administrator and a case),
 * so that every endpoint's handling of query strings, headers and JSON
 * bodies runs as in production, libmicrohttpd's parsing included.
 *
 * Input: one byte choosing the credential (none, partner, analyst,
 * administration, a malformed key), then "METHOD PATH", the query string,
 * extra header lines and the body, separated by NUL bytes.  In the path,
 * "{code}" becomes the case's code and "{prefix}" the partner key's prefix.
 *
 * Invariants checked on every answer: a status line; never a 500 (bad input
 * is the client's mistake, never the server's); a problem+json body that
 * parses, with a type, a title and the status of the answer; a JSON body
 * that parses; an answer within ten seconds.
 */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <arpa/inet.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/buf.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned port;
static char keys[5][80]; /* by credential byte: none, partner, analyst, admin, malformed */
static char case_code[64];
static char tmp_dir[64], data_dir[128];

/* Runs a command in this process; the first line it prints into out. */
static void run(int (*fn)(int, char **), const char *const *argv, char *out, size_t outsz)
{
	char path[160], line[256] = "";
	int argc = 0, saved = dup(1), fd;
	FILE *f;

	while (argv[argc])
		argc++;
	snprintf(path, sizeof(path), "%s/out.txt", tmp_dir);
	fflush(stdout);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, 1) < 0)
		abort();
	if (fn(argc, (char **)argv) != 0)
		abort();
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fd);
	f = fopen(path, "r");
	if (f && fgets(line, sizeof(line), f))
		line[strcspn(line, "\n")] = '\0';
	if (f)
		fclose(f);
	if (out)
		snprintf(out, outsz, "%s", line);
}

static void *serve(void *arg)
{
	char listen[32];
	const char *argv[] = {
		"--listen", listen, "--data-dir", data_dir, "--log-level", "off", "--access-log",
		"false", "--report-rate-limit", "0", "--check-rate-limit", "0",
		"--partner-rate-limit", "0", "--sqlite-sync", "normal",
		/* A request the input leaves unfinished waits for this long, not 30 s. */
		"--connection-timeout", "2", NULL
	};

	(void)arg;
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	cmd_serve((int)(sizeof(argv) / sizeof(argv[0])) - 1, (char **)argv);
	return NULL;
}

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
		abort();
	p = ntohs(a.sin_port);
	close(fd);
	return p;
}

/* Sends `req` on a new connection; the whole answer (until the server closes) into ans. */
static int exchange(const char *req, size_t len, struct buf *ans)
{
	struct sockaddr_in a = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char chunk[16384];

	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/*
	 * From a source address of its own in 127/8 each time: thousands of
	 * connections a second from one address would use up its ports (each
	 * stays in TIME_WAIT for a minute) within seconds.  The request is
	 * sent without a half-close (shutdown): with one, libmicrohttpd 0.9.75
	 * sometimes answered only seconds later.
	 */
	if (fd >= 0) {
		static uint32_t next = 1;
		struct sockaddr_in from = { 0 };

		next = next % 0xfffffdu + 1;
		from.sin_family = AF_INET;
		from.sin_addr.s_addr = htonl(0x7f000000u | next);
		if (bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0) {
			close(fd);
			return -1;
		}
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);

		if (n <= 0)
			break; /* the server may answer (413) and close before all is sent */
		off += (size_t)n;
	}
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 30000) <= 0) {
			fprintf(stderr, "no answer within 30 s to:\n%.*s\n",
				(int)(len < 2000 ? len : 2000), req);
			abort();
		}
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n <= 0)
			break;
		buf_add(ans, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
	if (tmp_dir[0] && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp_dir);
}

static void setup(void)
{
	char dir[] = "/tmp/signaal-fuzz-XXXXXX", body[256];
	pthread_t t;
	struct buf ans = BUF_INIT(1 << 20);

	/* What main() sets up before any command. */
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	json_set_alloc_funcs(mem_alloc, mem_free);
	if (!mkdtemp(dir))
		abort();
	snprintf(tmp_dir, sizeof(tmp_dir), "%s", dir);
	atexit(remove_dir);
	snprintf(data_dir, sizeof(data_dir), "%s/data", dir);
	{
		const char *add[] = { "partner",  "add",  "--data-dir",	 data_dir, "--name", "Bank",
				      "--sector", "bank", "--bank-code", "ABNA",   NULL };
		const char *mk[] = { "partner", "key",	"create", "--data-dir",
				     data_dir,	"Bank", NULL };
		const char *an[] = { "partner",	 "add",	     "--data-dir", data_dir, "--name",
				     "Analysts", "--sector", "analyst",	   NULL };
		const char *ak[] = { "partner", "key",	    "create", "--data-dir",
				     data_dir,	"Analysts", NULL };
		const char *ad[] = { "admin", "key", "create", "--data-dir", data_dir, "ops", NULL };

		/* As main() calls them: the arguments after the command's words. */
		run(cmd_partner_add, add + 2, NULL, 0);
		run(cmd_partner_key_create, mk + 3, keys[1], sizeof(keys[1]));
		run(cmd_partner_add, an + 2, NULL, 0);
		run(cmd_partner_key_create, ak + 3, keys[2], sizeof(keys[2]));
		run(cmd_admin_key_create, ad + 3, keys[3], sizeof(keys[3]));
	}
	snprintf(keys[4], sizeof(keys[4]), "sk_not-a-key");
	port = free_port();
	if (pthread_create(&t, NULL, serve, NULL))
		abort();
	pthread_detach(t);
	for (int i = 0; i < 500; i++) {
		static const char probe[] =
			"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

		buf_reset(&ans);
		if (exchange(probe, sizeof(probe) - 1, &ans) == 0 && ans.len > 12 &&
		    memcmp(ans.data, "HTTP/1.1 200", 12) == 0)
			break;
		usleep(10000);
	}
	{
		char req[512];
		const char *p;
		int n;

		snprintf(body, sizeof(body),
			 "{\"fraud_type\": \"phishing\", \"identifiers\": "
			 "[{\"kind\": \"iban\", \"value\": \"NL91ABNA0417164300\"}]}");
		n = snprintf(req, sizeof(req),
			     "POST /v1/reports HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
			     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			     strlen(body), body);
		buf_reset(&ans);
		if (exchange(req, (size_t)n, &ans) || !ans.data ||
		    !(p = strstr(ans.data, "\"case_code\":\"")))
			abort();
		snprintf(case_code, sizeof(case_code), "%.*s", (int)strcspn(p + 13, "\""), p + 13);
	}
	buf_release(&ans);
}

/* Appends s[0..n) to b, with bytes that would break the request line percent-encoded. */
static void add_escaped(struct buf *b, const uint8_t *s, size_t n, const char *unsafe)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f || strchr(unsafe, s[i]))
			buf_addf(b, "%%%02X", s[i]);
		else
			buf_add(b, (const char *)&s[i], 1);
	}
}

/* The path with its placeholders filled in. */
static void add_path(struct buf *b, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (n - i >= 6 && memcmp(s + i, "{code}", 6) == 0) {
			buf_adds(b, case_code);
			i += 6;
		} else if (n - i >= 8 && memcmp(s + i, "{prefix}", 8) == 0) {
			buf_addf(b, "%.11s", keys[1]);
			i += 8;
		} else {
			add_escaped(b, s + i, 1, "?#");
			i++;
		}
	}
}

static const uint8_t *part(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *start = *p, *z = memchr(start, 0, (size_t)(end - start));

	*len = (size_t)((z ? z : end) - start);
	*p = z ? z + 1 : end;
	return start;
}

static void check(const struct buf *ans, const char *req)
{
	const char *text = ans->data, *ct, *body;
	long status;
	json_t *doc = NULL;

	/*
	 * A request left unfinished (a header block without its end, a body
	 * shorter than its Content-Length) is closed without an answer when the
	 * client has shut its side or the connection times out: no failure.
	 */
	if (!text || ans->len == 0)
		return;
	if (sscanf(text, "HTTP/1.1 %ld", &status) != 1 || status < 100 || status > 599) {
		fprintf(stderr, "no status line for:\n%.2000s\n", req);
		abort();
	}
	if (getenv("FUZZ_API_VERBOSE"))
		fprintf(stderr, "%ld  %.*s\n", status, (int)strcspn(req, "\r"), req);
	if (status == 500) {
		fprintf(stderr, "500 for:\n%.2000s\nanswer:\n%.2000s\n", req, text);
		abort();
	}
	/* A HEAD answer has the headers of the GET but no body to check. */
	if (strncmp(req, "HEAD ", 5) == 0)
		return;
	body = strstr(text, "\r\n\r\n");
	ct = strcasestr(text, "\r\nContent-Type: ");
	if (!body || !ct || ct > body || strstr(text, "Transfer-Encoding: chunked"))
		return;
	body += 4;
	if (strncmp(ct + 16, "application/problem+json", 24) == 0 ||
	    strncmp(ct + 16, "application/json", 16) == 0) {
		doc = json_loadb(body, ans->len - (size_t)(body - text), 0, NULL);
		if (!doc) {
			fprintf(stderr,
				"a JSON answer that does not parse for:\n%.2000s\n%.2000s\n", req,
				text);
			abort();
		}
	}
	if (doc && strncmp(ct + 16, "application/problem+json", 24) == 0 &&
	    (!json_is_string(json_object_get(doc, "type")) ||
	     !json_is_string(json_object_get(doc, "title")) ||
	     json_integer_value(json_object_get(doc, "status")) != status)) {
		fprintf(stderr, "a malformed problem for:\n%.2000s\n%.2000s\n", req, text);
		abort();
	}
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const uint8_t *p = data + 1, *end = data + size, *line, *query, *headers, *body, *sp;
	size_t nline, nquery, nheaders, nbody;
	struct buf req = BUF_INIT(1 << 21), ans = BUF_INIT(1 << 22);
	unsigned who;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 2)
		return 0;
	who = data[0] % 5;
	line = part(&p, end, &nline);
	query = part(&p, end, &nquery);
	headers = part(&p, end, &nheaders);
	body = part(&p, end, &nbody);
	sp = memchr(line, ' ', nline);
	if (!sp || sp == line || sp - line > 8)
		return 0;
	/* The event stream never ends; it has its tests. */
	if (nline - (size_t)(sp - line) - 1 >= 17 && memmem(line, nline, "/v1/alerts/stream", 17))
		return 0;
	add_escaped(&req, line, (size_t)(sp - line), "");
	buf_adds(&req, " ");
	add_path(&req, sp + 1, nline - (size_t)(sp - line) - 1);
	if (nquery) {
		buf_adds(&req, "?");
		add_escaped(&req, query, nquery, "#");
	}
	buf_adds(&req, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
	if (who)
		buf_addf(&req, "Authorization: Bearer %s\r\n", keys[who]);
	/* Header lines as given, each kept only if it is one line with a name. */
	for (const uint8_t *h = headers; h < headers + nheaders;) {
		const uint8_t *nl = memchr(h, '\n', (size_t)(headers + nheaders - h));
		size_t n = (size_t)((nl ? nl : headers + nheaders) - h);

		if (n && memchr(h, ':', n) && !memchr(h, '\r', n) && h[0] != ' ' &&
		    !(n >= 15 && strncasecmp((const char *)h, "Content-Length:", 15) == 0) &&
		    !(n >= 18 && strncasecmp((const char *)h, "Transfer-Encoding:", 18) == 0) &&
		    !(n >= 11 && strncasecmp((const char *)h, "Connection:", 11) == 0)) {
			buf_add(&req, (const char *)h, n);
			buf_adds(&req, "\r\n");
		}
		h += n + 1;
	}
	buf_addf(&req, "Content-Length: %zu\r\n\r\n", nbody);
	buf_add(&req, (const char *)body, nbody);
	if (req.data && exchange(req.data, req.len, &ans) == 0)
		check(&ans, req.data);
	buf_release(&req);
	buf_release(&ans);
	return 0;
}
