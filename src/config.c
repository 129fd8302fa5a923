/* config.c - the configuration table and its sources; see config.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

enum config_type { T_STRING, T_INT, T_SIZE, T_BOOL, T_ENUM, T_LISTEN };

struct config_key {
	const char *name;
	enum config_type type;
	size_t offset;
	size_t size;	     /* of the field, for strings */
	const char *def;     /* default, as text: parsed like any other value */
	long min, max;	     /* bounds for T_INT and T_SIZE; min 1: a string must be set */
	const char *choices; /* T_ENUM: space-separated */
	bool secret;
	const char *help;
};

#define STR(field)	 T_STRING, offsetof(struct config, field), sizeof(((struct config *)0)->field)
#define NUM(type, field) type, offsetof(struct config, field), 0

static const struct config_key keys[] = {
	{ "listen", T_LISTEN, offsetof(struct config, listen), sizeof(((struct config *)0)->listen),
	  "127.0.0.1:8080", 0, 0, NULL, false,
	  "address and port to serve HTTP on (host:port, [v6]:port)" },
	{ "data_dir", STR(data_dir), "./var", 1, 0, NULL, false,
	  "directory for the database and key files (created with mode 0700)" },
	{ "store", T_ENUM, offsetof(struct config, store), sizeof(((struct config *)0)->store),
	  "sqlite", 0, 0, "sqlite postgres", false,
	  "storage backend: sqlite (one machine) or postgres (several nodes, one cluster)" },
	{ "store_url", STR(store_url), "", 0, 0, NULL, true,
	  "database location: a file for sqlite (default: DATA_DIR/signaal.db), or a "
	  "postgresql:// URL for postgres" },
	{ "threads", NUM(T_INT, threads), "0", 0, 256, NULL, false,
	  "HTTP worker threads; 0 means one per CPU" },
	{ "tls_cert", STR(tls_cert), "", 0, 0, NULL, false,
	  "PEM file of the certificate (chain) to serve HTTPS with; empty: plain HTTP" },
	{ "tls_key", STR(tls_key), "", 0, 0, NULL, false,
	  "PEM file of the certificate's private key (mode 0600); with tls_cert" },
	{ "max_body", NUM(T_SIZE, max_body), "64k", 1024, 16L * 1024 * 1024, NULL, false,
	  "largest request body accepted, in bytes (k and m suffixes allowed)" },
	{ "max_batch_body", NUM(T_SIZE, max_batch_body), "1m", 1024, 64L * 1024 * 1024, NULL, false,
	  "largest body of a partner's batch (signals, lookups, evaluations), in bytes; "
	  "never less than max_body" },
	{ "max_connections", NUM(T_INT, max_connections), "1024", 1, 100000, NULL, false,
	  "connections served at once; more wait in the listen queue" },
	{ "per_ip_connections", NUM(T_INT, per_ip_connections), "0", 0, 100000, NULL, false,
	  "connections from one address at once; 0 means no per-address limit" },
	{ "connection_timeout", NUM(T_INT, connection_timeout), "30", 1, 3600, NULL, false,
	  "seconds a connection may be idle or stall before it is closed" },
	{ "shutdown_timeout", NUM(T_INT, shutdown_timeout), "30", 0, 600, NULL, false,
	  "seconds to finish requests in flight after SIGTERM" },
	{ "busy_timeout_ms", NUM(T_INT, busy_timeout_ms), "5000", 0, 600000, NULL, false,
	  "milliseconds to wait for a database lock" },
	{ "sqlite_sync", T_ENUM, offsetof(struct config, sqlite_sync),
	  sizeof(((struct config *)0)->sqlite_sync), "full", 0, 0, "full normal", false,
	  "sqlite synchronous mode; full survives power loss" },
	{ "log_level", T_ENUM, offsetof(struct config, log_level),
	  sizeof(((struct config *)0)->log_level), "info", 0, 0, "debug info warn error off", false,
	  "least severe log level written" },
	{ "access_log", NUM(T_BOOL, access_log), "true", 0, 0, NULL, false,
	  "write one log line per request" },
	{ "report_rate_limit", NUM(T_INT, report_rate_limit), "120", 0, 1000000, NULL, false,
	  "reports an hour from one client address (bursts of a sixth); 0 switches it off" },
	{ "check_rate_limit", NUM(T_INT, check_rate_limit), "30", 0, 1000000, NULL, false,
	  "public checks a minute from one client address; 0 switches it off" },
	{ "partner_rate_limit", NUM(T_INT, partner_rate_limit), "6000", 0, 100000000, NULL, false,
	  "requests a minute with one partner or analyst key (bursts of a minute's worth); 0 "
	  "switches it off" },
	{ "stats_min_cell", NUM(T_INT, stats_min_cell), "5", 1, 1000, NULL, false,
	  "fewest reports a cell of the analysts' statistics shows; smaller cells are left out" },
	{ "stats_public_min_cell", NUM(T_INT, stats_public_min_cell), "10", 1, 1000, NULL, false,
	  "fewest reports a cell of the public statistics shows" },
	{ "oprf_quota", NUM(T_INT, oprf_quota), "100000", 0, 100000000, NULL, false,
	  "blind evaluations a partner may have an hour (each is one guess); 0 switches it off" },
	{ "audit_origin", STR(audit_origin), "signaal/audit", 1, 0, NULL, false,
	  "the audit log's name in its signed checkpoints and verifier key (no spaces or '+'); "
	  "use the public address of the log, such as signaal.example.nl/audit" },
	{ "audit_checkpoint_interval", NUM(T_INT, audit_checkpoint_interval), "5", 1, 3600, NULL,
	  false, "seconds between signed checkpoints of the audit log while entries arrive" },
	{ "audit_index_interval", NUM(T_INT, audit_index_interval), "1", 1, 3600, NULL, false,
	  "seconds between moves of audit entries' subjects into their index (sooner once "
	  "262,144 wait); requests of data subjects read both, so this changes only the batching" },
	{ "retain_narratives", NUM(T_INT, retain_narratives), "730", 1, 3650, NULL, false,
	  "days a report's description and additions are kept after the victim's last change" },
	{ "retain_contact", NUM(T_INT, retain_contact), "730", 1, 3650, NULL, false,
	  "days a report's contact details (and reporter fingerprint) are kept after the victim's "
	  "last change" },
	{ "retain_raw_identifiers", NUM(T_INT, retain_raw_identifiers), "730", 1, 3650, NULL, false,
	  "days the sealed raw value of an identifier is kept after it was last reported; the "
	  "pseudonym and its facts stay, so matching goes on" },
	{ "retain_signals", NUM(T_INT, retain_signals), "365", 1, 3650, NULL, false,
	  "days a partner signal (and feedback on it) is kept after it was shared or stopped "
	  "being valid" },
	{ "retain_alerts", NUM(T_INT, retain_alerts), "90", 90, 3650, NULL, false,
	  "days a delivered or dead alert stays in the outbox; at least the rules' 90-day window, "
	  "so that retractions reach every partner alerted" },
	{ "retain_subject_requests", NUM(T_INT, retain_subject_requests), "365", 1, 3650, NULL,
	  false, "days a decided data-subject request is kept" },
	{ "purge_interval", NUM(T_INT, purge_interval), "3600", 0, 604800, NULL, false,
	  "seconds between the server's retention purges (the first a minute after start at "
	  "most); 0 leaves purging to 'signaal purge'" },
	{ "webhook_allow_loopback", NUM(T_BOOL, webhook_allow_loopback), "false", 0, 0, NULL, false,
	  "allow webhooks to loopback addresses over http (for tests only)" },
	{ "trusted_proxies", STR(trusted_proxies), "", 0, 0, NULL, false,
	  "comma-separated addresses of reverse proxies whose X-Forwarded-For is believed" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

_Static_assert(NKEYS <= sizeof(((struct config *)0)->source) /
				sizeof(((struct config *)0)->source[0]),
	       "config.source too small for the table");

static const char *const source_names[] = { "default", "file", "environment", "flag" };

static void errf(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

static const struct config_key *config_find(const char *name, size_t len)
{
	char norm[64];

	if (len >= sizeof(norm))
		return NULL;
	for (size_t i = 0; i < len; i++)
		norm[i] = name[i] == '-' ? '_' : name[i];
	norm[len] = '\0';
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, norm) == 0)
			return &keys[i];
	return NULL;
}

static int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Sizes: a number of bytes with an optional k or m suffix (1024-based). */
static int parse_size(const char *s, long *out)
{
	char num[32];
	size_t n = strlen(s);
	long mult = 1, v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k':
	case 'K':
		mult = 1024;
		num[--n] = '\0';
		break;
	case 'm':
	case 'M':
		mult = 1024 * 1024;
		num[--n] = '\0';
		break;
	}
	if (parse_long(num, &v) || v < 0 || v > LONG_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

static int enum_has(const char *choices, const char *s)
{
	size_t n = strlen(s);

	for (const char *p = choices; *p;) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);

		if (n && len == n && memcmp(p, s, n) == 0)
			return 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

int config_listen_split(const char *listen, char *host, size_t hostsz, unsigned *port, char *err,
			size_t errsz)
{
	const char *colon, *h = listen;
	size_t hlen;
	long p;

	if (*listen == '[') {
		const char *rb = strchr(listen, ']');

		if (!rb || rb[1] != ':') {
			errf(err, errsz, "expected [IPv6-address]:port");
			return -1;
		}
		h = listen + 1;
		hlen = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || strchr(listen, ':') != colon) {
			errf(err, errsz, "expected host:port (IPv6 as [address]:port)");
			return -1;
		}
		hlen = (size_t)(colon - listen);
	}
	if (hlen == 0 || hlen >= hostsz) {
		errf(err, errsz, "expected a host before the port");
		return -1;
	}
	if (parse_long(colon + 1, &p) || p < 0 || p > 65535) {
		errf(err, errsz, "expected a port from 0 to 65535");
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (unsigned)p;
	return 0;
}

static int config_apply(struct config *c, const struct config_key *k, const char *value, char *why,
			size_t whysz)
{
	char *field = (char *)c + k->offset;
	long v;
	bool b;

	switch (k->type) {
	case T_LISTEN: {
		char host[256];
		unsigned port;

		if (config_listen_split(value, host, sizeof(host), &port, why, whysz))
			return -1;
	}
		/* fall through */
	case T_STRING:
		if (strlen(value) >= k->size) {
			errf(why, whysz, "expected at most %zu characters", k->size - 1);
			return -1;
		}
		if (k->min > 0 && !*value) {
			errf(why, whysz, "expected a non-empty value");
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	case T_ENUM:
		if (!enum_has(k->choices, value)) {
			errf(why, whysz, "expected one of: %s", k->choices);
			return -1;
		}
		snprintf(field, k->size, "%s", value);
		return 0;
	case T_INT:
	case T_SIZE:
		if ((k->type == T_INT ? parse_long(value, &v) : parse_size(value, &v)) ||
		    v < k->min || v > k->max) {
			errf(why, whysz, "expected %s from %ld to %ld%s",
			     k->type == T_INT ? "a whole number" : "a size in bytes", k->min,
			     k->max, k->type == T_SIZE ? " (suffix k or m allowed)" : "");
			return -1;
		}
		if (k->type == T_INT)
			*(int *)(void *)field = (int)v;
		else
			*(long *)(void *)field = v;
		return 0;
	case T_BOOL:
		if (parse_bool(value, &b)) {
			errf(why, whysz, "expected true or false");
			return -1;
		}
		*(bool *)(void *)field = b;
		return 0;
	}
	return -1;
}

int config_set(struct config *c, const char *name, const char *value, enum config_source src,
	       const char *origin, char *err, size_t errsz)
{
	const struct config_key *k = config_find(name, strlen(name));
	char why[256];

	if (!k) {
		errf(err, errsz, "unknown configuration key '%s' (%s)", name, origin);
		return -1;
	}
	if (config_apply(c, k, value, why, sizeof(why))) {
		errf(err, errsz, "invalid value '%s' for %s (%s): %s",
		     k->secret ? "(redacted)" : value, k->name, origin, why);
		return -1;
	}
	c->source[k - keys] = src;
	return 0;
}

void config_defaults(struct config *c)
{
	char err[CONFIG_ERR_MAX];

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NKEYS; i++) {
		/* A default that does not pass its own validation is a bug in the table. */
		if (config_set(c, keys[i].name, keys[i].def, CONFIG_DEFAULT, "default", err,
			       sizeof(err))) {
			log_error("BUG: bad configuration default", "error", err);
			abort();
		}
	}
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int config_load_text(struct config *c, const char *text, size_t len, const char *name, char *err,
		     size_t errsz)
{
	char line[2048], origin[1200];
	size_t off = 0;
	int lineno = 0;

	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		char *eq, *key, *val;

		lineno++;
		snprintf(origin, sizeof(origin), "file '%s' line %d", name, lineno);
		if (n >= sizeof(line)) {
			errf(err, errsz, "%s: line longer than %zu characters", origin,
			     sizeof(line) - 1);
			return -1;
		}
		memcpy(line, text + off, n);
		line[n] = '\0';
		off += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n)) {
			errf(err, errsz, "%s: contains a NUL byte", origin);
			return -1;
		}
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			errf(err, errsz, "%s: expected 'key = value'", origin);
			return -1;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		/*
		 * A value may be quoted to keep leading or trailing spaces, or a '#';
		 * otherwise a '#' after white space starts a comment.
		 */
		if (val[0] == '"') {
			char *close = strchr(val + 1, '"');
			char *rest = close ? trim(close + 1) : NULL;

			if (!close || (*rest && *rest != '#')) {
				errf(err, errsz, "%s: unterminated quoted value", origin);
				return -1;
			}
			*close = '\0';
			val++;
		} else {
			for (char *h = strchr(val, '#'); h; h = strchr(h + 1, '#')) {
				if (h > val && (h[-1] == ' ' || h[-1] == '\t')) {
					*h = '\0';
					val = trim(val);
					break;
				}
			}
		}
		if (config_set(c, key, val, CONFIG_FILE, origin, err, errsz))
			return -1;
	}
	return 0;
}

int config_load_file(struct config *c, const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;
	int rc;

	if (!f) {
		errf(err, errsz, "cannot open configuration file '%s': %s", path, strerror(errno));
		return -1;
	}
	text = mem_alloc(CONFIG_FILE_MAX + 1);
	if (!text) {
		fclose(f);
		errf(err, errsz, "out of memory reading '%s'", path);
		return -1;
	}
	n = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f)) {
		errf(err, errsz, "cannot read configuration file '%s': %s", path, strerror(errno));
		rc = -1;
	} else if (n > CONFIG_FILE_MAX) {
		errf(err, errsz, "configuration file '%s' is larger than %d bytes", path,
		     CONFIG_FILE_MAX);
		rc = -1;
	} else {
		rc = config_load_text(c, text, n, path, err, errsz);
	}
	mem_free(text);
	fclose(f);
	if (rc == 0)
		snprintf(c->config_file, sizeof(c->config_file), "%s", path);
	return rc;
}

static void env_name(const char *key, char *out, size_t outsz)
{
	size_t i = 0;

	i = (size_t)snprintf(out, outsz, "SIGNAAL_");
	for (; *key && i + 1 < outsz; key++)
		out[i++] = (char)toupper((unsigned char)*key);
	out[i] = '\0';
}

int config_load_env(struct config *c, char *err, size_t errsz)
{
	char name[64], origin[96];

	for (size_t i = 0; i < NKEYS; i++) {
		const char *v;

		env_name(keys[i].name, name, sizeof(name));
		v = getenv(name);
		if (!v)
			continue;
		snprintf(origin, sizeof(origin), "environment %s", name);
		if (config_set(c, keys[i].name, v, CONFIG_ENV, origin, err, errsz))
			return -1;
	}
	return 0;
}

/* Splits "--name=value" or "--name value"; returns the index of the last argv used. */
static int flag_value(int argc, char **argv, int i, const char **name, size_t *namelen,
		      const char **value)
{
	const char *a = argv[i] + 2, *eq = strchr(a, '=');

	*name = a;
	if (eq) {
		*namelen = (size_t)(eq - a);
		*value = eq + 1;
		return i;
	}
	*namelen = strlen(a);
	*value = i + 1 < argc ? argv[i + 1] : NULL;
	return i + 1;
}

int config_load(struct config *c, int argc, char **argv, const char **pos, int maxpos, int *npos,
		char *err, size_t errsz)
{
	const char *file = getenv("SIGNAAL_CONFIG");
	int i;

	config_defaults(c);
	*npos = 0;

	/* First pass: find --config, which must be read before the environment and flags. */
	for (i = 0; i < argc; i++) {
		const char *name, *value;
		size_t nl;
		int last;

		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], "--", 2) != 0)
			continue;
		last = flag_value(argc, argv, i, &name, &nl, &value);
		if (nl == 6 && memcmp(name, "config", 6) == 0) {
			if (!value) {
				errf(err, errsz, "option '--config' needs a file name");
				return -1;
			}
			file = value;
			i = last;
		}
	}
	if (file && *file && config_load_file(c, file, err, errsz))
		return -1;
	if (config_load_env(c, err, errsz))
		return -1;

	for (i = 0; i < argc; i++) {
		const struct config_key *k;
		const char *name, *value;
		char key[64], origin[96];
		size_t nl;
		int last;

		if (strcmp(argv[i], "--") == 0) {
			for (i++; i < argc; i++) {
				if (*npos >= maxpos) {
					errf(err, errsz, "unexpected argument '%s'", argv[i]);
					return -1;
				}
				pos[(*npos)++] = argv[i];
			}
			break;
		}
		if (argv[i][0] != '-' || argv[i][1] == '\0') {
			if (*npos >= maxpos) {
				errf(err, errsz, "unexpected argument '%s'", argv[i]);
				return -1;
			}
			pos[(*npos)++] = argv[i];
			continue;
		}
		if (argv[i][1] != '-') {
			errf(err, errsz, "unknown option '%s'", argv[i]);
			return -1;
		}
		last = flag_value(argc, argv, i, &name, &nl, &value);
		if (nl == 6 && memcmp(name, "config", 6) == 0) {
			i = last;
			continue;
		}
		k = config_find(name, nl);
		if (!k || memchr(name, '_', nl)) {
			errf(err, errsz, "unknown option '--%.*s'", (int)nl, name);
			return -1;
		}
		if (!value) {
			errf(err, errsz, "option '--%.*s' needs a value", (int)nl, name);
			return -1;
		}
		snprintf(key, sizeof(key), "%s", k->name);
		snprintf(origin, sizeof(origin), "--%.*s", (int)nl, name);
		if (config_set(c, key, value, CONFIG_FLAG, origin, err, errsz))
			return -1;
		i = last;
	}
	return config_check(c, err, errsz);
}

int config_check(const struct config *c, char *err, size_t errsz)
{
	enum log_level lvl;

	if (log_level_parse(c->log_level, &lvl)) {
		errf(err, errsz, "invalid value '%s' for log_level", c->log_level);
		return -1;
	}
	if (strcmp(c->store, "postgres") == 0) {
		const char *u = c->store_url, *auth = strstr(u, "://");
		size_t authlen;
		int ats = 0;

		if (strncmp(u, "postgresql://", 13) != 0 && strncmp(u, "postgres://", 11) != 0) {
			errf(err, errsz,
			     "store postgres needs store_url, a "
			     "postgresql://USER@HOST:PORT/DATABASE URL");
			return -1;
		}
		/*
		 * Two '@' would make libpq read part of the password as the host and
		 * quote it in its error: refuse, without showing the URL.
		 */
		auth += 3;
		authlen = strcspn(auth, "/?#");
		for (size_t i = 0; i < authlen; i++)
			ats += auth[i] == '@';
		if (ats > 1) {
			errf(err, errsz,
			     "store_url has more than one '@' before the host: "
			     "percent-encode '@' in the password as %%40");
			return -1;
		}
	}
	return 0;
}

void config_store_display(const struct config *c, char *out, size_t outsz)
{
	const char *url = c->store_url, *scheme, *at, *colon, *end;

	if (strcmp(c->store, "postgres") != 0) {
		if (config_sqlite_path(c, out, outsz))
			snprintf(out, outsz, "(path too long)");
		return;
	}
	scheme = strstr(url, "://");
	if (!scheme) {
		snprintf(out, outsz, "(a PostgreSQL connection string)");
		return;
	}
	scheme += 3;
	end = scheme + strcspn(scheme, "?#");
	at = memchr(scheme, '@', (size_t)(end - scheme));
	colon = at ? memchr(scheme, ':', (size_t)(at - scheme)) : NULL;
	if (colon) /* user:password@host */
		snprintf(out, outsz, "%.*s:***%.*s", (int)(colon - url), url, (int)(end - at), at);
	else
		snprintf(out, outsz, "%.*s", (int)(end - url), url);
}

int config_sqlite_path(const struct config *c, char *out, size_t outsz)
{
	int n;

	if (c->store_url[0])
		n = snprintf(out, outsz, "%s", c->store_url);
	else
		n = snprintf(out, outsz, "%s/signaal.db", c->data_dir);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

static void config_value_text(const struct config *c, const struct config_key *k, char *out,
			      size_t outsz)
{
	const char *field = (const char *)c + k->offset;

	switch (k->type) {
	case T_STRING:
	case T_ENUM:
	case T_LISTEN:
		if (k->secret && *field)
			snprintf(out, outsz, "(redacted)");
		else
			snprintf(out, outsz, "%s", field);
		break;
	case T_INT: snprintf(out, outsz, "%d", *(const int *)(const void *)field); break;
	case T_SIZE: snprintf(out, outsz, "%ld", *(const long *)(const void *)field); break;
	case T_BOOL:
		snprintf(out, outsz, "%s", *(const bool *)(const void *)field ? "true" : "false");
		break;
	}
}

void config_show(const struct config *c, int fd)
{
	struct buf b = BUF_INIT(1 << 20);
	char val[1100];

	if (c->config_file[0])
		buf_addf(&b, "# configuration file: %s\n", c->config_file);
	for (size_t i = 0; i < NKEYS; i++) {
		config_value_text(c, &keys[i], val, sizeof(val));
		/* Quote values that the file parser would otherwise trim or cut. */
		if (!val[0] || isspace((unsigned char)val[0]) || strchr(val, '#'))
			buf_addf(&b, "%s = \"%s\"", keys[i].name, val);
		else
			buf_addf(&b, "%s = %s", keys[i].name, val);
		buf_addf(&b, "  # %s\n", source_names[c->source[i]]);
	}
	if (b.data && write(fd, b.data, b.len) < 0)
		log_warn("cannot write configuration");
	buf_release(&b);
}

void config_print_flags(int fd)
{
	struct buf b = BUF_INIT(1 << 20);
	char flag[64], env[64];

	buf_addf(&b, "  --config FILE                read key = value lines from FILE "
		     "(env SIGNAAL_CONFIG)\n");
	for (size_t i = 0; i < NKEYS; i++) {
		size_t j;

		for (j = 0; j < sizeof(flag) - 1 && keys[i].name[j]; j++)
			flag[j] = keys[i].name[j] == '_' ? '-' : keys[i].name[j];
		flag[j] = '\0';
		env_name(keys[i].name, env, sizeof(env));
		buf_addf(&b, "  --%-26s %s\n  %-28s (default '%s', env %s)\n", flag, keys[i].help,
			 "", keys[i].def, env);
	}
	if (write(fd, b.data, b.len) < 0)
		log_warn("cannot write help");
	buf_release(&b);
}
