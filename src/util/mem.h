/*
 * mem.h - the one allocation wrapper.
 *
 * Every allocation in Signaal goes through these functions so that a test
 * can make the Nth allocation fail (mem_fail_after) and check that the code
 * under test reports the failure instead of crashing or leaking.
 *
 * Like malloc(3), every function returns NULL when memory is exhausted (or a
 * failure is injected); callers must handle that.  mem_free(NULL) is a no-op.
 */
#ifndef SIGNAAL_UTIL_MEM_H
#define SIGNAAL_UTIL_MEM_H

#include <stddef.h>

void *mem_alloc(size_t n);		     /* like malloc; never returns memory for n == 0 */
void *mem_calloc(size_t count, size_t size); /* zeroed; checks count*size for overflow */
void *mem_realloc(void *p, size_t n);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n); /* copies at most n bytes and terminates */
void mem_free(void *p);

/*
 * Fault injection for tests: after `n` more successful allocations, every
 * further allocation fails until mem_fail_after(-1) switches it off.
 * Returns how many allocations succeeded since the last call.
 */
long mem_fail_after(long n);

#endif
