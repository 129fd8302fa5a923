/* html.c - see html.h. */
#include "util/html.h"

#include <string.h>

int html_escape(struct buf *b, const char *s)
{
	int rc = BUF_OK;

	for (const char *p = s; *p && rc == BUF_OK; p++) {
		size_t plain = strcspn(p, "&<>\"'");

		if (plain) {
			rc = buf_add(b, p, plain);
			p += plain;
			if (!*p)
				break;
		}
		switch (*p) {
		case '&': rc = buf_adds(b, "&amp;"); break;
		case '<': rc = buf_adds(b, "&lt;"); break;
		case '>': rc = buf_adds(b, "&gt;"); break;
		case '"': rc = buf_adds(b, "&quot;"); break;
		case '\'': rc = buf_adds(b, "&#39;"); break;
		}
	}
	return rc;
}
