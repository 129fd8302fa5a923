/* lookup_body.c - the common form of a batch lookup's body; see lookup_body.h. */
#include "api/lookup_body.h"

#include <string.h>

#include "util/b64url.h"

struct scan {
	const char *p, *end;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* The token t (after whitespace); 0 if it is there. */
static int expect(struct scan *s, const char *t)
{
	size_t n = strlen(t);

	skip_ws(s);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, t, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

/* A string of base64url characters only: no escapes, nothing to unquote. */
static int plain_string(struct scan *s, const char **v, size_t *vlen)
{
	const char *q;

	if (expect(s, "\""))
		return -1;
	for (q = s->p; q < s->end && *q != '"'; q++) {
		char c = *q;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return -1;
	}
	if (q == s->end)
		return -1;
	*v = s->p;
	*vlen = (size_t)(q - s->p);
	s->p = q + 1;
	return 0;
}

int lookup_body_pseudonyms(const char *body, size_t len, uint8_t *out, size_t bytes, size_t max,
			   size_t *n)
{
	struct scan s;

	*n = 0;
	if (!body)
		return -1;
	s.p = body;
	s.end = body + len;
	if (expect(&s, "{") || expect(&s, "\"items\"") || expect(&s, ":") || expect(&s, "["))
		return -1;
	for (;;) {
		const char *v;
		size_t vlen;

		if (*n == max || expect(&s, "{") || expect(&s, "\"pseudonym\"") ||
		    expect(&s, ":") || plain_string(&s, &v, &vlen) || expect(&s, "}") ||
		    b64url_decode_exact(out + *n * bytes, bytes, v, vlen))
			return -1;
		++*n;
		if (expect(&s, ",") == 0)
			continue;
		if (expect(&s, "]") || expect(&s, "}"))
			return -1;
		skip_ws(&s);
		return s.p == s.end ? 0 : -1;
	}
}
