/*
 * log.h - one line per event, logfmt, to standard error.
 *
 *	log_info("request", "method", m, "path", p);
 *
 * Arguments after the message are key/value string pairs; the macros add
 * the terminating null pointer (log_event() itself needs it).
 * Values are quoted and escaped as logfmt needs.  Never pass a secret: keys,
 * case codes, tokens and contact details do not belong in a log line.
 * Lines are written with one write(2) so that lines of threads never mix.
 */
#ifndef SIGNAAL_UTIL_LOG_H
#define SIGNAAL_UTIL_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int log_level_parse(const char *s, enum log_level *out); /* 0, or -1 */
const char *log_level_name(enum log_level level);

void log_event(enum log_level level, const char *msg, ...) __attribute__((sentinel));

#define log_debug(...) log_event(LOG_DEBUG, __VA_ARGS__, (const char *)NULL)
#define log_info(...)  log_event(LOG_INFO, __VA_ARGS__, (const char *)NULL)
#define log_warn(...)  log_event(LOG_WARN, __VA_ARGS__, (const char *)NULL)
#define log_error(...) log_event(LOG_ERROR, __VA_ARGS__, (const char *)NULL)

/* Whether a line of this level would be written (to skip building it). */
int log_enabled(enum log_level level);

#endif
