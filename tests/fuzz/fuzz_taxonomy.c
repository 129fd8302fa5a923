/*
 * fuzz_taxonomy.c - the taxonomy and municipality loaders on arbitrary bytes.
 *
 * Both loaders see every input.  A failure must leave one printable line of
 * error; a taxonomy that loads must load again, unchanged, from its own
 * served document and answer for every code it holds; a municipality list
 * must find each of its rows by code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "taxonomy.h"

/* One line of printable UTF-8: jansson accepts only valid UTF-8 as a string. */
static void check_err(int rc, const char *err, size_t errsz)
{
	size_t n = strlen(err);
	json_t *s;

	if (rc != TAXONOMY_EINVAL || n == 0 || n >= errsz)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			abort();
	s = json_string(err);
	if (!s)
		abort();
	json_decref(s);
}

static void check_taxonomy(const uint8_t *data, size_t size)
{
	struct taxonomy *tx = NULL, *again = NULL;
	char err[TAXONOMY_ERR_MAX];
	const char *key;
	json_t *sec, *e;
	char *text;
	size_t i;
	int rc;

	rc = taxonomy_load_buffer((const char *)data, size, &tx, err, sizeof(err));
	if (rc != TAXONOMY_OK) {
		if (tx)
			abort();
		check_err(rc, err, sizeof(err));
		return;
	}
	text = json_dumps(taxonomy_json(tx), JSON_COMPACT);
	if (!text)
		abort();
	if (taxonomy_load_buffer(text, strlen(text), &again, err, sizeof(err)) != TAXONOMY_OK ||
	    !json_equal(taxonomy_json(tx), taxonomy_json(again)) ||
	    strcmp(taxonomy_version(tx), taxonomy_version(again)))
		abort();
	json_object_foreach(taxonomy_json(tx), key, sec)
	{
		json_array_foreach(sec, i, e)
		{
			const char *code = json_string_value(json_object_get(e, "code"));

			if (!taxonomy_has(again, key, code) ||
			    !taxonomy_label(again, key, code, "nl") ||
			    !taxonomy_label(again, key, code, "en"))
				abort();
		}
	}
	if (taxonomy_has(tx, "version", "x") || taxonomy_has(tx, "fraud_types", "Not-Snake"))
		abort();
	free(text);
	taxonomy_free(again);
	taxonomy_free(tx);
}

static void check_municipalities(const uint8_t *data, size_t size)
{
	struct municipalities *m = NULL;
	char err[TAXONOMY_ERR_MAX];
	const struct municipality *r;
	size_t n;
	int rc;

	rc = municipalities_load_buffer((const char *)data, size, &m, err, sizeof(err));
	if (rc != TAXONOMY_OK) {
		if (m)
			abort();
		check_err(rc, err, sizeof(err));
		return;
	}
	n = municipalities_count(m);
	if (n == 0 || json_array_size(municipalities_json(m)) != n || municipalities_at(m, n))
		abort();
	for (size_t i = 0; i < n; i++) {
		r = municipalities_at(m, i);
		if (strlen(r->code) != 6 || memcmp(r->code, "GM", 2) ||
		    strlen(r->province_code) != 4 || !r->name[0] || !r->province[0] ||
		    municipalities_find(m, r->code) != r)
			abort();
	}
	municipalities_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_taxonomy(data, size);
	check_municipalities(data, size);
	return 0;
}
