/* log.c - logfmt lines to standard error; see log.h. */
#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int current_level = LOG_INFO;

static const char *const level_names[] = { "debug", "info", "warn", "error", "off" };

void log_set_level(enum log_level level)
{
	atomic_store(&current_level, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load(&current_level);
}

int log_enabled(enum log_level level)
{
	return (int)level >= atomic_load_explicit(&current_level, memory_order_relaxed) &&
	       level != LOG_OFF;
}

const char *log_level_name(enum log_level level)
{
	return (unsigned)level <= LOG_OFF ? level_names[level] : "?";
}

int log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; i <= LOG_OFF; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/* Appends `s` to line at *pos, quoted when it holds anything but plain characters. */
static void log_put_value(char *line, size_t cap, size_t *pos, const char *s)
{
	int quote = *s == '\0';
	size_t p = *pos;

	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == '"' || *c == '=' || *c == '\\' ||
		    (unsigned char)*c == 0x7f)
			quote = 1;
	if (quote && p < cap)
		line[p++] = '"';
	for (const char *c = s; *c && p + 6 < cap; c++) {
		unsigned char u = (unsigned char)*c;

		if (u == '"' || u == '\\') {
			line[p++] = '\\';
			line[p++] = (char)u;
		} else if (u == '\n') {
			line[p++] = '\\';
			line[p++] = 'n';
		} else if (u < 0x20 || u == 0x7f) {
			p += (size_t)snprintf(line + p, cap - p, "\\x%02x", u);
		} else {
			line[p++] = (char)u;
		}
	}
	if (quote && p < cap)
		line[p++] = '"';
	*pos = p;
}

static void log_put_raw(char *line, size_t cap, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (n > cap - *pos)
		n = cap - *pos;
	memcpy(line + *pos, s, n);
	*pos += n;
}

void log_event(enum log_level level, const char *msg, ...)
{
	char line[4096];
	size_t cap = sizeof(line) - 1; /* room for the newline */
	size_t pos = 0;
	struct timespec ts;
	struct tm tm;
	char tbuf[96];
	va_list ap;
	const char *k, *v;

	if (!log_enabled(level))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(tbuf, sizeof(tbuf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	log_put_raw(line, cap, &pos, "ts=");
	log_put_raw(line, cap, &pos, tbuf);
	log_put_raw(line, cap, &pos, " level=");
	log_put_raw(line, cap, &pos, log_level_name(level));
	log_put_raw(line, cap, &pos, " msg=");
	log_put_value(line, cap, &pos, msg);
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		log_put_raw(line, cap, &pos, " ");
		log_put_raw(line, cap, &pos, k);
		log_put_raw(line, cap, &pos, "=");
		log_put_value(line, cap, &pos, v ? v : "");
	}
	va_end(ap);
	line[pos++] = '\n';
	/* One write so that concurrent lines never interleave; a failed log write is dropped. */
	if (write(STDERR_FILENO, line, pos) < 0)
		return;
}
