/* Unit tests for util/buf.c and util/mem.c fault injection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

static void test_append_and_terminate(void **state)
{
	struct buf b = BUF_INIT(100);

	(void)state;
	assert_int_equal(buf_adds(&b, "abc"), BUF_OK);
	assert_int_equal(buf_addc(&b, '-'), BUF_OK);
	assert_int_equal(buf_addf(&b, "%d/%s", 42, "x"), BUF_OK);
	assert_string_equal(b.data, "abc-42/x");
	assert_int_equal(b.len, 8);
	buf_release(&b);
	assert_null(b.data);
}

static void test_cap_is_hard(void **state)
{
	struct buf b = BUF_INIT(10);

	(void)state;
	assert_int_equal(buf_adds(&b, "0123456789"), BUF_OK);
	assert_int_equal(buf_addc(&b, 'x'), BUF_ETOOBIG);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	assert_int_equal(buf_addf(&b, "%s", "y"), BUF_ETOOBIG);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_addf(&b, "%s", "0123456789a"), BUF_ETOOBIG);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void test_growth_over_many_appends(void **state)
{
	struct buf b = BUF_INIT(1 << 20);

	(void)state;
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_addf(&b, "%04d", i % 10000), BUF_OK);
	assert_int_equal(b.len, 40000);
	assert_memory_equal(b.data + 4 * 9999, "9999", 4);
	buf_release(&b);
}

static void test_detach(void **state)
{
	struct buf b = BUF_INIT(100);
	size_t len = 99;
	char *p;

	(void)state;
	p = buf_detach(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 0);
	assert_string_equal(p, "");
	mem_free(p);
	buf_adds(&b, "hello");
	p = buf_detach(&b, &len);
	assert_string_equal(p, "hello");
	assert_int_equal(len, 5);
	assert_null(b.data);
	mem_free(p);
}

static void test_injected_failure(void **state)
{
	struct buf b = BUF_INIT(1 << 20);
	int failed = 0;

	(void)state;
	mem_fail_after(0);
	assert_null(mem_alloc(10));
	assert_int_equal(buf_adds(&b, "x"), BUF_ENOMEM);
	assert_null(b.data);
	mem_fail_after(-1);
	assert_int_equal(buf_adds(&b, "x"), BUF_OK);
	/* Fail at each growth step in turn: the buffer keeps what it had. */
	for (long n = 0; n < 8; n++) {
		buf_reset(&b);
		buf_release(&b);
		mem_fail_after(n);
		for (int i = 0; i < 2000; i++) {
			if (buf_adds(&b, "0123456789") == BUF_ENOMEM) {
				failed++;
				assert_int_equal(b.len, (size_t)i * 10);
				break;
			}
		}
		mem_fail_after(-1);
	}
	assert_int_equal(failed, 8);
	buf_release(&b);
}

/* Reserved room takes the appends without moving the data; the cap still holds. */
static void test_reserve(void **state)
{
	struct buf b = BUF_INIT(100);
	const char *before;

	(void)state;
	assert_int_equal(buf_reserve(&b, 60), BUF_OK);
	before = b.data;
	assert_non_null(before);
	for (int i = 0; i < 60; i++)
		assert_int_equal(buf_addc(&b, 'x'), BUF_OK);
	assert_ptr_equal(b.data, before);
	assert_int_equal(b.len, 60);
	assert_int_equal(buf_reserve(&b, 41), BUF_ETOOBIG);
	assert_int_equal(buf_reserve(&b, 40), BUF_OK);
	assert_int_equal(b.len, 60);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_terminate),	 cmocka_unit_test(test_cap_is_hard),
		cmocka_unit_test(test_growth_over_many_appends), cmocka_unit_test(test_detach),
		cmocka_unit_test(test_injected_failure),	 cmocka_unit_test(test_reserve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
