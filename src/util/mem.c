/* mem.c - allocation wrapper with fault injection; see mem.h. */
#include "util/mem.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* -1: injection off; otherwise the number of allocations still allowed. */
static atomic_long fail_budget = -1;
static atomic_long succeeded;

static int mem_should_fail(void)
{
	long b = atomic_load_explicit(&fail_budget, memory_order_relaxed);

	if (b < 0)
		return 0;
	for (;;) {
		if (b == 0)
			return 1;
		if (atomic_compare_exchange_weak(&fail_budget, &b, b - 1))
			break;
		if (b < 0)
			return 0;
	}
	atomic_fetch_add_explicit(&succeeded, 1, memory_order_relaxed);
	return 0;
}

long mem_fail_after(long n)
{
	long done = atomic_exchange(&succeeded, 0);

	atomic_store(&fail_budget, n < 0 ? -1 : n);
	return done;
}

void *mem_alloc(size_t n)
{
	if (n == 0)
		n = 1;
	if (mem_should_fail())
		return NULL;
	return malloc(n);
}

void *mem_calloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	if (count == 0 || size == 0)
		count = size = 1;
	if (mem_should_fail())
		return NULL;
	return calloc(count, size);
}

void *mem_realloc(void *p, size_t n)
{
	if (n == 0)
		n = 1;
	if (mem_should_fail())
		return NULL;
	return realloc(p, n);
}

char *mem_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = mem_alloc(len + 1);

	if (!d)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *mem_strdup(const char *s)
{
	return mem_strndup(s, SIZE_MAX);
}

void mem_free(void *p)
{
	free(p);
}
