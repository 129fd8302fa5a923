/* help.c - `signaal help [COMMAND]`. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config.h"

int cmd_help(int argc, char **argv)
{
	char name[64];

	if (argc > 0) {
		size_t pos = 0;

		for (int i = 0; i < argc && i < 3 && pos < sizeof(name); i++)
			pos += (size_t)snprintf(name + pos, sizeof(name) - pos, "%s%s",
						i ? " " : "", argv[i]);
		for (const struct cmd *c = commands; c->name; c++) {
			if (strcmp(c->name, name) == 0) {
				fputs(c->usage, stdout);
				if (c->takes_config) {
					fputs("\nOptions:\n", stdout);
					fflush(stdout);
					config_print_flags(1);
				}
				return 0;
			}
		}
		cmd_error("unknown command '%s' (see 'signaal help')", name);
		return EXIT_USAGE;
	}
	fputs("usage: signaal COMMAND [OPTIONS] [ARGS]\n\n"
	      "Signaal, the anti-fraud centre: one front door for fraud victims, real-time\n"
	      "exchange of fraud signals between partners, and checks before you pay.\n\n"
	      "Commands:\n",
	      stdout);
	for (const struct cmd *c = commands; c->name; c++)
		printf("  %-14s %s\n", c->name, c->summary);
	fputs("\nRun 'signaal COMMAND --help' for a command's options.\n", stdout);
	return 0;
}
