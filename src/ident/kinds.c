/* kinds.c - the table of identifier kinds and dispatch to their normalisers. */
#include "ident/ident.h"

#include <stdio.h>
#include <string.h>

typedef int (*normalize_fn)(struct ident *, const char *, size_t, char *, size_t);

static const struct {
	const char *name;
	normalize_fn normalize;
} kinds[IDENT_KIND_COUNT] = {
	[IDENT_IBAN] = { "iban", ident_iban_normalize },
	[IDENT_PHONE] = { "phone", ident_phone_normalize },
	[IDENT_URL] = { "url", ident_url_normalize },
	[IDENT_DOMAIN] = { "domain", ident_domain_normalize },
	[IDENT_EMAIL] = { "email", ident_email_normalize },
	[IDENT_CRYPTO] = { "crypto", ident_crypto_normalize },
	[IDENT_HANDLE] = { "handle", ident_handle_normalize },
};

const char *ident_kind_name(enum ident_kind kind)
{
	if ((unsigned)kind >= IDENT_KIND_COUNT)
		return "unknown";
	return kinds[kind].name;
}

int ident_kind_parse(const char *name, enum ident_kind *out)
{
	for (int k = 0; k < IDENT_KIND_COUNT; k++) {
		if (strcmp(name, kinds[k].name) == 0) {
			*out = (enum ident_kind)k;
			return 0;
		}
	}
	return -1;
}

int ident_normalize(struct ident *out, enum ident_kind kind, const char *in, size_t len, char *err,
		    size_t errsz)
{
	int rc;

	if (err && errsz)
		err[0] = '\0';
	if ((unsigned)kind >= IDENT_KIND_COUNT)
		return ident_error(err, errsz, "unknown identifier kind");
	ident_release(out);
	out->kind = kind;
	if (len == 0)
		return ident_error(err, errsz, "empty %s", kinds[kind].name);
	if (len > IDENT_INPUT_MAX)
		return ident_error(err, errsz, "too long: %zu bytes, at most %d allowed", len,
				   IDENT_INPUT_MAX);
	if (memchr(in, '\0', len))
		return ident_error(err, errsz, "contains a NUL byte");
	rc = kinds[kind].normalize(out, in, len, err, errsz);
	if (rc != IDENT_OK) {
		ident_release(out);
		out->kind = kind;
		if (rc == IDENT_ENOMEM && err && errsz)
			snprintf(err, errsz, "out of memory");
	}
	return rc;
}
