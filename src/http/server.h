/*
 * server.h - the HTTP server on libmicrohttpd.
 *
 * http_server_start() binds and starts the worker threads and returns at
 * once; http_server_drain() stops accepting connections, lets the requests
 * in flight finish (up to a timeout) and stops the threads.
 */
#ifndef SIGNAAL_HTTP_SERVER_H
#define SIGNAAL_HTTP_SERVER_H

#include <stddef.h>

struct app;
struct http_server;

/* Starts serving app->routes on app->cfg->listen.  NULL with err filled on failure. */
struct http_server *http_server_start(struct app *app, char *err, size_t errsz);

/*
 * Checks the TLS settings before anything else starts: both files or
 * neither, libmicrohttpd built with TLS, the key not readable by others,
 * both PEM.  Whether the key matches the certificate shows only when the
 * server starts.  0, or -1 with a message in err.
 */
struct config;
int http_server_tls_check(const struct config *cfg, char *err, size_t errsz);

/* The port actually bound (useful with port 0). */
unsigned http_server_port(const struct http_server *srv);

/*
 * Graceful stop: refuse new connections, answer the requests already
 * received (telling keep-alive clients to close), wait up to timeout_s for
 * them, then stop.  Returns the number of requests still unfinished.
 * Frees the server.
 */
long http_server_drain(struct http_server *srv, int timeout_s);

#endif
