/* fuzz_iban.c - IBAN normaliser: no crash, and the canonical form is a fixed point. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ident/ident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ident id = IDENT_INIT, again = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	int rc;

	rc = ident_iban_normalize(&id, (const char *)data, size, err, sizeof(err));
	if (rc == IDENT_OK) {
		size_t n = strlen(id.canonical);

		/* canonical: 15..34 upper-case letters and digits, country attribute set */
		if (n < 15 || n > 34 || !ident_attr_get(&id, "country"))
			abort();
		for (size_t i = 0; i < n; i++) {
			char c = id.canonical[i];

			if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
				abort();
		}
		if (ident_iban_normalize(&again, id.canonical, n, err, sizeof(err)) != IDENT_OK ||
		    strcmp(again.canonical, id.canonical) != 0)
			abort();
	} else if (rc != IDENT_EINVAL || id.canonical || !err[0] || strlen(err) >= sizeof(err)) {
		abort();
	}
	ident_release(&id);
	ident_release(&again);
	return 0;
}
