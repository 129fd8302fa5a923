/*
 * fuzz_domain.c - domain normaliser: no crash, the canonical name is a fixed
 * point of at most 253 octets of [a-z0-9.-], and the registrable domain and
 * public suffix are suffixes of it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ident/domain.h"
#include "ident/ident.h"

static void check_message(const char *err)
{
	size_t n = strlen(err);

	if (!n || n >= IDENT_ERR_MAX)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)err[i];

		if (c < 0x20 || c == 0x7f)
			abort();
		if (c >= 0x80) {
			size_t u = domain_utf8_char(err + i, n - i);

			if (!u)
				abort();
			i += u - 1;
		}
	}
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return m <= n && strcmp(s + n - m, suffix) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ident id = IDENT_INIT, again = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	const char *reg, *tld;
	int rc;

	if (size > 4 * IDENT_INPUT_MAX)
		return 0;
	rc = ident_domain_normalize(&id, (const char *)data, size, err, sizeof(err));
	if (rc == IDENT_OK) {
		size_t n = strlen(id.canonical);

		if (n < 3 || n > DOMAIN_MAX || id.canonical[0] == '.' || id.canonical[n - 1] == '.')
			abort();
		for (size_t i = 0; i < n; i++) {
			char c = id.canonical[i];

			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			      c == '.'))
				abort();
		}
		reg = ident_attr_get(&id, "registrable_domain");
		tld = ident_attr_get(&id, "tld");
		if ((reg && !ends_with(id.canonical, reg)) || (reg && tld && !ends_with(reg, tld)))
			abort();
		if (ident_domain_normalize(&again, id.canonical, n, err, sizeof(err)) != IDENT_OK ||
		    strcmp(again.canonical, id.canonical) != 0)
			abort();
	} else if (rc == IDENT_EINVAL) {
		check_message(err);
	} else {
		abort();
	}
	ident_release(&id);
	ident_release(&again);
	return 0;
}
