/*
 * oprf.c - the blind lookup: a partner computes an identifier's pseudonym
 * without the server learning the identifier (RFC 9497 VOPRF,
 * ristretto255-SHA512).  GET /v1/oprf/key publishes the public key;
 * POST /v1/oprf/evaluate evaluates up to 1,000 blinded elements with one
 * batched DLEQ proof.  Each evaluation is an online guess, so they are
 * metered per partner (oprf_quota an hour).
 */
#include "api/api.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "partner.h"
#include "pseudonym.h"
#include "ratelimit.h"
#include "store/store.h"
#include "util/b64url.h"
#include "util/mem.h"

#define EVALUATE_MAX 1000
#define B64_LEN(n)   sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING)

static void b64(char *out, size_t outsz, const uint8_t *in, size_t n)
{
	sodium_bin2base64(out, outsz, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void api_oprf_key(struct http_req *req, struct http_reply *rep)
{
	char pk[B64_LEN(VOPRF_ELEMENT_BYTES)];

	b64(pk, sizeof(pk), req->app->pseudonym_key->pk, VOPRF_ELEMENT_BYTES);
	http_reply_json(rep, 200,
			json_pack("{s:s,s:s}", "suite", "ristretto255-SHA512", "public_key", pk));
	http_reply_header(rep, "Cache-Control", "public, max-age=3600");
}

void api_oprf_evaluate(struct http_req *req, struct http_reply *rep)
{
	const struct app *app = req->app;
	json_t *list = json_object_get(req->json, "blinded"), *errors = NULL, *out;
	uint8_t(*blinded)[VOPRF_ELEMENT_BYTES] = NULL, (*evaluated)[VOPRF_ELEMENT_BYTES] = NULL;
	uint8_t proof[VOPRF_PROOF_BYTES];
	char key[64], field[32], p64[B64_LEN(VOPRF_PROOF_BYTES)];
	struct partner p;
	size_t n = json_array_size(list);
	int retry;

	if (api_partner_auth(req, rep, &p))
		return;
	if (!json_is_object(req->json) || !json_is_array(list) || n == 0 || n > EVALUATE_MAX) {
		http_problem_field(&errors, "blinded", "required: 1 to 1000 base64url elements");
		http_reply_problem(rep, 422, "validation", "Invalid evaluation",
				   "nothing evaluated", errors);
		return;
	}
	/* Metered: every element is one guess at an identifier; a refused batch costs nothing. */
	snprintf(key, sizeof(key), "p:%lld", (long long)p.id);
	if (app->oprf_quota && ratelimit_take_n(app->oprf_quota, key, (unsigned)n, &retry)) {
		api_too_many(rep, "quota-exceeded", "Evaluation quota exceeded",
			     "this partner's blind evaluations left for now are fewer than "
			     "this batch; nothing was evaluated or counted",
			     retry, app->cfg->oprf_quota, 3600);
		return;
	}
	blinded = mem_calloc(n, sizeof(*blinded));
	evaluated = mem_calloc(n, sizeof(*evaluated));
	if (!blinded || !evaluated)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		json_t *el = json_array_get(list, i);
		const char *s = json_string_value(el);

		/* Blinded elements are public: variable-time decoding is safe. */
		if (!s || b64url_decode_exact(blinded[i], VOPRF_ELEMENT_BYTES, s,
					      json_string_length(el))) {
			snprintf(field, sizeof(field), "blinded[%zu]", i);
			http_problem_field(&errors, field, "must be the base64url of 32 bytes");
		}
	}
	if (errors) {
		http_reply_problem(rep, 422, "validation", "Invalid evaluation",
				   "nothing evaluated", errors);
		goto out;
	}
	if (voprf_blind_evaluate(PSEUDONYM_MODE, app->pseudonym_key->sk, app->pseudonym_key->pk,
				 (const uint8_t(*)[VOPRF_ELEMENT_BYTES])blinded, evaluated, n,
				 proof)) {
		http_reply_problem(rep, 422, "validation", "Invalid evaluation",
				   "an element is not a valid ristretto255 point (or the identity)",
				   NULL);
		goto out;
	}
	out = json_array();
	for (size_t i = 0; out && i < n; i++) {
		char e[B64_LEN(VOPRF_ELEMENT_BYTES)];

		b64(e, sizeof(e), evaluated[i], VOPRF_ELEMENT_BYTES);
		json_array_append_new(out, json_string(e));
	}
	b64(p64, sizeof(p64), proof, sizeof(proof));
	http_reply_json(
		rep, 200,
		json_pack("{s:o,s:s}", "evaluated", out ? out : json_array(), "proof", p64));
	goto out;
oom:
	api_store_error(rep, STORE_ENOMEM);
out:
	mem_free(blinded);
	mem_free(evaluated);
}
