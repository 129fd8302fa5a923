/* version.c - `signaal version`. */
#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "version.h"

int cmd_version(int argc, char **argv)
{
	if (argc > 0) {
		cmd_error("unexpected argument '%s' (see 'signaal version --help')", argv[0]);
		return EXIT_USAGE;
	}
	printf("signaal %s\nsqlite %s, libsodium %s, libmicrohttpd %s\n", SIGNAAL_VERSION,
	       sqlite3_libversion(), sodium_version_string(), MHD_get_version());
	return 0;
}
