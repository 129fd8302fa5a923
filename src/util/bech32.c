/* bech32.c - bech32 and bech32m decoding (BIP-173, BIP-350); see bech32.h. */
#include "util/bech32.h"

#include <string.h>

#define BECH32_CHECKSUM_LEN 6
#define BECH32M_CONST	    0x2bc830a3u

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t polymod_step(uint32_t chk, uint8_t v)
{
	uint8_t top = (uint8_t)(chk >> 25);

	chk = ((chk & 0x1ffffff) << 5) ^ v;
	if (top & 1)
		chk ^= 0x3b6a57b2;
	if (top & 2)
		chk ^= 0x26508e6d;
	if (top & 4)
		chk ^= 0x1ea119fa;
	if (top & 8)
		chk ^= 0x3d4233dd;
	if (top & 16)
		chk ^= 0x2a1462b3;
	return chk;
}

static int charset_value(unsigned char c)
{
	const char *p;

	if (c >= 'A' && c <= 'Z')
		c = (unsigned char)(c - 'A' + 'a');
	if (c == '\0')
		return -1;
	p = memchr(charset, c, sizeof(charset) - 1);
	return p ? (int)(p - charset) : -1;
}

const char *bech32_strerror(int status)
{
	switch (status) {
	case BECH32_OK: return "ok";
	case BECH32_ETOOLONG: return "longer than 90 characters";
	case BECH32_ENOSEP: return "no '1' separator";
	case BECH32_EHRPEMPTY: return "empty human-readable part";
	case BECH32_EHRPCHAR: return "invalid character in the human-readable part";
	case BECH32_ESHORT:
		return "checksum too short: fewer than 6 characters after the separator";
	case BECH32_EDATACHAR: return "invalid bech32 character";
	case BECH32_EMIXEDCASE: return "mixed upper and lower case";
	case BECH32_ECHECKSUM: return "checksum mismatch";
	}
	return "invalid bech32 string";
}

int bech32_decode(struct bech32 *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t sep = len, i, ndata;
	int has_lower = 0, has_upper = 0;
	uint32_t chk = 1;

	memset(out, 0, sizeof(*out));
	if (len > BECH32_MAX_LEN)
		return BECH32_ETOOLONG;
	for (i = len; i > 0; i--) {
		if (u[i - 1] == '1') {
			sep = i - 1;
			break;
		}
	}
	if (sep == len)
		return BECH32_ENOSEP;
	if (sep == 0)
		return BECH32_EHRPEMPTY;
	if (sep > BECH32_HRP_MAX)
		return BECH32_ETOOLONG;

	for (i = 0; i < len; i++) {
		unsigned char c = u[i];

		if (i < sep && (c < 33 || c > 126)) {
			out->pos = i;
			return BECH32_EHRPCHAR;
		}
		if (i > sep && charset_value(c) < 0) {
			out->pos = i;
			return BECH32_EDATACHAR;
		}
		if (c >= 'a' && c <= 'z')
			has_lower = 1;
		if (c >= 'A' && c <= 'Z')
			has_upper = 1;
		if (has_lower && has_upper) {
			out->pos = i;
			return BECH32_EMIXEDCASE;
		}
	}
	ndata = len - sep - 1;
	if (ndata < BECH32_CHECKSUM_LEN)
		return BECH32_ESHORT;

	for (i = 0; i < sep; i++) {
		unsigned char c = u[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		out->hrp[i] = (char)c;
	}
	out->hrp[sep] = '\0';
	out->hrp_len = sep;

	/* The checksum covers the expanded hrp: high bits, a zero, low bits. */
	for (i = 0; i < sep; i++)
		chk = polymod_step(chk, (uint8_t)((unsigned char)out->hrp[i] >> 5));
	chk = polymod_step(chk, 0);
	for (i = 0; i < sep; i++)
		chk = polymod_step(chk, (uint8_t)((unsigned char)out->hrp[i] & 31));
	for (i = 0; i < ndata; i++) {
		uint8_t v = (uint8_t)charset_value(u[sep + 1 + i]);

		chk = polymod_step(chk, v);
		if (i < ndata - BECH32_CHECKSUM_LEN)
			out->data[i] = v;
	}
	if (chk == 1)
		out->encoding = BECH32_BECH32;
	else if (chk == BECH32M_CONST)
		out->encoding = BECH32_BECH32M;
	else
		return BECH32_ECHECKSUM;
	out->data_len = ndata - BECH32_CHECKSUM_LEN;
	return BECH32_OK;
}

int bech32_convert_bits(uint8_t *out, size_t *out_len, size_t out_max, unsigned to_bits,
			const uint8_t *in, size_t in_len, unsigned from_bits, int pad)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	const uint32_t maxv = (1u << to_bits) - 1;
	size_t n = 0;

	for (size_t i = 0; i < in_len; i++) {
		if (in[i] >> from_bits)
			return -1;
		acc = ((acc << from_bits) | in[i]) & 0xffffff;
		bits += from_bits;
		while (bits >= to_bits) {
			bits -= to_bits;
			if (n >= out_max)
				return -1;
			out[n++] = (uint8_t)((acc >> bits) & maxv);
		}
	}
	if (pad) {
		if (bits) {
			if (n >= out_max)
				return -1;
			out[n++] = (uint8_t)((acc << (to_bits - bits)) & maxv);
		}
	} else if (bits >= from_bits || ((acc << (to_bits - bits)) & maxv)) {
		return -1;
	}
	*out_len = n;
	return 0;
}
