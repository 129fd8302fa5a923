/*
 * buf.h - a growable byte buffer with a hard cap.
 *
 * Modelled on curl's dynbuf: every buffer has a `max`, and an append that
 * would grow it past `max` fails with BUF_ETOOBIG and leaves the buffer as it
 * was.  The data is always NUL-terminated (the terminator is not counted in
 * `len` and not in `max`), so `b.data` can be used as a C string when the
 * content is text.  `data` is NULL until the first append.
 *
 * Ownership: the buffer owns `data`; buf_release() frees it and resets the
 * buffer for reuse; buf_detach() hands it to the caller (free with mem_free).
 */
#ifndef SIGNAAL_UTIL_BUF_H
#define SIGNAAL_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_OK	    0
#define BUF_ENOMEM  (-1)
#define BUF_ETOOBIG (-2)

struct buf {
	char *data;
	size_t len;
	size_t cap; /* allocated, terminator included */
	size_t max; /* hard limit on len */
};

#define BUF_INIT(maxlen)             \
	{                            \
		NULL, 0, 0, (maxlen) \
	}

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);		      /* len = 0, keeps the allocation */
char *buf_detach(struct buf *b, size_t *len); /* never NULL unless out of memory */

/* Room for n more bytes without another allocation; BUF_ETOOBIG past max. */
int buf_reserve(struct buf *b, size_t n);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
