/*
 * harness.h - black-box test support: start the real `signaal serve` on a
 * free loopback port in a temporary data directory, talk HTTP to it with
 * libcurl or raw sockets, run CLI commands and capture their output.
 *
 * The binary is taken from the SIGNAAL_BIN environment variable (CTest sets it).
 */
#ifndef SIGNAAL_TEST_HARNESS_H
#define SIGNAAL_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct server {
	pid_t pid;
	unsigned port;
	char dir[64];  /* temporary directory: data/ and server.log inside */
	char base[64]; /* "http://127.0.0.1:PORT" */
};

struct response {
	long status;
	char *body; /* NUL-terminated */
	size_t len;
	char content_type[128];
	char request_id[128];
	char allow[128];
	char connection[64];
	char retry_after[32];
	char csp[512]; /* Content-Security-Policy */
	char cache_control[128];
	char replayed[16];	  /* Idempotent-Replayed */
	char nosniff[32];	  /* X-Content-Type-Options */
	char frame_options[32];	  /* X-Frame-Options */
	char referrer_policy[32]; /* Referrer-Policy */
	char corp[32];		  /* Cross-Origin-Resource-Policy */
	char www_authenticate[128];
	char ratelimit_policy[64]; /* RateLimit-Policy */
	long connects;		   /* new connections curl opened for this request */
	int curl_error;		   /* CURLE_OK or the failure */
};

/* Starts the server with extra flags (NULL-terminated, may be NULL); asserts it came up. */
void server_start(struct server *s, const char *const *extra);

/* Starts it in an existing directory (for restarts); dir must hold data/. */
void server_start_in(struct server *s, const char *dir, const char *const *extra);

/* Sends `sig` and waits; returns the exit status (or 128 + signal). */
int server_stop(struct server *s, int sig);

/* Removes the temporary directory. */
void server_cleanup(struct server *s);

/* One request on a fresh or the thread's kept-alive connection. headers: NULL-terminated. */
void http_do(struct server *s, const char *method, const char *path, const char *const *headers,
	     const void *body, size_t len, struct response *out);
void response_free(struct response *r);

/* Closes the calling thread's kept-alive connection (call before a thread ends). */
void http_thread_done(void);

/* Connects a raw TCP socket to the server; returns the fd. */
int raw_connect(struct server *s);

/* Reads until EOF or timeout_ms of silence; returns bytes read into buf (NUL-terminated). */
size_t raw_read_all(int fd, char *buf, size_t cap, int timeout_ms);

/*
 * Runs `signaal ARGS...` (argv NULL-terminated, without the program name)
 * with extra environment entries "NAME=value" (NULL-terminated, may be NULL);
 * captures stdout and stderr (caller frees both).  Returns the exit status.
 */
int run_cli(const char *const *argv, const char *const *env, char **out, char **err);

/* The number of rows `sql` counts in the server's database (opened read-only). */
long db_count(struct server *s, const char *sql);

/*
 * Runs `sql` (one or more statements) against the database of the test
 * directory DIR (the one above data/), on whichever backend is under test,
 * and returns the rows it changed; fails the test on an error.  SQL that
 * differs between the backends picks by harness_pg().
 */
long db_exec_dir(const char *dir, const char *sql);

/* A webhook receiver (tests/integration/receiver.c, from RECEIVER_BIN). */
struct receiver {
	pid_t pid;
	unsigned port;
	char log[128]; /* one JSON line per POST received */
};

/*
 * Starts a receiver that checks signatures with `secret`, with extra
 * options (NULL-terminated, may be NULL: "--fail-first", "2", ...); its
 * port file and log are DIR/NAME.port and DIR/NAME.log.  Asserts it started.
 */
void receiver_start(struct receiver *r, const char *dir, const char *name, const char *secret,
		    const char *const *extra);
void receiver_stop(struct receiver *r); /* SIGTERM and wait; a no-op when not running */

/* A fresh temporary directory name, created. */
void temp_dir(char *out, size_t outsz);

/*
 * The backend under test: SQLite unless SIGNAAL_TEST_PG_DIR names a
 * running test cluster (scripts/pg-test-server), in which case every
 * temporary directory gets its own PostgreSQL database, and servers and
 * commands started on DIR/data use it (SIGNAAL_STORE, SIGNAAL_STORE_URL).
 */
bool harness_pg(void);
/* The store URL for DIR (the directory above data/), creating its database; "" on SQLite. */
const char *harness_store_url(const char *dir, char *out, size_t outsz);

#endif
