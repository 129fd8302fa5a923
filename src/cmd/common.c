/*
 * common.c - what every command shares: error messages, the configuration
 * from flags, file and environment, and opening the store.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config.h"
#include "keys.h"
#include "store/store.h"
#include "util/log.h"

void cmd_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "signaal: %s\n", msg);
}

int cmd_setup(const char *name, struct config *cfg, int argc, char **argv, const char **pos,
	      int maxpos, int *npos)
{
	char err[CONFIG_ERR_MAX];
	enum log_level lvl;

	if (config_load(cfg, argc, argv, pos, maxpos, npos, err, sizeof(err))) {
		cmd_error("%s (see 'signaal %s --help')", err, name);
		return EXIT_USAGE;
	}
	if (log_level_parse(cfg->log_level, &lvl) == 0)
		log_set_level(lvl);
	return 0;
}

int cmd_open_store(const struct config *cfg, unsigned flags, int migrate, struct store **st)
{
	char err[1200];

	if (sodium_init() < 0) {
		cmd_error("cannot initialise libsodium");
		return 1;
	}
	if (store_open(st, cfg, flags, err, sizeof(err)) != STORE_OK ||
	    (migrate && store_migrate(*st, NULL, NULL, err, sizeof(err)) != STORE_OK)) {
		cmd_error("%s", err);
		store_close(*st);
		*st = NULL;
		return 1;
	}
	return 0;
}

int cmd_keys_match_store(const struct config *cfg, struct store *st, char *err, size_t errsz)
{
	char mine[KEYS_FINGERPRINT_HEX], theirs[KEYS_FINGERPRINT_HEX];
	int rc;

	if (keys_fingerprint(cfg->data_dir, mine, err, errsz))
		return -1;
	rc = store_meta_get(st, "key_fingerprint", theirs, sizeof(theirs));
	if (rc == STORE_ENOTFOUND) {
		/* First use: record ours; a node racing with other keys loses on the re-read. */
		rc = store_meta_set(st, "key_fingerprint", mine);
		if (rc == STORE_OK)
			rc = store_meta_get(st, "key_fingerprint", theirs, sizeof(theirs));
	}
	if (rc != STORE_OK) {
		snprintf(err, errsz, "cannot read the key fingerprint from the database: %s",
			 store_strerror(rc));
		return -1;
	}
	if (strcmp(mine, theirs) != 0) {
		snprintf(err, errsz,
			 "the key files in %s/keys are not the ones this database was first used "
			 "with (fingerprint %.8s, the database has %.8s): every node and command "
			 "on one database needs the same keys/ (copy them from the first node)",
			 cfg->data_dir, mine, theirs);
		return -1;
	}
	return 0;
}
