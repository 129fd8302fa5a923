/*
 * fuzz_crypto.c - the crypto identifier normaliser on arbitrary bytes.
 *
 * Invariants: an accepted input yields "btc:" or "eth:" plus an address, with
 * chain and type attributes, and normalising that canonical value again gives
 * it back unchanged; a rejected input yields a non-empty message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ident/ident.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ident id = IDENT_INIT, again = IDENT_INIT;
	char err[IDENT_ERR_MAX] = "", err2[IDENT_ERR_MAX] = "";
	char *in;
	int rc;

	if (size > IDENT_INPUT_MAX)
		return 0;
	/* An exact-size copy, so reading past the end is caught. */
	in = mem_alloc(size ? size : 1);
	if (!in)
		return 0;
	memcpy(in, data, size);

	rc = ident_crypto_normalize(&id, in, size, err, sizeof(err));
	if (rc == IDENT_OK) {
		const char *chain = ident_attr_get(&id, "chain");

		if (!id.canonical || !chain || !ident_attr_get(&id, "type"))
			abort();
		if (strncmp(id.canonical, chain, 3) != 0 || id.canonical[3] != ':')
			abort();
		rc = ident_crypto_normalize(&again, id.canonical, strlen(id.canonical), err2,
					    sizeof(err2));
		if (rc != IDENT_OK || strcmp(again.canonical, id.canonical) != 0)
			abort();
	} else if (rc == IDENT_EINVAL) {
		if (err[0] == '\0' || (err[0] >= 'A' && err[0] <= 'Z'))
			abort();
	} else {
		abort();
	}
	ident_release(&again);
	ident_release(&id);
	mem_free(in);
	return 0;
}
