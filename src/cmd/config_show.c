/* config_show.c - `signaal config show`. */
#include <stdio.h>

#include "cmd/cmd.h"
#include "config.h"

int cmd_config_show(int argc, char **argv)
{
	struct config cfg;
	int npos, rc;

	rc = cmd_setup("config show", &cfg, argc, argv, NULL, 0, &npos);
	if (rc)
		return rc;
	fflush(stdout);
	config_show(&cfg, 1);
	return 0;
}
