/*
 * static.c - the web pages for victims and the public, carried in the
 * program (web/ at build time) and served with a strict Content-Security-
 * Policy: scripts and styles from this origin only, nothing inline.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "embedded.h"

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
			  "img-src 'self'; connect-src 'self'; form-action 'self'; "
			  "base-uri 'none'; frame-ancestors 'none'";

static const struct {
	const char *path;
	const char *file;
} pages[] = {
	{ "/", "web/index.html" },
	{ "/report", "web/index.html" },
	{ "/advice", "web/advice.html" },
	{ "/check", "web/check.html" },
	{ "/case", "web/case.html" },
	{ "/subject", "web/subject.html" },
	{ "/favicon.ico", "web/static/favicon.svg" }, /* browsers ask for it unbidden */
};

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".json", "application/json" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *content_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

void api_static(struct http_req *req, struct http_reply *rep)
{
	const struct embedded_file *f = NULL;
	const char *name = http_param(req, "file");
	char path[300];

	if (name) {
		/* One path segment from the router: no '/' and so no way out of web/static. */
		if (name[0] == '.' ||
		    snprintf(path, sizeof(path), "web/static/%s", name) >= (int)sizeof(path))
			f = NULL;
		else
			f = embedded_find(path);
	} else {
		for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
			if (strcmp(req->path, pages[i].path) == 0)
				f = embedded_find(pages[i].file);
	}
	if (!f) {
		http_reply_problem(rep, 404, "not-found", "Not found", "there is no such page",
				   NULL);
		return;
	}
	http_reply_static(rep, 200, content_type(f->name), (const char *)f->data, f->len);
	if (strstr(f->name, ".html")) {
		http_reply_header(rep, "Content-Security-Policy", csp);
		/* Pages are small and change with the program: revalidate every time. */
		http_reply_header(rep, "Cache-Control", "no-cache");
	} else {
		http_reply_header(rep, "Cache-Control", "public, max-age=300");
	}
}
