/*
 * ristretto.h - variable-time ristretto255 arithmetic, for public values only.
 *
 * libsodium's group operations are constant-time and work on encoded
 * elements: adding two elements decodes both and encodes the sum, which
 * costs a quarter of a scalar multiplication.  The batched DLEQ proof of
 * RFC 9497 sums d_i * C_i over a whole batch, where the scalars d_i and the
 * elements C_i are public (anyone holding the request can compute them), so
 * a variable-time multi-scalar multiplication is safe there and several
 * times cheaper than one multiplication per element.
 *
 * Never pass a secret (a key, a blind, a nonce) to these functions: their
 * running time depends on the scalars and on the elements.
 *
 * Elements use the encoding of RFC 9496 section 4.3; scalars are 32 bytes,
 * little-endian, any value below 2^256 (not necessarily reduced).  Both
 * functions agree with libsodium: ristretto_is_valid() with
 * crypto_core_ristretto255_is_valid_point(), and ristretto_msm_vartime()
 * with the sum of crypto_scalarmult_ristretto255() products, with two
 * differences.  The identity (32 zero bytes) is an ordinary input and
 * result here.  And an encoding with its top bit set is rejected, as RFC
 * 9496 requires; libsodium 1.0.18 ignores that bit and accepts it.
 * Nothing allocates; both are safe to call from several threads at once.
 */
#ifndef SIGNAAL_RISTRETTO_H
#define SIGNAAL_RISTRETTO_H

#include <stddef.h>
#include <stdint.h>

#define RISTRETTO_BYTES	       32
#define RISTRETTO_SCALAR_BYTES 32

/* 1 if s is the canonical encoding of a group element, else 0. */
int ristretto_is_valid(const uint8_t s[RISTRETTO_BYTES]);

/*
 * out = sum over i < n of scalars[i] * points[i].  Returns 0, or -1 when a
 * point is not a valid encoding (out is then unspecified).  n == 0 gives the
 * identity.
 */
int ristretto_msm_vartime(uint8_t out[RISTRETTO_BYTES],
			  const uint8_t (*scalars)[RISTRETTO_SCALAR_BYTES],
			  const uint8_t (*points)[RISTRETTO_BYTES], size_t n);

#endif
