/*
 * fuzz_ristretto.c - the ristretto255 decoder and the multi-scalar
 * multiplication of src/ristretto.c against libsodium, on arbitrary bytes.
 *
 * The input is read as up to four (element, scalar) pairs of 32 + 32 bytes.
 * Invariants: an element is valid exactly when libsodium says so and its
 * top bit is clear (libsodium 1.0.18 ignores that bit, RFC 9496 rejects
 * it); a valid element times one encodes back to itself; and the sum of
 * the products equals libsodium's, product by product.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ristretto.h"

#define EB    RISTRETTO_BYTES
#define SB    RISTRETTO_SCALAR_BYTES
#define PAIRS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	uint8_t p[PAIRS][EB], s[PAIRS][SB], one[1][SB] = { { 1 } };
	uint8_t got[EB], want[EB] = { 0 }, term[EB], wide[64] = { 0 }, reduced[SB];
	size_t n = 0;
	int all_valid = 1;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}
	for (; n < PAIRS && size >= (n + 1) * (EB + SB); n++) {
		memcpy(p[n], data + n * (EB + SB), EB);
		memcpy(s[n], data + n * (EB + SB) + EB, SB);
	}
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int valid = ristretto_is_valid(p[i]);

		if (valid !=
		    (!(p[i][EB - 1] & 0x80) && crypto_core_ristretto255_is_valid_point(p[i])))
			abort();
		if (!valid) {
			all_valid = 0;
			continue;
		}
		if (ristretto_msm_vartime(got, (const uint8_t(*)[SB])one,
					  (const uint8_t(*)[EB]) & p[i], 1) != 0 ||
		    memcmp(got, p[i], EB) != 0)
			abort();
		memcpy(wide, s[i], SB);
		crypto_core_ristretto255_scalar_reduce(reduced, wide);
		if (crypto_scalarmult_ristretto255(term, reduced, p[i]) == 0 &&
		    crypto_core_ristretto255_add(want, want, term) != 0)
			abort();
	}
	if (ristretto_msm_vartime(got, (const uint8_t(*)[SB])s, (const uint8_t(*)[EB])p, n) !=
	    (all_valid ? 0 : -1))
		abort();
	if (all_valid && memcmp(got, want, EB) != 0)
		abort();
	return 0;
}
