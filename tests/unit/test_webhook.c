/*
 * Unit tests for deliver/webhook.c: Standard Webhooks vectors, rejection of
 * tampered and stale messages, secrets, endpoint url rules, the retry
 * schedule, and delivery to a real loopback HTTP server started in-process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <microhttpd.h>
#include <sodium.h>

#include "deliver/webhook.h"
#include "util/mem.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

/* The published example of the Standard Webhooks reference libraries. */
#define SPEC_SECRET  "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SPEC_ID	     "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SPEC_TS	     1614265330LL
#define SPEC_TS_TEXT "1614265330"
#define SPEC_BODY    "{\"test\": 2432232314}"
#define SPEC_SIG     "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

/* ---- fixture ---- */

struct vector {
	char source[32];
	char secret[128];
	char id[64];
	char ts[24];
	char body[256];
	size_t body_len;
	char sig[64];
};

#define MAX_VECTORS 16

static int copy_field(char *dst, size_t dstsz, const char *src, size_t n)
{
	if (n >= dstsz)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

static int unescape(char *dst, size_t dstsz, const char *src, size_t n, size_t *outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = src[i];

		if (c == '\\' && i + 1 < n) {
			switch (src[++i]) {
			case 't': c = '\t'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case '\\': c = '\\'; break;
			default: return -1;
			}
		}
		if (o + 1 >= dstsz)
			return -1;
		dst[o++] = c;
	}
	dst[o] = '\0';
	*outlen = o;
	return 0;
}

static int load_vectors(struct vector *v, int max)
{
	FILE *f = fopen(FIXTURES_DIR "/standard_webhooks.tsv", "r");
	char line[1024];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		const char *field[6];
		size_t flen[6], len = strcspn(line, "\n");
		const char *p = line;
		int k;

		line[len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		for (k = 0; k < 6; k++) {
			field[k] = p;
			flen[k] = strcspn(p, "\t");
			p += flen[k];
			if (*p != '\t')
				break;
			p++;
		}
		assert_int_equal(k, 5); /* exactly six fields */
		assert_true(n < max);
		assert_int_equal(copy_field(v[n].source, sizeof(v[n].source), field[0], flen[0]),
				 0);
		assert_int_equal(copy_field(v[n].secret, sizeof(v[n].secret), field[1], flen[1]),
				 0);
		assert_int_equal(copy_field(v[n].id, sizeof(v[n].id), field[2], flen[2]), 0);
		assert_int_equal(copy_field(v[n].ts, sizeof(v[n].ts), field[3], flen[3]), 0);
		assert_int_equal(
			unescape(v[n].body, sizeof(v[n].body), field[4], flen[4], &v[n].body_len),
			0);
		assert_int_equal(copy_field(v[n].sig, sizeof(v[n].sig), field[5], flen[5]), 0);
		n++;
	}
	fclose(f);
	return n;
}

/* ---- signing and verification ---- */

static void test_spec_example(void **state)
{
	char sig[WEBHOOK_SIG_SIZE], err[200];

	(void)state;
	assert_int_equal(webhook_sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, strlen(SPEC_BODY),
				      sig, sizeof(sig)),
			 0);
	assert_string_equal(sig, SPEC_SIG);
	assert_int_equal(webhook_verify(SPEC_SECRET, SPEC_ID, SPEC_TS_TEXT, SPEC_SIG, SPEC_BODY,
					strlen(SPEC_BODY), SPEC_TS, err, sizeof(err)),
			 0);
	assert_string_equal(err, "");
}

static void test_fixture_vectors(void **state)
{
	struct vector v[MAX_VECTORS];
	int n, spec_rows = 0;

	(void)state;
	n = load_vectors(v, MAX_VECTORS);
	assert_int_equal(n, 5);
	for (int i = 0; i < n; i++) {
		char sig[WEBHOOK_SIG_SIZE], err[200], ts2[32], id2[80], hdr[200];
		char body2[260];
		long long ts = strtoll(v[i].ts, NULL, 10);

		spec_rows += strcmp(v[i].source, "standard-webhooks") == 0;
		assert_int_equal(webhook_sign(v[i].secret, v[i].id, ts, v[i].body, v[i].body_len,
					      sig, sizeof(sig)),
				 0);
		assert_string_equal(sig, v[i].sig);

		/* Accepted at both edges of the tolerance window, refused just past them. */
		assert_int_equal(webhook_verify(v[i].secret, v[i].id, v[i].ts, v[i].sig, v[i].body,
						v[i].body_len, ts, err, sizeof(err)),
				 0);
		assert_int_equal(webhook_verify(v[i].secret, v[i].id, v[i].ts, v[i].sig, v[i].body,
						v[i].body_len, ts + 300, err, sizeof(err)),
				 0);
		assert_int_equal(webhook_verify(v[i].secret, v[i].id, v[i].ts, v[i].sig, v[i].body,
						v[i].body_len, ts - 300, err, sizeof(err)),
				 0);
		assert_int_equal(webhook_verify(v[i].secret, v[i].id, v[i].ts, v[i].sig, v[i].body,
						v[i].body_len, ts + 301, err, sizeof(err)),
				 -1);
		snprintf(hdr, sizeof(hdr),
			 "webhook-timestamp %lld is 301 seconds old; at most 300 seconds allowed",
			 ts);
		assert_string_equal(err, hdr);
		assert_int_equal(webhook_verify(v[i].secret, v[i].id, v[i].ts, v[i].sig, v[i].body,
						v[i].body_len, ts - 301, err, sizeof(err)),
				 -1);
		snprintf(hdr, sizeof(hdr),
			 "webhook-timestamp %lld is 301 seconds in the future; at most 300 "
			 "seconds allowed",
			 ts);
		assert_string_equal(err, hdr);

		/* Tampered body: one byte appended, and (when there is one) the last changed. */
		memcpy(body2, v[i].body, v[i].body_len);
		body2[v[i].body_len] = ' ';
		assert_int_equal(webhook_verify(v[i].secret, v[i].id, v[i].ts, v[i].sig, body2,
						v[i].body_len + 1, ts, err, sizeof(err)),
				 -1);
		assert_string_equal(err, "no v1 signature in webhook-signature matches (1 tried)");
		if (v[i].body_len) {
			body2[v[i].body_len - 1] ^= 1;
			assert_int_equal(webhook_verify(v[i].secret, v[i].id, v[i].ts, v[i].sig,
							body2, v[i].body_len, ts, err, sizeof(err)),
					 -1);
		}
		/* Tampered id and timestamp (a replay with a fresh timestamp). */
		snprintf(id2, sizeof(id2), "%sX", v[i].id);
		assert_int_equal(webhook_verify(v[i].secret, id2, v[i].ts, v[i].sig, v[i].body,
						v[i].body_len, ts, err, sizeof(err)),
				 -1);
		assert_string_equal(err, "no v1 signature in webhook-signature matches (1 tried)");
		snprintf(ts2, sizeof(ts2), "%lld", ts + 1);
		assert_int_equal(webhook_verify(v[i].secret, v[i].id, ts2, v[i].sig, v[i].body,
						v[i].body_len, ts, err, sizeof(err)),
				 -1);
		assert_string_equal(err, "no v1 signature in webhook-signature matches (1 tried)");
		/* Another key. */
		assert_int_equal(webhook_verify(SPEC_SECRET, v[i].id, v[i].ts, v[i].sig, v[i].body,
						v[i].body_len, ts, err, sizeof(err)),
				 i == 0 ? 0 : -1);
	}
	assert_int_equal(spec_rows, 1);
}

static void test_multiple_signatures(void **state)
{
	static const struct {
		const char *header;
		int rc;
		const char *err;
	} cases[] = {
		{ SPEC_SIG, 0, "" },
		{ "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "
		  "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " SPEC_SIG
		  " v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
		  0, "" },
		{ "  " SPEC_SIG "  ", 0, "" },
		{ "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/"
		  "enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8E"
		  "M+m7TBAg== " SPEC_SIG,
		  0, "" },
		{ "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "
		  "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
		  -1, "no v1 signature in webhook-signature matches (2 tried)" },
		{ "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", -1,
		  "webhook-signature holds no v1 signature" },
		{ "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", -1,
		  "webhook-signature holds no v1 signature" },
		{ "", -1, "webhook-signature holds no v1 signature" },
		{ "v1,", -1, "webhook-signature holds no v1 signature" },
		{ "v1,g0hM9SsE", -1, "no v1 signature in webhook-signature matches (1 tried)" },
		{ "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", -1,
		  "no v1 signature in webhook-signature matches (1 tried)" },
		{ SPEC_SIG "=", -1, "no v1 signature in webhook-signature matches (1 tried)" },
		{ "V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", -1,
		  "webhook-signature holds no v1 signature" },
		/* The same bytes spelt differently: a high byte for '/', unused bits set. */
		{ "v1,g0hM9SsE+OTPJTGt\x9ftmIKtSyZlE3uFJELVlNIOLJ1OE=", -1,
		  "no v1 signature in webhook-signature matches (1 tried)" },
		{ "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=", -1,
		  "no v1 signature in webhook-signature matches (1 tried)" },
		{ "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=", -1,
		  "no v1 signature in webhook-signature matches (1 tried)" },
		{ "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=," SPEC_SIG, -1,
		  "no v1 signature in webhook-signature matches (1 tried)" },
	};
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = webhook_verify(SPEC_SECRET, SPEC_ID, SPEC_TS_TEXT, cases[i].header,
					SPEC_BODY, strlen(SPEC_BODY), SPEC_TS, err, sizeof(err));

		if (rc != cases[i].rc || strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu '%s': rc %d err '%s'", i, cases[i].header, rc, err);
	}
}

static void test_header_errors(void **state)
{
	static const struct {
		const char *id, *ts, *sig;
		const char *err;
	} cases[] = {
		{ NULL, SPEC_TS_TEXT, SPEC_SIG, "missing webhook-id header" },
		{ "", SPEC_TS_TEXT, SPEC_SIG, "missing webhook-id header" },
		{ "msg.1", SPEC_TS_TEXT, SPEC_SIG,
		  "webhook-id 'msg.1' is not 1 to 255 printable characters without '.' or space" },
		{ "msg 1", SPEC_TS_TEXT, SPEC_SIG,
		  "webhook-id 'msg 1' is not 1 to 255 printable characters without '.' or space" },
		{ "a\r\nb", SPEC_TS_TEXT, SPEC_SIG,
		  "webhook-id 'a??b' is not 1 to 255 printable characters without '.' or space" },
		{ SPEC_ID, NULL, SPEC_SIG, "missing webhook-timestamp header" },
		{ SPEC_ID, "", SPEC_SIG,
		  "webhook-timestamp '' is not an integer number of seconds since 1970" },
		{ SPEC_ID, "hello", SPEC_SIG,
		  "webhook-timestamp 'hello' is not an integer number of seconds since 1970" },
		{ SPEC_ID, "-1614265330", SPEC_SIG,
		  "webhook-timestamp '-1614265330' is not an integer number of seconds since "
		  "1970" },
		{ SPEC_ID, "01614265330", SPEC_SIG,
		  "webhook-timestamp '01614265330' is not an integer number of seconds since "
		  "1970" },
		{ SPEC_ID, "1614265330.5", SPEC_SIG,
		  "webhook-timestamp '1614265330.5' is not an integer number of seconds since "
		  "1970" },
		{ SPEC_ID, " 1614265330", SPEC_SIG,
		  "webhook-timestamp ' 1614265330' is not an integer number of seconds since "
		  "1970" },
		{ SPEC_ID, "1614265330000000000000000000000000000000000000000", SPEC_SIG,
		  "webhook-timestamp '1614265330000000000000000000000000000000...' is not an "
		  "integer number of seconds since 1970" },
		{ SPEC_ID, "1614265329", SPEC_SIG,
		  "no v1 signature in webhook-signature matches (1 tried)" },
		{ SPEC_ID, "1614264000", SPEC_SIG,
		  "webhook-timestamp 1614264000 is 1330 seconds old; at most 300 seconds allowed" },
		{ SPEC_ID, SPEC_TS_TEXT, NULL, "missing webhook-signature header" },
	};
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = webhook_verify(SPEC_SECRET, cases[i].id, cases[i].ts, cases[i].sig,
					SPEC_BODY, strlen(SPEC_BODY), SPEC_TS, err, sizeof(err));

		assert_int_equal(rc, -1);
		if (strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, err, cases[i].err);
	}
	/* Absurd clocks are refused, not overflowed. */
	assert_int_equal(webhook_verify(SPEC_SECRET, SPEC_ID, SPEC_TS_TEXT, SPEC_SIG, SPEC_BODY,
					strlen(SPEC_BODY), LLONG_MIN, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "webhook-timestamp 1614265330 is 4611686020041653234 seconds in "
				 "the future; at most 300 seconds allowed");
	assert_int_equal(webhook_verify(SPEC_SECRET, SPEC_ID, SPEC_TS_TEXT, SPEC_SIG, SPEC_BODY,
					strlen(SPEC_BODY), LLONG_MAX, err, sizeof(err)),
			 -1);
	assert_memory_equal(err, "webhook-timestamp 1614265330 is ", 32);
	/* A NULL err is allowed, and a short one is cut, not overrun. */
	assert_int_equal(webhook_verify(SPEC_SECRET, NULL, SPEC_TS_TEXT, SPEC_SIG, SPEC_BODY,
					strlen(SPEC_BODY), SPEC_TS, NULL, 0),
			 -1);
	assert_int_equal(webhook_verify(SPEC_SECRET, NULL, SPEC_TS_TEXT, SPEC_SIG, SPEC_BODY,
					strlen(SPEC_BODY), SPEC_TS, err, 8),
			 -1);
	assert_string_equal(err, "missing");
}

static void test_malformed_secrets(void **state)
{
	static const struct {
		const char *secret, *err;
	} cases[] = {
		{ NULL, "malformed webhook secret: it must start with 'whsec_'" },
		{ "", "malformed webhook secret: it must start with 'whsec_'" },
		{ "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		  "malformed webhook secret: it must start with 'whsec_'" },
		{ "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		  "malformed webhook secret: it must start with 'whsec_'" },
		{ "whsec_", "malformed webhook secret: the key is 0 bytes; 24 to 64 allowed" },
		{ "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!",
		  "malformed webhook secret: after 'whsec_' it must be padded standard base64" },
		{ "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw ",
		  "malformed webhook secret: after 'whsec_' it must be padded standard base64" },
		{ "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n",
		  "malformed webhook secret: after 'whsec_' it must be padded standard base64" },
		/* 32 bytes without the padding '=' */
		{ "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
		  "malformed webhook secret: after 'whsec_' it must be padded standard base64" },
		{ "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS\xf7",
		  "malformed webhook secret: after 'whsec_' it must be padded standard base64" },
		/* url-safe alphabet */
		{ "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS_",
		  "malformed webhook secret: after 'whsec_' it must be padded standard base64" },
		/* 16 bytes */
		{ "whsec_AAECAwQFBgcICQoLDA0ODw==",
		  "malformed webhook secret: the key is 16 bytes; 24 to 64 allowed" },
		/* 23 bytes */
		{ "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRY=",
		  "malformed webhook secret: the key is 23 bytes; 24 to 64 allowed" },
		/* 65 bytes */
		{ "whsec_"
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		  "AAAAAAAAAAAA=",
		  "malformed webhook secret: the key is 65 bytes; 24 to 64 allowed" },
	};
	char sig[WEBHOOK_SIG_SIZE], err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(webhook_sign(cases[i].secret, SPEC_ID, SPEC_TS, SPEC_BODY,
					      strlen(SPEC_BODY), sig, sizeof(sig)),
				 -1);
		assert_int_equal(webhook_verify(cases[i].secret, SPEC_ID, SPEC_TS_TEXT, SPEC_SIG,
						SPEC_BODY, strlen(SPEC_BODY), SPEC_TS, err,
						sizeof(err)),
				 -1);
		if (strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, err, cases[i].err);
		/* The message never repeats the secret. */
		if (cases[i].secret && strlen(cases[i].secret) > 8)
			assert_null(strstr(err, cases[i].secret + 6));
	}
	/* 24 and 64 bytes are the edges that are allowed. */
	assert_int_equal(webhook_sign("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX", SPEC_ID, SPEC_TS,
				      "", 0, sig, sizeof(sig)),
			 0);
	assert_int_equal(
		webhook_sign("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			     "AAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
			     SPEC_ID, SPEC_TS, "", 0, sig, sizeof(sig)),
		0);
}

static void test_sign_arguments(void **state)
{
	char sig[WEBHOOK_SIG_SIZE], id[300];

	(void)state;
	assert_int_equal(webhook_sign(SPEC_SECRET, "a.b", SPEC_TS, "", 0, sig, sizeof(sig)), -1);
	assert_int_equal(webhook_sign(SPEC_SECRET, "", SPEC_TS, "", 0, sig, sizeof(sig)), -1);
	assert_int_equal(webhook_sign(SPEC_SECRET, NULL, SPEC_TS, "", 0, sig, sizeof(sig)), -1);
	assert_int_equal(webhook_sign(SPEC_SECRET, "a\nb", SPEC_TS, "", 0, sig, sizeof(sig)), -1);
	assert_int_equal(webhook_sign(SPEC_SECRET, SPEC_ID, -1, "", 0, sig, sizeof(sig)), -1);
	assert_int_equal(webhook_sign(SPEC_SECRET, SPEC_ID, SPEC_TS, NULL, 3, sig, sizeof(sig)),
			 -1);
	assert_int_equal(webhook_sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, strlen(SPEC_BODY),
				      sig, WEBHOOK_SIG_SIZE - 1),
			 -1);
	assert_int_equal(webhook_sign(SPEC_SECRET, SPEC_ID, SPEC_TS, NULL, 0, sig, sizeof(sig)), 0);
	memset(id, 'a', 255);
	id[255] = '\0';
	assert_int_equal(webhook_sign(SPEC_SECRET, id, SPEC_TS, "", 0, sig, sizeof(sig)), 0);
	id[255] = 'a';
	id[256] = '\0';
	assert_int_equal(webhook_sign(SPEC_SECRET, id, SPEC_TS, "", 0, sig, sizeof(sig)), -1);
}

static void test_secret_new(void **state)
{
	char a[WEBHOOK_SECRET_SIZE], b[WEBHOOK_SECRET_SIZE], sig[WEBHOOK_SIG_SIZE], err[200];
	unsigned char key[64];
	size_t keylen = 0;

	(void)state;
	assert_int_equal(webhook_secret_new(a, sizeof(a)), 0);
	assert_int_equal(webhook_secret_new(b, sizeof(b)), 0);
	assert_int_equal(strlen(a), WEBHOOK_SECRET_SIZE - 1);
	assert_memory_equal(a, "whsec_", 6);
	assert_int_equal(a[WEBHOOK_SECRET_SIZE - 2], '=');
	assert_string_not_equal(a, b);
	assert_int_equal(sodium_base642bin(key, sizeof(key), a + 6, strlen(a + 6), NULL, &keylen,
					   NULL, sodium_base64_VARIANT_ORIGINAL),
			 0);
	assert_int_equal(keylen, 32);
	assert_int_equal(webhook_sign(a, "m1", 1000, "{}", 2, sig, sizeof(sig)), 0);
	assert_int_equal(webhook_verify(a, "m1", "1000", sig, "{}", 2, 1000, err, sizeof(err)), 0);
	assert_int_equal(webhook_verify(b, "m1", "1000", sig, "{}", 2, 1000, err, sizeof(err)), -1);
	assert_int_equal(webhook_secret_new(a, WEBHOOK_SECRET_SIZE - 1), -1);
	assert_int_equal(webhook_secret_new(NULL, 100), -1);
}

/* ---- url rules ---- */

static void test_url_rules(void **state)
{
	static const struct {
		const char *url;
		bool loopback;
		int rc;
		const char *err; /* exact message; NULL when allowed */
	} cases[] = {
		{ "https://hooks.example.com/signaal", false, 0, NULL },
		{ "https://hooks.example.com:8443/a/b?token=x#f", false, 0, NULL },
		{ "HTTPS://Hooks.Example.COM/", false, 0, NULL },
		{ "https://93.184.216.34/hook", false, 0, NULL },
		{ "https://[2001:db8::1]/hook", false, 0, NULL },
		{ "https://bank.example.", false, 0, NULL },
		{ "http://127.0.0.1:8080/hook", true, 0, NULL },
		{ "https://127.0.0.1/hook", true, 0, NULL },
		{ "http://127.1.2.3/", true, 0, NULL },
		{ "http://[::1]:9000/", true, 0, NULL },
		{ "http://localhost:9000/x", true, 0, NULL },
		{ "http://LOCALHOST./x", true, 0, NULL },
		{ "http://api.localhost/x", true, 0, NULL },
		{ "https://hooks.example.com/", true, 0, NULL },
		{ "http://hooks.example.com/", false, -1,
		  "webhook url 'http://hooks.example.com/' uses http; public webhook urls must use "
		  "https" },
		{ "http://hooks.example.com/", true, -1,
		  "webhook url 'http://hooks.example.com/' uses http; public webhook urls must use "
		  "https" },
		{ "http://127.0.0.1:8080/hook", false, -1,
		  "webhook url host '127.0.0.1' is a loopback (127.0.0.0/8) address; loopback is "
		  "allowed only in tests" },
		{ "https://[::1]/", false, -1,
		  "webhook url host '[::1]' is a loopback (::1) address; loopback is allowed only "
		  "in "
		  "tests" },
		{ "https://localhost/", false, -1,
		  "webhook url host 'localhost' is a loopback name; loopback is allowed only in "
		  "tests" },
		{ "http://2130706433/", false, -1,
		  "webhook url host '127.0.0.1' is a loopback (127.0.0.0/8) address; loopback is "
		  "allowed only in tests" },
		{ "https://0x7f.1/", false, -1,
		  "webhook url host '127.0.0.1' is a loopback (127.0.0.0/8) address; loopback is "
		  "allowed only in tests" },
		{ "https://10.1.2.3/", true, -1,
		  "webhook url host '10.1.2.3' is a private (10.0.0.0/8) address; webhooks go to "
		  "public hosts only" },
		{ "https://172.16.0.1/", false, -1,
		  "webhook url host '172.16.0.1' is a private (172.16.0.0/12) address; webhooks go "
		  "to public hosts only" },
		{ "https://172.31.255.255/", false, -1,
		  "webhook url host '172.31.255.255' is a private (172.16.0.0/12) address; "
		  "webhooks "
		  "go to public hosts only" },
		{ "https://172.32.0.1/", false, 0, NULL },
		{ "https://192.168.1.1/", true, -1,
		  "webhook url host '192.168.1.1' is a private (192.168.0.0/16) address; webhooks "
		  "go to public hosts only" },
		{ "https://169.254.169.254/latest/meta-data/", true, -1,
		  "webhook url host '169.254.169.254' is a link-local (169.254.0.0/16) address; "
		  "webhooks go to public hosts only" },
		{ "https://0.0.0.0/", true, -1,
		  "webhook url host '0.0.0.0' is an unspecified (0.0.0.0/8) address; webhooks go "
		  "to "
		  "public hosts only" },
		{ "https://100.100.100.200/", false, -1,
		  "webhook url host '100.100.100.200' is a shared (100.64.0.0/10) address; "
		  "webhooks "
		  "go to public hosts only" },
		{ "https://224.0.0.1/", false, -1,
		  "webhook url host '224.0.0.1' is a multicast (224.0.0.0/4) address; webhooks go "
		  "to public hosts only" },
		{ "https://255.255.255.255/", false, -1,
		  "webhook url host '255.255.255.255' is a reserved (240.0.0.0/4) address; "
		  "webhooks "
		  "go to public hosts only" },
		{ "https://[fd00::1]/", true, -1,
		  "webhook url host '[fd00::1]' is a unique local (fc00::/7) address; webhooks go "
		  "to public hosts only" },
		{ "https://[fe80::1%25eth0]/", true, -1,
		  "webhook url host '[fe80::1]' is a link-local (fe80::/10) address; webhooks go "
		  "to "
		  "public hosts only" },
		{ "https://[::ffff:10.0.0.1]/", true, -1,
		  "webhook url host '[::ffff:10.0.0.1]' is a private (10.0.0.0/8) address; "
		  "webhooks "
		  "go to public hosts only" },
		{ "https://[::ffff:127.0.0.1]/", false, -1,
		  "webhook url host '[::ffff:127.0.0.1]' is a loopback (127.0.0.0/8) address; "
		  "loopback is allowed only in tests" },
		{ "https://[::]/", true, -1,
		  "webhook url host '[::]' is an unspecified (::) address; webhooks go to public "
		  "hosts only" },
		{ "https://[ff02::1]/", false, -1,
		  "webhook url host '[ff02::1]' is a multicast (ff00::/8) address; webhooks go to "
		  "public hosts only" },
		{ "https://user:pw@hooks.example.com/", false, -1,
		  "webhook url 'https://user:pw@hooks.example.com/' contains a user name or "
		  "password; put credentials in the path or query, or rely on the signature" },
		{ "https://user@hooks.example.com/", false, -1,
		  "webhook url 'https://user@hooks.example.com/' contains a user name or password; "
		  "put credentials in the path or query, or rely on the signature" },
		{ "ftp://hooks.example.com/", false, -1,
		  "webhook url scheme 'ftp' is not allowed; use https" },
		{ "gopher://127.0.0.1:6379/", true, -1,
		  "webhook url scheme 'gopher' is not allowed; use https" },
		{ "file:///etc/passwd", true, -1,
		  "webhook url 'file:///etc/passwd' is not of the form https://host/path" },
		{ "https:///hooks.example.com/", false, -1,
		  "webhook url 'https:///hooks.example.com/' is not of the form "
		  "https://host/path" },
		{ "hooks.example.com/x", false, -1,
		  "webhook url 'hooks.example.com/x' is not of the form https://host/path" },
		{ "https://", false, -1,
		  "webhook url 'https://' is not of the form https://host/path" },
		{ "", false, -1, "webhook url is empty; an https:// url is required" },
		{ NULL, false, -1, "webhook url is empty; an https:// url is required" },
		{ "https://hooks.example.com/a b", false, -1,
		  "webhook url 'https://hooks.example.com/a b' contains a space, control or "
		  "non-ascii character; write international host names as xn-- a-labels" },
		{ "https://hooks.example.com/\r\nX: y", false, -1,
		  "webhook url 'https://hooks.example.com/??X: y' contains a space, control or "
		  "non-ascii character; write international host names as xn-- a-labels" },
		{ "https://b\xc3\xa4nk.example/", false, -1,
		  "webhook url 'https://b??nk.example/' contains a space, control or non-ascii "
		  "character; write international host names as xn-- a-labels" },
		{ "https://xn--bnk-qla.example/", false, 0, NULL },
		{ "https:/7.0.12f/x://[::1]/", false, -1,
		  "webhook url 'https:/7.0.12f/x://[::1]/' is not of the form https://host/path" },
		{ "x https://hooks.example.com/", false, -1,
		  "webhook url 'x https://hooks.example.com/' contains a space, control or "
		  "non-ascii character; write international host names as xn-- a-labels" },
		{ "/path://hooks.example.com/", false, -1,
		  "webhook url '/path://hooks.example.com/' is not of the form https://host/path" },
		{ "https://intranet/hook", false, -1,
		  "webhook url host 'intranet' is a single-label name; use a fully qualified "
		  "public host name" },
		{ "https://printer.local/", false, -1,
		  "webhook url host 'printer.local' is a local-network name; use a public host "
		  "name" },
		{ "https://metadata.google.internal/", false, -1,
		  "webhook url host 'metadata.google.internal' is a local-network name; use a "
		  "public host name" },
		{ "https://local%68ost/", false, -1,
		  "webhook url host 'localhost' is a loopback name; loopback is allowed only in "
		  "tests" },
		{ "https://notlocalhost.example/", false, 0, NULL },
		{ "https://hooks.example.com:99999/", false, -1,
		  "webhook url 'https://hooks.example.com:99999/' is not a valid url: Port number "
		  "was not a decimal number between 0 and 65535" },
	};
	char err[300], longurl[2100];

	(void)state;
	assert_true(sizeof(cases) / sizeof(cases[0]) >= 25);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = webhook_url_allowed(cases[i].url, cases[i].loopback, err, sizeof(err));

		if (rc != cases[i].rc)
			fail_msg("case %zu '%s': rc %d (%s)", i, cases[i].url ? cases[i].url : "-",
				 rc, err);
		if (cases[i].err && strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, err, cases[i].err);
		if (!cases[i].err)
			assert_string_equal(err, "");
	}
	memcpy(longurl, "https://a.example/", 18);
	memset(longurl + 18, 'x', sizeof(longurl) - 19);
	longurl[sizeof(longurl) - 1] = '\0';
	assert_int_equal(webhook_url_allowed(longurl, false, err, sizeof(err)), -1);
	assert_string_equal(err, "webhook url 'https://a.example/xxxxxxxxxxxxxxxxxxxxxx...' is "
				 "longer than 2048 characters");
	longurl[2048] = '\0';
	assert_int_equal(webhook_url_allowed(longurl, false, err, sizeof(err)), 0);
}

/* ---- retry schedule ---- */

static void test_backoff(void **state)
{
	static const uint32_t randoms[] = { 0,	       1, 2, 3, 7, 1000, 123456789, UINT32_MAX - 1,
					    UINT32_MAX };
	long prev_lo = 0, prev_hi = 0, total_lo = 0, total_hi = 0;

	(void)state;
	/* Exact values at the bottom and top of each range. */
	assert_int_equal(webhook_backoff(1, 0), 1);
	assert_int_equal(webhook_backoff(1, 1), 2);
	assert_int_equal(webhook_backoff(1, 2), 1);
	assert_int_equal(webhook_backoff(2, 2), 4);
	assert_int_equal(webhook_backoff(11, 0), 1024);
	assert_int_equal(webhook_backoff(11, 1024), 2048);
	assert_int_equal(webhook_backoff(12, 0), 1800);
	assert_int_equal(webhook_backoff(12, 1800), 3600);
	assert_int_equal(webhook_backoff(0, 1), webhook_backoff(1, 1));
	assert_int_equal(webhook_backoff(-7, 1), webhook_backoff(1, 1));
	assert_int_equal(webhook_backoff(INT_MAX, 1800), 3600);
	assert_int_equal(webhook_backoff(63, 0), 1800);
	assert_int_equal(webhook_backoff(64, 1800), 3600);

	for (int a = 1; a <= 40; a++) {
		long base = a >= 12 ? 3600 : 1L << a;
		long lo = LONG_MAX, hi = 0;

		for (size_t r = 0; r < sizeof(randoms) / sizeof(randoms[0]); r++) {
			long w = webhook_backoff(a, randoms[r]);

			assert_true(w >= base / 2 && w <= base);
			assert_true(w <= WEBHOOK_BACKOFF_CAP);
			lo = w < lo ? w : lo;
			hi = w > hi ? w : hi;
		}
		for (uint32_t r = 0; r < 5000; r++) {
			long w = webhook_backoff(a, randombytes_random());

			assert_true(w >= base / 2 && w <= base);
		}
		assert_int_equal(lo, base / 2);
		/* The caps never shrink from one retry to the next. */
		assert_true(base / 2 >= prev_lo && base >= prev_hi);
		prev_lo = base / 2;
		prev_hi = base;
		if (a < WEBHOOK_MAX_ATTEMPTS) {
			total_lo += base / 2;
			total_hi += base;
		}
	}
	/* The documented span of the 11 retries: 34 to 68 minutes. */
	assert_int_equal(total_lo, 2047);
	assert_int_equal(total_hi, 4094);
	assert_int_equal(WEBHOOK_MAX_ATTEMPTS, 12);
}

/* ---- delivery to a real loopback server ---- */

#define TEST_SECRET "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

struct srv {
	struct MHD_Daemon *d;
	unsigned port;
	pthread_mutex_t lock;
	/* what to answer */
	unsigned status;
	size_t reply_len;
	const char *location;
	long delay_ms;
	/* what came in (the last request) */
	int requests;
	int connections;
	int valid;
	char verify_err[200];
	char id[300], ts[32], sig[200], content_type[64], user_agent[64], method[16], path[64];
	char body[4096];
	size_t body_len;
};

struct req {
	char body[4096];
	size_t len;
	bool overflow;
};

static void copy_str(char *dst, size_t dstsz, const char *src)
{
	snprintf(dst, dstsz, "%s", src ? src : "");
}

static enum MHD_Result srv_access(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct srv *s = cls;
	struct req *r = *req_cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *reply;

	(void)version;
	if (!r) {
		/* First call: headers only.  Answering now would force Connection: close. */
		r = mem_calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*req_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		if (r->len + n > sizeof(r->body))
			r->overflow = true;
		else
			memcpy(r->body + r->len, upload_data, n);
		r->len += n;
		*upload_data_size = 0;
		return MHD_YES;
	}

	pthread_mutex_lock(&s->lock);
	s->requests++;
	copy_str(s->method, sizeof(s->method), method);
	copy_str(s->path, sizeof(s->path), url);
	copy_str(s->id, sizeof(s->id),
		 MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "webhook-id"));
	copy_str(s->ts, sizeof(s->ts),
		 MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "webhook-timestamp"));
	copy_str(s->sig, sizeof(s->sig),
		 MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "webhook-signature"));
	copy_str(s->content_type, sizeof(s->content_type),
		 MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"));
	copy_str(s->user_agent, sizeof(s->user_agent),
		 MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent"));
	s->body_len = r->overflow ? 0 : r->len;
	memcpy(s->body, r->body, s->body_len);
	s->valid = !r->overflow &&
		   webhook_verify(
			   TEST_SECRET,
			   MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "webhook-id"),
			   MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "webhook-timestamp"),
			   MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "webhook-signature"),
			   r->body, r->len, (long long)time(NULL), s->verify_err,
			   sizeof(s->verify_err)) == 0;
	pthread_mutex_unlock(&s->lock);

	if (s->delay_ms) {
		struct timespec ts = { s->delay_ms / 1000, (s->delay_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	reply = mem_alloc(s->reply_len + 1);
	if (!reply)
		return MHD_NO;
	memset(reply, 'x', s->reply_len);
	resp = MHD_create_response_from_buffer(s->reply_len, reply, MHD_RESPMEM_MUST_COPY);
	mem_free(reply);
	if (!resp)
		return MHD_NO;
	if (s->location)
		MHD_add_response_header(resp, "Location", s->location);
	ret = MHD_queue_response(conn, s->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void srv_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			  enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	mem_free(*req_cls);
	*req_cls = NULL;
}

static void srv_notify(void *cls, struct MHD_Connection *conn, void **socket_ctx,
		       enum MHD_ConnectionNotificationCode toe)
{
	struct srv *s = cls;

	(void)conn;
	(void)socket_ctx;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		pthread_mutex_lock(&s->lock);
		s->connections++;
		pthread_mutex_unlock(&s->lock);
	}
}

static void srv_start(struct srv *s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const union MHD_DaemonInfo *info;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->status = 204;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
				NULL, NULL, srv_access, s, MHD_OPTION_SOCK_ADDR, &sa,
				MHD_OPTION_NOTIFY_COMPLETED, srv_completed, s,
				MHD_OPTION_NOTIFY_CONNECTION, srv_notify, s, MHD_OPTION_END);
	assert_non_null(s->d);
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	s->port = info->port;
	assert_true(s->port > 0);
}

static void srv_stop(struct srv *s)
{
	MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->lock);
}

static int srv_setup(void **state)
{
	struct srv *s = mem_calloc(1, sizeof(*s));

	if (!s)
		return -1;
	srv_start(s);
	*state = s;
	return 0;
}

static int srv_teardown(void **state)
{
	srv_stop(*state);
	mem_free(*state);
	return 0;
}

static void srv_url(const struct srv *s, char *out, size_t outsz, const char *host,
		    const char *path)
{
	int n = snprintf(out, outsz, "http://%s:%u%s", host, s->port, path);

	assert_true(n > 0 && (size_t)n < outsz);
}

static void test_send_delivers(void **state)
{
	struct srv *s = *state;
	struct webhook_result res;
	char url[128];
	const char *body = "{\"type\":\"alert.created\",\"data\":{\"n\":3}}";
	long long now = (long long)time(NULL);
	long connects = -1;
	CURL *curl = curl_easy_init();

	assert_non_null(curl);
	srv_url(s, url, sizeof(url), "127.0.0.1", "/hooks/signaal");
	assert_int_equal(webhook_url_allowed(url, true, NULL, 0), 0);
	assert_int_equal(
		webhook_send(curl, url, TEST_SECRET, "msg_1", now, body, strlen(body), 5000, &res),
		0);
	assert_int_equal(res.status, 204);
	assert_int_equal(res.curl_error, CURLE_OK);
	assert_string_equal(res.error, "");
	assert_true(res.seconds >= 0 && res.seconds < 5);

	pthread_mutex_lock(&s->lock);
	assert_int_equal(s->requests, 1);
	assert_string_equal(s->method, "POST");
	assert_string_equal(s->path, "/hooks/signaal");
	assert_string_equal(s->verify_err, "");
	assert_int_equal(s->valid, 1);
	assert_string_equal(s->id, "msg_1");
	assert_int_equal(strtoll(s->ts, NULL, 10), now);
	assert_memory_equal(s->sig, "v1,", 3);
	assert_int_equal(strlen(s->sig), WEBHOOK_SIG_SIZE - 1);
	assert_string_equal(s->content_type, "application/json");
	assert_memory_equal(s->user_agent, "Signaal-Webhooks/", 17);
	assert_int_equal(s->body_len, strlen(body));
	assert_memory_equal(s->body, body, strlen(body));
	pthread_mutex_unlock(&s->lock);

	/* A second message on the same handle reuses the kept-alive connection. */
	assert_int_equal(webhook_send(curl, url, TEST_SECRET, "msg_2", now, "{}", 2, 5000, &res),
			 0);
	curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
	assert_int_equal(connects, 0);
	pthread_mutex_lock(&s->lock);
	assert_int_equal(s->requests, 2);
	assert_int_equal(s->connections, 1);
	assert_int_equal(s->valid, 1);
	assert_string_equal(s->id, "msg_2");
	pthread_mutex_unlock(&s->lock);

	/* An empty body is signed and delivered as such. */
	assert_int_equal(webhook_send(curl, url, TEST_SECRET, "msg_3", now, NULL, 0, 5000, &res),
			 0);
	pthread_mutex_lock(&s->lock);
	assert_int_equal(s->valid, 1);
	assert_int_equal(s->body_len, 0);
	pthread_mutex_unlock(&s->lock);

	/* The receiver catches a message signed with another key. */
	assert_int_equal(webhook_send(curl, url, SPEC_SECRET, "msg_4", now, "{}", 2, 5000, &res),
			 0);
	pthread_mutex_lock(&s->lock);
	assert_int_equal(s->valid, 0);
	assert_string_equal(s->verify_err,
			    "no v1 signature in webhook-signature matches (1 tried)");
	pthread_mutex_unlock(&s->lock);
	curl_easy_cleanup(curl);
}

static void test_send_failures(void **state)
{
	struct srv *s = *state;
	struct webhook_result res;
	char url[128];
	long long now = (long long)time(NULL);
	CURL *curl = curl_easy_init();

	assert_non_null(curl);
	srv_url(s, url, sizeof(url), "127.0.0.1", "/h");

	s->status = 500;
	assert_int_equal(webhook_send(curl, url, TEST_SECRET, "m", now, "{}", 2, 5000, &res), -1);
	assert_int_equal(res.status, 500);
	assert_int_equal(res.curl_error, CURLE_OK);
	assert_string_equal(res.error, "http status 500; only 2xx counts as delivered");

	/* A redirect is a failure, and is not followed. */
	s->status = 302;
	s->location = "/elsewhere";
	assert_int_equal(webhook_send(curl, url, TEST_SECRET, "m", now, "{}", 2, 5000, &res), -1);
	assert_int_equal(res.status, 302);
	assert_string_equal(res.error, "http status 302; only 2xx counts as delivered");
	assert_int_equal(s->requests, 2);
	assert_string_equal(s->path, "/h");
	s->location = NULL;

	/* A response body past the cap ends the transfer; its 2xx status still counts. */
	s->status = 200;
	s->reply_len = WEBHOOK_RESPONSE_MAX + 4096;
	assert_int_equal(webhook_send(curl, url, TEST_SECRET, "m", now, "{}", 2, 5000, &res), 0);
	assert_int_equal(res.status, 200);
	s->status = 503;
	assert_int_equal(webhook_send(curl, url, TEST_SECRET, "m", now, "{}", 2, 5000, &res), -1);
	assert_int_equal(res.status, 503);
	assert_int_equal(res.curl_error, CURLE_WRITE_ERROR);
	assert_string_equal(res.error, "http status 503 with a response longer than 65536 bytes");
	s->reply_len = 100;
	s->status = 200;
	assert_int_equal(webhook_send(curl, url, TEST_SECRET, "m", now, "{}", 2, 5000, &res), 0);
	s->reply_len = 0;

	/* A slow receiver runs into the total timeout. */
	s->delay_ms = 1500;
	assert_int_equal(webhook_send(curl, url, TEST_SECRET, "m", now, "{}", 2, 300, &res), -1);
	assert_int_equal(res.curl_error, CURLE_OPERATION_TIMEDOUT);
	assert_true(res.seconds < 1.4);
	assert_memory_equal(res.error, "Timeout was reached: ", 21);
	s->delay_ms = 0;

	/* Nothing is sent with a bad secret or id. */
	s->requests = 0;
	assert_int_equal(webhook_send(curl, url, "whsec_short", "m", now, "{}", 2, 5000, &res), -1);
	assert_int_equal(res.curl_error, CURLE_OK);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.error,
			    "cannot sign: malformed webhook secret, message id or timestamp");
	assert_int_equal(webhook_send(curl, url, TEST_SECRET, "a.b", now, "{}", 2, 5000, &res), -1);
	assert_int_equal(s->requests, 0);

	/* Only http and https are spoken. */
	assert_int_equal(
		webhook_send(curl, "ftp://127.0.0.1/x", TEST_SECRET, "m", now, "{}", 2, 5000, &res),
		-1);
	assert_int_equal(res.curl_error, CURLE_UNSUPPORTED_PROTOCOL);
	curl_easy_cleanup(curl);
}

static void test_send_no_env_proxy(void **state)
{
	struct srv *s = *state;
	struct webhook_result res;
	char url[128];
	CURL *curl = curl_easy_init();

	assert_non_null(curl);
	srv_url(s, url, sizeof(url), "127.0.0.1", "/p");
	/* A proxy that does not exist: using it would fail the delivery. */
	setenv("http_proxy", "http://127.0.0.1:9", 1);
	setenv("HTTPS_PROXY", "http://127.0.0.1:9", 1);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	assert_int_equal(webhook_send(curl, url, TEST_SECRET, "m", (long long)time(NULL), "{}", 2,
				      5000, &res),
			 0);
	assert_int_equal(s->requests, 1);

	/* With allow_proxy the environment's proxy is used (and here fails). */
	{
		const struct webhook_opts opts = { .timeout_ms = 3000, .allow_proxy = true };

		assert_int_equal(webhook_send_opts(curl, url, TEST_SECRET, "m",
						   (long long)time(NULL), "{}", 2, &opts, &res),
				 -1);
		assert_int_equal(res.curl_error, CURLE_COULDNT_CONNECT);
		assert_int_equal(s->requests, 1);
	}
	unsetenv("http_proxy");
	unsetenv("HTTPS_PROXY");
	curl_easy_cleanup(curl);
}

static void test_send_guard(void **state)
{
	struct srv *s = *state;
	struct webhook_result res;
	const struct webhook_opts strict = { .timeout_ms = 3000, .allow_loopback = false };
	const struct webhook_opts tests = { .timeout_ms = 3000, .allow_loopback = true };
	char url[128];
	CURL *curl = curl_easy_init();

	assert_non_null(curl);
	srv_url(s, url, sizeof(url), "127.0.0.1", "/g");
	assert_int_equal(webhook_send_opts(curl, url, TEST_SECRET, "m", (long long)time(NULL), "{}",
					   2, &strict, &res),
			 -1);
	assert_int_equal(res.curl_error, CURLE_COULDNT_CONNECT);
	assert_string_equal(res.error,
			    "refused to connect to a loopback (127.0.0.0/8) address 127.0.0.1");
	assert_int_equal(s->requests, 0);

	/* A name is checked by the address it resolves to. */
	srv_url(s, url, sizeof(url), "localhost", "/g");
	assert_int_equal(webhook_send_opts(curl, url, TEST_SECRET, "m", (long long)time(NULL), "{}",
					   2, &strict, &res),
			 -1);
	assert_int_equal(res.curl_error, CURLE_COULDNT_CONNECT);
	assert_memory_equal(res.error, "refused to connect to a loopback (", 34);
	assert_int_equal(s->requests, 0);

	assert_int_equal(webhook_send_opts(curl, url, TEST_SECRET, "m", (long long)time(NULL), "{}",
					   2, &tests, &res),
			 0);
	assert_int_equal(s->requests, 1);
	curl_easy_cleanup(curl);
}

static void test_send_closed_port(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	struct webhook_result res;
	char url[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CURL *curl = curl_easy_init();

	(void)state;
	assert_non_null(curl);
	/* Take a free port from the kernel and give it back: nothing listens there now. */
	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &salen), 0);
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", (unsigned)ntohs(sa.sin_port));

	assert_int_equal(webhook_send(curl, url, TEST_SECRET, "m", (long long)time(NULL), "{}", 2,
				      2000, &res),
			 -1);
	assert_int_equal(res.curl_error, CURLE_COULDNT_CONNECT);
	assert_int_equal(res.status, 0);
	assert_memory_equal(res.error, "Couldn't connect to server: ", 28);
	curl_easy_cleanup(curl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_fixture_vectors),
		cmocka_unit_test(test_multiple_signatures),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_malformed_secrets),
		cmocka_unit_test(test_sign_arguments),
		cmocka_unit_test(test_secret_new),
		cmocka_unit_test(test_url_rules),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test_setup_teardown(test_send_delivers, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_send_failures, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_send_no_env_proxy, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_send_guard, srv_setup, srv_teardown),
		cmocka_unit_test(test_send_closed_port),
	};
	int rc;

	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
