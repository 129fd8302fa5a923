/*
 * taxonomy.h - the shared vocabulary of reports and signals, and the list of
 * municipalities, both loaded from data/ at start-up.
 *
 * The taxonomy (data/taxonomy.json) names the fraud types, contact channels,
 * payment methods, identifier roles, victim types, age bands and partner
 * sectors.  Every entry has a stable snake_case "code" that the API, the store
 * and the rules use, plus a label and a description in Dutch and English that
 * the web pages show.  The document is served as it is at /v1/taxonomy.
 *
 * Usage:
 *	struct taxonomy *tx;
 *	char err[TAXONOMY_ERR_MAX];
 *	if (taxonomy_load_file("data/taxonomy.json", &tx, err, sizeof(err)) != 0)
 *		die("%s", err);
 *	if (!taxonomy_has(tx, "fraud_types", code))
 *		reject(code);
 *	taxonomy_free(tx);
 *
 * Both structs are immutable once loaded, so one instance may be shared by
 * all threads without locking.  Every pointer they hand out (json_t
 * documents, strings, struct municipality) is borrowed: valid until the
 * owning struct is freed, and never to be modified or freed by the caller
 * (json_incref() it to keep a document longer).
 */
#ifndef SIGNAAL_TAXONOMY_H
#define SIGNAAL_TAXONOMY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ident/ident.h"

/* Return codes of the load functions. */
#define TAXONOMY_OK	0
#define TAXONOMY_EINVAL (-1) /* the data is invalid; err says where and why */
#define TAXONOMY_ENOMEM (-2) /* allocation failed; err says "out of memory" */
#define TAXONOMY_EIO	(-3) /* the file could not be read; err says why */
/*
 * jansson reports some allocation failures inside its parser as a syntax
 * error, so a taxonomy can fail with TAXONOMY_EINVAL "invalid json ..." when
 * memory ran out.
 */

#define TAXONOMY_ERR_MAX	512	  /* room for every message after a path of usual length */
#define TAXONOMY_FILE_MAX	(1 << 20) /* larger files are rejected, not read */
#define TAXONOMY_SCHEMA_VERSION 1	  /* the "schema_version" this build reads */

struct taxonomy;

/*
 * Parse and validate `len` bytes of JSON at `buf` (need not be
 * NUL-terminated).  On success returns TAXONOMY_OK and stores a new taxonomy
 * in *out (the caller frees it with taxonomy_free).  On failure *out is NULL
 * and `err` holds one lower-case line naming the section, the entry (index
 * and code) and what is wrong, e.g.
 *	fraud_types[3] 'sales_fraud': label has no 'nl' text
 */
int taxonomy_load_buffer(const char *buf, size_t len, struct taxonomy **out, char *err,
			 size_t errsz);

/* The same for a file; every message starts with the path ("data/taxonomy.json: ..."). */
int taxonomy_load_file(const char *path, struct taxonomy **out, char *err, size_t errsz);

void taxonomy_free(struct taxonomy *tx); /* NULL is a no-op */

/* Is `code` an entry of `section` ("fraud_types", "channels", ...)? False for
 * an unknown section. */
bool taxonomy_has(const struct taxonomy *tx, const char *section, const char *code);

/* The label of an entry in `lang` ("nl" or "en"); NULL if there is none. */
const char *taxonomy_label(const struct taxonomy *tx, const char *section, const char *code,
			   const char *lang);

/*
 * Does the entry `code` of `section` list `kind` in its identifier_kinds?
 * E.g. ("identifier_roles", "caller", IDENT_PHONE) is true and
 * ("identifier_roles", "caller", IDENT_IBAN) false.  False for sections
 * without identifier kinds and for unknown codes.
 */
bool taxonomy_allows_kind(const struct taxonomy *tx, const char *section, const char *code,
			  enum ident_kind kind);

/* The whole validated document, to serve as it is. Borrowed. */
json_t *taxonomy_json(const struct taxonomy *tx);

/* The document's "version", e.g. "2026-11-23". Borrowed. */
const char *taxonomy_version(const struct taxonomy *tx);

/*
 * Municipalities, from a tab-separated file whose header row names the
 * columns code, name, province_code and province (in any order).  Codes are
 * the CBS codes "GM" + 4 digits, province codes "PV" + 2 digits.
 */
struct municipality {
	const char *code;	   /* "GM0363" */
	const char *name;	   /* "Amsterdam" */
	const char *province_code; /* "PV27" */
	const char *province;	   /* "Noord-Holland" */
};

struct municipalities;

/* Same contract as taxonomy_load_buffer; messages name the line: "line 5: ...". */
int municipalities_load_buffer(const char *buf, size_t len, struct municipalities **out, char *err,
			       size_t errsz);
int municipalities_load_file(const char *path, struct municipalities **out, char *err,
			     size_t errsz);
void municipalities_free(struct municipalities *m); /* NULL is a no-op */

/* The municipality with CBS code `code` ("GM0363"), or NULL. Borrowed. */
const struct municipality *municipalities_find(const struct municipalities *m, const char *code);

size_t municipalities_count(const struct municipalities *m);

/* The i-th municipality in file order, i < municipalities_count(). Borrowed. */
const struct municipality *municipalities_at(const struct municipalities *m, size_t i);

/*
 * All municipalities in file order as a JSON array of objects
 * {"code", "name", "province_code", "province"}. Borrowed.
 */
json_t *municipalities_json(const struct municipalities *m);

#endif
