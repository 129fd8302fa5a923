/*
 * fuzz_url.c - url normaliser: no crash, the canonical URL is a fixed point,
 * it and the expressions are printable ASCII, the expressions start with the
 * host and there are at most 5 x 6 of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ident/domain.h"
#include "ident/ident.h"

/* Error messages end up in JSON: printable, valid UTF-8, one line. */
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

static void check_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || *s == '#')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ident id = IDENT_INIT, again = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	const char *host;
	int rc;

	if (size > 4 * IDENT_INPUT_MAX)
		return 0;
	rc = ident_url_normalize(&id, (const char *)data, size, err, sizeof(err));
	if (rc == IDENT_OK) {
		size_t n = strlen(id.canonical);

		check_printable(id.canonical);
		if (id.nexprs < 1 || id.nexprs > IDENT_EXPRS_MAX || !ident_attr_get(&id, "scheme"))
			abort();
		host = ident_attr_get(&id, "host");
		for (size_t i = 0; i < id.nexprs; i++) {
			check_printable(id.exprs[i]);
			if (!strchr(id.exprs[i], '/'))
				abort();
		}
		if (host && strncmp(id.exprs[0], host, strlen(host)) != 0)
			abort();
		if (ident_url_normalize(&again, id.canonical, n, err, sizeof(err)) != IDENT_OK ||
		    strcmp(again.canonical, id.canonical) != 0 || again.nexprs != id.nexprs)
			abort();
		for (size_t i = 0; i < id.nexprs; i++)
			if (strcmp(again.exprs[i], id.exprs[i]) != 0)
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
