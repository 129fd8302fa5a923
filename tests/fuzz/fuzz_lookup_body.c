/*
 * fuzz_lookup_body.c - the lookup body's fast path against jansson.
 *
 * Invariant: whenever lookup_body_pseudonyms() takes a body, jansson
 * parses it too (with duplicate keys refused, as the server does) into
 * {"items": [...]} alone, whose items are each {"pseudonym": S} alone, S
 * decoding to the same bytes.  So the fast path never reads a body
 * differently from the general one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/lookup_body.h"
#include "util/b64url.h"

#define BYTES 64
#define MAX   1000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[MAX * BYTES];
	uint8_t one[BYTES];
	json_t *doc, *items;
	size_t n;
	char *body;

	if (size > 256 * 1024)
		return 0;
	/* An exact-size copy, so reading past the end is caught. */
	body = malloc(size ? size : 1);
	if (!body)
		return 0;
	memcpy(body, data, size);
	if (lookup_body_pseudonyms(body, size, out, BYTES, MAX, &n) != 0) {
		free(body);
		return 0;
	}
	doc = json_loadb(body, size, JSON_REJECT_DUPLICATES, NULL);
	items = json_object_get(doc, "items");
	if (!json_is_object(doc) || json_object_size(doc) != 1 || !json_is_array(items) ||
	    json_array_size(items) != n || n == 0 || n > MAX)
		abort();
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(items, i), *ps = json_object_get(it, "pseudonym");

		if (!json_is_object(it) || json_object_size(it) != 1 || !json_is_string(ps) ||
		    b64url_decode_exact(one, BYTES, json_string_value(ps),
					json_string_length(ps)) ||
		    memcmp(one, out + i * BYTES, BYTES) != 0)
			abort();
	}
	json_decref(doc);
	free(body);
	return 0;
}
