/* router.c - matching a method and path against the route table; see http.h. */
#include "http/http.h"

#include <stdio.h>
#include <string.h>

static const char *const method_names[HTTP_METHOD_COUNT] = {
	[HTTP_GET] = "GET",	    [HTTP_HEAD] = "HEAD",   [HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",	    [HTTP_PATCH] = "PATCH", [HTTP_DELETE] = "DELETE",
	[HTTP_OPTIONS] = "OPTIONS",
};

enum http_method http_method_parse(const char *s)
{
	for (int m = 0; m < HTTP_METHOD_COUNT; m++)
		if (strcmp(s, method_names[m]) == 0)
			return (enum http_method)m;
	return HTTP_OTHER;
}

const char *http_method_name(enum http_method m)
{
	return (unsigned)m < HTTP_METHOD_COUNT ? method_names[m] : "OTHER";
}

/*
 * Whether `path` matches `pattern` segment by segment.  Parameters are
 * copied into `params` (which is left partly filled on a mismatch: the
 * caller clears it before each try).
 */
static int route_path_match(const char *pattern, const char *path, struct route_params *params)
{
	const char *p = pattern, *s = path;

	params->n = 0;
	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t vlen = strcspn(s, "/");

			if (!close || vlen == 0 || vlen >= ROUTE_PARAM_MAX_LEN ||
			    params->n >= ROUTE_PARAMS_MAX)
				return 0;
			params->name[params->n] = p + 1;
			params->name_len[params->n] = (size_t)(close - p - 1);
			memcpy(params->value[params->n], s, vlen);
			params->value[params->n][vlen] = '\0';
			params->n++;
			p = close + 1;
			s += vlen;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

int router_match(const struct route *routes, size_t nroutes, enum http_method method,
		 const char *path, struct route_params *params, unsigned *allowed)
{
	enum http_method want = method == HTTP_HEAD ? HTTP_GET : method;
	struct route_params scratch;

	*allowed = 0;
	if (path[0] != '/')
		return ROUTE_NOT_FOUND;
	for (size_t i = 0; i < nroutes; i++) {
		if (routes[i].method == want && route_path_match(routes[i].pattern, path, params))
			return (int)i;
	}
	for (size_t i = 0; i < nroutes; i++) {
		if (route_path_match(routes[i].pattern, path, &scratch)) {
			*allowed |= 1u << routes[i].method;
			if (routes[i].method == HTTP_GET)
				*allowed |= 1u << HTTP_HEAD;
		}
	}
	params->n = 0;
	return *allowed ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

void router_allow_header(unsigned allowed, char *out, size_t outsz)
{
	size_t pos = 0;

	out[0] = '\0';
	for (int m = 0; m < HTTP_METHOD_COUNT; m++) {
		int n;

		if (!(allowed & (1u << m)))
			continue;
		n = snprintf(out + pos, outsz - pos, "%s%s", pos ? ", " : "", method_names[m]);
		if (n < 0 || (size_t)n >= outsz - pos)
			break;
		pos += (size_t)n;
	}
}

const char *http_param(const struct http_req *req, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < req->params.n; i++)
		if (req->params.name_len[i] == len && memcmp(req->params.name[i], name, len) == 0)
			return req->params.value[i];
	return NULL;
}
