/*
 * config.h - the server's configuration: one declarative table, one struct.
 *
 * Every setting is a row of the table in config.c (name, type, default,
 * bounds, help).  Values come, lowest precedence first, from the built-in
 * default, the file named by --config (or SIGNAAL_CONFIG), the environment
 * (SIGNAAL_<NAME>, upper case) and command-line flags (--name-with-dashes).
 * Each value is validated when it is set, with a message that names the
 * key, where the value came from, the value and what is allowed.
 *
 * The struct is filled once at start-up and then only read.
 */
#ifndef SIGNAAL_CONFIG_H
#define SIGNAAL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_ERR_MAX 512

enum config_source { CONFIG_DEFAULT = 0, CONFIG_FILE, CONFIG_ENV, CONFIG_FLAG };

struct config {
	char listen[256]; /* host:port; IPv6 as [addr]:port */
	char data_dir[1024];
	char tls_cert[1024];  /* PEM certificate file; empty: plain HTTP */
	char tls_key[1024];   /* its private key */
	char store[16];	      /* backend name: "sqlite" */
	char store_url[1024]; /* secret: may hold a password */
	int threads;	      /* 0: one per CPU */
	long max_body;	      /* bytes */
	long max_batch_body;  /* bytes, for batches from partners */
	int max_connections;
	int per_ip_connections; /* 0: no per-address limit */
	int connection_timeout; /* seconds a connection may stay idle or slow */
	int shutdown_timeout;	/* seconds to finish requests in flight on SIGTERM */
	int busy_timeout_ms;	/* database lock wait */
	char sqlite_sync[8];	/* "full" or "normal" */
	char log_level[8];
	bool access_log;
	bool webhook_allow_loopback;   /* tests only: webhooks to 127.0.0.0/8 over http */
	int report_rate_limit;	       /* reports per hour from one client address; 0: no limit */
	int partner_rate_limit;	       /* requests a minute per partner key; 0: no limit */
	int stats_min_cell;	       /* smallest cell of /v1/stats */
	int stats_public_min_cell;     /* smallest cell of /v1/stats/public */
	int check_rate_limit;	       /* public checks per minute from one address; 0: no limit */
	int oprf_quota;		       /* blind evaluations per partner an hour; 0: no limit */
	char trusted_proxies[512];     /* addresses whose X-Forwarded-For is believed */
	char audit_origin[128];	       /* the audit log's name in its checkpoints and key */
	int audit_checkpoint_interval; /* seconds between checkpoints while entries arrive */
	int audit_index_interval;    /* seconds between moves of entries' subjects into the index */
	int retain_narratives;	     /* days after a report's last activity: descriptions */
	int retain_contact;	     /* days after a report's last activity: contact details */
	int retain_raw_identifiers;  /* days after last sighting: sealed raw identifier values */
	int retain_signals;	     /* days after a signal was shared (or stopped being valid) */
	int retain_alerts;	     /* days after an alert was delivered or given up on */
	int retain_subject_requests; /* days after a data-subject request was decided */
	int purge_interval;	     /* seconds between the server's purges; 0: none */
	char config_file[1024];	     /* the file read, or "" */

	/* Where each value came from, indexed like the table (config_show uses it). */
	enum config_source source[48];
};

/* Fills `c` with the built-in defaults (which are validated like any value). */
void config_defaults(struct config *c);

/*
 * Sets the key `name` (underscores; dashes are accepted too) from text.
 * Returns 0, or -1 with a message in err.  `origin` names where the value
 * came from for that message ("file 'x.conf' line 3", "--max-body", ...).
 */
int config_set(struct config *c, const char *name, const char *value, enum config_source src,
	       const char *origin, char *err, size_t errsz);

#define CONFIG_FILE_MAX (256 * 1024)

/*
 * Reads `key = value` lines; '#' starts a comment line; a value in double
 * quotes keeps its spaces.  0, or -1 with err naming the file and line.
 */
int config_load_file(struct config *c, const char *path, char *err, size_t errsz);

/* The same for text in memory; `name` stands for the file in messages. */
int config_load_text(struct config *c, const char *text, size_t len, const char *name, char *err,
		     size_t errsz);

/* Applies every SIGNAAL_<NAME> variable that is set. 0, or -1 with err. */
int config_load_env(struct config *c, char *err, size_t errsz);

/*
 * The whole start-up sequence for a command: defaults, then the file from
 * --config FILE or SIGNAAL_CONFIG, then the environment, then the flags in
 * argv.  Arguments that are not options are handed back in `pos` (borrowed
 * from argv), at most `maxpos` of them.  "--" ends the options.  An unknown
 * option, a missing value or a bad value is an error.
 */
int config_load(struct config *c, int argc, char **argv, const char **pos, int maxpos, int *npos,
		char *err, size_t errsz);

/* Checks relations between keys once all are set (e.g. store_url for postgres). */
int config_check(const struct config *c, char *err, size_t errsz);

/*
 * Writes the effective configuration as `key = value  # source` lines,
 * with secrets shown as "(redacted)" when set.
 */
void config_show(const struct config *c, int fd);

/* Writes "  --name VALUE  help (default: x)" lines for a command's --help. */
void config_print_flags(int fd);

/* Splits c->listen into host and port; 0, or -1 with err. */
int config_listen_split(const char *listen, char *host, size_t hostsz, unsigned *port, char *err,
			size_t errsz);

/*
 * Where the store is, fit to print: the database file for sqlite, the URL
 * for postgres without its password and parameters (which may hold one).
 */
void config_store_display(const struct config *c, char *out, size_t outsz);

/* The database file for the sqlite store: store_url if set, else data_dir/signaal.db. */
int config_sqlite_path(const struct config *c, char *out, size_t outsz);

#endif
