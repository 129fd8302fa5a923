/* Unit tests for keys.c: creation, privacy, never overwriting, damage detection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"

static void test_create_load_keep(void **state)
{
	char dir[] = "/tmp/signaal-keys-XXXXXX", path[256], err[512], cmd[128];
	uint8_t a[KEY_SEED_BYTES], b[KEY_SEED_BYTES], c[KEY_SEED_BYTES];
	struct stat sb;
	int created;
	FILE *f;

	(void)state;
	assert_true(sodium_init() >= 0);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(keys_ensure(dir, &created, err, sizeof(err)), 0);
	assert_int_equal(created, 2);
	assert_int_equal(keys_path(dir, "pseudonym", path, sizeof(path)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(keys_load_seed(dir, "pseudonym", a, err, sizeof(err)), 0);
	assert_int_equal(keys_load_seed(dir, "audit", c, err, sizeof(err)), 0);
	assert_memory_not_equal(a, c, KEY_SEED_BYTES);

	/* A second run keeps the keys. */
	assert_int_equal(keys_ensure(dir, &created, err, sizeof(err)), 0);
	assert_int_equal(created, 0);
	assert_int_equal(keys_load_seed(dir, "pseudonym", b, err, sizeof(err)), 0);
	assert_memory_equal(a, b, KEY_SEED_BYTES);

	/* A key file that others can read is refused, as ssh refuses one. */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(keys_load_seed(dir, "pseudonym", b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is accessible by others (mode 0640); run 'chmod 600'"));
	assert_int_equal(chmod(path, 0600), 0);

	/* A key of the wrong purpose or a damaged one is refused. */
	assert_int_equal(keys_load_seed(dir, "nope", b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
	f = fopen(path, "w");
	fputs("signaal-key v1 audit AAAA\n", f);
	fclose(f);
	assert_int_equal(keys_load_seed(dir, "pseudonym", b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not a signaal pseudonym key"));
	f = fopen(path, "w");
	fputs("signaal-key v1 pseudonym AAAA\n", f);
	fclose(f);
	assert_int_equal(keys_load_seed(dir, "pseudonym", b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is damaged"));
	/* A byte above 0x7f, which libsodium 1.0.18 would read as '_': damaged too. */
	f = fopen(path, "w");
	fputs("signaal-key v1 pseudonym AAAAAAAAAAAAAAAAAAAA\xfe"
	      "AAAAAAAAAAAAAAAAAAAAAA\n",
	      f);
	fclose(f);
	assert_int_equal(keys_load_seed(dir, "pseudonym", b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is damaged"));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_load_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
