/* text.c - see text.h. */
#include "util/text.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int text_fail(char *err, size_t errsz, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return rc;
}

size_t text_utf8_seq_len(const unsigned char *s, size_t avail)
{
	size_t n;
	unsigned cp;

	if (avail == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 1, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 2, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 3, cp = s[0] & 0x07;
	else
		return 0;
	if (avail <= n)
		return 0;
	for (size_t k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n + 1;
}

bool text_is_utf8(const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		n = text_utf8_seq_len((const unsigned char *)s + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

void text_sanitize(char *err, size_t errsz)
{
	size_t len, i = 0, n;

	if (!err || !errsz)
		return;
	len = strlen(err);
	while (i < len) {
		n = text_utf8_seq_len((unsigned char *)err + i, len - i);
		if (n == 0 || (n == 1 && (err[i] < 0x20 || err[i] == 0x7f))) {
			err[i] = '?';
			n = 1;
		}
		i += n;
	}
}

bool text_is_snake_case(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || s[0] == '_' || s[n - 1] == '_')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_') {
			if (s[i + 1] == '_')
				return false;
		} else if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))) {
			return false;
		}
	}
	return true;
}

int text_parse_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool text_is_date(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	y = text_parse_digits(s, 4);
	m = text_parse_digits(s + 5, 2);
	d = text_parse_digits(s + 8, 2);
	if (y < 2000 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	return true;
}

bool text_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

int text_data_head(json_t *doc, int schema, const char *list, size_t max, json_t **items,
		   const char **version, char *err, size_t errsz)
{
	const char *key;
	json_t *v;

	if (!json_is_object(doc))
		return text_fail(err, errsz, -1,
				 "the document must be a json object with schema_version, version "
				 "and %s",
				 list);
	/* First, so that a newer file gets a clear message, not "unknown member". */
	v = json_object_get(doc, "schema_version");
	if (!v)
		return text_fail(err, errsz, -1, "missing schema_version (this build reads %d)",
				 schema);
	if (!json_is_integer(v) || json_integer_value(v) != schema)
		return text_fail(err, errsz, -1,
				 "schema_version must be %d, the only one this build reads",
				 schema);
	v = json_object_get(doc, "version");
	if (!v)
		return text_fail(err, errsz, -1, "missing version (a date like \"2026-11-23\")");
	if (!json_is_string(v) || !text_is_date(json_string_value(v)))
		return text_fail(err, errsz, -1,
				 "version must be a date in the form yyyy-mm-dd, like "
				 "\"2026-11-23\"");
	*version = json_string_value(v);
	json_object_foreach(doc, key, v)
	{
		if (strcmp(key, "schema_version") && strcmp(key, "version") && strcmp(key, list))
			return text_fail(
				err, errsz, -1,
				"unknown member '%.64s' (allowed: schema_version, version, "
				"%s)",
				key, list);
	}
	*items = json_object_get(doc, list);
	if (!*items)
		return text_fail(err, errsz, -1, "missing %s", list);
	if (!json_is_array(*items) || json_array_size(*items) == 0)
		return text_fail(err, errsz, -1, "%s must be a non-empty array of %s", list, list);
	if (json_array_size(*items) > max)
		return text_fail(err, errsz, -1, "%s has %zu entries, at most %zu allowed", list,
				 json_array_size(*items), max);
	return 0;
}

const char *const text_lang_names[TEXT_NLANGS] = { "nl", "en" };

int text_check_langs(json_t *texts, const char *what, size_t max, const char **out,
		     const char *where, char *err, size_t errsz)
{
	bool seen[TEXT_NLANGS] = { false, false };
	const char *lang;
	json_t *v;
	int l;

	if (!texts)
		return text_fail(err, errsz, -1, "%s: missing %s", where, what);
	if (!json_is_object(texts))
		return text_fail(err, errsz, -1,
				 "%s: %s must be an object of texts by language, "
				 "like {\"nl\": ..., \"en\": ...}",
				 where, what);
	json_object_foreach(texts, lang, v)
	{
		for (l = 0; l < TEXT_NLANGS; l++)
			if (!strcmp(lang, text_lang_names[l]))
				break;
		if (l == TEXT_NLANGS)
			return text_fail(err, errsz, -1,
					 "%s: %s language '%.32s' is not served (allowed: nl, en)",
					 where, what, lang);
		if (!json_is_string(v) || json_string_length(v) == 0)
			return text_fail(err, errsz, -1, "%s: %s.%s must be a non-empty string",
					 where, what, lang);
		if (json_string_length(v) > max)
			return text_fail(err, errsz, -1,
					 "%s: %s.%s is %zu bytes, at most %zu allowed", where, what,
					 lang, json_string_length(v), max);
		/* Also catches "\u0000", after which the text would end early. */
		if (strlen(json_string_value(v)) != json_string_length(v) ||
		    text_has_control(json_string_value(v)))
			return text_fail(err, errsz, -1,
					 "%s: %s.%s contains a control character "
					 "such as a newline or tab",
					 where, what, lang);
		seen[l] = true;
		if (out)
			out[l] = json_string_value(v);
	}
	for (l = 0; l < TEXT_NLANGS; l++)
		if (!seen[l])
			return text_fail(err, errsz, -1, "%s: %s has no '%s' text", where, what,
					 text_lang_names[l]);
	return 0;
}

bool text_has_bom(const char *buf, size_t len)
{
	return len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3);
}

int text_load_json(const char *buf, size_t len, json_t **doc, char *err, size_t errsz)
{
	json_error_t jerr;

	*doc = NULL;
	if (text_has_bom(buf, len))
		return text_fail(err, errsz, TEXT_EINVAL, TEXT_BOM_MESSAGE);
	*doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (*doc)
		return 0;
	/* Without a text jansson failed before it could parse: out of memory. */
	if (json_error_code(&jerr) == json_error_out_of_memory || !jerr.text[0])
		return text_fail(err, errsz, TEXT_ENOMEM, "out of memory");
	return text_fail(err, errsz, TEXT_EINVAL, "invalid json at line %d, column %d: %s",
			 jerr.line, jerr.column, jerr.text);
}
