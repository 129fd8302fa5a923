/* advice.c - load, validate and select first steps for fraud victims; see advice.h. */
#include "advice.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ident/ident.h"
#include "util/mem.h"
#include "util/text.h"

#define ID_MAX	     48	  /* bytes in a step id */
#define TITLE_MAX    200  /* bytes in one title */
#define TEXT_MAX     2000 /* bytes in one text */
#define STEPS_MAX    200  /* keeps the duplicate check cheap */
#define PRIORITY_MAX 9999
#define CODES_MAX    64 /* codes in one list of "when" */
#define NAMES_MAX    160

struct step {
	const char *id; /* strings point into the document */
	json_int_t priority;
	bool urgent;
	bool always;
	const char *title[TEXT_NLANGS];
	const char *text[TEXT_NLANGS];
	json_t *fraud_types;	 /* array of strings, borrowed; NULL if absent */
	json_t *payment_methods; /* likewise */
	unsigned kinds;		 /* 1u << enum ident_kind */
};

struct advice {
	json_t *doc;
	const char *version;
	size_t nsteps;
	struct step *steps; /* in the order advice_select() returns them */
};

/* ---- messages ---- */

#define invalid(err, errsz, ...) text_fail(err, errsz, ADVICE_EINVAL, __VA_ARGS__)
#define nomem(err, errsz)	 text_fail(err, errsz, ADVICE_ENOMEM, "out of memory")

static const char *kind_names(char *buf, size_t size)
{
	size_t used = 0;
	int w;

	buf[0] = '\0';
	for (int k = 0; k < IDENT_KIND_COUNT; k++) {
		w = snprintf(buf + used, size - used, "%s%s", k ? ", " : "",
			     ident_kind_name((enum ident_kind)k));
		if (w < 0 || (size_t)w >= size - used)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* ---- checks ---- */

/* when.fraud_types or when.payment_methods: distinct codes of a taxonomy section. */
static int check_codes(json_t *list, const char *key, const char *section, const char *noun,
		       const struct taxonomy *tx, const char *where, char *err, size_t errsz)
{
	const char *code;
	size_t i;
	json_t *v;

	if (!json_is_array(list))
		return invalid(err, errsz, "%s: when.%s must be an array of codes", where, key);
	if (json_array_size(list) > CODES_MAX)
		return invalid(err, errsz, "%s: when.%s has %zu codes, at most %d allowed", where,
			       key, json_array_size(list), CODES_MAX);
	json_array_foreach(list, i, v)
	{
		if (!json_is_string(v))
			return invalid(err, errsz, "%s: when.%s[%zu] must be a string", where, key,
				       i);
		code = json_string_value(v);
		if (!taxonomy_has(tx, section, code))
			return invalid(err, errsz,
				       "%s: when.%s: unknown %s '%.64s' (allowed: the codes "
				       "of the taxonomy's %s)",
				       where, key, noun, code, section);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(code, json_string_value(json_array_get(list, j))))
				return invalid(err, errsz, "%s: when.%s lists '%s' twice", where,
					       key, code);
	}
	return ADVICE_OK;
}

static int check_kinds(json_t *list, unsigned *kinds, const char *where, char *err, size_t errsz)
{
	char names[NAMES_MAX];
	enum ident_kind k;
	size_t i;
	json_t *v;

	if (!json_is_array(list))
		return invalid(err, errsz, "%s: when.identifier_kinds must be an array of kinds",
			       where);
	json_array_foreach(list, i, v)
	{
		if (!json_is_string(v))
			return invalid(err, errsz,
				       "%s: when.identifier_kinds[%zu] must be a string", where, i);
		if (ident_kind_parse(json_string_value(v), &k) != 0)
			return invalid(err, errsz,
				       "%s: when.identifier_kinds: unknown identifier kind "
				       "'%.64s' (allowed: %s)",
				       where, json_string_value(v),
				       kind_names(names, sizeof(names)));
		if (*kinds & (1u << k))
			return invalid(err, errsz, "%s: when.identifier_kinds lists '%s' twice",
				       where, json_string_value(v));
		*kinds |= 1u << k;
	}
	return ADVICE_OK;
}

#define WHEN_MEMBERS "fraud_types, payment_methods, identifier_kinds, always"

/* Unlike the taxonomy, only nl and en: the selection serves no other language. */
static int check_texts(json_t *texts, const char *what, size_t max, const char **out,
		       const char *where, char *err, size_t errsz)
{
	return text_check_langs(texts, what, max, out, where, err, errsz) ? ADVICE_EINVAL
									  : ADVICE_OK;
}

static int check_when(json_t *when, struct step *s, const struct taxonomy *tx, const char *where,
		      char *err, size_t errsz)
{
	const char *key;
	json_t *v;
	bool any;
	int rc;

	if (!when)
		return invalid(err, errsz, "%s: missing when", where);
	if (!json_is_object(when))
		return invalid(err, errsz, "%s: when must be an object with " WHEN_MEMBERS, where);
	json_object_foreach(when, key, v)
	{
		if (!strcmp(key, "fraud_types")) {
			rc = check_codes(v, key, "fraud_types", "fraud type", tx, where, err,
					 errsz);
			s->fraud_types = v;
		} else if (!strcmp(key, "payment_methods")) {
			rc = check_codes(v, key, "payment_methods", "payment method", tx, where,
					 err, errsz);
			s->payment_methods = v;
		} else if (!strcmp(key, "identifier_kinds")) {
			rc = check_kinds(v, &s->kinds, where, err, errsz);
		} else if (!strcmp(key, "always")) {
			if (!json_is_boolean(v))
				return invalid(err, errsz, "%s: when.always must be true or false",
					       where);
			s->always = json_is_true(v);
			rc = ADVICE_OK;
		} else {
			return invalid(err, errsz, "%s: when: unknown member '%.64s' (allowed: %s)",
				       where, key, WHEN_MEMBERS);
		}
		if (rc != ADVICE_OK)
			return rc;
	}
	any = json_array_size(s->fraud_types) || json_array_size(s->payment_methods) || s->kinds;
	if (s->always && any)
		return invalid(err, errsz,
			       "%s: when: a step that applies always must not list "
			       "conditions",
			       where);
	if (!s->always && !any)
		return invalid(err, errsz,
			       "%s: when: the step never applies; set always to true "
			       "or list a fraud type, payment method or identifier kind",
			       where);
	return ADVICE_OK;
}

#define STEP_MEMBERS "id, priority, urgent, title, text, when"

static bool step_member(const char *key)
{
	static const char *const members[] = {
		"id", "priority", "urgent", "title", "text", "when",
	};

	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (!strcmp(key, members[i]))
			return true;
	return false;
}

static int check_step(json_t *e, size_t i, struct advice *a, const struct taxonomy *tx, char *err,
		      size_t errsz)
{
	struct step *s = &a->steps[i];
	char where[ID_MAX + 32];
	const char *key;
	json_t *v;
	int rc;

	snprintf(where, sizeof(where), "steps[%zu]", i);
	if (!json_is_object(e))
		return invalid(err, errsz, "%s: must be an object", where);
	v = json_object_get(e, "id");
	if (!v)
		return invalid(err, errsz, "%s: missing id", where);
	if (!json_is_string(v))
		return invalid(err, errsz, "%s: id must be a string", where);
	s->id = json_string_value(v);
	if (!text_is_snake_case(s->id, ID_MAX))
		return invalid(err, errsz,
			       "%s: id '%.64s' is not snake_case (allowed: a-z and 0-9 in "
			       "words joined by single '_', at most %d bytes)",
			       where, s->id, ID_MAX);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(s->id, a->steps[j].id))
			return invalid(err, errsz, "%s: duplicate id '%s', first at steps[%zu]",
				       where, s->id, j);
	snprintf(where, sizeof(where), "steps[%zu] '%s'", i, s->id);
	json_object_foreach(e, key, v)
	{
		if (!step_member(key))
			return invalid(err, errsz, "%s: unknown member '%.64s' (allowed: %s)",
				       where, key, STEP_MEMBERS);
	}
	v = json_object_get(e, "priority");
	if (!v)
		return invalid(err, errsz, "%s: missing priority", where);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > PRIORITY_MAX)
		return invalid(err, errsz,
			       "%s: priority must be a whole number from 0 to %d "
			       "(lower comes first)",
			       where, PRIORITY_MAX);
	s->priority = json_integer_value(v);
	v = json_object_get(e, "urgent");
	if (!v)
		return invalid(err, errsz, "%s: missing urgent", where);
	if (!json_is_boolean(v))
		return invalid(err, errsz, "%s: urgent must be true or false", where);
	s->urgent = json_is_true(v);
	rc = check_texts(json_object_get(e, "title"), "title", TITLE_MAX, s->title, where, err,
			 errsz);
	if (rc == ADVICE_OK)
		rc = check_texts(json_object_get(e, "text"), "text", TEXT_MAX, s->text, where, err,
				 errsz);
	if (rc == ADVICE_OK)
		rc = check_when(json_object_get(e, "when"), s, tx, where, err, errsz);
	return rc;
}

static int check_document(struct advice *a, const struct taxonomy *tx, char *err, size_t errsz)
{
	json_t *steps, *e;
	size_t i;
	int rc;

	if (text_data_head(a->doc, ADVICE_SCHEMA_VERSION, "steps", STEPS_MAX, &steps, &a->version,
			   err, errsz))
		return ADVICE_EINVAL;
	a->steps = mem_calloc(json_array_size(steps), sizeof(*a->steps));
	if (!a->steps)
		return nomem(err, errsz);
	json_array_foreach(steps, i, e)
	{
		rc = check_step(e, i, a, tx, err, errsz);
		if (rc != ADVICE_OK)
			return rc;
		a->nsteps = i + 1;
	}
	return ADVICE_OK;
}

/* The order of advice_select(): urgent first, then priority, then id (ids are unique). */
static int step_cmp(const void *pa, const void *pb)
{
	const struct step *x = pa, *y = pb;

	if (x->urgent != y->urgent)
		return x->urgent ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->id, y->id);
}

int advice_load_buffer(const char *buf, size_t len, const struct taxonomy *tx, struct advice **out,
		       char *err, size_t errsz)
{
	struct advice *a;
	int rc;

	*out = NULL;
	if (err && errsz)
		err[0] = '\0';
	if (!buf)
		buf = "";
	a = mem_calloc(1, sizeof(*a));
	if (!a)
		return nomem(err, errsz);
	rc = text_load_json(buf, len, &a->doc, err, errsz);
	if (rc)
		rc = rc == TEXT_ENOMEM ? ADVICE_ENOMEM : ADVICE_EINVAL;
	else
		rc = check_document(a, tx, err, errsz);
	if (rc != ADVICE_OK) {
		text_sanitize(err, errsz);
		advice_free(a);
		return rc;
	}
	qsort(a->steps, a->nsteps, sizeof(*a->steps), step_cmp);
	*out = a;
	return ADVICE_OK;
}

void advice_free(struct advice *a)
{
	if (!a)
		return;
	mem_free(a->steps);
	json_decref(a->doc);
	mem_free(a);
}

const char *advice_version(const struct advice *a)
{
	return a->version;
}

static bool lists(json_t *codes, const char *code)
{
	size_t i;
	json_t *v;

	if (!code)
		return false;
	json_array_foreach(codes, i, v)
	{
		if (!strcmp(json_string_value(v), code))
			return true;
	}
	return false;
}

static bool step_applies(const struct step *s, const char *fraud_type, const char *payment_method,
			 unsigned kinds_mask)
{
	return s->always || lists(s->fraud_types, fraud_type) ||
	       lists(s->payment_methods, payment_method) || (s->kinds & kinds_mask);
}

json_t *advice_select(const struct advice *a, const char *fraud_type, const char *payment_method,
		      unsigned kinds_mask, const char *lang)
{
	int l = lang && !strcmp(lang, "en") ? TEXT_LANG_EN : TEXT_LANG_NL;
	json_t *arr = json_array(), *o;
	const struct step *s;

	if (!arr)
		return NULL;
	for (size_t i = 0; i < a->nsteps; i++) {
		s = &a->steps[i];
		if (!step_applies(s, fraud_type, payment_method, kinds_mask))
			continue;
		o = json_pack("{s:s, s:s, s:s, s:b}", "id", s->id, "title", s->title[l], "text",
			      s->text[l], "urgent", s->urgent);
		if (!o || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}
