/* voprf.c - RFC 9497 OPRF/VOPRF(ristretto255, SHA-512) on libsodium; see voprf.h. */
#include "voprf.h"

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "ristretto.h"

#define EB VOPRF_ELEMENT_BYTES
#define SB VOPRF_SCALAR_BYTES
#define HB crypto_hash_sha512_BYTES

/*
 * Domain separation tags, fixed at compile time so that no call builds a
 * context string.  contextString = "OPRFV1-" || I2OSP(mode, 1) ||
 * "-ristretto255-SHA512"; the embedded NUL of mode 0 is why every tag
 * carries its length.
 */
#define CTX_OPRF  "OPRFV1-\x00-ristretto255-SHA512"
#define CTX_VOPRF "OPRFV1-\x01-ristretto255-SHA512"
#define TAG(s)                                      \
	{                                           \
		(const uint8_t *)(s), sizeof(s) - 1 \
	}

struct tag {
	const uint8_t *s;
	size_t len;
};

struct suite_tags {
	struct tag hash_to_group;
	struct tag hash_to_scalar;
	struct tag derive_key_pair;
	struct tag seed;
};

static const struct suite_tags suite_tags[2] = {
	[VOPRF_MODE_OPRF] = {
		TAG("HashToGroup-" CTX_OPRF), TAG("HashToScalar-" CTX_OPRF),
		TAG("DeriveKeyPair" CTX_OPRF), TAG("Seed-" CTX_OPRF),
	},
	[VOPRF_MODE_VOPRF] = {
		TAG("HashToGroup-" CTX_VOPRF), TAG("HashToScalar-" CTX_VOPRF),
		TAG("DeriveKeyPair" CTX_VOPRF), TAG("Seed-" CTX_VOPRF),
	},
};

/* The group order L, little-endian. */
static const uint8_t group_order[SB] = { 0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
					 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
					 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10 };

/*
 * expand_message_xmd starts every b_0 with Z_pad, one whole SHA-512 block of
 * zeros; hashing it once and copying the state saves a compression per call.
 */
static crypto_hash_sha512_state zpad_state;
static pthread_once_t zpad_once = PTHREAD_ONCE_INIT;

static void zpad_init(void)
{
	static const uint8_t zeros[128];

	crypto_hash_sha512_init(&zpad_state);
	crypto_hash_sha512_update(&zpad_state, zeros, sizeof(zeros));
}

static int mode_ok(enum voprf_mode mode)
{
	return mode == VOPRF_MODE_OPRF || mode == VOPRF_MODE_VOPRF;
}

static const struct suite_tags *tags_of(enum voprf_mode mode)
{
	return &suite_tags[mode];
}

static void put_u16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void hash_u16(crypto_hash_sha512_state *st, size_t v)
{
	uint8_t b[2];

	put_u16(b, v);
	crypto_hash_sha512_update(st, b, 2);
}

/* Constant time: scalars may be secret. */
static int scalar_is_canonical(const uint8_t s[SB])
{
	unsigned int c = 0, n = 1;
	size_t i = SB;

	do {
		i--;
		c |= (((unsigned int)s[i] - group_order[i]) >> 8) & n;
		n &= (((unsigned int)(s[i] ^ group_order[i])) - 1) >> 8;
	} while (i != 0);
	return c != 0;
}

static int scalar_ok(const uint8_t s[SB])
{
	return scalar_is_canonical(s) && !sodium_is_zero(s, SB);
}

/* A valid encoding of an element other than the identity (whose encoding is all zeros). */
static int element_ok(const uint8_t e[EB])
{
	/* libsodium 1.0.18 ignores the top bit, which RFC 9496 requires to be 0. */
	return !(e[EB - 1] & 0x80) && crypto_core_ristretto255_is_valid_point(e) == 1 &&
	       !sodium_is_zero(e, EB);
}

static int parts_len(const struct voprf_part *parts, size_t nparts, size_t *total)
{
	size_t n = 0;

	for (size_t i = 0; i < nparts; i++) {
		if (parts[i].len > VOPRF_INPUT_MAX - n || (parts[i].len && !parts[i].data))
			return -1;
		n += parts[i].len;
	}
	*total = n;
	return 0;
}

static int xmd(uint8_t *out, size_t out_len, const struct voprf_part *parts, size_t nparts,
	       const uint8_t *dst, size_t dst_len)
{
	crypto_hash_sha512_state st;
	uint8_t b0[HB], bi[HB], tail[3];
	uint8_t dst_len_byte = (uint8_t)dst_len;
	size_t ell = (out_len + HB - 1) / HB;

	if (out_len == 0 || out_len > VOPRF_XMD_MAX || dst_len == 0 || dst_len > 255)
		return -1;
	if (pthread_once(&zpad_once, zpad_init) != 0)
		return -1;

	st = zpad_state;
	for (size_t i = 0; i < nparts; i++)
		crypto_hash_sha512_update(&st, parts[i].data, parts[i].len);
	put_u16(tail, out_len);
	tail[2] = 0;
	crypto_hash_sha512_update(&st, tail, sizeof(tail));
	crypto_hash_sha512_update(&st, dst, dst_len);
	crypto_hash_sha512_update(&st, &dst_len_byte, 1);
	crypto_hash_sha512_final(&st, b0);

	for (size_t i = 1; i <= ell; i++) {
		uint8_t idx = (uint8_t)i;
		size_t off = (i - 1) * HB;

		if (i > 1) {
			for (size_t j = 0; j < HB; j++)
				bi[j] ^= b0[j];
		} else {
			memcpy(bi, b0, HB);
		}
		crypto_hash_sha512_init(&st);
		crypto_hash_sha512_update(&st, bi, HB);
		crypto_hash_sha512_update(&st, &idx, 1);
		crypto_hash_sha512_update(&st, dst, dst_len);
		crypto_hash_sha512_update(&st, &dst_len_byte, 1);
		crypto_hash_sha512_final(&st, bi);
		memcpy(out + off, bi, out_len - off < HB ? out_len - off : HB);
	}
	sodium_memzero(b0, sizeof(b0));
	sodium_memzero(bi, sizeof(bi));
	return 0;
}

static int h2g(enum voprf_mode mode, uint8_t out[EB], const struct voprf_part *parts, size_t nparts)
{
	const struct tag *t = &tags_of(mode)->hash_to_group;
	uint8_t u[crypto_core_ristretto255_HASHBYTES];
	int rc = -1;

	if (xmd(u, sizeof(u), parts, nparts, t->s, t->len) == 0 &&
	    crypto_core_ristretto255_from_hash(out, u) == 0 && !sodium_is_zero(out, EB))
		rc = 0;
	sodium_memzero(u, sizeof(u));
	return rc;
}

static int h2s(uint8_t out[SB], const struct voprf_part *parts, size_t nparts, const struct tag *t)
{
	uint8_t u[crypto_core_ristretto255_NONREDUCEDSCALARBYTES];

	if (xmd(u, sizeof(u), parts, nparts, t->s, t->len) != 0)
		return -1;
	crypto_core_ristretto255_scalar_reduce(out, u);
	sodium_memzero(u, sizeof(u));
	return 0;
}

int voprf_expand_message_xmd(uint8_t *out, size_t out_len, const uint8_t *msg, size_t msg_len,
			     const uint8_t *dst, size_t dst_len)
{
	struct voprf_part p = { msg, msg_len };

	if (!out || !dst || (msg_len && !msg))
		return -1;
	return xmd(out, out_len, &p, 1, dst, dst_len);
}

int voprf_hash_to_group(enum voprf_mode mode, uint8_t out[VOPRF_ELEMENT_BYTES], const uint8_t *msg,
			size_t msg_len)
{
	struct voprf_part p = { msg, msg_len };

	if (!mode_ok(mode) || (msg_len && !msg))
		return -1;
	return h2g(mode, out, &p, 1);
}

int voprf_hash_to_scalar(enum voprf_mode mode, uint8_t out[VOPRF_SCALAR_BYTES], const uint8_t *msg,
			 size_t msg_len)
{
	struct voprf_part p = { msg, msg_len };

	if (!mode_ok(mode) || (msg_len && !msg))
		return -1;
	return h2s(out, &p, 1, &tags_of(mode)->hash_to_scalar);
}

int voprf_derive_key_pair(enum voprf_mode mode, uint8_t sk[VOPRF_SCALAR_BYTES],
			  uint8_t pk[VOPRF_ELEMENT_BYTES], const uint8_t seed[VOPRF_SEED_BYTES],
			  const uint8_t *info, size_t info_len)
{
	uint8_t info_len_be[2], counter = 0;
	struct voprf_part p[4] = {
		{ seed, VOPRF_SEED_BYTES }, { info_len_be, 2 }, { info, info_len }, { &counter, 1 }
	};

	if (!mode_ok(mode) || info_len > VOPRF_INPUT_MAX || (info_len && !info))
		return -1;
	put_u16(info_len_be, info_len);
	/* The RFC retries with the next counter in the (negligible) case of a zero scalar. */
	for (unsigned int c = 0; c <= 255; c++) {
		counter = (uint8_t)c;
		if (h2s(sk, p, 4, &tags_of(mode)->derive_key_pair) != 0)
			break;
		if (sodium_is_zero(sk, SB))
			continue;
		if (crypto_scalarmult_ristretto255_base(pk, sk) == 0)
			return 0;
		break;
	}
	sodium_memzero(sk, SB);
	return -1;
}

int voprf_blind_with(enum voprf_mode mode, const uint8_t *input, size_t input_len,
		     const uint8_t blind[VOPRF_SCALAR_BYTES], uint8_t blinded[VOPRF_ELEMENT_BYTES])
{
	struct voprf_part p = { input, input_len };
	uint8_t e[EB];
	int rc = -1;

	if (!mode_ok(mode) || input_len > VOPRF_INPUT_MAX || (input_len && !input) ||
	    !scalar_ok(blind))
		return -1;
	if (h2g(mode, e, &p, 1) == 0 && crypto_scalarmult_ristretto255(blinded, blind, e) == 0)
		rc = 0;
	sodium_memzero(e, sizeof(e));
	return rc;
}

int voprf_blind(enum voprf_mode mode, const uint8_t *input, size_t input_len,
		uint8_t blind[VOPRF_SCALAR_BYTES], uint8_t blinded[VOPRF_ELEMENT_BYTES])
{
	crypto_core_ristretto255_scalar_random(blind);
	if (voprf_blind_with(mode, input, input_len, blind, blinded) != 0) {
		sodium_memzero(blind, SB);
		return -1;
	}
	return 0;
}

/*
 * ComputeComposites (k == NULL, the verifier's form: Z = sum d_i * D_i) and
 * ComputeCompositesFast (the prover's: Z = k * M).  M = sum d_i * C_i, and
 * on the verifier's side Z, are multi-scalar multiplications in variable
 * time: the d_i come from the public transcript and C_i, D_i are the request
 * and the answer, so nothing secret meets ristretto.c.  The d_i go in chunks
 * of COMPOSITE_CHUNK, so that nothing is allocated.
 */
#define COMPOSITE_CHUNK 128

static int composites(enum voprf_mode mode, const uint8_t *k, const uint8_t pk[EB],
		      const uint8_t (*c)[EB], const uint8_t (*d)[EB], size_t m, uint8_t mm[EB],
		      uint8_t zz[EB])
{
	const struct suite_tags *t = tags_of(mode);
	crypto_hash_sha512_state st;
	uint8_t seed[HB], di[COMPOSITE_CHUNK][SB], part[EB];
	/* I2OSP(64,2) || seed || I2OSP(i,2) || 2 x (I2OSP(32,2) || element) || "Composite" */
	uint8_t tr[2 + HB + 2 + 2 * (2 + EB) + 9];
	struct voprf_part p = { tr, sizeof(tr) };

	crypto_hash_sha512_init(&st);
	hash_u16(&st, EB);
	crypto_hash_sha512_update(&st, pk, EB);
	hash_u16(&st, t->seed.len);
	crypto_hash_sha512_update(&st, t->seed.s, t->seed.len);
	crypto_hash_sha512_final(&st, seed);

	put_u16(tr, HB);
	memcpy(tr + 2, seed, HB);
	put_u16(tr + 2 + HB + 2, EB);
	put_u16(tr + 2 + HB + 2 + 2 + EB, EB);
	memcpy(tr + sizeof(tr) - 9, "Composite", 9);
	memset(mm, 0, EB);
	memset(zz, 0, EB);
	for (size_t base = 0; base < m; base += COMPOSITE_CHUNK) {
		size_t n = m - base < COMPOSITE_CHUNK ? m - base : COMPOSITE_CHUNK;

		for (size_t i = 0; i < n; i++) {
			put_u16(tr + 2 + HB, base + i);
			memcpy(tr + 2 + HB + 2 + 2, c[base + i], EB);
			memcpy(tr + 2 + HB + 2 + 2 + EB + 2, d[base + i], EB);
			if (h2s(di[i], &p, 1, &t->hash_to_scalar) != 0)
				return -1;
		}
		if (ristretto_msm_vartime(part, (const uint8_t(*)[SB])di, c + base, n) != 0 ||
		    (base && crypto_core_ristretto255_add(part, part, mm) != 0))
			return -1;
		memcpy(mm, part, EB);
		if (k)
			continue;
		if (ristretto_msm_vartime(part, (const uint8_t(*)[SB])di, d + base, n) != 0 ||
		    (base && crypto_core_ristretto255_add(part, part, zz) != 0))
			return -1;
		memcpy(zz, part, EB);
	}
	return k ? crypto_scalarmult_ristretto255(zz, k, mm) : 0;
}

static int challenge(enum voprf_mode mode, uint8_t c[SB], const uint8_t pk[EB],
		     const uint8_t mm[EB], const uint8_t zz[EB], const uint8_t t2[EB],
		     const uint8_t t3[EB])
{
	const uint8_t *el[5] = { pk, mm, zz, t2, t3 };
	uint8_t tr[5 * (2 + EB) + 9];
	struct voprf_part p = { tr, sizeof(tr) };

	for (size_t i = 0; i < 5; i++) {
		put_u16(tr + i * (2 + EB), EB);
		memcpy(tr + i * (2 + EB) + 2, el[i], EB);
	}
	memcpy(tr + 5 * (2 + EB), "Challenge", 9);
	return h2s(c, &p, 1, &tags_of(mode)->hash_to_scalar);
}

static int batch_ok(const void *a, const void *b, size_t count)
{
	return a && b && count >= 1 && count <= VOPRF_BATCH_MAX;
}

static int blind_evaluate(enum voprf_mode mode, const uint8_t sk[SB], const uint8_t pk[EB],
			  const uint8_t (*blinded)[EB], uint8_t (*evaluated)[EB], size_t count,
			  uint8_t proof[VOPRF_PROOF_BYTES], const uint8_t *r_given)
{
	uint8_t mm[EB], zz[EB], t2[EB], t3[EB], r[SB], ck[SB];
	int rc = -1;

	if (!mode_ok(mode) || !sk || !scalar_ok(sk) || !batch_ok(blinded, evaluated, count))
		return -1;
	if (mode == VOPRF_MODE_VOPRF && (!pk || !proof || !element_ok(pk)))
		return -1;
	/*
	 * No element_ok() first: crypto_scalarmult_ristretto255() fails on an
	 * invalid encoding and on an identity result, which for a canonical
	 * non-zero sk means exactly the identity in, and decoding twice costs
	 * a tenth of a multiplication.  Only the top bit, which libsodium
	 * 1.0.18 ignores, is checked here.
	 */
	for (size_t i = 0; i < count; i++) {
		if (blinded[i][EB - 1] & 0x80 ||
		    crypto_scalarmult_ristretto255(evaluated[i], sk, blinded[i]) != 0)
			return -1;
	}
	if (mode == VOPRF_MODE_OPRF)
		return 0;

	/* GenerateProof(skS, G, pkS, blinded, evaluated) */
	if (r_given) {
		if (!scalar_ok(r_given))
			return -1;
		memcpy(r, r_given, SB);
	} else {
		crypto_core_ristretto255_scalar_random(r);
	}
	if (composites(mode, sk, pk, blinded, (const uint8_t(*)[EB])evaluated, count, mm, zz) !=
		    0 ||
	    crypto_scalarmult_ristretto255_base(t2, r) != 0 ||
	    crypto_scalarmult_ristretto255(t3, r, mm) != 0 ||
	    challenge(mode, proof, pk, mm, zz, t2, t3) != 0)
		goto out;
	crypto_core_ristretto255_scalar_mul(ck, proof, sk);
	crypto_core_ristretto255_scalar_sub(proof + SB, r, ck);
	rc = 0;
out:
	sodium_memzero(r, sizeof(r));
	sodium_memzero(ck, sizeof(ck));
	return rc;
}

int voprf_blind_evaluate(enum voprf_mode mode, const uint8_t sk[VOPRF_SCALAR_BYTES],
			 const uint8_t pk[VOPRF_ELEMENT_BYTES],
			 const uint8_t (*blinded)[VOPRF_ELEMENT_BYTES],
			 uint8_t (*evaluated)[VOPRF_ELEMENT_BYTES], size_t count,
			 uint8_t proof[VOPRF_PROOF_BYTES])
{
	return blind_evaluate(mode, sk, pk, blinded, evaluated, count, proof, NULL);
}

int voprf_blind_evaluate_with_r(enum voprf_mode mode, const uint8_t sk[VOPRF_SCALAR_BYTES],
				const uint8_t pk[VOPRF_ELEMENT_BYTES],
				const uint8_t (*blinded)[VOPRF_ELEMENT_BYTES],
				uint8_t (*evaluated)[VOPRF_ELEMENT_BYTES], size_t count,
				uint8_t proof[VOPRF_PROOF_BYTES],
				const uint8_t r[VOPRF_SCALAR_BYTES])
{
	if (!r)
		return -1;
	return blind_evaluate(mode, sk, pk, blinded, evaluated, count, proof, r);
}

/* The generator of RFC 9496, encoded. */
static const uint8_t generator[EB] = { 0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71,
				       0xa8, 0x84, 0xa9, 0x61, 0xc5, 0x00, 0x51, 0x5f,
				       0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d,
				       0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76 };

/* s*A + c*B, where A is the generator when a == NULL; all of them public. */
static int mul_add(uint8_t out[EB], const uint8_t s[SB], const uint8_t *a, const uint8_t c[SB],
		   const uint8_t b[EB])
{
	uint8_t sc[2][SB], ab[2][EB];

	memcpy(sc[0], s, SB);
	memcpy(sc[1], c, SB);
	memcpy(ab[0], a ? a : generator, EB);
	memcpy(ab[1], b, EB);
	return ristretto_msm_vartime(out, (const uint8_t(*)[SB])sc, (const uint8_t(*)[EB])ab, 2);
}

int voprf_verify_proof(enum voprf_mode mode, const uint8_t pk[VOPRF_ELEMENT_BYTES],
		       const uint8_t (*blinded)[VOPRF_ELEMENT_BYTES],
		       const uint8_t (*evaluated)[VOPRF_ELEMENT_BYTES], size_t count,
		       const uint8_t proof[VOPRF_PROOF_BYTES])
{
	uint8_t mm[EB], zz[EB], t2[EB], t3[EB], expected[SB];
	const uint8_t *c, *s;

	if (mode != VOPRF_MODE_VOPRF || !pk || !proof || !batch_ok(blinded, evaluated, count))
		return -1;
	c = proof;
	s = proof + SB;
	if (!element_ok(pk) || !scalar_is_canonical(c) || !scalar_is_canonical(s))
		return -1;
	for (size_t i = 0; i < count; i++)
		if (!element_ok(blinded[i]) || !element_ok(evaluated[i]))
			return -1;
	if (composites(mode, NULL, pk, blinded, evaluated, count, mm, zz) != 0 ||
	    mul_add(t2, s, NULL, c, pk) != 0 || mul_add(t3, s, mm, c, zz) != 0 ||
	    challenge(mode, expected, pk, mm, zz, t2, t3) != 0)
		return -1;
	return sodium_memcmp(expected, c, SB) == 0 ? 0 : -1;
}

/* Hash(I2OSP(len(input), 2) || input || I2OSP(32, 2) || element || "Finalize") */
static void finalize_hash(uint8_t out[VOPRF_OUTPUT_BYTES], const struct voprf_part *parts,
			  size_t nparts, size_t input_len, const uint8_t element[EB])
{
	crypto_hash_sha512_state st;

	crypto_hash_sha512_init(&st);
	hash_u16(&st, input_len);
	for (size_t i = 0; i < nparts; i++)
		crypto_hash_sha512_update(&st, parts[i].data, parts[i].len);
	hash_u16(&st, EB);
	crypto_hash_sha512_update(&st, element, EB);
	crypto_hash_sha512_update(&st, (const uint8_t *)"Finalize", 8);
	crypto_hash_sha512_final(&st, out);
}

int voprf_finalize(enum voprf_mode mode, const uint8_t pk[VOPRF_ELEMENT_BYTES],
		   const uint8_t *const *inputs, const size_t *input_lens,
		   const uint8_t (*blinds)[VOPRF_SCALAR_BYTES],
		   const uint8_t (*blinded)[VOPRF_ELEMENT_BYTES],
		   const uint8_t (*evaluated)[VOPRF_ELEMENT_BYTES], size_t count,
		   const uint8_t proof[VOPRF_PROOF_BYTES], uint8_t (*outputs)[VOPRF_OUTPUT_BYTES])
{
	uint8_t inv[SB], n[EB];
	int rc = -1;

	if (!mode_ok(mode) || !inputs || !input_lens || !blinds ||
	    !batch_ok(evaluated, outputs, count))
		return -1;
	if (mode == VOPRF_MODE_VOPRF &&
	    voprf_verify_proof(mode, pk, blinded, evaluated, count, proof) != 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		struct voprf_part p = { inputs[i], input_lens[i] };

		if (input_lens[i] > VOPRF_INPUT_MAX || (input_lens[i] && !inputs[i]) ||
		    !scalar_ok(blinds[i]) || !element_ok(evaluated[i]))
			goto out;
		if (crypto_core_ristretto255_scalar_invert(inv, blinds[i]) != 0 ||
		    crypto_scalarmult_ristretto255(n, inv, evaluated[i]) != 0)
			goto out;
		finalize_hash(outputs[i], &p, 1, input_lens[i], n);
	}
	rc = 0;
out:
	sodium_memzero(inv, sizeof(inv));
	sodium_memzero(n, sizeof(n));
	return rc;
}

int voprf_evaluate_v(enum voprf_mode mode, const uint8_t sk[VOPRF_SCALAR_BYTES],
		     const struct voprf_part *parts, size_t nparts, uint8_t out[VOPRF_OUTPUT_BYTES])
{
	uint8_t e[EB], z[EB];
	size_t len;
	int rc = -1;

	if (!mode_ok(mode) || !sk || !out || (nparts && !parts) ||
	    parts_len(parts, nparts, &len) != 0 || !scalar_ok(sk))
		return -1;
	if (h2g(mode, e, parts, nparts) == 0 && crypto_scalarmult_ristretto255(z, sk, e) == 0) {
		finalize_hash(out, parts, nparts, len, z);
		rc = 0;
	}
	sodium_memzero(e, sizeof(e));
	sodium_memzero(z, sizeof(z));
	return rc;
}

int voprf_evaluate(enum voprf_mode mode, const uint8_t sk[VOPRF_SCALAR_BYTES], const uint8_t *input,
		   size_t input_len, uint8_t out[VOPRF_OUTPUT_BYTES])
{
	struct voprf_part p = { input, input_len };

	return voprf_evaluate_v(mode, sk, &p, 1, out);
}
