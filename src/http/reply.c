/* reply.c - building replies and RFC 9457 problems; see http.h. */
#include "http/http.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/mem.h"

void http_reply_release(struct http_reply *rep)
{
	if (!rep->body_static)
		mem_free(rep->body);
	memset(rep, 0, sizeof(*rep));
}

/* Drops any earlier body so that a handler may replace a reply. */
static void reply_reset_body(struct http_reply *rep)
{
	if (!rep->body_static)
		mem_free(rep->body);
	rep->body = NULL;
	rep->len = 0;
	rep->body_static = false;
}

void http_reply_static(struct http_reply *rep, int status, const char *content_type,
		       const char *body, size_t len)
{
	reply_reset_body(rep);
	rep->status = status;
	rep->content_type = content_type;
	rep->body = (char *)body;
	rep->len = len;
	rep->body_static = true;
}

void http_reply_take(struct http_reply *rep, int status, const char *content_type, char *body,
		     size_t len)
{
	reply_reset_body(rep);
	rep->status = status;
	rep->content_type = content_type;
	rep->body = body;
	rep->len = len;
}

static const char oom_problem[] =
	"{\"type\":\"urn:signaal:problem:internal\",\"title\":\"Internal server error\","
	"\"status\":500,\"detail\":\"the server ran out of memory; try again later\"}";

void http_reply_json(struct http_reply *rep, int status, json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	char *copy;
	size_t n;

	json_decref(doc);
	if (!text) {
		log_error("cannot encode reply");
		http_reply_static(rep, 500, "application/problem+json", oom_problem,
				  sizeof(oom_problem) - 1);
		return;
	}
	/* jansson allocates with malloc; hand over a mem_alloc copy so one free rule holds. */
	n = strlen(text);
	copy = mem_alloc(n + 1);
	if (!copy) {
		free(text);
		http_reply_static(rep, 500, "application/problem+json", oom_problem,
				  sizeof(oom_problem) - 1);
		return;
	}
	memcpy(copy, text, n + 1);
	free(text);
	http_reply_take(rep, status, "application/json", copy, n);
}

void http_reply_header(struct http_reply *rep, const char *name, const char *value)
{
	if (rep->nheaders >= REPLY_HEADERS_MAX || strlen(name) >= sizeof(rep->headers[0].name) ||
	    strlen(value) >= sizeof(rep->headers[0].value)) {
		log_error("BUG: reply header does not fit", "header", name);
		return;
	}
	snprintf(rep->headers[rep->nheaders].name, sizeof(rep->headers[0].name), "%s", name);
	snprintf(rep->headers[rep->nheaders].value, sizeof(rep->headers[0].value), "%s", value);
	rep->nheaders++;
}

void http_problem_field(json_t **errors, const char *field, const char *message)
{
	if (!*errors)
		*errors = json_array();
	if (*errors)
		json_array_append_new(*errors,
				      json_pack("{s:s,s:s}", "field", field, "message", message));
}

void http_reply_problem(struct http_reply *rep, int status, const char *slug, const char *title,
			const char *detail, json_t *errors)
{
	char type[96];
	json_t *doc;

	snprintf(type, sizeof(type), "urn:signaal:problem:%s", slug);
	doc = json_pack("{s:s,s:s,s:i}", "type", type, "title", title, "status", status);
	if (doc && detail)
		json_object_set_new(doc, "detail", json_string(detail));
	if (doc && errors)
		json_object_set_new(doc, "errors", errors);
	else
		json_decref(errors);
	http_reply_json(rep, status, doc);
	if (rep->status == status)
		rep->content_type = "application/problem+json";
}
