/* Black-box tests of the `signaal` command line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

static char dir[64], datadir[128], flag[160];

static int setup(void **state)
{
	(void)state;
	temp_dir(dir, sizeof(dir));
	snprintf(datadir, sizeof(datadir), "%s/data", dir);
	snprintf(flag, sizeof(flag), "--data-dir=%s", datadir);
	return 0;
}

static int teardown(void **state)
{
	struct server s = { 0 };

	(void)state;
	snprintf(s.dir, sizeof(s.dir), "%s", dir);
	server_cleanup(&s);
	return 0;
}

static int run(const char *const *argv, const char *const *env, char **out, char **err)
{
	return run_cli(argv, env, out, err);
}

/* An error is exactly one line on stderr, starting "signaal: ". */
static void assert_one_line_error(const char *err, const char *want)
{
	assert_true(strncmp(err, "signaal: ", 9) == 0);
	assert_non_null(strchr(err, '\n'));
	assert_true(strchr(err, '\n')[1] == '\0');
	if (!strstr(err, want))
		fail_msg("stderr '%s' lacks '%s'", err, want);
}

static void test_usage_errors_exit_2(void **state)
{
	static const struct {
		const char *argv[4];
		const char *want;
	} cases[] = {
		{ { "bogus", NULL }, "unknown command 'bogus' (see 'signaal help')" },
		{ { "serve", "--bogus", NULL },
		  "unknown option '--bogus' (see 'signaal serve --help')" },
		{ { "serve", "--threads", NULL }, "option '--threads' needs a value" },
		{ { "serve", "--threads=999", NULL },
		  "invalid value '999' for threads (--threads): "
		  "expected a whole number from 0 to 256" },
		{ { "serve", "extra", NULL }, "unexpected argument 'extra'" },
		{ { "db", NULL }, "'db' needs a subcommand" },
		{ { "db", "drop", NULL }, "unknown command 'db drop'" },
		{ { "config", "show", "-v", NULL }, "unknown option '-v'" },
		{ { "db", "backup", NULL }, "expected the name of the backup file" },
		{ { "version", "x", NULL }, "unexpected argument 'x'" },
		{ { "help", "nope", NULL }, "unknown command 'nope'" },
	};
	char *out, *err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = run(cases[i].argv, NULL, &out, &err);

		if (rc != 2)
			fail_msg("case %zu: exit %d, stderr %s", i, rc, err);
		assert_one_line_error(err, cases[i].want);
		free(out);
		free(err);
	}
	/* No arguments: the list of commands, exit 2. */
	const char *none[] = { NULL };
	assert_int_equal(run(none, NULL, &out, &err), 2);
	assert_non_null(strstr(out, "usage: signaal COMMAND"));
	free(out);
	free(err);
}

static void test_every_command_has_help(void **state)
{
	static const char *const cmds[][3] = {
		{ "serve", NULL },	{ "version", NULL },   { "config", "show" },
		{ "db", "migrate" },	{ "db", "backup" },    { "keys", "init" },
		{ "help", NULL },	{ "partner", "add" },  { "partner", "list" },
		{ "alerts", "failed" }, { "alerts", "retry" }, { "normalize", NULL },
	};
	char *out, *err, want[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *argv[4] = { cmds[i][0], cmds[i][1] ? cmds[i][1] : "--help",
					cmds[i][1] ? "--help" : NULL, NULL };

		assert_int_equal(run(argv, NULL, &out, &err), 0);
		snprintf(want, sizeof(want), "usage: signaal %s%s%s", cmds[i][0],
			 cmds[i][1] ? " " : "", cmds[i][1] ? cmds[i][1] : "");
		if (strncmp(out, want, strlen(want)) != 0)
			fail_msg("'%s --help' printed: %s", want + 15, out);
		assert_string_equal(err, "");
		free(out);
		free(err);
	}
	const char *serve_help[] = { "help", "serve", NULL };
	assert_int_equal(run(serve_help, NULL, &out, &err), 0);
	assert_non_null(strstr(out, "--max-body"));
	assert_non_null(strstr(out, "SIGNAAL_MAX_BODY"));
	free(out);
	free(err);
}

static void test_version(void **state)
{
	const char *argv[] = { "version", NULL };
	char *out, *err;

	(void)state;
	assert_int_equal(run(argv, NULL, &out, &err), 0);
	assert_true(strncmp(out, "signaal ", 8) == 0);
	assert_non_null(strstr(out, "sqlite 3."));
	free(out);
	free(err);
}

static void test_config_show_precedence_and_redaction(void **state)
{
	char conf[200], text[300];
	FILE *f;
	char *out, *err;
	/* A store_url fit for the backend under test (postgres needs a URL), with a secret. */
	const char *url = harness_pg() ? "SIGNAAL_STORE_URL=postgresql://signaal:place-secret@"
					 "127.0.0.1:5432/place"
				       : "SIGNAAL_STORE_URL=/secret/place.db";
	const char *secret = harness_pg() ? "place-secret" : "/secret/place.db";

	(void)state;
	snprintf(conf, sizeof(conf), "%s/signaal.conf", dir);
	f = fopen(conf, "w");
	fputs("threads = 2\nmax_body = 128k\nlisten = 127.0.0.1:9999\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "SIGNAAL_CONFIG=%s", conf);
	const char *env[] = { text, "SIGNAAL_THREADS=3", url, NULL };
	const char *argv[] = { "config", "show", "--listen", "127.0.0.1:7777", NULL };
	assert_int_equal(run(argv, env, &out, &err), 0);
	assert_non_null(strstr(out, "listen = 127.0.0.1:7777  # flag\n"));
	assert_non_null(strstr(out, "threads = 3  # environment\n"));
	assert_non_null(strstr(out, "max_body = 131072  # file\n"));
	assert_non_null(strstr(out, "data_dir = ./var  # default\n"));
	assert_non_null(strstr(out, "store_url = (redacted)  # environment\n"));
	assert_null(strstr(out, secret));
	assert_null(strstr(err, secret));
	free(out);
	free(err);

	f = fopen(conf, "w");
	fputs("threads = 2\nmax_body = 10\n", f);
	fclose(f);
	const char *env2[] = { text, NULL };
	const char *argv2[] = { "config", "show", NULL };
	assert_int_equal(run(argv2, env2, &out, &err), 2);
	assert_one_line_error(err, "line 2): expected a size in bytes from 1024 to 16777216");
	free(out);
	free(err);
}

static void test_db_migrate_backup_keys(void **state)
{
	char backup[200], keyfile[200], url[400];
	struct stat sb;
	char *out, *err;

	(void)state;
	const char *migrate[] = { "db", "migrate", flag, NULL };
	assert_int_equal(run(migrate, NULL, &out, &err), 0);
	assert_true(strncmp(out, "schema version 0 -> ", 20) == 0);
	free(out);
	free(err);
	/*
	 * Again, up to date, naming the database; on postgres through a URL with
	 * a password (the test cluster trusts, so any will do), which it must not print.
	 */
	const char *pw_env[] = { url, NULL };
	if (harness_pg()) {
		char plain[300];
		const char *at;

		harness_store_url(dir, plain, sizeof(plain));
		at = strchr(plain, '@');
		assert_non_null(at);
		snprintf(url, sizeof(url), "SIGNAAL_STORE_URL=%.*s:db-secret%s", (int)(at - plain),
			 plain, at);
	}
	assert_int_equal(run(migrate, harness_pg() ? pw_env : NULL, &out, &err), 0);
	assert_non_null(strstr(out, "up to date"));
	assert_non_null(strstr(out, strrchr(dir, '/') + 1));
	assert_null(strstr(out, "db-secret"));
	assert_null(strstr(err, "db-secret"));
	free(out);
	free(err);

	snprintf(backup, sizeof(backup), "%s/copy.db", dir);
	if (harness_pg()) {
		/* The cluster's own tools back it up: a clear refusal, and no file. */
		const char *bk[] = { "db", "backup", flag, backup, NULL };
		assert_int_equal(run(bk, NULL, &out, &err), 1);
		assert_one_line_error(err, "use pg_dump");
		assert_int_equal(stat(backup, &sb), -1);
		free(out);
		free(err);
	} else {
		/* A backup of a database that is not there fails; it does not copy an empty one. */
		const char *wrong[] = { "db", "backup", "--data-dir", dir, backup, NULL };
		assert_int_equal(run(wrong, NULL, &out, &err), 1);
		assert_one_line_error(err, "no database at '");
		assert_int_equal(stat(backup, &sb), -1);
		free(out);
		free(err);

		const char *bk[] = { "db", "backup", flag, backup, NULL };
		assert_int_equal(run(bk, NULL, &out, &err), 0);
		assert_int_equal(stat(backup, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		free(out);
		free(err);
		assert_int_equal(run(bk, NULL, &out, &err), 1);
		assert_one_line_error(err, "refusing to overwrite");
		free(out);
		free(err);
	}

	const char *keys[] = { "keys", "init", flag, NULL };
	assert_int_equal(run(keys, NULL, &out, &err), 0);
	assert_non_null(strstr(out, "created 2 key files"));
	free(out);
	free(err);
	snprintf(keyfile, sizeof(keyfile), "%s/keys/pseudonym.key", datadir);
	assert_int_equal(stat(keyfile, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(run(keys, NULL, &out, &err), 0);
	assert_non_null(strstr(out, "none replaced"));
	free(out);
	free(err);
}

static void test_partner_commands(void **state)
{
	char *out, *err, prefix[16];

	(void)state;
	const char *add[] = { "partner",  "add",  flag,		 "--name", "ABN AMRO",
			      "--sector", "bank", "--bank-code", "ABNA",   NULL };
	assert_int_equal(run(add, NULL, &out, &err), 0);
	assert_non_null(strstr(out, "partner 'ABN AMRO' added (sector bank)"));
	free(out);
	free(err);
	assert_int_equal(run(add, NULL, &out, &err), 1);
	assert_one_line_error(err, "a partner named 'ABN AMRO' exists already");
	free(out);
	free(err);

	static const struct {
		const char *a[10];
		const char *want;
	} bad[] = {
		{ { "--name", "X", "--sector", "bakery", NULL }, "unknown sector 'bakery'" },
		{ { "--name", "X", "--sector", "bank", "--bank-code", "abna", NULL },
		  "invalid bank code 'abna'" },
		{ { "--name", "X", "--sector", "registry", "--tld", ".nl", NULL },
		  "invalid top-level domain '.nl'" },
		{ { "--name", "X", "--sector", "bank", "--webhook", "http://example.nl/hook",
		    NULL },
		  "webhook 'http://example.nl/hook' refused" },
		{ { "--name", "X", "--sector", "bank", "--webhook", "https://10.0.0.1/hook", NULL },
		  "refused" },
		{ { "--sector", "bank", NULL }, "--name and --sector are required" },
		{ { "--name", "X", "--sector", "bank", "--webhook", "https://bank.example.nl/hook",
		    "--webhook-secret", "abc", NULL },
		  "a webhook secret is 'whsec_'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[14] = { "partner", "add", flag };
		int n = 3;

		for (int j = 0; bad[i].a[j]; j++)
			argv[n++] = bad[i].a[j];
		argv[n] = NULL;
		assert_true(run(argv, NULL, &out, &err) != 0);
		assert_one_line_error(err, bad[i].want);
		free(out);
		free(err);
	}

	const char *key[] = { "partner", "key", "create", flag, "ABN AMRO", NULL };
	assert_int_equal(run(key, NULL, &out, &err), 0);
	assert_int_equal(strlen(out), 47); /* the key alone: sk_ + 43, and a newline */
	assert_true(strncmp(out, "sk_", 3) == 0);
	snprintf(prefix, sizeof(prefix), "%.11s", out);
	free(out);
	free(err);
	const char *revoke[] = { "partner", "key", "revoke", flag, prefix, NULL };
	assert_int_equal(run(revoke, NULL, &out, &err), 0);
	free(out);
	free(err);
	assert_int_equal(run(revoke, NULL, &out, &err), 1);
	assert_one_line_error(err, "no active key with prefix");
	free(out);
	free(err);
	/* The same for a key of the administration API. */
	const char *akey[] = { "admin", "key", "create", flag, "ops", NULL };
	assert_int_equal(run(akey, NULL, &out, &err), 0);
	assert_true(strncmp(out, "sa_", 3) == 0);
	snprintf(prefix, sizeof(prefix), "%.11s", out);
	free(out);
	free(err);
	const char *arevoke[] = { "admin", "key", "revoke", flag, prefix, NULL };
	assert_int_equal(run(arevoke, NULL, &out, &err), 0);
	free(out);
	free(err);
	assert_int_equal(run(arevoke, NULL, &out, &err), 1);
	assert_one_line_error(err, "no active administration key with prefix");
	free(out);
	free(err);
	const char *nokey[] = { "partner", "key", "create", flag, "Nobody", NULL };
	assert_int_equal(run(nokey, NULL, &out, &err), 1);
	assert_one_line_error(err, "no partner named 'Nobody'");
	free(out);
	free(err);

	const char *list[] = { "partner", "list", flag, NULL };
	assert_int_equal(run(list, NULL, &out, &err), 0);
	assert_non_null(strstr(out, "ABN AMRO"));
	assert_non_null(strstr(out, "ABNA"));
	free(out);
	free(err);

	const char *failed[] = { "alerts", "failed", flag, NULL };
	assert_int_equal(run(failed, NULL, &out, &err), 0);
	assert_non_null(strstr(out, "no failed deliveries"));
	free(out);
	free(err);
	const char *retry[] = { "alerts", "retry", flag, "17", NULL };
	assert_int_equal(run(retry, NULL, &out, &err), 1);
	assert_one_line_error(err, "no failed delivery with ID 17");
	free(out);
	free(err);
	const char *retry_bad[] = { "alerts", "retry", flag, "x", NULL };
	assert_int_equal(run(retry_bad, NULL, &out, &err), 2);
	free(out);
	free(err);
}

static void test_serve_refuses_bad_start(void **state)
{
	char *out, *err;

	(void)state;
	/* A data directory that cannot be created: clear message, exit 1, before listening. */
	const char *argv[] = { "serve", "--data-dir", "/proc/signaal-cannot-exist", NULL };
	assert_int_equal(run(argv, NULL, &out, &err), 1);
	assert_one_line_error(err, "cannot create directory '/proc/signaal-cannot-exist'");
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_errors_exit_2),
		cmocka_unit_test(test_every_command_has_help),
		cmocka_unit_test(test_version),
		cmocka_unit_test_setup_teardown(test_config_show_precedence_and_redaction, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_db_migrate_backup_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partner_commands, setup, teardown),
		cmocka_unit_test(test_serve_refuses_bad_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
