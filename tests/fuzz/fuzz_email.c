/*
 * fuzz_email.c - email normaliser: no crash, the canonical address is a fixed
 * point, its local part is the input's, and its domain is the "domain"
 * attribute.
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

static int contains(const uint8_t *data, size_t size, const char *s, size_t n)
{
	for (size_t i = 0; i + n <= size; i++)
		if (memcmp(data + i, s, n) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ident id = IDENT_INIT, again = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	const char *at, *dom;
	int rc;

	if (size > 4 * IDENT_INPUT_MAX)
		return 0;
	rc = ident_email_normalize(&id, (const char *)data, size, err, sizeof(err));
	if (rc == IDENT_OK) {
		size_t n = strlen(id.canonical);

		at = strrchr(id.canonical, '@');
		dom = ident_attr_get(&id, "domain");
		if (!at || at == id.canonical || at - id.canonical > 64 ||
		    (dom && strcmp(at + 1, dom) != 0) ||
		    !contains(data, size, id.canonical, (size_t)(at - id.canonical)))
			abort();
		if (ident_email_normalize(&again, id.canonical, n, err, sizeof(err)) != IDENT_OK ||
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
