/*
 * ident.h - identifiers of suspects: normalisation and validation.
 *
 * Every identifier is a kind plus a canonical value, so that the same IBAN,
 * number or site matches however a victim typed it.  One file per kind in
 * src/ident/ implements ident_<kind>_normalize(); ident.c dispatches.
 *
 * Usage:
 *	struct ident id = IDENT_INIT;
 *	char err[IDENT_ERR_MAX];
 *	if (ident_normalize(&id, IDENT_IBAN, in, strlen(in), err, sizeof(err)) == 0)
 *		use(id.canonical);
 *	ident_release(&id);
 *
 * Ownership: `canonical` and `exprs` belong to the struct and are freed by
 * ident_release(), which may be called on an IDENT_INIT struct and more than
 * once.  On failure the struct holds nothing that needs freeing beyond what
 * ident_release() frees.
 */
#ifndef SIGNAAL_IDENT_H
#define SIGNAAL_IDENT_H

#include <stddef.h>

enum ident_kind {
	IDENT_IBAN = 0,
	IDENT_PHONE,
	IDENT_URL,
	IDENT_DOMAIN,
	IDENT_EMAIL,
	IDENT_CRYPTO,
	IDENT_HANDLE,
	IDENT_KIND_COUNT
};

/* Return codes of the normalize functions. */
#define IDENT_OK     0
#define IDENT_EINVAL (-1) /* input is not a valid identifier of this kind; err says why */
#define IDENT_ENOMEM (-2) /* allocation failed; err says so */

#define IDENT_INPUT_MAX	     2048 /* longer input is rejected as invalid */
#define IDENT_ERR_MAX	     160  /* room for an error message, terminator included */
#define IDENT_ATTRS_MAX	     8
#define IDENT_ATTR_KEY_MAX   32
#define IDENT_ATTR_VALUE_MAX 256
#define IDENT_EXPRS_MAX	     30 /* url: at most 5 host suffixes x 6 path prefixes */

struct ident_attr {
	char key[IDENT_ATTR_KEY_MAX]; /* e.g. "country", "bank_code", "type" */
	char value[IDENT_ATTR_VALUE_MAX];
};

struct ident {
	enum ident_kind kind;
	char *canonical; /* owned; NUL-terminated */
	size_t nattrs;
	struct ident_attr attrs[IDENT_ATTRS_MAX];
	size_t nexprs;		      /* url only: Safe Browsing expressions */
	char *exprs[IDENT_EXPRS_MAX]; /* owned */
};

#define IDENT_INIT \
	{          \
		0  \
	}

/*
 * Normalise `len` bytes at `in` (not necessarily NUL-terminated) as `kind`.
 * Returns IDENT_OK and fills `out`, or IDENT_EINVAL / IDENT_ENOMEM with a
 * one-line, lower-case reason in `err` (e.g. "checksum mismatch: expected
 * check digits 91, got 92").  `out` must be IDENT_INIT or released.
 */
int ident_normalize(struct ident *out, enum ident_kind kind, const char *in, size_t len, char *err,
		    size_t errsz);

void ident_release(struct ident *id);

/* Kind names as used in the API and CLI: "iban", "phone", "url", ... */
const char *ident_kind_name(enum ident_kind kind);
int ident_kind_parse(const char *name, enum ident_kind *out); /* 0, or -1 if unknown */

/*
 * Helpers for the per-kind files.  ident_attr_set() adds a key/value pair
 * (returns -1 if the table is full or a string does not fit);
 * ident_set_canonical() copies `len` bytes into a new owned string;
 * ident_add_expr() appends an owned copy of an expression;
 * ident_error() formats into err and returns IDENT_EINVAL.
 */
int ident_attr_set(struct ident *id, const char *key, const char *value);
int ident_set_canonical(struct ident *id, const char *s, size_t len);
int ident_add_expr(struct ident *id, const char *s, size_t len);
int ident_error(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *ident_attr_get(const struct ident *id, const char *key); /* NULL if absent */

/* ASCII white space (unlike isspace(), the same in every locale). */
int ident_is_space(int c);

/* Drops ASCII white space at both ends of the `*len` bytes at `*in`. */
void ident_trim(const char **in, size_t *len);

/* One function per kind, each in its own file. Same contract as ident_normalize. */
int ident_iban_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz);
int ident_phone_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz);
int ident_url_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz);
int ident_domain_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz);
int ident_email_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz);
int ident_crypto_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz);
int ident_handle_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz);

#endif
