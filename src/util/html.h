/* html.h - escaping text for HTML pages that the server writes itself. */
#ifndef SIGNAAL_UTIL_HTML_H
#define SIGNAAL_UTIL_HTML_H

#include "util/buf.h"

/* Appends `s` with & < > " ' escaped, safe in element content and quoted attributes. */
int html_escape(struct buf *b, const char *s);

#endif
