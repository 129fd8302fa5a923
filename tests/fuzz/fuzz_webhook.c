/*
 * fuzz_webhook.c - the webhook header and url parsers: no crash, messages are
 * one printable line, nothing verifies without the real signature, what
 * signs also verifies, and a url allowed without loopback is https and is
 * allowed with loopback too.
 *
 * Input: the first byte picks the parser; the rest is split at '\n' into
 * the fields (id, timestamp, signature header, body; or secret; or url).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deliver/webhook.h"
#include "util/mem.h"

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

static void check_message(const char *err, bool want_empty)
{
	size_t n = strlen(err);

	if (want_empty ? n != 0 : n == 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] >= 0x7f)
			abort();
}

/* Splits s at the next '\n' (or its end); returns the rest, or NULL. */
static char *next_field(char *s)
{
	char *nl = strchr(s, '\n');

	if (!nl)
		return NULL;
	*nl = '\0';
	return nl + 1;
}

static void fuzz_verify(char *in, size_t n)
{
	char *id = in, *ts, *sig, *body, want[WEBHOOK_SIG_SIZE], err[200];
	long long now = 1614265330;
	int rc;

	ts = next_field(id);
	sig = ts ? next_field(ts) : NULL;
	body = sig ? next_field(sig) : NULL;
	if (!body)
		return;
	n -= (size_t)(body - in);
	rc = webhook_verify(SECRET, id, ts, sig, body, n, now, err, sizeof(err));
	check_message(err, rc == 0);
	if (rc == 0) {
		/* Accepted: then the header must hold the true signature of these fields. */
		if (webhook_sign(SECRET, id, strtoll(ts, NULL, 10), body, n, want, sizeof(want)))
			abort();
		if (!strstr(sig, want))
			abort();
	}
}

static void fuzz_secret(char *in)
{
	char sig[WEBHOOK_SIG_SIZE], err[200];

	if (webhook_sign(in, "msg_1", 1000, "{}", 2, sig, sizeof(sig)) != 0) {
		if (webhook_verify(in, "msg_1", "1000", "v1,x", "{}", 2, 1000, err, sizeof(err)) !=
		    -1)
			abort();
		check_message(err, false);
		if (strncmp(err, "malformed webhook secret: ", 26) != 0)
			abort();
		return;
	}
	if (webhook_verify(in, "msg_1", "1000", sig, "{}", 2, 1000, err, sizeof(err)) != 0)
		abort();
	check_message(err, true);
}

static void fuzz_url(const char *in)
{
	char err[300], err2[300];
	int strict = webhook_url_allowed(in, false, err, sizeof(err));
	int loose = webhook_url_allowed(in, true, err2, sizeof(err2));

	check_message(err, strict == 0);
	check_message(err2, loose == 0);
	if (strict == 0 && (loose != 0 || strncasecmp(in, "https://", 8) != 0))
		abort();
	if (loose == 0 && strncasecmp(in, "https://", 8) != 0 && strncasecmp(in, "http://", 7) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in;

	if (size < 1 || size > 4096)
		return 0;
	in = mem_alloc(size);
	if (!in)
		return 0;
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0: fuzz_verify(in, size - 1); break;
	case 1:
		if (strlen(in) == size - 1)
			fuzz_secret(in);
		break;
	default:
		if (strlen(in) == size - 1)
			fuzz_url(in);
		break;
	}
	mem_free(in);
	return 0;
}
