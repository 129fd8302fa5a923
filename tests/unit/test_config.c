/* Unit tests for config.c: parsing, validation messages and precedence. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char err[CONFIG_ERR_MAX];

static void clear_env(void)
{
	static const char *const vars[] = { "SIGNAAL_CONFIG",
					    "SIGNAAL_LISTEN",
					    "SIGNAAL_MAX_BODY",
					    "SIGNAAL_THREADS",
					    "SIGNAAL_DATA_DIR",
					    "SIGNAAL_STORE_URL",
					    NULL };

	for (int i = 0; vars[i]; i++)
		unsetenv(vars[i]);
}

static int setup(void **state)
{
	(void)state;
	clear_env();
	err[0] = '\0';
	return 0;
}

static void test_defaults(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_string_equal(c.data_dir, "./var");
	assert_string_equal(c.store, "sqlite");
	assert_int_equal(c.max_body, 65536);
	assert_int_equal(c.threads, 0);
	assert_true(c.access_log);
	assert_int_equal(c.source[0], CONFIG_DEFAULT);
}

struct bad_case {
	const char *key, *value, *want;
};

static void test_validation_messages(void **state)
{
	static const struct bad_case cases[] = {
		{ "max_body", "abc",
		  "invalid value 'abc' for max_body (test): expected a size in "
		  "bytes from 1024 to 16777216 (suffix k or m allowed)" },
		{ "max_body", "100", "from 1024 to 16777216" },
		{ "max_body", "17m", "from 1024 to 16777216" },
		{ "threads", "-1",
		  "invalid value '-1' for threads (test): expected a whole number "
		  "from 0 to 256" },
		{ "threads", "4x", "expected a whole number" },
		{ "threads", " 4", "expected a whole number" },
		{ "threads", "", "expected a whole number" },
		{ "listen", "8080", "expected host:port" },
		{ "listen", "localhost:99999", "expected a port from 0 to 65535" },
		{ "listen", ":8080", "expected a host before the port" },
		{ "listen", "[::1]8080", "expected [IPv6-address]:port" },
		{ "store", "oracle",
		  "invalid value 'oracle' for store (test): expected one of: "
		  "sqlite" },
		{ "log_level", "loud", "expected one of: debug info warn error off" },
		{ "access_log", "maybe", "expected true or false" },
		{ "data_dir", "", "expected a non-empty value" },
		{ "store_url", "", NULL }, /* empty is allowed */
		{ "no_such_key", "1", "unknown configuration key 'no_such_key' (test)" },
	};
	struct config c;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_defaults(&c);
		err[0] = '\0';
		int rc = config_set(&c, cases[i].key, cases[i].value, CONFIG_FLAG, "test", err,
				    sizeof(err));
		if (!cases[i].want) {
			assert_int_equal(rc, 0);
			continue;
		}
		assert_int_equal(rc, -1);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: '%s' does not contain '%s'", i, err, cases[i].want);
	}
}

static void test_good_values(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "max-body", "1m", CONFIG_FLAG, "t", err, sizeof(err)), 0);
	assert_int_equal(c.max_body, 1048576);
	assert_int_equal(config_set(&c, "max_body", "2K", CONFIG_FLAG, "t", err, sizeof(err)), 0);
	assert_int_equal(c.max_body, 2048);
	assert_int_equal(config_set(&c, "access_log", "off", CONFIG_FLAG, "t", err, sizeof(err)),
			 0);
	assert_false(c.access_log);
	assert_int_equal(config_set(&c, "listen", "[::1]:0", CONFIG_FLAG, "t", err, sizeof(err)),
			 0);
	assert_string_equal(c.listen, "[::1]:0");
	assert_int_equal(c.source[0], CONFIG_FLAG);
}

static void test_secret_never_echoed(void **state)
{
	struct config c;
	char long_url[2000];

	(void)state;
	memset(long_url, 'p', sizeof(long_url) - 1);
	long_url[sizeof(long_url) - 1] = '\0';
	config_defaults(&c);
	assert_int_equal(config_set(&c, "store_url", long_url, CONFIG_ENV, "env", err, sizeof(err)),
			 -1);
	assert_null(strstr(err, "ppp"));
	assert_non_null(strstr(err, "(redacted)"));
}

static void test_file_parsing(void **state)
{
	static const char text[] = "# a comment\n\n  listen = 0.0.0.0:9000  \n"
				   "max_body=128k\nstore_url = \"  spaced # not a comment \"\n";
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_load_text(&c, text, sizeof(text) - 1, "x.conf", err, sizeof(err)),
			 0);
	assert_string_equal(c.listen, "0.0.0.0:9000");
	assert_int_equal(c.max_body, 131072);
	assert_string_equal(c.store_url, "  spaced # not a comment ");
	assert_int_equal(c.source[0], CONFIG_FILE);

	config_defaults(&c);
	assert_int_equal(config_load_text(&c, "listen = 1.2.3.4:1\nthreads\n", 26, "y.conf", err,
					  sizeof(err)),
			 -1);
	assert_string_equal(err, "file 'y.conf' line 2: expected 'key = value'");
	assert_int_equal(config_load_text(&c, "\nthreads = 999\n", 15, "z.conf", err, sizeof(err)),
			 -1);
	assert_string_equal(err, "invalid value '999' for threads (file 'z.conf' line 2): "
				 "expected a whole number from 0 to 256");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* default < file < environment < flag, and --config read before the rest. */
static void test_precedence(void **state)
{
	char path[] = "/tmp/signaal-test-config-XXXXXX";
	int fd = mkstemp(path);
	const char *pos[2];
	int npos;
	struct config c;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "listen = 127.0.0.1:1111\nmax_body = 2048\nthreads = 3\n");

	char *argv1[] = { "--config", path };
	assert_int_equal(config_load(&c, 2, argv1, pos, 2, &npos, err, sizeof(err)), 0);
	assert_string_equal(c.listen, "127.0.0.1:1111");
	assert_int_equal(c.threads, 3);
	assert_string_equal(c.config_file, path);

	setenv("SIGNAAL_THREADS", "5", 1);
	setenv("SIGNAAL_MAX_BODY", "4096", 1);
	char *argv2[] = { "--max-body=8192", "--config", path, "FILE" };
	assert_int_equal(config_load(&c, 4, argv2, pos, 2, &npos, err, sizeof(err)), 0);
	assert_string_equal(c.listen, "127.0.0.1:1111"); /* file */
	assert_int_equal(c.threads, 5);			 /* environment over file */
	assert_int_equal(c.max_body, 8192);		 /* flag over environment */
	assert_int_equal(c.source[0], CONFIG_FILE);
	assert_int_equal(npos, 1);
	assert_string_equal(pos[0], "FILE");

	/* The environment names the file when no flag does. */
	setenv("SIGNAAL_CONFIG", path, 1);
	char *argv3[] = { "--threads", "7" };
	assert_int_equal(config_load(&c, 2, argv3, pos, 2, &npos, err, sizeof(err)), 0);
	assert_string_equal(c.listen, "127.0.0.1:1111");
	assert_int_equal(c.threads, 7);
	clear_env();
	unlink(path);
}

static void test_flag_errors(void **state)
{
	const char *pos[1];
	int npos;
	struct config c;

	(void)state;
	char *a1[] = { "--bogus", "1" };
	assert_int_equal(config_load(&c, 2, a1, pos, 1, &npos, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown option '--bogus'");
	char *a2[] = { "--threads" };
	assert_int_equal(config_load(&c, 1, a2, pos, 1, &npos, err, sizeof(err)), -1);
	assert_string_equal(err, "option '--threads' needs a value");
	char *a3[] = { "-x" };
	assert_int_equal(config_load(&c, 1, a3, pos, 1, &npos, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown option '-x'");
	char *a4[] = { "a", "b" };
	assert_int_equal(config_load(&c, 2, a4, pos, 1, &npos, err, sizeof(err)), -1);
	assert_string_equal(err, "unexpected argument 'b'");
	char *a5[] = { "--config", "/nonexistent/signaal.conf" };
	assert_int_equal(config_load(&c, 2, a5, pos, 1, &npos, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot open configuration file '/nonexistent/signaal.conf': "
				 "No such file or directory");
	/* Underscored flag names are not flags: only --max-body is. */
	char *a6[] = { "--max_body", "2048" };
	assert_int_equal(config_load(&c, 2, a6, pos, 1, &npos, err, sizeof(err)), -1);
	setenv("SIGNAAL_MAX_BODY", "huge", 1);
	char *a7[] = { "x" };
	assert_int_equal(config_load(&c, 1, a7, pos, 1, &npos, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid value 'huge' for max_body (environment SIGNAAL_MAX_BODY):"
				 " expected a size in bytes from 1024 to 16777216 (suffix k or m "
				 "allowed)");
	clear_env();
}

static void test_show_redacts(void **state)
{
	char path[] = "/tmp/signaal-test-show-XXXXXX";
	int fd = mkstemp(path);
	char out[8192];
	ssize_t n;
	struct config c;

	(void)state;
	assert_true(fd >= 0);
	config_defaults(&c);
	assert_int_equal(config_set(&c, "store_url", "file:secret-password", CONFIG_ENV, "e", err,
				    sizeof(err)),
			 0);
	config_show(&c, fd);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, out, sizeof(out) - 1);
	assert_true(n > 0);
	out[n] = '\0';
	close(fd);
	unlink(path);
	assert_null(strstr(out, "secret-password"));
	assert_non_null(strstr(out, "store_url = (redacted)  # environment\n"));
	assert_non_null(strstr(out, "listen = 127.0.0.1:8080  # default\n"));
	/* What config show prints is a configuration file that loads back. */
	struct config d;
	config_defaults(&d);
	char *redacted = strstr(out, "store_url");
	memcpy(redacted, "#tore_url", 9);
	assert_int_equal(config_load_text(&d, out, strlen(out), "shown", err, sizeof(err)), 0);
	assert_string_equal(d.listen, c.listen);
	assert_int_equal(d.max_body, c.max_body);
}

/* Where the store is, fit to print: never the password, never the URL's parameters. */
static void test_store_display(void **state)
{
	static const struct {
		const char *url, *want;
	} cases[] = {
		{ "postgresql://signaal@db:5432/signaal", "postgresql://signaal@db:5432/signaal" },
		{ "postgresql://signaal:s3cret@db/signaal", "postgresql://signaal:***@db/signaal" },
		{ "postgres://u:p%40ss@h1,h2/s?sslmode=verify-full&password=x",
		  "postgres://u:***@h1,h2/s" },
		{ "postgresql:///signaal?host=/run/postgresql", "postgresql:///signaal" },
	};
	struct config c;
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_defaults(&c);
		assert_int_equal(
			config_set(&c, "store", "postgres", CONFIG_FLAG, "f", err, sizeof(err)), 0);
		assert_int_equal(config_set(&c, "store_url", cases[i].url, CONFIG_FLAG, "f", err,
					    sizeof(err)),
				 0);
		assert_int_equal(config_check(&c, err, sizeof(err)), 0);
		config_store_display(&c, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	/* SQLite: the database file. */
	config_defaults(&c);
	config_store_display(&c, out, sizeof(out));
	assert_string_equal(out, "./var/signaal.db");
}

/* postgres needs a URL, and one that libpq would not misread into quoting the password. */
static void test_store_url_checked(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "store", "postgres", CONFIG_FLAG, "f", err, sizeof(err)),
			 0);
	assert_int_equal(config_check(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "store postgres needs store_url"));
	assert_int_equal(config_set(&c, "store_url", "postgresql://u:hun@ter2@db/s", CONFIG_FLAG,
				    "f", err, sizeof(err)),
			 0);
	assert_int_equal(config_check(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "percent-encode '@' in the password as %40"));
	assert_null(strstr(err, "ter2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_validation_messages, setup),
		cmocka_unit_test_setup(test_good_values, setup),
		cmocka_unit_test_setup(test_secret_never_echoed, setup),
		cmocka_unit_test_setup(test_file_parsing, setup),
		cmocka_unit_test_setup(test_precedence, setup),
		cmocka_unit_test_setup(test_flag_errors, setup),
		cmocka_unit_test_setup(test_show_redacts, setup),
		cmocka_unit_test_setup(test_store_display, setup),
		cmocka_unit_test_setup(test_store_url_checked, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
