/* fuzz_phone.c - phone normaliser: no crash, E.164 output, canonical form a fixed point. */
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

	rc = ident_phone_normalize(&id, (const char *)data, size, err, sizeof(err));
	if (rc == IDENT_OK) {
		size_t n = strlen(id.canonical);
		const char *type = ident_attr_get(&id, "type");

		/* E.164: '+', a non-zero digit, at most 15 digits in all */
		if (n < 2 || n > 16 || id.canonical[0] != '+' || id.canonical[1] == '0' || !type ||
		    !ident_attr_get(&id, "country"))
			abort();
		for (size_t i = 1; i < n; i++)
			if (id.canonical[i] < '0' || id.canonical[i] > '9')
				abort();
		if (ident_phone_normalize(&again, id.canonical, n, err, sizeof(err)) != IDENT_OK ||
		    strcmp(again.canonical, id.canonical) != 0 ||
		    strcmp(ident_attr_get(&again, "type"), type) != 0)
			abort();
	} else if (rc != IDENT_EINVAL || id.canonical || !err[0]) {
		abort();
	}
	ident_release(&id);
	ident_release(&again);
	return 0;
}
