/* ident.c - helpers the per-kind normalisers share; see ident.h. */
#include "ident/ident.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/mem.h"

int ident_error(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return IDENT_EINVAL;
}

void ident_release(struct ident *id)
{
	mem_free(id->canonical);
	for (size_t i = 0; i < id->nexprs; i++)
		mem_free(id->exprs[i]);
	memset(id, 0, sizeof(*id));
}

int ident_attr_set(struct ident *id, const char *key, const char *value)
{
	struct ident_attr *a;
	size_t klen = strlen(key), vlen = strlen(value);

	if (id->nattrs >= IDENT_ATTRS_MAX || klen >= IDENT_ATTR_KEY_MAX ||
	    vlen >= IDENT_ATTR_VALUE_MAX)
		return -1;
	a = &id->attrs[id->nattrs++];
	memcpy(a->key, key, klen + 1);
	memcpy(a->value, value, vlen + 1);
	return 0;
}

const char *ident_attr_get(const struct ident *id, const char *key)
{
	for (size_t i = 0; i < id->nattrs; i++)
		if (strcmp(id->attrs[i].key, key) == 0)
			return id->attrs[i].value;
	return NULL;
}

int ident_set_canonical(struct ident *id, const char *s, size_t len)
{
	char *c = mem_strndup(s, len);

	if (!c)
		return IDENT_ENOMEM;
	mem_free(id->canonical);
	id->canonical = c;
	return IDENT_OK;
}

int ident_add_expr(struct ident *id, const char *s, size_t len)
{
	char *c;

	if (id->nexprs >= IDENT_EXPRS_MAX)
		return IDENT_EINVAL;
	c = mem_strndup(s, len);
	if (!c)
		return IDENT_ENOMEM;
	id->exprs[id->nexprs++] = c;
	return IDENT_OK;
}

int ident_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void ident_trim(const char **in, size_t *len)
{
	while (*len && ident_is_space((unsigned char)(*in)[0])) {
		(*in)++;
		(*len)--;
	}
	while (*len && ident_is_space((unsigned char)(*in)[*len - 1]))
		(*len)--;
}
