/* b64url.c - base64url decoding of public values; see b64url.h. */
#include "util/b64url.h"

/* One more than each character's value; 0 outside "A-Za-z0-9-_". */
static const uint8_t plus1[256] = {
	['A'] = 1,  ['B'] = 2,	['C'] = 3,  ['D'] = 4,	['E'] = 5,  ['F'] = 6,	['G'] = 7,
	['H'] = 8,  ['I'] = 9,	['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
	['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
	['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
	['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
	['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
	['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['-'] = 63,
	['_'] = 64,
};

int b64url_decode_exact(uint8_t *out, size_t n, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t full = n / 3, rest = n % 3;

	if (len != 4 * full + (rest ? rest + 1 : 0))
		return -1;
	for (size_t i = 0; i < full; i++, p += 4, out += 3) {
		const uint8_t a = plus1[p[0]], b = plus1[p[1]], c = plus1[p[2]], d = plus1[p[3]];
		uint32_t acc;

		if (!a || !b || !c || !d)
			return -1;
		acc = (uint32_t)(a - 1) << 18 | (uint32_t)(b - 1) << 12 | (uint32_t)(c - 1) << 6 |
		      (uint32_t)(d - 1);
		out[0] = (uint8_t)(acc >> 16);
		out[1] = (uint8_t)(acc >> 8);
		out[2] = (uint8_t)acc;
	}
	if (rest == 1) { /* two characters: 8 bits, then 4 that must be zero */
		const uint8_t a = plus1[p[0]], b = plus1[p[1]];

		if (!a || !b || (b - 1) & 0x0f)
			return -1;
		out[0] = (uint8_t)((a - 1) << 2 | (b - 1) >> 4);
	} else if (rest == 2) { /* three characters: 16 bits, then 2 that must be zero */
		const uint8_t a = plus1[p[0]], b = plus1[p[1]], c = plus1[p[2]];

		if (!a || !b || !c || (c - 1) & 0x03)
			return -1;
		out[0] = (uint8_t)((a - 1) << 2 | (b - 1) >> 4);
		out[1] = (uint8_t)((b - 1) << 4 | (c - 1) >> 2);
	}
	return 0;
}
