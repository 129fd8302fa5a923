/* taxonomy.c - load and validate the taxonomy and the municipality list; see taxonomy.h. */
#include "taxonomy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/text.h"

#define CODE_MAX	48   /* bytes in a taxonomy code */
#define LABEL_MAX	200  /* bytes in one label text */
#define DESCRIPTION_MAX 2000 /* bytes in one description text */
#define ENTRIES_MAX	256  /* entries per section; keeps the duplicate check cheap */
#define AGE_MAX		150
#define NAME_MAX_BYTES	100 /* municipality and province names */
#define PROVINCES_MAX	64

/* ---- shared helpers ---- */

#define invalid(err, errsz, ...) text_fail(err, errsz, TAXONOMY_EINVAL, __VA_ARGS__)
#define nomem(err, errsz)	 text_fail(err, errsz, TAXONOMY_ENOMEM, "out of memory")

/* Read a whole file of at most TAXONOMY_FILE_MAX bytes into a new buffer. */
static int read_file(const char *path, char **out, size_t *outlen, char *err, size_t errsz)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, len = 0, n;
	char *buf = NULL, *nbuf;
	int rc = TAXONOMY_OK;

	*out = NULL;
	*outlen = 0;
	if (!f)
		return text_fail(err, errsz, TAXONOMY_EIO, "cannot open: %s", strerror(errno));
	for (;;) {
		if (len == cap) {
			/* One byte over the limit tells a too large file from a full one. */
			if (cap == TAXONOMY_FILE_MAX + 1) {
				rc = invalid(err, errsz, "the file is larger than %d bytes",
					     TAXONOMY_FILE_MAX);
				break;
			}
			cap = cap ? cap * 2 : 16384;
			if (cap > TAXONOMY_FILE_MAX + 1)
				cap = TAXONOMY_FILE_MAX + 1;
			nbuf = mem_realloc(buf, cap);
			if (!nbuf) {
				rc = nomem(err, errsz);
				break;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				rc = text_fail(err, errsz, TAXONOMY_EIO, "cannot read: %s",
					       strerror(errno));
			break;
		}
	}
	fclose(f);
	if (rc != TAXONOMY_OK) {
		mem_free(buf);
		return rc;
	}
	*out = buf;
	*outlen = len;
	return TAXONOMY_OK;
}

/* Prefix a loader's message with the path, so start-up errors say which file. */
static int load_path(const char *path, void **out, char *err, size_t errsz,
		     int (*load)(const char *, size_t, void **, char *, size_t))
{
	char msg[TAXONOMY_ERR_MAX];
	char *buf;
	size_t len;
	int rc;

	msg[0] = '\0';
	rc = read_file(path, &buf, &len, msg, sizeof(msg));
	if (rc == TAXONOMY_OK) {
		rc = load(buf, len, out, msg, sizeof(msg));
		mem_free(buf);
	}
	if (rc != TAXONOMY_OK) {
		text_fail(err, errsz, rc, "%s: %s", path, msg);
		text_sanitize(err, errsz);
	}
	return rc;
}

/* ---- taxonomy ---- */

enum {
	FIELD_KINDS = 1, /* entries list identifier_kinds */
	FIELD_AGES = 2,	 /* entries carry min_age and max_age */
};

static const struct section_spec {
	const char *name;
	unsigned fields;
} sections[] = {
	{ "fraud_types", FIELD_KINDS }, { "channels", 0 },
	{ "payment_methods", 0 },	{ "identifier_roles", FIELD_KINDS },
	{ "victim_types", 0 },		{ "age_bands", FIELD_AGES },
	{ "partner_sectors", 0 },
};

#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))
#define NAMES_MAX 160

struct taxonomy {
	json_t *doc;
	const char *version;	    /* points into doc */
	json_t *entries[NSECTIONS]; /* borrowed from doc */
};

static const char *section_name(size_t i)
{
	return sections[i].name;
}

static const char *kind_name(size_t i)
{
	return ident_kind_name((enum ident_kind)i);
}

/* "a, b, c" for the "allowed: ..." part of a message, from the tables themselves. */
static const char *join_names(char *buf, size_t size, const char *(*name)(size_t), size_t n)
{
	size_t used = 0;
	int w;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", name(i));
		if (w < 0 || (size_t)w >= size - used)
			break;
		used += (size_t)w;
	}
	return buf;
}

static int section_index(const char *name)
{
	for (size_t i = 0; i < NSECTIONS; i++)
		if (strcmp(sections[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A {"nl": ..., "en": ..., other two-letter languages} object of texts. */
static int check_texts(json_t *texts, const char *what, size_t max, const char *where, char *err,
		       size_t errsz)
{
	const char *lang;
	json_t *v;

	if (!texts)
		return invalid(err, errsz, "%s: missing %s", where, what);
	if (!json_is_object(texts))
		return invalid(err, errsz,
			       "%s: %s must be an object of texts by language, "
			       "like {\"nl\": ..., \"en\": ...}",
			       where, what);
	if (!json_object_get(texts, "nl"))
		return invalid(err, errsz, "%s: %s has no 'nl' text", where, what);
	if (!json_object_get(texts, "en"))
		return invalid(err, errsz, "%s: %s has no 'en' text", where, what);
	json_object_foreach(texts, lang, v)
	{
		if (strlen(lang) != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' ||
		    lang[1] > 'z')
			return invalid(err, errsz,
				       "%s: %s language '%.32s' is not a "
				       "two-letter lower-case code like 'nl'",
				       where, what, lang);
		if (!json_is_string(v) || json_string_length(v) == 0)
			return invalid(err, errsz, "%s: %s.%s must be a non-empty string", where,
				       what, lang);
		if (json_string_length(v) > max)
			return invalid(err, errsz, "%s: %s.%s is %zu bytes, at most %zu allowed",
				       where, what, lang, json_string_length(v), max);
		if (text_has_control(json_string_value(v)))
			return invalid(err, errsz,
				       "%s: %s.%s contains a control character "
				       "such as a newline or tab",
				       where, what, lang);
	}
	return TAXONOMY_OK;
}

static int check_kinds(json_t *kinds, const char *where, char *err, size_t errsz)
{
	bool seen[IDENT_KIND_COUNT] = { false };
	char names[NAMES_MAX];
	enum ident_kind k;
	size_t i;
	json_t *v;

	if (!kinds)
		return invalid(err, errsz, "%s: missing identifier_kinds", where);
	if (!json_is_array(kinds) || json_array_size(kinds) == 0)
		return invalid(err, errsz,
			       "%s: identifier_kinds must be a non-empty array of "
			       "kinds (%s)",
			       where,
			       join_names(names, sizeof(names), kind_name, IDENT_KIND_COUNT));
	json_array_foreach(kinds, i, v)
	{
		if (!json_is_string(v))
			return invalid(err, errsz, "%s: identifier_kinds[%zu] must be a string",
				       where, i);
		if (ident_kind_parse(json_string_value(v), &k) != 0)
			return invalid(
				err, errsz,
				"%s: unknown identifier kind '%.64s' "
				"(allowed: %s)",
				where, json_string_value(v),
				join_names(names, sizeof(names), kind_name, IDENT_KIND_COUNT));
		if (seen[k])
			return invalid(err, errsz, "%s: identifier_kinds lists '%s' twice", where,
				       json_string_value(v));
		seen[k] = true;
	}
	return TAXONOMY_OK;
}

/* An optional age; *age is -1 when absent. */
static int get_age(json_t *e, const char *key, json_int_t *age, const char *where, char *err,
		   size_t errsz)
{
	json_t *v = json_object_get(e, key);

	*age = -1;
	if (!v)
		return TAXONOMY_OK;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > AGE_MAX)
		return invalid(err, errsz, "%s: %s must be a whole number from 0 to %d", where, key,
			       AGE_MAX);
	*age = json_integer_value(v);
	return TAXONOMY_OK;
}

/*
 * Age bands must cover every age exactly once, in order, so that any age
 * maps to one band: the first starts at 0, each starts where the previous
 * ended, and only the last is open-ended.
 */
static int check_ages(json_t *e, size_t i, size_t n, json_int_t *next_min, const char *where,
		      char *err, size_t errsz)
{
	json_int_t min, max;
	int rc;

	rc = get_age(e, "min_age", &min, where, err, errsz);
	if (rc == TAXONOMY_OK)
		rc = get_age(e, "max_age", &max, where, err, errsz);
	if (rc != TAXONOMY_OK)
		return rc;
	if (min < 0)
		return invalid(err, errsz, "%s: missing min_age", where);
	if (min != *next_min)
		return invalid(err, errsz,
			       "%s: min_age is %lld but must be %lld, so that the "
			       "bands follow each other without gap or overlap",
			       where, (long long)min, (long long)*next_min);
	if (max < 0 && i + 1 < n)
		return invalid(err, errsz,
			       "%s: missing max_age; only the last band may be "
			       "open-ended",
			       where);
	if (max >= 0 && i + 1 == n)
		return invalid(err, errsz,
			       "%s: the last band must be open-ended, without "
			       "max_age",
			       where);
	if (max >= 0 && max < min)
		return invalid(err, errsz, "%s: max_age %lld is below min_age %lld", where,
			       (long long)max, (long long)min);
	*next_min = max + 1;
	return TAXONOMY_OK;
}

static bool member_allowed(const char *key, unsigned fields)
{
	if (!strcmp(key, "code") || !strcmp(key, "label") || !strcmp(key, "description"))
		return true;
	if ((fields & FIELD_KINDS) && !strcmp(key, "identifier_kinds"))
		return true;
	if ((fields & FIELD_AGES) && (!strcmp(key, "min_age") || !strcmp(key, "max_age")))
		return true;
	return false;
}

static const char *allowed_members(unsigned fields)
{
	if (fields & FIELD_KINDS)
		return "code, label, description, identifier_kinds";
	if (fields & FIELD_AGES)
		return "code, label, description, min_age, max_age";
	return "code, label, description";
}

static int check_section(const struct section_spec *spec, json_t *arr, char *err, size_t errsz)
{
	char where[CODE_MAX + 64];
	json_int_t next_min = 0;
	const char *code, *key;
	json_t *e, *c, *v;
	size_t i, n;
	int rc;

	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return invalid(err, errsz, "section '%s' must be a non-empty array of entries",
			       spec->name);
	n = json_array_size(arr);
	if (n > ENTRIES_MAX)
		return invalid(err, errsz, "section '%s' has %zu entries, at most %d allowed",
			       spec->name, n, ENTRIES_MAX);
	json_array_foreach(arr, i, e)
	{
		snprintf(where, sizeof(where), "%s[%zu]", spec->name, i);
		if (!json_is_object(e))
			return invalid(err, errsz, "%s: must be an object", where);
		c = json_object_get(e, "code");
		if (!c)
			return invalid(err, errsz, "%s: missing code", where);
		if (!json_is_string(c))
			return invalid(err, errsz, "%s: code must be a string", where);
		code = json_string_value(c);
		if (!text_is_snake_case(code, CODE_MAX))
			return invalid(err, errsz,
				       "%s: code '%.64s' is not snake_case (allowed: "
				       "a-z and 0-9 in words joined by single '_', at most %d "
				       "bytes)",
				       where, code, CODE_MAX);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(code, json_string_value(
						  json_object_get(json_array_get(arr, j), "code"))))
				return invalid(err, errsz,
					       "%s: duplicate code '%s', first at "
					       "%s[%zu]",
					       where, code, spec->name, j);
		snprintf(where, sizeof(where), "%s[%zu] '%s'", spec->name, i, code);
		json_object_foreach(e, key, v)
		{
			if (!member_allowed(key, spec->fields))
				return invalid(err, errsz,
					       "%s: unknown member '%.64s' "
					       "(allowed: %s)",
					       where, key, allowed_members(spec->fields));
		}
		rc = check_texts(json_object_get(e, "label"), "label", LABEL_MAX, where, err,
				 errsz);
		if (rc == TAXONOMY_OK)
			rc = check_texts(json_object_get(e, "description"), "description",
					 DESCRIPTION_MAX, where, err, errsz);
		if (rc == TAXONOMY_OK && (spec->fields & FIELD_KINDS))
			rc = check_kinds(json_object_get(e, "identifier_kinds"), where, err, errsz);
		if (rc == TAXONOMY_OK && (spec->fields & FIELD_AGES))
			rc = check_ages(e, i, n, &next_min, where, err, errsz);
		if (rc != TAXONOMY_OK)
			return rc;
	}
	return TAXONOMY_OK;
}

static int check_document(struct taxonomy *tx, char *err, size_t errsz)
{
	json_t *doc = tx->doc, *v;
	char names[NAMES_MAX];
	const char *key;
	int rc;

	if (!json_is_object(doc))
		return invalid(err, errsz,
			       "the document must be a json object with "
			       "schema_version, version and the sections");
	/* First, so that a newer file gets a clear message, not "unknown section". */
	v = json_object_get(doc, "schema_version");
	if (!v)
		return invalid(err, errsz, "missing schema_version (this build reads %d)",
			       TAXONOMY_SCHEMA_VERSION);
	if (!json_is_integer(v) || json_integer_value(v) != TAXONOMY_SCHEMA_VERSION)
		return invalid(err, errsz,
			       "schema_version must be %d, the only one this build "
			       "reads",
			       TAXONOMY_SCHEMA_VERSION);
	v = json_object_get(doc, "version");
	if (!v)
		return invalid(err, errsz, "missing version (a date like \"2026-11-23\")");
	if (!json_is_string(v) || !text_is_date(json_string_value(v)))
		return invalid(err, errsz,
			       "version must be a date in the form yyyy-mm-dd, "
			       "like \"2026-11-23\"");
	tx->version = json_string_value(v);
	json_object_foreach(doc, key, v)
	{
		if (strcmp(key, "schema_version") && strcmp(key, "version") &&
		    section_index(key) < 0)
			return invalid(err, errsz, "unknown section '%.64s' (allowed: %s)", key,
				       join_names(names, sizeof(names), section_name, NSECTIONS));
	}
	for (size_t i = 0; i < NSECTIONS; i++) {
		v = json_object_get(doc, sections[i].name);
		if (!v)
			return invalid(err, errsz, "missing section '%s'", sections[i].name);
		rc = check_section(&sections[i], v, err, errsz);
		if (rc != TAXONOMY_OK)
			return rc;
		tx->entries[i] = v;
	}
	return TAXONOMY_OK;
}

int taxonomy_load_buffer(const char *buf, size_t len, struct taxonomy **out, char *err,
			 size_t errsz)
{
	struct taxonomy *tx;
	int rc;

	*out = NULL;
	if (err && errsz)
		err[0] = '\0';
	if (!buf)
		buf = "";
	tx = mem_calloc(1, sizeof(*tx));
	if (!tx)
		return nomem(err, errsz);
	rc = text_load_json(buf, len, &tx->doc, err, errsz);
	if (rc)
		rc = rc == TEXT_ENOMEM ? TAXONOMY_ENOMEM : TAXONOMY_EINVAL;
	else
		rc = check_document(tx, err, errsz);
	if (rc != TAXONOMY_OK) {
		text_sanitize(err, errsz);
		taxonomy_free(tx);
		return rc;
	}
	*out = tx;
	return TAXONOMY_OK;
}

static int taxonomy_load_any(const char *buf, size_t len, void **out, char *err, size_t errsz)
{
	struct taxonomy *tx;
	int rc = taxonomy_load_buffer(buf, len, &tx, err, errsz);

	*out = tx;
	return rc;
}

int taxonomy_load_file(const char *path, struct taxonomy **out, char *err, size_t errsz)
{
	void *tx = NULL;
	int rc = load_path(path, &tx, err, errsz, taxonomy_load_any);

	*out = tx;
	return rc;
}

void taxonomy_free(struct taxonomy *tx)
{
	if (!tx)
		return;
	json_decref(tx->doc);
	mem_free(tx);
}

static json_t *taxonomy_entry(const struct taxonomy *tx, const char *section, const char *code)
{
	int s;
	size_t i;
	json_t *e;

	if (!tx || !section || !code)
		return NULL;
	s = section_index(section);
	if (s < 0)
		return NULL;
	json_array_foreach(
		tx->entries[s], i,
		e) if (!strcmp(json_string_value(json_object_get(e, "code")), code)) return e;
	return NULL;
}

bool taxonomy_has(const struct taxonomy *tx, const char *section, const char *code)
{
	return taxonomy_entry(tx, section, code) != NULL;
}

const char *taxonomy_label(const struct taxonomy *tx, const char *section, const char *code,
			   const char *lang)
{
	json_t *e = taxonomy_entry(tx, section, code);

	if (!e || !lang)
		return NULL;
	return json_string_value(json_object_get(json_object_get(e, "label"), lang));
}

bool taxonomy_allows_kind(const struct taxonomy *tx, const char *section, const char *code,
			  enum ident_kind kind)
{
	json_t *kinds = json_object_get(taxonomy_entry(tx, section, code), "identifier_kinds");
	const char *name = ident_kind_name(kind);
	size_t i;
	json_t *v;

	json_array_foreach(kinds, i, v) if (!strcmp(json_string_value(v), name)) return true;
	return false;
}

json_t *taxonomy_json(const struct taxonomy *tx)
{
	return tx->doc;
}

const char *taxonomy_version(const struct taxonomy *tx)
{
	return tx->version;
}

/* ---- municipalities ---- */

enum { COL_CODE, COL_NAME, COL_PROVINCE_CODE, COL_PROVINCE, NCOLS };

static const char *const col_names[NCOLS] = { "code", "name", "province_code", "province" };

struct municipalities {
	json_t *doc; /* array; rows' strings point into it */
	size_t n;
	struct municipality *rows;	    /* file order */
	const struct municipality **sorted; /* by code, for municipalities_find */
};

struct field {
	const char *p;
	size_t len;
};

/* Split a line at tabs into at most max fields; returns the number found. */
static size_t split_tabs(const char *p, size_t len, struct field *f, size_t max)
{
	size_t n = 0;
	const char *end = p + len, *tab;

	for (;;) {
		tab = memchr(p, '\t', (size_t)(end - p));
		if (n < max) {
			f[n].p = p;
			f[n].len = tab ? (size_t)(tab - p) : (size_t)(end - p);
		}
		n++;
		if (!tab)
			return n;
		p = tab + 1;
	}
}

/* "XX" followed by exactly ndigits digits. */
static bool is_prefixed_code(const struct field *f, const char *prefix, int ndigits)
{
	return f->len == 2 + (size_t)ndigits && !memcmp(f->p, prefix, 2) &&
	       text_parse_digits(f->p + 2, ndigits) >= 0;
}

static int check_name(const struct field *f, const char *col, unsigned long line, char *err,
		      size_t errsz)
{
	if (f->len == 0)
		return invalid(err, errsz, "line %lu: %s is empty", line, col);
	if (f->len > NAME_MAX_BYTES)
		return invalid(err, errsz, "line %lu: %s is %zu bytes, at most %d allowed", line,
			       col, f->len, NAME_MAX_BYTES);
	if (!text_is_utf8(f->p, f->len))
		return invalid(err, errsz, "line %lu: %s is not valid utf-8", line, col);
	for (size_t i = 0; i < f->len; i++)
		if ((unsigned char)f->p[i] < 0x20 || f->p[i] == 0x7f)
			return invalid(err, errsz, "line %lu: %s contains a control character",
				       line, col);
	if (f->p[0] == ' ' || f->p[f->len - 1] == ' ')
		return invalid(err, errsz, "line %lu: %s '%.*s' starts or ends with a space", line,
			       col, (int)f->len, f->p);
	return TAXONOMY_OK;
}

static int parse_header(const char *p, size_t len, int *col_of, size_t *ncols, char *err,
			size_t errsz)
{
	struct field f[NCOLS + 1];
	size_t n = split_tabs(p, len, f, NCOLS + 1);

	for (int c = 0; c < NCOLS; c++)
		col_of[c] = -1;
	for (size_t i = 0; i < n && i <= NCOLS; i++) {
		int c;

		for (c = 0; c < NCOLS; c++)
			if (f[i].len == strlen(col_names[c]) &&
			    !memcmp(f[i].p, col_names[c], f[i].len))
				break;
		if (c == NCOLS)
			return invalid(err, errsz,
				       "line 1: unknown column '%.*s' (allowed: code, "
				       "name, province_code, province)",
				       (int)(f[i].len < 64 ? f[i].len : 64), f[i].p);
		if (col_of[c] >= 0)
			return invalid(err, errsz, "line 1: column '%s' appears twice",
				       col_names[c]);
		col_of[c] = (int)i;
	}
	for (int c = 0; c < NCOLS; c++)
		if (col_of[c] < 0)
			return invalid(err, errsz,
				       "line 1: missing column '%s' (the header must "
				       "name code, name, province_code and province)",
				       col_names[c]);
	*ncols = n;
	return TAXONOMY_OK;
}

static int check_row(const struct field *f, unsigned long line, char *err, size_t errsz)
{
	const struct field *code = &f[COL_CODE], *pv = &f[COL_PROVINCE_CODE];
	int rc;

	if (!is_prefixed_code(code, "GM", 4))
		return invalid(err, errsz,
			       "line %lu: code '%.*s' is not a municipality code "
			       "(expected GM and 4 digits, like GM0363)",
			       line, (int)(code->len < 32 ? code->len : 32), code->p);
	if (!is_prefixed_code(pv, "PV", 2))
		return invalid(err, errsz,
			       "line %lu: province_code '%.*s' is not a province "
			       "code (expected PV and 2 digits, like PV27)",
			       line, (int)(pv->len < 32 ? pv->len : 32), pv->p);
	rc = check_name(&f[COL_NAME], "name", line, err, errsz);
	if (rc == TAXONOMY_OK)
		rc = check_name(&f[COL_PROVINCE], "province", line, err, errsz);
	return rc;
}

/* Make one JSON object for a row and point the row's strings into it. */
static int add_row(struct municipalities *m, const struct field *f)
{
	struct municipality *row = &m->rows[m->n];
	const char **dst[NCOLS] = { &row->code, &row->name, &row->province_code, &row->province };
	json_t *obj = json_object(), *s;

	if (!obj || json_array_append_new(m->doc, obj))
		return TAXONOMY_ENOMEM;
	for (int c = 0; c < NCOLS; c++) {
		s = json_stringn(f[c].p, f[c].len);
		if (!s || json_object_set_new(obj, col_names[c], s))
			return TAXONOMY_ENOMEM;
		*dst[c] = json_string_value(s);
	}
	m->n++;
	return TAXONOMY_OK;
}

static int cmp_code(const void *a, const void *b)
{
	const struct municipality *const *x = a, *const *y = b;

	return strcmp((*x)->code, (*y)->code);
}

/* The same province code must carry the same province name throughout. */
static int check_provinces(const struct municipalities *m, char *err, size_t errsz)
{
	size_t first[PROVINCES_MAX], nprov = 0, k;
	const struct municipality *r, *p;

	for (size_t i = 0; i < m->n; i++) {
		r = &m->rows[i];
		for (k = 0; k < nprov; k++)
			if (!strcmp(m->rows[first[k]].province_code, r->province_code))
				break;
		if (k == nprov) {
			if (nprov == PROVINCES_MAX)
				return invalid(err, errsz, "line %zu: more than %d provinces",
					       i + 2, PROVINCES_MAX);
			first[nprov++] = i;
			continue;
		}
		p = &m->rows[first[k]];
		if (strcmp(p->province, r->province))
			return invalid(err, errsz,
				       "line %zu: province %s is named '%s' here but "
				       "'%s' on line %zu",
				       i + 2, r->province_code, r->province, p->province,
				       first[k] + 2);
	}
	return TAXONOMY_OK;
}

/*
 * Data rows are numbered from line 2 on; rows[i] is line i + 2 because empty
 * lines are rejected, not skipped.
 */
static int parse_rows(struct municipalities *m, const char *buf, size_t len, char *err,
		      size_t errsz)
{
	const char *p = buf, *end = buf + len, *nl;
	struct field f[NCOLS + 1], row[NCOLS];
	int col_of[NCOLS];
	unsigned long line = 0;
	size_t ncols = 0, n, linelen;
	int rc;

	if (text_has_bom(buf, len))
		return invalid(err, errsz, "line 1: " TEXT_BOM_MESSAGE);
	while (p < end) {
		line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		linelen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (linelen && p[linelen - 1] == '\r')
			linelen--;
		if (linelen == 0)
			return invalid(err, errsz, "line %lu: empty line", line);
		if (line == 1) {
			rc = parse_header(p, linelen, col_of, &ncols, err, errsz);
		} else {
			n = split_tabs(p, linelen, f, NCOLS + 1);
			if (n != ncols)
				return invalid(err, errsz,
					       "line %lu: %zu fields, but the header "
					       "has %zu (fields are separated by tabs)",
					       line, n, ncols);
			for (int c = 0; c < NCOLS; c++)
				row[c] = f[col_of[c]];
			rc = check_row(row, line, err, errsz);
			if (rc == TAXONOMY_OK)
				rc = add_row(m, row);
			if (rc == TAXONOMY_ENOMEM)
				return nomem(err, errsz);
		}
		if (rc != TAXONOMY_OK)
			return rc;
		p = nl ? nl + 1 : end;
	}
	if (line == 0)
		return invalid(
			err, errsz,
			"the file is empty; expected a header row "
			"(code, name, province_code, province) and one row per municipality");
	if (m->n == 0)
		return invalid(err, errsz, "no municipalities after the header");
	return TAXONOMY_OK;
}

int municipalities_load_buffer(const char *buf, size_t len, struct municipalities **out, char *err,
			       size_t errsz)
{
	struct municipalities *m;
	size_t lines = 1;
	int rc;

	*out = NULL;
	if (err && errsz)
		err[0] = '\0';
	if (!buf)
		buf = "";
	for (const char *p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))); p++)
		lines++;
	m = mem_calloc(1, sizeof(*m));
	if (!m)
		return nomem(err, errsz);
	m->doc = json_array();
	m->rows = mem_calloc(lines, sizeof(*m->rows));
	if (!m->doc || !m->rows) {
		rc = nomem(err, errsz);
		goto out;
	}
	rc = parse_rows(m, buf, len, err, errsz);
	if (rc != TAXONOMY_OK)
		goto out;
	m->sorted = mem_calloc(m->n, sizeof(*m->sorted));
	if (!m->sorted) {
		rc = nomem(err, errsz);
		goto out;
	}
	for (size_t i = 0; i < m->n; i++)
		m->sorted[i] = &m->rows[i];
	qsort(m->sorted, m->n, sizeof(*m->sorted), cmp_code);
	for (size_t i = 1; i < m->n; i++) {
		if (!strcmp(m->sorted[i - 1]->code, m->sorted[i]->code)) {
			size_t a = (size_t)(m->sorted[i - 1] - m->rows);
			size_t b = (size_t)(m->sorted[i] - m->rows);

			rc = invalid(err, errsz, "line %zu: duplicate code '%s', first on line %zu",
				     (a > b ? a : b) + 2, m->sorted[i]->code, (a < b ? a : b) + 2);
			goto out;
		}
	}
	rc = check_provinces(m, err, errsz);
out:
	if (rc != TAXONOMY_OK) {
		text_sanitize(err, errsz);
		municipalities_free(m);
		return rc;
	}
	*out = m;
	return TAXONOMY_OK;
}

static int municipalities_load_any(const char *buf, size_t len, void **out, char *err, size_t errsz)
{
	struct municipalities *m;
	int rc = municipalities_load_buffer(buf, len, &m, err, errsz);

	*out = m;
	return rc;
}

int municipalities_load_file(const char *path, struct municipalities **out, char *err, size_t errsz)
{
	void *m = NULL;
	int rc = load_path(path, &m, err, errsz, municipalities_load_any);

	*out = m;
	return rc;
}

void municipalities_free(struct municipalities *m)
{
	if (!m)
		return;
	json_decref(m->doc);
	mem_free(m->rows);
	mem_free(m->sorted);
	mem_free(m);
}

const struct municipality *municipalities_find(const struct municipalities *m, const char *code)
{
	struct municipality key = { .code = code };
	const struct municipality *pkey = &key, *const * hit;

	if (!m || !code)
		return NULL;
	hit = bsearch(&pkey, m->sorted, m->n, sizeof(*m->sorted), cmp_code);
	return hit ? *hit : NULL;
}

size_t municipalities_count(const struct municipalities *m)
{
	return m->n;
}

const struct municipality *municipalities_at(const struct municipalities *m, size_t i)
{
	return i < m->n ? &m->rows[i] : NULL;
}

json_t *municipalities_json(const struct municipalities *m)
{
	return m->doc;
}
