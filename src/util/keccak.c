/* keccak.c - Keccak-f[1600] and the Keccak-256 sponge; see keccak.h. */
#include "util/keccak.h"

#include <string.h>

#define KECCAK_ROUNDS  24
#define KECCAK256_RATE 136 /* bytes: 1600 bits minus twice the 256-bit capacity */

static const uint64_t round_constants[KECCAK_ROUNDS] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
	0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
	0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
	0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
	0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* Rotation offsets and lane order of the combined rho and pi steps. */
static const unsigned rho_offsets[24] = {
	1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
};

static const unsigned pi_lanes[24] = {
	10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
};

static uint64_t rotl64(uint64_t x, unsigned n)
{
	return (x << n) | (x >> (64 - n));
}

static void keccak_f1600(uint64_t st[25])
{
	uint64_t bc[5], t;

	for (int round = 0; round < KECCAK_ROUNDS; round++) {
		for (int i = 0; i < 5; i++)
			bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
		for (int i = 0; i < 5; i++) {
			t = bc[(i + 4) % 5] ^ rotl64(bc[(i + 1) % 5], 1);
			for (int j = 0; j < 25; j += 5)
				st[j + i] ^= t;
		}

		t = st[1];
		for (int i = 0; i < 24; i++) {
			unsigned j = pi_lanes[i];

			bc[0] = st[j];
			st[j] = rotl64(t, rho_offsets[i]);
			t = bc[0];
		}

		for (int j = 0; j < 25; j += 5) {
			for (int i = 0; i < 5; i++)
				bc[i] = st[j + i];
			for (int i = 0; i < 5; i++)
				st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
		}

		st[0] ^= round_constants[round];
	}
}

/* Lanes are little-endian whatever the host byte order. */
static void absorb_block(uint64_t st[25], const uint8_t *block)
{
	for (int i = 0; i < KECCAK256_RATE / 8; i++) {
		uint64_t lane = 0;

		for (int b = 7; b >= 0; b--)
			lane = (lane << 8) | block[8 * i + b];
		st[i] ^= lane;
	}
	keccak_f1600(st);
}

void keccak256(const void *data, size_t len, uint8_t out[KECCAK256_DIGEST_LEN])
{
	const uint8_t *p = data;
	uint64_t st[25] = { 0 };
	uint8_t last[KECCAK256_RATE];

	while (len >= KECCAK256_RATE) {
		absorb_block(st, p);
		p += KECCAK256_RATE;
		len -= KECCAK256_RATE;
	}

	memset(last, 0, sizeof(last));
	if (len)
		memcpy(last, p, len);
	last[len] ^= 0x01;
	last[KECCAK256_RATE - 1] ^= 0x80;
	absorb_block(st, last);

	for (int i = 0; i < KECCAK256_DIGEST_LEN; i++)
		out[i] = (uint8_t)(st[i / 8] >> (8 * (i % 8)));
}
