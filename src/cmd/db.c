/* db.c - `signaal db migrate` and `signaal db backup FILE`. */
#include <stdio.h>

#include "cmd/cmd.h"
#include "config.h"
#include "store/store.h"

int cmd_db_migrate(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	char err[512], path[1100];
	int npos, rc, from, to;

	rc = cmd_setup("db migrate", &cfg, argc, argv, NULL, 0, &npos);
	if (rc)
		return rc;
	config_store_display(&cfg, path, sizeof(path));
	if (cmd_open_store(&cfg, 0, 0, &st))
		return 1;
	rc = store_migrate(st, &from, &to, err, sizeof(err));
	store_close(st);
	if (rc != STORE_OK) {
		cmd_error("%s", err);
		return 1;
	}
	/* Name the database, so that a wrong data_dir shows at once. */
	if (from == to)
		printf("schema version %d: up to date (%s)\n", to, path);
	else
		printf("schema version %d -> %d (%s)\n", from, to, path);
	return 0;
}

int cmd_db_backup(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	const char *pos[1];
	char err[1200];
	int npos, rc;

	rc = cmd_setup("db backup", &cfg, argc, argv, pos, 1, &npos);
	if (rc)
		return rc;
	if (npos != 1) {
		cmd_error("expected the name of the backup file (see 'signaal db backup --help')");
		return EXIT_USAGE;
	}
	/* A backup of a database that is not there is a mistake, not an empty copy. */
	if (cmd_open_store(&cfg, STORE_OPEN_EXISTING, 0, &st))
		return 1;
	rc = store_backup(st, pos[0], err, sizeof(err));
	store_close(st);
	if (rc != STORE_OK) {
		cmd_error("%s", err);
		return 1;
	}
	printf("backup written to %s\n", pos[0]);
	return 0;
}
