/*
 * ristretto.c - variable-time ristretto255 arithmetic; see ristretto.h.
 *
 * Field elements mod p = 2^255 - 19 are five 51-bit limbs with 128-bit
 * products (as in curve25519-donna and libsodium's 64-bit code); points are
 * on the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 in the extended
 * coordinates of Hisil, Wong, Carter and Dawson, in the four forms of the
 * ref10 code: p2 (X:Y:Z), p3 (X:Y:Z:T), p1p1 (the "completed" result of an
 * addition or doubling) and cached (Y+X, Y-X, Z, 2dT).  Decoding and
 * encoding follow RFC 9496 sections 4.3.1 and 4.3.2.
 *
 * The multi-scalar multiplication is Straus's method with signed width-5
 * non-adjacent forms: one shared chain of doublings, and for each point a
 * table of its odd multiples P, 3P, ..., 15P.  Points go in chunks of
 * CHUNK so that the tables fit on the stack.
 */
#include "ristretto.h"

#include <string.h>

typedef unsigned __int128 u128;
typedef uint64_t fe[5];

#define MASK51 ((UINT64_C(1) << 51) - 1)

/* d = -121665/121666, 2d, sqrt(-1) and 1/sqrt(a - d) with a = -1. */
static const fe fe_d = { 0x34dca135978a3ULL, 0x1a8283b156ebdULL, 0x5e7a26001c029ULL,
			 0x739c663a03cbbULL, 0x52036cee2b6ffULL };
static const fe fe_d2 = { 0x69b9426b2f159ULL, 0x35050762add7aULL, 0x3cf44c0038052ULL,
			  0x6738cc7407977ULL, 0x2406d9dc56dffULL };
static const fe fe_sqrtm1 = { 0x61b274a0ea0b0ULL, 0x0d5a5fc8f189dULL, 0x7ef5e9cbd0c60ULL,
			      0x78595a6804c9eULL, 0x2b8324804fc1dULL };
static const fe fe_invsqrtamd = { 0x0fdaa805d40eaULL, 0x2eb482e57d339ULL, 0x007610274bc58ULL,
				  0x6510b613dc8ffULL, 0x786c8905cfaffULL };

/* ---- the field ----
 * Limbs stay below 2^54 between operations: products and squares leave them
 * below 2^52, fe_add below 2^53 and fe_sub below 2^53 + 2^52. */

static void fe_0(fe h)
{
	memset(h, 0, sizeof(fe));
}

static void fe_1(fe h)
{
	fe_0(h);
	h[0] = 1;
}

static void fe_copy(fe h, const fe f)
{
	memcpy(h, f, sizeof(fe));
}

static void fe_add(fe h, const fe f, const fe g)
{
	for (int i = 0; i < 5; i++)
		h[i] = f[i] + g[i];
}

/* One pass of carries, the top folded back as 19 times itself: limbs below 2^51 + 2^18. */
static void fe_carry_pass(uint64_t t[5])
{
	t[1] += t[0] >> 51;
	t[0] &= MASK51;
	t[2] += t[1] >> 51;
	t[1] &= MASK51;
	t[3] += t[2] >> 51;
	t[2] &= MASK51;
	t[4] += t[3] >> 51;
	t[3] &= MASK51;
	t[0] += 19 * (t[4] >> 51);
	t[4] &= MASK51;
}

/* h = f - g, as f + 2p - g after carrying g. */
static void fe_sub(fe h, const fe f, const fe g)
{
	uint64_t t[5];

	memcpy(t, g, sizeof(t));
	fe_carry_pass(t);
	h[0] = f[0] + 0xfffffffffffdaULL - t[0];
	h[1] = f[1] + 0xffffffffffffeULL - t[1];
	h[2] = f[2] + 0xffffffffffffeULL - t[2];
	h[3] = f[3] + 0xffffffffffffeULL - t[3];
	h[4] = f[4] + 0xffffffffffffeULL - t[4];
}

static void fe_neg(fe h, const fe f)
{
	fe z;

	fe_0(z);
	fe_sub(h, z, f);
}

static void fe_carry(fe h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4)
{
	uint64_t c;

	r1 += (uint64_t)(r0 >> 51);
	h[0] = (uint64_t)r0 & MASK51;
	r2 += (uint64_t)(r1 >> 51);
	h[1] = (uint64_t)r1 & MASK51;
	r3 += (uint64_t)(r2 >> 51);
	h[2] = (uint64_t)r2 & MASK51;
	r4 += (uint64_t)(r3 >> 51);
	h[3] = (uint64_t)r3 & MASK51;
	c = (uint64_t)(r4 >> 51);
	h[4] = (uint64_t)r4 & MASK51;
	/* r4 < 5 * 2^108, so c < 2^61 and 19c fits with h[0] in 64 bits. */
	h[0] += 19 * c;
	h[1] += h[0] >> 51;
	h[0] &= MASK51;
}

static void fe_mul(fe h, const fe f, const fe g)
{
	const uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
	const uint64_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4];
	const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;

	fe_carry(h,
		 (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 +
			 (u128)f4 * g1_19,
		 (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 +
			 (u128)f4 * g2_19,
		 (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 +
			 (u128)f4 * g3_19,
		 (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4 * g4_19,
		 (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0);
}

static void fe_sq(fe h, const fe f)
{
	const uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
	const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1;
	const uint64_t f1_38 = 38 * f1, f2_38 = 38 * f2, f3_38 = 38 * f3;
	const uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;

	fe_carry(h, (u128)f0 * f0 + (u128)f1_38 * f4 + (u128)f2_38 * f3,
		 (u128)f0_2 * f1 + (u128)f2_38 * f4 + (u128)f3_19 * f3,
		 (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)f3_38 * f4,
		 (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4_19 * f4,
		 (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2);
}

/* h = f^(2^n): n squarings. */
static void fe_sqn(fe h, const fe f, int n)
{
	fe_sq(h, f);
	while (--n > 0)
		fe_sq(h, h);
}

/* The unique representative in [0, p), as 32 little-endian bytes. */
static void fe_tobytes(uint8_t s[32], const fe f)
{
	uint64_t t[5], q;

	memcpy(t, f, sizeof(t));
	fe_carry_pass(t);
	fe_carry_pass(t);
	/* Now t < 2^255; q = 1 exactly when t >= p, that is when t + 19 >= 2^255. */
	q = (t[0] + 19) >> 51;
	q = (t[1] + q) >> 51;
	q = (t[2] + q) >> 51;
	q = (t[3] + q) >> 51;
	q = (t[4] + q) >> 51;
	t[0] += 19 * q;
	t[1] += t[0] >> 51;
	t[0] &= MASK51;
	t[2] += t[1] >> 51;
	t[1] &= MASK51;
	t[3] += t[2] >> 51;
	t[2] &= MASK51;
	t[4] += t[3] >> 51;
	t[3] &= MASK51;
	t[4] &= MASK51;

	uint64_t w[4] = { t[0] | t[1] << 51, t[1] >> 13 | t[2] << 38, t[2] >> 26 | t[3] << 25,
			  t[3] >> 39 | t[4] << 12 };
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 8; j++)
			s[8 * i + j] = (uint8_t)(w[i] >> (8 * j));
}

static uint64_t load64(const uint8_t *s)
{
	uint64_t w = 0;

	for (int j = 7; j >= 0; j--)
		w = w << 8 | s[j];
	return w;
}

/* The low 255 bits of s; the caller checks canonicity. */
static void fe_frombytes(fe h, const uint8_t s[32])
{
	const uint64_t w0 = load64(s), w1 = load64(s + 8), w2 = load64(s + 16), w3 = load64(s + 24);

	h[0] = w0 & MASK51;
	h[1] = (w0 >> 51 | w1 << 13) & MASK51;
	h[2] = (w1 >> 38 | w2 << 26) & MASK51;
	h[3] = (w2 >> 25 | w3 << 39) & MASK51;
	h[4] = (w3 >> 12) & MASK51;
}

static int fe_iszero(const fe f)
{
	uint8_t s[32], acc = 0;

	fe_tobytes(s, f);
	for (int i = 0; i < 32; i++)
		acc |= s[i];
	return acc == 0;
}

/* RFC 9496: negative means odd in canonical form. */
static int fe_isnegative(const fe f)
{
	uint8_t s[32];

	fe_tobytes(s, f);
	return s[0] & 1;
}

static void fe_abs(fe h, const fe f)
{
	if (fe_isnegative(f))
		fe_neg(h, f);
	else
		fe_copy(h, f);
}

/* h = z^((p - 5) / 8) = z^(2^252 - 3), the addition chain of ref10. */
static void fe_pow22523(fe h, const fe z)
{
	fe t0, t1, t2;

	fe_sq(t0, z);
	fe_sqn(t1, t0, 2);
	fe_mul(t1, z, t1);  /* z^9 */
	fe_mul(t0, t0, t1); /* z^11 */
	fe_sq(t0, t0);	    /* z^22 */
	fe_mul(t0, t1, t0); /* z^(2^5 - 1) */
	fe_sqn(t1, t0, 5);
	fe_mul(t0, t1, t0); /* z^(2^10 - 1) */
	fe_sqn(t1, t0, 10);
	fe_mul(t1, t1, t0); /* z^(2^20 - 1) */
	fe_sqn(t2, t1, 20);
	fe_mul(t1, t2, t1); /* z^(2^40 - 1) */
	fe_sqn(t1, t1, 10);
	fe_mul(t0, t1, t0); /* z^(2^50 - 1) */
	fe_sqn(t1, t0, 50);
	fe_mul(t1, t1, t0); /* z^(2^100 - 1) */
	fe_sqn(t2, t1, 100);
	fe_mul(t1, t2, t1); /* z^(2^200 - 1) */
	fe_sqn(t1, t1, 50);
	fe_mul(t0, t1, t0); /* z^(2^250 - 1) */
	fe_sqn(t0, t0, 2);
	fe_mul(h, t0, z); /* z^(2^252 - 3) */
}

/*
 * SQRT_RATIO_M1(u, v) of RFC 9496 section 4.2: x = +sqrt(u/v) and 1 when
 * u/v is a square, x = +sqrt(i*u/v) and 0 when it is not.
 */
static int sqrt_ratio_m1(fe x, const fe u, const fe v)
{
	fe v3, vxx, check, t;
	int correct, flipped, flipped_i;

	fe_sq(v3, v);
	fe_mul(v3, v3, v); /* v^3 */
	fe_sq(x, v3);
	fe_mul(x, x, v);
	fe_mul(x, x, u); /* u v^7 */
	fe_pow22523(x, x);
	fe_mul(x, x, v3);
	fe_mul(x, x, u); /* u v^3 (u v^7)^((p-5)/8) */

	fe_sq(vxx, x);
	fe_mul(vxx, vxx, v);
	fe_sub(check, vxx, u);
	correct = fe_iszero(check);
	fe_add(check, vxx, u);
	flipped = fe_iszero(check);
	fe_mul(t, u, fe_sqrtm1);
	fe_add(check, vxx, t);
	flipped_i = fe_iszero(check);
	if (flipped || flipped_i)
		fe_mul(x, x, fe_sqrtm1);
	fe_abs(x, x);
	return correct || flipped;
}

/* ---- the group ---- */

struct p2 {
	fe X, Y, Z;
};
struct p3 {
	fe X, Y, Z, T;
};
struct p1p1 {
	fe X, Y, Z, T;
};
struct cached {
	fe YplusX, YminusX, Z, T2d;
};

static void p3_0(struct p3 *h)
{
	fe_0(h->X);
	fe_1(h->Y);
	fe_1(h->Z);
	fe_0(h->T);
}

static void p1p1_to_p2(struct p2 *r, const struct p1p1 *p)
{
	fe_mul(r->X, p->X, p->T);
	fe_mul(r->Y, p->Y, p->Z);
	fe_mul(r->Z, p->Z, p->T);
}

static void p1p1_to_p3(struct p3 *r, const struct p1p1 *p)
{
	fe_mul(r->X, p->X, p->T);
	fe_mul(r->Y, p->Y, p->Z);
	fe_mul(r->Z, p->Z, p->T);
	fe_mul(r->T, p->X, p->Y);
}

static void p3_to_cached(struct cached *r, const struct p3 *p)
{
	fe_add(r->YplusX, p->Y, p->X);
	fe_sub(r->YminusX, p->Y, p->X);
	fe_copy(r->Z, p->Z);
	fe_mul(r->T2d, p->T, fe_d2);
}

static void p2_dbl(struct p1p1 *r, const struct p2 *p)
{
	fe t0;

	fe_sq(r->X, p->X);
	fe_sq(r->Z, p->Y);
	fe_sq(r->T, p->Z);
	fe_add(r->T, r->T, r->T);
	fe_add(r->Y, p->X, p->Y);
	fe_sq(t0, r->Y);
	fe_add(r->Y, r->Z, r->X);
	fe_sub(r->Z, r->Z, r->X);
	fe_sub(r->X, t0, r->Y);
	fe_sub(r->T, r->T, r->Z);
}

static void p3_dbl(struct p1p1 *r, const struct p3 *p)
{
	struct p2 q;

	fe_copy(q.X, p->X);
	fe_copy(q.Y, p->Y);
	fe_copy(q.Z, p->Z);
	p2_dbl(r, &q);
}

/* r = p + q (sign > 0) or p - q (sign < 0). */
static void p3_add(struct p1p1 *r, const struct p3 *p, const struct cached *q, int sign)
{
	fe t0;

	fe_add(r->X, p->Y, p->X);
	fe_sub(r->Y, p->Y, p->X);
	fe_mul(r->Z, r->X, sign > 0 ? q->YplusX : q->YminusX);
	fe_mul(r->Y, r->Y, sign > 0 ? q->YminusX : q->YplusX);
	fe_mul(r->T, q->T2d, p->T);
	fe_mul(r->X, p->Z, q->Z);
	fe_add(t0, r->X, r->X);
	fe_sub(r->X, r->Z, r->Y);
	fe_add(r->Y, r->Z, r->Y);
	if (sign > 0) {
		fe_add(r->Z, t0, r->T);
		fe_sub(r->T, t0, r->T);
	} else {
		fe_sub(r->Z, t0, r->T);
		fe_add(r->T, t0, r->T);
	}
}

/* A canonical field element (below p) that is not negative (even). */
static int canonical(const uint8_t s[32])
{
	int all_ones = s[31] == 0x7f;

	for (int i = 30; i > 0 && all_ones; i--)
		all_ones = s[i] == 0xff;
	if (s[31] & 0x80 || (all_ones && s[0] >= 0xed))
		return 0;
	return !(s[0] & 1);
}

/* RFC 9496 section 4.3.1. */
static int decode(struct p3 *h, const uint8_t s[32])
{
	fe s_, ss, u1, u2, u1u1, u2u2, v, vu2u2, one, inv_sqrt;
	int square;

	if (!canonical(s))
		return -1;
	fe_frombytes(s_, s);
	fe_sq(ss, s_);
	fe_1(one);
	fe_sub(u1, one, ss);
	fe_sq(u1u1, u1);
	fe_add(u2, one, ss);
	fe_sq(u2u2, u2);
	fe_mul(v, fe_d, u1u1);
	fe_neg(v, v);
	fe_sub(v, v, u2u2); /* -(d u1^2) - u2^2 */
	fe_mul(vu2u2, v, u2u2);
	square = sqrt_ratio_m1(inv_sqrt, one, vu2u2);

	fe_mul(h->X, inv_sqrt, u2); /* den_x */
	fe_mul(h->Y, inv_sqrt, h->X);
	fe_mul(h->Y, h->Y, v); /* den_y */
	fe_mul(h->X, h->X, s_);
	fe_add(h->X, h->X, h->X);
	fe_abs(h->X, h->X);	/* x = |2 s den_x| */
	fe_mul(h->Y, u1, h->Y); /* y = u1 den_y */
	fe_1(h->Z);
	fe_mul(h->T, h->X, h->Y);
	if (!square || fe_isnegative(h->T) || fe_iszero(h->Y))
		return -1;
	return 0;
}

/* RFC 9496 section 4.3.2. */
static void encode(uint8_t s[32], const struct p3 *h)
{
	fe u1, u2, zmy, t, one, inv_sqrt, den1, den2, z_inv, x, y, den_inv, sv;

	fe_add(u1, h->Z, h->Y);
	fe_sub(zmy, h->Z, h->Y);
	fe_mul(u1, u1, zmy); /* (Z + Y)(Z - Y) */
	fe_mul(u2, h->X, h->Y);
	fe_sq(t, u2);
	fe_mul(t, u1, t);
	fe_1(one);
	(void)sqrt_ratio_m1(inv_sqrt, one, t);
	fe_mul(den1, inv_sqrt, u1);
	fe_mul(den2, inv_sqrt, u2);
	fe_mul(z_inv, den1, den2);
	fe_mul(z_inv, z_inv, h->T);

	fe_mul(t, h->T, z_inv);
	if (fe_isnegative(t)) { /* rotate */
		fe_mul(x, h->Y, fe_sqrtm1);
		fe_mul(y, h->X, fe_sqrtm1);
		fe_mul(den_inv, den1, fe_invsqrtamd);
	} else {
		fe_copy(x, h->X);
		fe_copy(y, h->Y);
		fe_copy(den_inv, den2);
	}
	fe_mul(t, x, z_inv);
	if (fe_isnegative(t))
		fe_neg(y, y);
	fe_sub(sv, h->Z, y);
	fe_mul(sv, den_inv, sv);
	fe_abs(sv, sv);
	fe_tobytes(s, sv);
}

int ristretto_is_valid(const uint8_t s[RISTRETTO_BYTES])
{
	struct p3 h;

	return decode(&h, s) == 0;
}

/* ---- multi-scalar multiplication ---- */

#define WNAF_DIGITS 258 /* a scalar below 2^256 has at most 257 */
#define TABLE	    8	/* odd multiples 1P .. 15P, for digits in [-15, 15] */
#define CHUNK	    32

/*
 * The width-5 NAF of a 256-bit little-endian scalar: digits naf[i] in
 * {0, +-1, +-3, ..., +-15}, at most one non-zero in any five in a row, with
 * sum naf[i] 2^i = s.  Returns the number of digits up to the last non-zero.
 */
static int wnaf(int8_t naf[WNAF_DIGITS], const uint8_t s[32])
{
	uint64_t k[5] = { load64(s), load64(s + 8), load64(s + 16), load64(s + 24), 0 };
	int len = 0;

	memset(naf, 0, WNAF_DIGITS);
	for (int i = 0; i < WNAF_DIGITS && (k[0] | k[1] | k[2] | k[3] | k[4]); i++) {
		if (k[0] & 1) {
			int digit = (int)(k[0] & 31);

			if (digit > 15) {
				/* k += 32 - digit, carried through the words */
				uint64_t add = (uint64_t)(32 - digit);

				digit -= 32;
				for (int w = 0; w < 5 && add; w++) {
					k[w] += add;
					add = k[w] < add;
				}
			} else {
				k[0] -= (uint64_t)digit; /* clears the low bits, no borrow */
			}
			naf[i] = (int8_t)digit;
			len = i + 1;
		}
		for (int w = 0; w < 4; w++)
			k[w] = k[w] >> 1 | k[w + 1] << 63;
		k[4] >>= 1;
	}
	return len;
}

struct term {
	struct cached odd[TABLE];
	int8_t naf[WNAF_DIGITS];
	int len;
};

/* odd[j] = (2j + 1) P */
static void odd_multiples(struct cached odd[TABLE], const struct p3 *p)
{
	struct p1p1 t;
	struct p3 p2x, q;
	struct cached twice;

	p3_to_cached(&odd[0], p);
	p3_dbl(&t, p);
	p1p1_to_p3(&p2x, &t);
	p3_to_cached(&twice, &p2x);
	q = *p;
	for (int j = 1; j < TABLE; j++) {
		p3_add(&t, &q, &twice, 1);
		p1p1_to_p3(&q, &t);
		p3_to_cached(&odd[j], &q);
	}
}

/* acc += sum of a chunk of terms, by Straus's method. */
static void straus(struct p3 *acc, const struct term *terms, size_t n)
{
	struct p1p1 t;
	struct p2 r2;
	struct p3 r;
	struct cached c;
	int top = 0, started = 0;

	for (size_t j = 0; j < n; j++)
		if (terms[j].len > top)
			top = terms[j].len;
	p3_0(&r);
	for (int i = top - 1; i >= 0; i--) {
		int pending = 0; /* t holds r doubled, not yet converted */

		if (started) {
			p3_dbl(&t, &r);
			pending = 1;
		}
		for (size_t j = 0; j < n; j++) {
			int digit = terms[j].naf[i];

			if (!digit)
				continue;
			if (pending)
				p1p1_to_p3(&r, &t);
			p3_add(&t, &r, &terms[j].odd[(digit < 0 ? -digit : digit) / 2], digit);
			pending = 1;
			started = 1;
		}
		if (pending) {
			/* Doubling next needs only X:Y:Z; p1p1_to_p2 saves a product. */
			if (i > 0) {
				p1p1_to_p2(&r2, &t);
				fe_copy(r.X, r2.X);
				fe_copy(r.Y, r2.Y);
				fe_copy(r.Z, r2.Z);
			} else {
				p1p1_to_p3(&r, &t);
			}
		}
	}
	p3_to_cached(&c, &r);
	p3_add(&t, acc, &c, 1);
	p1p1_to_p3(acc, &t);
}

int ristretto_msm_vartime(uint8_t out[RISTRETTO_BYTES],
			  const uint8_t (*scalars)[RISTRETTO_SCALAR_BYTES],
			  const uint8_t (*points)[RISTRETTO_BYTES], size_t n)
{
	struct term terms[CHUNK];
	struct p3 acc, p;

	p3_0(&acc);
	for (size_t base = 0; base < n; base += CHUNK) {
		size_t m = n - base < CHUNK ? n - base : CHUNK, used = 0;

		for (size_t j = 0; j < m; j++) {
			struct term *tm = &terms[used];

			if (decode(&p, points[base + j]) != 0)
				return -1;
			tm->len = wnaf(tm->naf, scalars[base + j]);
			if (tm->len == 0)
				continue;
			odd_multiples(tm->odd, &p);
			used++;
		}
		if (used)
			straus(&acc, terms, used);
	}
	encode(out, &acc);
	return 0;
}
