/*
 * text.h - checks on text from data files and requests, shared by the
 * loaders (taxonomy.c, advice.c) so that they judge text alike.
 */
#ifndef SIGNAAL_UTIL_TEXT_H
#define SIGNAAL_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Formats into err (may be NULL) and returns rc: `return text_fail(err, n, -1, "...")`. */
int text_fail(char *err, size_t errsz, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The length of the well-formed UTF-8 sequence at s (no overlongs,
 * surrogates or code points past U+10FFFF), or 0 if there is none.
 */
size_t text_utf8_seq_len(const unsigned char *s, size_t avail);

bool text_is_utf8(const char *s, size_t len);

/*
 * Makes a message one printable line of UTF-8, fit for a log or a JSON
 * string, whatever it quotes: bytes that are not UTF-8 and control
 * characters become '?'.
 */
void text_sanitize(char *msg, size_t msgsz);

/* Lower-case snake_case of 1 to max characters: runs of [a-z0-9] joined by single '_'. */
bool text_is_snake_case(const char *s, size_t max);

/* The value of the n decimal digits at s, or -1 if one is not a digit. */
int text_parse_digits(const char *s, int n);

/* yyyy-mm-dd (year 2000 or later) with a day that exists in that month. */
bool text_is_date(const char *s);

/* Whether s holds a control character (below 0x20, or 0x7f). */
bool text_has_control(const char *s);

/*
 * The head of a versioned data file (advice.json, rules.json): an object
 * with exactly "schema_version" (must be `schema`), "version" (a date)
 * and the array `list` of 1 to `max` entries.  Sets *items and *version
 * (borrowed from doc).  0, or -1 with the message in err.
 */
typedef struct json_t json_t;
int text_data_head(json_t *doc, int schema, const char *list, size_t max, json_t **items,
		   const char **version, char *err, size_t errsz);

/* Editors on some systems add one; neither jansson nor a CSV reader would name the cause. */
bool text_has_bom(const char *buf, size_t len);

#define TEXT_BOM_MESSAGE "the file starts with a byte order mark; save it as utf-8 without one"

/*
 * Parses a data file (taxonomy.json, advice.json, rules.json) as JSON: no
 * byte order mark, no duplicate keys.  0 and *doc (the caller's to
 * json_decref), or TEXT_EINVAL with where and why in err, or TEXT_ENOMEM.
 */
#define TEXT_EINVAL (-1)
#define TEXT_ENOMEM (-2)
int text_load_json(const char *buf, size_t len, json_t **doc, char *err, size_t errsz);

/* The languages public texts are served in, and their codes. */
enum { TEXT_LANG_NL, TEXT_LANG_EN, TEXT_NLANGS };
extern const char *const text_lang_names[TEXT_NLANGS];

/*
 * A text of a data file in every served language: {"nl": ..., "en": ...},
 * each a non-empty single line of at most max bytes, nothing else.  `what`
 * and `where` name it in messages.  Sets out[] (borrowed from texts) if
 * out is not NULL.  0, or -1 with the message in err.
 */
int text_check_langs(json_t *texts, const char *what, size_t max, const char **out,
		     const char *where, char *err, size_t errsz);

#endif
