/* casecode.c - case codes; see casecode.h. */
#include "casecode.h"

#include <sodium.h>
#include <string.h>

#define SYMBOLS 26 /* 130 bits; the top two are zero */

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static const char hash_label[] = "signaal case code v1";

/* Crockford's decoding: -1 for a character that is no symbol. */
static int symbol_value(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'I' || c == 'L')
		return 1;
	if (c == 'O')
		return 0;
	for (int i = 0; i < 32; i++)
		if (alphabet[i] == c)
			return i;
	return -1;
}

/* Luhn mod 32 over the symbol values: the value of the check symbol. */
static int luhn32(const int *v, size_t n)
{
	int sum = 0, factor = 2;

	for (size_t i = n; i-- > 0;) {
		int addend = factor * v[i];

		factor = factor == 2 ? 1 : 2;
		sum += addend / 32 + addend % 32;
	}
	return (32 - sum % 32) % 32;
}

void casecode_hash(const uint8_t raw[CASECODE_BYTES], uint8_t hash[CASECODE_HASH_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, CASECODE_HASH_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)hash_label, sizeof(hash_label) - 1);
	crypto_generichash_update(&st, raw, CASECODE_BYTES);
	crypto_generichash_final(&st, hash, CASECODE_HASH_BYTES);
}

/* The 26 five-bit symbol values of 16 bytes, most significant first. */
static void to_symbols(const uint8_t raw[CASECODE_BYTES], int v[SYMBOLS])
{
	for (int i = 0; i < SYMBOLS; i++) {
		int bit = 130 - 5 * (i + 1), val = 0; /* bit index of the symbol's lowest bit */

		for (int b = 4; b >= 0; b--) {
			int pos = bit + b; /* 0 = least significant bit of the 128-bit number */
			int set = pos < 128 && (raw[15 - pos / 8] >> (pos % 8)) & 1;

			val = (val << 1) | set;
		}
		v[i] = val;
	}
}

void casecode_new(char text[CASECODE_TEXT_MAX], uint8_t hash[CASECODE_HASH_BYTES])
{
	uint8_t raw[CASECODE_BYTES];
	int v[SYMBOLS + 1];
	size_t p = 0;

	randombytes_buf(raw, sizeof(raw));
	to_symbols(raw, v);
	v[SYMBOLS] = luhn32(v, SYMBOLS);
	for (int i = 0; i <= SYMBOLS; i++) {
		if (i && i % 4 == 0)
			text[p++] = '-';
		text[p++] = alphabet[v[i]];
	}
	text[p] = '\0';
	casecode_hash(raw, hash);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(v, sizeof(v));
}

int casecode_parse(const char *text, uint8_t hash[CASECODE_HASH_BYTES])
{
	uint8_t raw[CASECODE_BYTES] = { 0 };
	int v[SYMBOLS + 1], n = 0;

	for (const char *c = text; *c; c++) {
		int s;

		if (*c == '-' || *c == ' ')
			continue;
		s = symbol_value(*c);
		if (s < 0 || n > SYMBOLS)
			return -1;
		v[n++] = s;
	}
	/* The two bits above 128 are zero in every code we make. */
	if (n != SYMBOLS + 1 || v[0] > 7 || luhn32(v, SYMBOLS) != v[SYMBOLS])
		return -1;
	for (int i = 0; i < SYMBOLS; i++) {
		int bit = 130 - 5 * (i + 1);

		for (int b = 0; b < 5; b++) {
			int pos = bit + b;

			if (pos < 128 && ((v[i] >> b) & 1))
				raw[15 - pos / 8] |= (uint8_t)(1u << (pos % 8));
		}
	}
	casecode_hash(raw, hash);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}
