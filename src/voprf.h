/*
 * voprf.h - RFC 9497 OPRF and VOPRF with ristretto255 and SHA-512.
 *
 * The suite "ristretto255-SHA512" of RFC 9497 in modes OPRF (0x00) and
 * VOPRF (0x01), on libsodium, with ristretto.c for the proofs' sums of
 * public values.  The server holds a secret scalar skS and publishes
 * pkS = skS * G; a client blinds its input, the server evaluates
 * the blinded element (in VOPRF mode with a DLEQ proof that it used the key
 * behind pkS), and the client unblinds and hashes to the 64-byte output.
 * voprf_evaluate() computes the same output directly on the server.
 *
 * Flow, one input:
 *	client: voprf_blind(mode, in, n, blind, blinded)
 *	server: voprf_blind_evaluate(mode, skS, pkS, &blinded, &evaluated, 1, proof)
 *	client: voprf_finalize(mode, pkS, &in, &n, &blind, &blinded, &evaluated, 1,
 *			       proof, &output)
 *
 * Conventions: elements, scalars and keys are fixed-size byte arrays in the
 * RFC's serialisation; batches are arrays of such arrays plus a count (ISO C
 * before C23 wants a cast to pass `uint8_t a[n][32]` as a const batch).  All
 * functions return 0 on success and -1 on any failure (invalid or identity
 * element, non-canonical scalar, input too long, proof that does not verify,
 * batch size out of range).  On failure the outputs are unspecified and
 * must not be used.  sodium_init() must have succeeded before any call.
 * Nothing here allocates; every function is safe to call from several
 * threads at once.
 */
#ifndef SIGNAAL_VOPRF_H
#define SIGNAAL_VOPRF_H

#include <stddef.h>
#include <stdint.h>

#define VOPRF_ELEMENT_BYTES 32
#define VOPRF_SCALAR_BYTES  32
#define VOPRF_OUTPUT_BYTES  64
#define VOPRF_PROOF_BYTES   64 /* c || s */
#define VOPRF_SEED_BYTES    32
#define VOPRF_INPUT_MAX	    65535      /* the RFC encodes input lengths in two bytes */
#define VOPRF_BATCH_MAX	    65535      /* ... and batch indices */
#define VOPRF_XMD_MAX	    (255 * 64) /* expand_message_xmd output limit for SHA-512 */

#define VOPRF_WARN_UNUSED __attribute__((warn_unused_result))

enum voprf_mode { VOPRF_MODE_OPRF = 0x00, VOPRF_MODE_VOPRF = 0x01 };

/* One piece of an input given in parts (see voprf_evaluate_v()). */
struct voprf_part {
	const uint8_t *data;
	size_t len;
};

/*
 * RFC 9380 expand_message_xmd with SHA-512: `out_len` (1..VOPRF_XMD_MAX)
 * uniform bytes from `msg` under domain separation tag `dst` (1..255 bytes).
 */
int voprf_expand_message_xmd(uint8_t *out, size_t out_len, const uint8_t *msg, size_t msg_len,
			     const uint8_t *dst, size_t dst_len);

/* The suite's HashToGroup and HashToScalar under the DSTs of `mode`. */
int voprf_hash_to_group(enum voprf_mode mode, uint8_t out[VOPRF_ELEMENT_BYTES], const uint8_t *msg,
			size_t msg_len);
int voprf_hash_to_scalar(enum voprf_mode mode, uint8_t out[VOPRF_SCALAR_BYTES], const uint8_t *msg,
			 size_t msg_len);

/*
 * DeriveKeyPair: a key pair from a uniformly random 32-byte seed and a
 * public `info` string (at most VOPRF_INPUT_MAX bytes; may be empty).
 */
int voprf_derive_key_pair(enum voprf_mode mode, uint8_t sk[VOPRF_SCALAR_BYTES],
			  uint8_t pk[VOPRF_ELEMENT_BYTES], const uint8_t seed[VOPRF_SEED_BYTES],
			  const uint8_t *info, size_t info_len);

/*
 * Blind: picks a random blind and computes blinded = blind * HashToGroup(input).
 * The client keeps `blind` secret until voprf_finalize().
 */
int voprf_blind(enum voprf_mode mode, const uint8_t *input, size_t input_len,
		uint8_t blind[VOPRF_SCALAR_BYTES], uint8_t blinded[VOPRF_ELEMENT_BYTES]);

/* Blind with a caller-chosen blind (canonical, non-zero); for test vectors. */
int voprf_blind_with(enum voprf_mode mode, const uint8_t *input, size_t input_len,
		     const uint8_t blind[VOPRF_SCALAR_BYTES], uint8_t blinded[VOPRF_ELEMENT_BYTES]);

/*
 * BlindEvaluate of `count` (1..VOPRF_BATCH_MAX) blinded elements from a
 * client.  In VOPRF mode one batched DLEQ proof for all of them is written
 * to `proof` (pk is the public key that goes with sk); in OPRF mode `pk` and
 * `proof` are not used and may be NULL.  Invalid encodings and the identity
 * are rejected.
 */
int voprf_blind_evaluate(enum voprf_mode mode, const uint8_t sk[VOPRF_SCALAR_BYTES],
			 const uint8_t pk[VOPRF_ELEMENT_BYTES],
			 const uint8_t (*blinded)[VOPRF_ELEMENT_BYTES],
			 uint8_t (*evaluated)[VOPRF_ELEMENT_BYTES], size_t count,
			 uint8_t proof[VOPRF_PROOF_BYTES]);

/* The same with a caller-chosen proof randomness `r`; for test vectors only. */
int voprf_blind_evaluate_with_r(enum voprf_mode mode, const uint8_t sk[VOPRF_SCALAR_BYTES],
				const uint8_t pk[VOPRF_ELEMENT_BYTES],
				const uint8_t (*blinded)[VOPRF_ELEMENT_BYTES],
				uint8_t (*evaluated)[VOPRF_ELEMENT_BYTES], size_t count,
				uint8_t proof[VOPRF_PROOF_BYTES],
				const uint8_t r[VOPRF_SCALAR_BYTES]);

/*
 * Finalize `count` results.  In VOPRF mode the proof is verified against
 * `pk` first, and nothing is output unless it verifies; in OPRF mode `pk`
 * and `proof` are not used and may be NULL.  inputs[i] (input_lens[i] bytes)
 * is the input that was blinded with blinds[i] into blinded[i].
 */
int voprf_finalize(enum voprf_mode mode, const uint8_t pk[VOPRF_ELEMENT_BYTES],
		   const uint8_t *const *inputs, const size_t *input_lens,
		   const uint8_t (*blinds)[VOPRF_SCALAR_BYTES],
		   const uint8_t (*blinded)[VOPRF_ELEMENT_BYTES],
		   const uint8_t (*evaluated)[VOPRF_ELEMENT_BYTES], size_t count,
		   const uint8_t proof[VOPRF_PROOF_BYTES],
		   uint8_t (*outputs)[VOPRF_OUTPUT_BYTES]) VOPRF_WARN_UNUSED;

/*
 * VerifyProof alone: does `proof` show that evaluated[i] = sk * blinded[i]
 * for the sk behind `pk`, for every i?  Returns 0 if so.
 */
int voprf_verify_proof(enum voprf_mode mode, const uint8_t pk[VOPRF_ELEMENT_BYTES],
		       const uint8_t (*blinded)[VOPRF_ELEMENT_BYTES],
		       const uint8_t (*evaluated)[VOPRF_ELEMENT_BYTES], size_t count,
		       const uint8_t proof[VOPRF_PROOF_BYTES]) VOPRF_WARN_UNUSED;

/*
 * Evaluate on the server: the output a client would get from Blind,
 * BlindEvaluate and Finalize of `input` under `sk`, without the round trip.
 */
int voprf_evaluate(enum voprf_mode mode, const uint8_t sk[VOPRF_SCALAR_BYTES], const uint8_t *input,
		   size_t input_len, uint8_t out[VOPRF_OUTPUT_BYTES]);

/* The same with the input given as the concatenation of `nparts` parts. */
int voprf_evaluate_v(enum voprf_mode mode, const uint8_t sk[VOPRF_SCALAR_BYTES],
		     const struct voprf_part *parts, size_t nparts,
		     uint8_t out[VOPRF_OUTPUT_BYTES]);

#endif
