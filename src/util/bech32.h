/*
 * bech32.h - the bech32 (BIP-173) and bech32m (BIP-350) string format.
 *
 * Only the generic layer: human-readable part, separator, 5-bit data and
 * checksum.  What the data means (a segwit witness version and program) is
 * the caller's business; bech32_convert_bits() regroups the 5-bit values.
 */
#ifndef SIGNAAL_UTIL_BECH32_H
#define SIGNAAL_UTIL_BECH32_H

#include <stddef.h>
#include <stdint.h>

#define BECH32_MAX_LEN 90 /* whole string, as BIP-173 limits it */
#define BECH32_HRP_MAX 83

enum bech32_encoding {
	BECH32_NONE = 0,
	BECH32_BECH32,	/* BIP-173 constant 1 */
	BECH32_BECH32M, /* BIP-350 constant 0x2bc830a3 */
};

/* Status codes of bech32_decode(); bech32_strerror() gives a lower-case reason. */
enum bech32_status {
	BECH32_OK = 0,
	BECH32_ETOOLONG,   /* more than BECH32_MAX_LEN characters */
	BECH32_ENOSEP,	   /* no '1' separator */
	BECH32_EHRPEMPTY,  /* nothing before the separator */
	BECH32_EHRPCHAR,   /* hrp character outside 33..126; `pos` says where */
	BECH32_ESHORT,	   /* fewer than 6 characters after the separator */
	BECH32_EDATACHAR,  /* data character not in the bech32 alphabet; `pos` */
	BECH32_EMIXEDCASE, /* both upper and lower case letters; `pos` */
	BECH32_ECHECKSUM,  /* neither bech32 nor bech32m checksum holds */
};

struct bech32 {
	enum bech32_encoding encoding;
	char hrp[BECH32_HRP_MAX + 1]; /* lower case, NUL-terminated */
	size_t hrp_len;
	uint8_t data[BECH32_MAX_LEN]; /* 5-bit values, checksum removed */
	size_t data_len;
	size_t pos; /* OUT: offending byte (EHRPCHAR, EDATACHAR, EMIXEDCASE) */
};

/* Decode `len` bytes at `s` (need not be terminated). Returns a bech32_status. */
int bech32_decode(struct bech32 *out, const char *s, size_t len);
const char *bech32_strerror(int status);

/*
 * Regroup `in_len` values of `from_bits` bits into values of `to_bits` bits.
 * With `pad`, the last group is zero-filled; without it (decoding), leftover
 * bits must be fewer than `from_bits` and zero, as BIP-173 requires.
 * Returns 0, or -1 if a value is out of range, the padding is wrong or the
 * output does not fit in `out_max`.
 */
int bech32_convert_bits(uint8_t *out, size_t *out_len, size_t out_max, unsigned to_bits,
			const uint8_t *in, size_t in_len, unsigned from_bits, int pad);

#endif
