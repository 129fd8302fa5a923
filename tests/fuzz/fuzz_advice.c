/*
 * fuzz_advice.c - the advice loader on arbitrary bytes, against the shipped
 * taxonomy (read once from DATA_DIR).
 *
 * A failure must leave one printable line of error and no struct.  A document
 * that loads must give, for every fraud type, payment method and kind of the
 * taxonomy and in both languages, a selection that holds each step at most
 * once, urgent ones first, that always contains the steps selected for an
 * empty report and grows (never shrinks) when more is known.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "taxonomy.h"

#ifndef DATA_DIR
#define DATA_DIR "data"
#endif

static struct taxonomy *tx;

static void load_taxonomy(void)
{
	char err[TAXONOMY_ERR_MAX];

	if (tx)
		return;
	if (taxonomy_load_file(DATA_DIR "/taxonomy.json", &tx, err, sizeof(err)) != TAXONOMY_OK) {
		fprintf(stderr, "fuzz_advice: %s\n", err);
		abort();
	}
}

static void check_err(int rc, const char *err, size_t errsz)
{
	size_t n = strlen(err);
	json_t *s;

	if ((rc != ADVICE_EINVAL && rc != ADVICE_ENOMEM) || n == 0 || n >= errsz)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			abort();
	/* jansson accepts only valid UTF-8 as a string. */
	s = json_string(err);
	if (!s)
		abort();
	json_decref(s);
}

static const char *id_at(json_t *steps, size_t i)
{
	return json_string_value(json_object_get(json_array_get(steps, i), "id"));
}

static bool contains(json_t *steps, const char *id)
{
	for (size_t i = 0; i < json_array_size(steps); i++)
		if (!strcmp(id_at(steps, i), id))
			return true;
	return false;
}

/* Well formed, each id once, urgent steps first; `base` (may be NULL) included. */
static void check_selection(json_t *steps, json_t *base)
{
	bool seen_calm = false;
	size_t i;
	json_t *s;

	if (!json_is_array(steps))
		abort();
	json_array_foreach(steps, i, s)
	{
		json_t *urgent = json_object_get(s, "urgent");

		if (json_object_size(s) != 4 || !id_at(steps, i) ||
		    !json_string_value(json_object_get(s, "title")) ||
		    !json_string_value(json_object_get(s, "text")) || !json_is_boolean(urgent))
			abort();
		if (json_is_true(urgent) && seen_calm)
			abort();
		seen_calm = seen_calm || json_is_false(urgent);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(id_at(steps, i), id_at(steps, j)))
				abort();
	}
	for (i = 0; base && i < json_array_size(base); i++)
		if (!contains(steps, id_at(base, i)))
			abort();
}

static json_t *codes(const char *section)
{
	return json_object_get(taxonomy_json(tx), section);
}

static const char *code_at(json_t *list, size_t i)
{
	return json_string_value(json_object_get(json_array_get(list, i), "code"));
}

static void check_advice(const struct advice *a)
{
	static const char *const langs[] = { "nl", "en" };
	json_t *types = codes("fraud_types"), *methods = codes("payment_methods");
	json_t *base, *one, *more;
	const char *ft, *pm;

	for (size_t l = 0; l < 2; l++) {
		base = advice_select(a, NULL, NULL, 0, langs[l]);
		if (!base)
			abort();
		check_selection(base, NULL);
		for (size_t i = 0; i < json_array_size(types); i++) {
			ft = code_at(types, i);
			pm = code_at(methods, i % json_array_size(methods));
			one = advice_select(a, ft, NULL, 0, langs[l]);
			more = advice_select(a, ft, pm, 1u << (i % IDENT_KIND_COUNT), langs[l]);
			if (!one || !more)
				abort();
			check_selection(one, base);
			check_selection(more, one);
			json_decref(one);
			json_decref(more);
		}
		more = advice_select(a, NULL, NULL, ~0u, langs[l]);
		if (!more)
			abort();
		check_selection(more, base);
		json_decref(more);
		json_decref(base);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ADVICE_ERR_MAX];
	struct advice *a = NULL;
	int rc;

	load_taxonomy();
	rc = advice_load_buffer((const char *)data, size, tx, &a, err, sizeof(err));
	if (rc != ADVICE_OK) {
		if (a)
			abort();
		check_err(rc, err, sizeof(err));
		return 0;
	}
	if (!advice_version(a) || strlen(advice_version(a)) != 10)
		abort();
	check_advice(a);
	advice_free(a);
	return 0;
}
