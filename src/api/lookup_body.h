/*
 * lookup_body.h - the common form of a batch lookup's body, read without
 * building a JSON tree.
 *
 * A bank screening payments sends {"items":[{"pseudonym":"..."}, ...]}
 * with up to 1,000 items; parsing that into jansson objects was about half
 * of the server's time for such a request.  lookup_body_pseudonyms() reads
 * exactly that form (any JSON whitespace between tokens) and nothing else:
 * every other body, valid or not, is left to the general path, which
 * parses with jansson and gives the precise errors.  So the fast path
 * never changes what a body means or how it is refused.
 */
#ifndef SIGNAAL_LOOKUP_BODY_H
#define SIGNAAL_LOOKUP_BODY_H

#include <stddef.h>
#include <stdint.h>

/*
 * When body (len bytes) is {"items":[...]} whose 1 to max items are each
 * {"pseudonym":"S"}, with S the unpadded base64url of exactly `bytes`
 * bytes, decodes them into out (max * bytes bytes), sets *n and returns 0.
 * Returns -1 for anything else (out and *n are then unspecified).
 */
int lookup_body_pseudonyms(const char *body, size_t len, uint8_t *out, size_t bytes, size_t max,
			   size_t *n);

#endif
