/*
 * cmd.h - the `signaal` subcommands, one file each in src/cmd/.
 *
 * To add a command: write `int cmd_<name>(int argc, char **argv)` in its
 * own file (argv holds the arguments after the command words), add a row to
 * the table in main.c with its one-line summary and its full usage text,
 * mention it in README.md, and test its --help and its errors.
 *
 * Exit codes: 0 success, 1 failure at run time, 2 usage or configuration
 * error.  Errors are one line on standard error: "signaal: <message>".
 */
#ifndef SIGNAAL_CMD_H
#define SIGNAAL_CMD_H

#define EXIT_USAGE 2

struct config;

struct cmd {
	const char *name; /* "serve", "db migrate" */
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage; /* full --help text; the configuration flags follow it */
	int takes_config;  /* whether the configuration flags apply */
};

extern const struct cmd commands[];

/* Prints "signaal: <message>" on standard error. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The start of every command that takes configuration: loads it from all
 * sources with argv's flags, sets the log level, and hands back up to
 * maxpos positional arguments.  Returns 0, or EXIT_USAGE after printing the
 * error.  `name` is the command, for the hint in the message.
 */
int cmd_setup(const char *name, struct config *cfg, int argc, char **argv, const char **pos,
	      int maxpos, int *npos);

/*
 * Opens the configured store for a command, with store_open() flags, and
 * brings its schema up to date when `migrate`; prints the error and
 * returns 1 on failure (then *st needs no closing), else 0.
 */
struct store;
int cmd_open_store(const struct config *cfg, unsigned flags, int migrate, struct store **st);
/*
 * Checks that the key files in cfg's data directory are the ones the
 * database was first used with (recording them on first use): every node
 * and command on one database must hold the same keys.  0, or -1 with err.
 */
int cmd_keys_match_store(const struct config *cfg, struct store *st, char *err, size_t errsz);

int cmd_serve(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_config_show(int argc, char **argv);
int cmd_db_migrate(int argc, char **argv);
int cmd_db_backup(int argc, char **argv);
int cmd_keys_init(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_normalize(int argc, char **argv);
int cmd_partner_add(int argc, char **argv);
int cmd_partner_list(int argc, char **argv);
int cmd_partner_key_create(int argc, char **argv);
int cmd_partner_key_revoke(int argc, char **argv);
int cmd_alerts_failed(int argc, char **argv);
int cmd_admin_key_create(int argc, char **argv);
int cmd_admin_key_revoke(int argc, char **argv);
int cmd_alerts_retry(int argc, char **argv);
int cmd_client_check(int argc, char **argv);
int cmd_audit_verify(int argc, char **argv);
int cmd_subject_list(int argc, char **argv);
int cmd_subject_show(int argc, char **argv);
int cmd_subject_answer(int argc, char **argv);
int cmd_subject_uphold(int argc, char **argv);
int cmd_subject_reject(int argc, char **argv);
int cmd_purge(int argc, char **argv);

#endif
