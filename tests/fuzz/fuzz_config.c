/* Fuzz target: the configuration file parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c, d;
	char err[CONFIG_ERR_MAX];

	config_defaults(&c);
	if (config_load_text(&c, (const char *)data, size, "fuzz", err, sizeof(err)) != 0) {
		/* Every failure explains itself. */
		if (err[0] == '\0')
			abort();
		return 0;
	}
	/* Whatever loaded must be valid: re-applying the same text gives the same result. */
	config_defaults(&d);
	if (config_load_text(&d, (const char *)data, size, "fuzz", err, sizeof(err)) != 0 ||
	    memcmp(&c, &d, sizeof(c)) != 0)
		abort();
	return 0;
}
