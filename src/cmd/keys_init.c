/* keys_init.c - `signaal keys init`. */
#include <sodium.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "config.h"
#include "keys.h"

int cmd_keys_init(int argc, char **argv)
{
	struct config cfg;
	char err[1200];
	int npos, rc, created;

	rc = cmd_setup("keys init", &cfg, argc, argv, NULL, 0, &npos);
	if (rc)
		return rc;
	if (sodium_init() < 0) {
		cmd_error("cannot initialise libsodium");
		return 1;
	}
	if (keys_ensure(cfg.data_dir, &created, err, sizeof(err))) {
		cmd_error("%s", err);
		return 1;
	}
	if (created)
		printf("created %d key file%s in %s/keys\n", created, created == 1 ? "" : "s",
		       cfg.data_dir);
	else
		printf("all key files exist in %s/keys; none replaced\n", cfg.data_dir);
	return 0;
}
