/* reference.c - the shared vocabulary: GET /v1/taxonomy and GET /v1/municipalities. */
#include "api/api.h"

#include "app.h"
#include "taxonomy.h"

void api_taxonomy(struct http_req *req, struct http_reply *rep)
{
	http_reply_json(rep, 200, json_incref(taxonomy_json(req->app->taxonomy)));
	http_reply_header(rep, "Cache-Control", "public, max-age=3600");
}

void api_municipalities(struct http_req *req, struct http_reply *rep)
{
	json_t *list = municipalities_json(req->app->municipalities);

	http_reply_json(rep, 200, json_pack("{s:O}", "municipalities", list));
	http_reply_header(rep, "Cache-Control", "public, max-age=3600");
}
