/*
 * phone.c - telephone numbers, canonical in E.164 (+31612345678).
 *
 * The default region is the Netherlands: a number without an international
 * prefix is Dutch, with or without its trunk 0.  Dutch numbers are checked
 * against the ranges of the numbering plan and typed; numbers elsewhere are
 * checked only against the length bounds of their country calling code.
 * docs/decisions/phone-numbers.md says why these are own tables.
 */
#include "ident/ident.h"

#include <stdio.h>
#include <string.h>

#define E164_MAX 15 /* digits, country calling code included */
#define SCAN_MAX 20 /* digits read before giving up: 00 prefix plus slack */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct phone_cc {
	unsigned short cc;
	const char *country;	/* ISO 3166 code(s) of the regions sharing the code */
	unsigned char min, max; /* national significant number length */
	unsigned char trunk0;	/* national prefix is 0 and no number starts with 0 */
	const char *type;	/* type all its numbers have, or NULL */
};

/*
 * Country calling codes in use, with the lengths of their national
 * significant numbers and whether a trunk 0 typed after the code can be
 * dropped.  Derived from the possible lengths and national prefixes in
 * libphonenumber's PhoneNumberMetadata.xml (Apache-2.0) at f7e3e88c; the
 * maximum is capped so the whole number fits E.164, and NANP (+1) is held
 * to its 10 digits.  Shared codes name the main region first; "international"
 * marks the non-geographic codes.  Sorted by code for bsearch().
 */
static const struct phone_cc phone_ccs[] = {
	{ 1, "NANP", 10, 10, 0, NULL },
	{ 7, "RU/KZ", 10, 14, 0, NULL },
	{ 20, "EG", 8, 10, 1, NULL },
	{ 27, "ZA", 5, 10, 1, NULL },
	{ 30, "GR", 10, 12, 0, NULL },
	{ 31, "NL", 5, 11, 1, NULL },
	{ 32, "BE", 8, 9, 1, NULL },
	{ 33, "FR", 9, 9, 1, NULL },
	{ 34, "ES", 9, 9, 0, NULL },
	{ 36, "HU", 8, 9, 0, NULL },
	{ 39, "IT/VA", 6, 12, 0, NULL },
	{ 40, "RO", 6, 9, 1, NULL },
	{ 41, "CH", 9, 12, 1, NULL },
	{ 43, "AT", 4, 13, 1, NULL },
	{ 44, "GB/GG/IM/JE", 7, 10, 1, NULL },
	{ 45, "DK", 8, 8, 0, NULL },
	{ 46, "SE", 6, 12, 1, NULL },
	{ 47, "NO/SJ", 5, 8, 0, NULL },
	{ 48, "PL", 6, 10, 0, NULL },
	{ 49, "DE", 4, 13, 1, NULL },
	{ 51, "PE", 8, 9, 1, NULL },
	{ 52, "MX", 10, 10, 0, NULL },
	{ 53, "CU", 6, 10, 1, NULL },
	{ 54, "AR", 10, 11, 1, NULL },
	{ 55, "BR", 8, 11, 1, NULL },
	{ 56, "CL", 9, 11, 0, NULL },
	{ 57, "CO", 8, 11, 1, NULL },
	{ 58, "VE", 10, 10, 1, NULL },
	{ 60, "MY", 8, 10, 1, NULL },
	{ 61, "AU/CC/CX", 5, 12, 1, NULL },
	{ 62, "ID", 7, 13, 0, NULL },
	{ 63, "PH", 6, 13, 1, NULL },
	{ 64, "NZ", 5, 10, 1, NULL },
	{ 65, "SG", 8, 11, 0, NULL },
	{ 66, "TH", 8, 13, 0, NULL },
	{ 81, "JP", 8, 13, 0, NULL },
	{ 82, "KR", 5, 13, 0, NULL },
	{ 84, "VN", 7, 10, 1, NULL },
	{ 86, "CN", 7, 12, 1, NULL },
	{ 90, "TR", 7, 13, 1, NULL },
	{ 91, "IN", 8, 13, 0, NULL },
	{ 92, "PK", 8, 12, 1, NULL },
	{ 93, "AF", 9, 9, 1, NULL },
	{ 94, "LK", 9, 9, 1, NULL },
	{ 95, "MM", 6, 10, 1, NULL },
	{ 98, "IR", 4, 10, 1, NULL },
	{ 211, "SS", 9, 9, 1, NULL },
	{ 212, "MA/EH", 9, 9, 1, NULL },
	{ 213, "DZ", 8, 9, 1, NULL },
	{ 216, "TN", 8, 8, 0, NULL },
	{ 218, "LY", 9, 9, 1, NULL },
	{ 220, "GM", 7, 7, 0, NULL },
	{ 221, "SN", 9, 9, 0, NULL },
	{ 222, "MR", 8, 8, 0, NULL },
	{ 223, "ML", 8, 8, 0, NULL },
	{ 224, "GN", 8, 9, 0, NULL },
	{ 225, "CI", 10, 10, 0, NULL },
	{ 226, "BF", 8, 8, 0, NULL },
	{ 227, "NE", 8, 8, 0, NULL },
	{ 228, "TG", 8, 8, 0, NULL },
	{ 229, "BJ", 8, 10, 0, NULL },
	{ 230, "MU", 7, 10, 0, NULL },
	{ 231, "LR", 7, 9, 1, NULL },
	{ 232, "SL", 8, 8, 1, NULL },
	{ 233, "GH", 8, 9, 1, NULL },
	{ 234, "NG", 10, 12, 1, NULL },
	{ 235, "TD", 8, 8, 0, NULL },
	{ 236, "CF", 8, 8, 0, NULL },
	{ 237, "CM", 8, 9, 0, NULL },
	{ 238, "CV", 7, 7, 0, NULL },
	{ 239, "ST", 7, 7, 0, NULL },
	{ 240, "GQ", 9, 9, 0, NULL },
	{ 241, "GA", 7, 8, 0, NULL },
	{ 242, "CG", 9, 9, 0, NULL },
	{ 243, "CD", 7, 10, 1, NULL },
	{ 244, "AO", 9, 9, 0, NULL },
	{ 245, "GW", 7, 9, 0, NULL },
	{ 246, "IO", 7, 7, 0, NULL },
	{ 247, "AC", 5, 6, 0, NULL },
	{ 248, "SC", 7, 7, 0, NULL },
	{ 249, "SD", 9, 9, 1, NULL },
	{ 250, "RW", 8, 9, 0, NULL },
	{ 251, "ET", 9, 9, 1, NULL },
	{ 252, "SO", 6, 9, 1, NULL },
	{ 253, "DJ", 8, 8, 0, NULL },
	{ 254, "KE", 7, 10, 1, NULL },
	{ 255, "TZ", 9, 9, 1, NULL },
	{ 256, "UG", 9, 9, 1, NULL },
	{ 257, "BI", 8, 8, 0, NULL },
	{ 258, "MZ", 8, 9, 0, NULL },
	{ 260, "ZM", 9, 9, 1, NULL },
	{ 261, "MG", 9, 9, 1, NULL },
	{ 262, "RE/YT", 9, 9, 1, NULL },
	{ 263, "ZW", 5, 10, 1, NULL },
	{ 264, "NA", 8, 9, 1, NULL },
	{ 265, "MW", 7, 9, 1, NULL },
	{ 266, "LS", 8, 8, 0, NULL },
	{ 267, "BW", 7, 10, 0, NULL },
	{ 268, "SZ", 8, 9, 0, NULL },
	{ 269, "KM", 7, 7, 0, NULL },
	{ 290, "SH/TA", 4, 5, 0, NULL },
	{ 291, "ER", 7, 7, 1, NULL },
	{ 297, "AW", 7, 7, 0, NULL },
	{ 298, "FO", 6, 6, 0, NULL },
	{ 299, "GL", 6, 6, 0, NULL },
	{ 350, "GI", 8, 8, 0, NULL },
	{ 351, "PT", 9, 9, 0, NULL },
	{ 352, "LU", 4, 11, 0, NULL },
	{ 353, "IE", 7, 10, 1, NULL },
	{ 354, "IS", 7, 9, 0, NULL },
	{ 355, "AL", 6, 9, 1, NULL },
	{ 356, "MT", 8, 8, 0, NULL },
	{ 357, "CY", 8, 8, 0, NULL },
	{ 358, "FI/AX", 5, 12, 1, NULL },
	{ 359, "BG", 6, 12, 0, NULL },
	{ 370, "LT", 8, 8, 1, NULL },
	{ 371, "LV", 8, 8, 0, NULL },
	{ 372, "EE", 7, 10, 0, NULL },
	{ 373, "MD", 8, 8, 1, NULL },
	{ 374, "AM", 8, 8, 1, NULL },
	{ 375, "BY", 6, 11, 0, NULL },
	{ 376, "AD", 6, 9, 0, NULL },
	{ 377, "MC", 8, 9, 1, NULL },
	{ 378, "SM", 8, 10, 0, NULL },
	{ 380, "UA", 9, 10, 1, NULL },
	{ 381, "RS", 6, 12, 1, NULL },
	{ 382, "ME", 8, 9, 1, NULL },
	{ 383, "XK", 8, 12, 1, NULL },
	{ 385, "HR", 7, 9, 1, NULL },
	{ 386, "SI", 5, 8, 1, NULL },
	{ 387, "BA", 8, 9, 1, NULL },
	{ 389, "MK", 8, 8, 1, NULL },
	{ 420, "CZ", 9, 12, 0, NULL },
	{ 421, "SK", 6, 9, 1, NULL },
	{ 423, "LI", 7, 9, 1, NULL },
	{ 500, "FK", 5, 5, 0, NULL },
	{ 501, "BZ", 7, 11, 0, NULL },
	{ 502, "GT", 8, 11, 0, NULL },
	{ 503, "SV", 7, 11, 0, NULL },
	{ 504, "HN", 8, 11, 0, NULL },
	{ 505, "NI", 8, 8, 0, NULL },
	{ 506, "CR", 8, 10, 0, NULL },
	{ 507, "PA", 7, 11, 0, NULL },
	{ 508, "PM", 6, 9, 1, NULL },
	{ 509, "HT", 8, 8, 0, NULL },
	{ 590, "GP/BL/MF", 9, 9, 1, NULL },
	{ 591, "BO", 8, 9, 1, NULL },
	{ 592, "GY", 7, 7, 0, NULL },
	{ 593, "EC", 8, 11, 1, NULL },
	{ 594, "GF", 9, 9, 1, NULL },
	{ 595, "PY", 6, 11, 1, NULL },
	{ 596, "MQ", 9, 9, 1, NULL },
	{ 597, "SR", 6, 7, 0, NULL },
	{ 598, "UY", 4, 12, 0, NULL },
	{ 599, "CW/BQ", 7, 8, 0, NULL },
	{ 670, "TL", 7, 8, 0, NULL },
	{ 672, "NF", 6, 6, 0, NULL },
	{ 673, "BN", 7, 7, 0, NULL },
	{ 674, "NR", 7, 7, 0, NULL },
	{ 675, "PG", 7, 8, 0, NULL },
	{ 676, "TO", 5, 7, 0, NULL },
	{ 677, "SB", 5, 7, 0, NULL },
	{ 678, "VU", 5, 7, 0, NULL },
	{ 679, "FJ", 7, 11, 0, NULL },
	{ 680, "PW", 7, 7, 0, NULL },
	{ 681, "WF", 6, 9, 0, NULL },
	{ 682, "CK", 5, 5, 0, NULL },
	{ 683, "NU", 4, 7, 0, NULL },
	{ 685, "WS", 5, 10, 0, NULL },
	{ 686, "KI", 5, 8, 1, NULL },
	{ 687, "NC", 6, 6, 0, NULL },
	{ 688, "TV", 5, 7, 0, NULL },
	{ 689, "PF", 6, 9, 0, NULL },
	{ 690, "TK", 4, 7, 0, NULL },
	{ 691, "FM", 7, 7, 0, NULL },
	{ 692, "MH", 7, 7, 0, NULL },
	{ 800, "international", 8, 8, 0, "toll_free" },
	{ 808, "international", 8, 8, 0, "shared_cost" },
	{ 850, "KP", 8, 10, 1, NULL },
	{ 852, "HK", 5, 11, 0, NULL },
	{ 853, "MO", 7, 8, 0, NULL },
	{ 855, "KH", 8, 10, 1, NULL },
	{ 856, "LA", 8, 10, 1, NULL },
	{ 870, "international", 9, 12, 0, NULL },
	{ 878, "international", 12, 12, 0, NULL },
	{ 880, "BD", 6, 10, 1, NULL },
	{ 881, "international", 9, 10, 0, NULL },
	{ 882, "international", 7, 12, 0, NULL },
	{ 883, "international", 8, 12, 0, NULL },
	{ 886, "TW", 7, 11, 1, NULL },
	{ 888, "international", 11, 11, 0, NULL },
	{ 960, "MV", 7, 10, 0, NULL },
	{ 961, "LB", 7, 8, 1, NULL },
	{ 962, "JO", 8, 9, 1, NULL },
	{ 963, "SY", 8, 9, 1, NULL },
	{ 964, "IQ", 8, 10, 1, NULL },
	{ 965, "KW", 7, 8, 0, NULL },
	{ 966, "SA", 9, 10, 1, NULL },
	{ 967, "YE", 7, 9, 1, NULL },
	{ 968, "OM", 7, 9, 0, NULL },
	{ 970, "PS", 8, 10, 1, NULL },
	{ 971, "AE", 5, 12, 1, NULL },
	{ 972, "IL", 7, 12, 1, NULL },
	{ 973, "BH", 8, 8, 0, NULL },
	{ 974, "QA", 7, 11, 0, NULL },
	{ 975, "BT", 7, 8, 0, NULL },
	{ 976, "MN", 8, 10, 1, NULL },
	{ 977, "NP", 8, 11, 1, NULL },
	{ 979, "international", 9, 9, 0, "premium_rate" },
	{ 992, "TJ", 9, 9, 0, NULL },
	{ 993, "TM", 8, 8, 0, NULL },
	{ 994, "AZ", 9, 9, 1, NULL },
	{ 995, "GE", 9, 9, 1, NULL },
	{ 996, "KG", 9, 10, 1, NULL },
	{ 998, "UZ", 9, 9, 0, NULL },
};

/*
 * Dutch national significant numbers by type: a prefix in a small pattern
 * language (digits and [..] classes with ranges) and the allowed lengths.
 * Transcribed from libphonenumber's NL metadata (nationalNumberPattern of
 * each type); checked in libphonenumber's order, first match wins.
 */
struct phone_nl_range {
	const char *prefix;
	unsigned char min, max;
	const char *type;  /* attribute value, libphonenumber's type name */
	const char *label; /* for messages */
};

static const struct phone_nl_range phone_nl_ranges[] = {
	{ "90[069]", 7, 10, "premium_rate", "premium-rate" },
	{ "800", 7, 10, "toll_free", "toll-free" },
	{ "85", 9, 9, "voip", "voip" },
	{ "91", 9, 9, "voip", "voip" },
	{ "66", 9, 9, "pager", "pager" },
	/* 14xxx: municipalities, reachable only from within the country */
	{ "1401[035]", 5, 5, "uan", "municipal" },
	{ "1402[0346]", 5, 5, "uan", "municipal" },
	{ "1403[03568]", 5, 5, "uan", "municipal" },
	{ "1404[0356]", 5, 5, "uan", "municipal" },
	{ "1405[0358]", 5, 5, "uan", "municipal" },
	{ "1408[458]", 5, 5, "uan", "municipal" },
	{ "1407", 5, 5, "uan", "municipal" },
	{ "1401[16-8]", 6, 6, "uan", "municipal" },
	{ "1402[259]", 6, 6, "uan", "municipal" },
	{ "1403[124]", 6, 6, "uan", "municipal" },
	{ "1404[17-9]", 6, 6, "uan", "municipal" },
	{ "1405[124679]", 6, 6, "uan", "municipal" },
	/* 084, 087 personal and 088 company numbers */
	{ "8[478]", 9, 9, "uan", "uan" },
	{ "1[035]", 9, 9, "fixed_line", "fixed-line" },
	{ "11[13-578]", 9, 9, "fixed_line", "fixed-line" },
	{ "16[124-8]", 9, 9, "fixed_line", "fixed-line" },
	{ "17[24]", 9, 9, "fixed_line", "fixed-line" },
	{ "18[0-467]", 9, 9, "fixed_line", "fixed-line" },
	{ "2[0346]", 9, 9, "fixed_line", "fixed-line" },
	{ "22[2-46-9]", 9, 9, "fixed_line", "fixed-line" },
	{ "25[125]", 9, 9, "fixed_line", "fixed-line" },
	{ "29[479]", 9, 9, "fixed_line", "fixed-line" },
	{ "3[03568]", 9, 9, "fixed_line", "fixed-line" },
	{ "31[3-8]", 9, 9, "fixed_line", "fixed-line" },
	{ "32[01]", 9, 9, "fixed_line", "fixed-line" },
	{ "34[1-8]", 9, 9, "fixed_line", "fixed-line" },
	{ "4[0356]", 9, 9, "fixed_line", "fixed-line" },
	{ "41[1-368]", 9, 9, "fixed_line", "fixed-line" },
	{ "47[58]", 9, 9, "fixed_line", "fixed-line" },
	{ "48[15-8]", 9, 9, "fixed_line", "fixed-line" },
	{ "49[23579]", 9, 9, "fixed_line", "fixed-line" },
	{ "5[0358]", 9, 9, "fixed_line", "fixed-line" },
	{ "5[19][1-9]", 9, 9, "fixed_line", "fixed-line" },
	{ "52[1-57-9]", 9, 9, "fixed_line", "fixed-line" },
	{ "54[13-8]", 9, 9, "fixed_line", "fixed-line" },
	{ "56[126]", 9, 9, "fixed_line", "fixed-line" },
	{ "57[0-3578]", 9, 9, "fixed_line", "fixed-line" },
	{ "7", 9, 9, "fixed_line", "fixed-line" },
	{ "6[1-58]", 9, 9, "mobile", "mobile" },
	/* 097: machine-to-machine, typed mobile as libphonenumber does */
	{ "970", 11, 11, "mobile", "mobile" },
};

#define NL_MIN 5
#define NL_MAX 11

/* Numbers that must never be taken for a suspect's: 112, 911 and the animal emergency 144. */
static const char *const phone_nl_emergency[] = { "112", "911", "144" };

struct phone_scan {
	char d[SCAN_MAX + 1]; /* the digits typed, in order */
	size_t n;
	int plus;	   /* a leading '+' */
	size_t zero_group; /* index in d of a "(0)" group, or SIZE_MAX */
};

static int phone_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static void phone_quote_byte(char *buf, size_t bufsz, unsigned char c)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, bufsz, "%c", c);
	else
		snprintf(buf, bufsz, "\\x%02x", c);
}

/*
 * Collect the digits, allowing the separators people type.  A group "(0)"
 * is remembered, since after a country code it is a trunk prefix to drop.
 */
static int phone_scan(struct phone_scan *s, const char *in, size_t len, char *err, size_t errsz)
{
	size_t group_start = 0;
	int depth = 0;
	char q[8];

	memset(s, 0, sizeof(*s));
	s->zero_group = (size_t)-1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (phone_is_digit(c)) {
			if (s->n >= SCAN_MAX)
				return ident_error(err, errsz,
						   "too long: more than %d digits; an "
						   "e.164 number has at most %d",
						   SCAN_MAX, E164_MAX);
			s->d[s->n++] = (char)c;
		} else if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/') {
			continue;
		} else if (c == '+') {
			if (s->plus || s->n || depth)
				return ident_error(err, errsz,
						   "'+' at position %zu: only allowed "
						   "once, before the first digit",
						   i + 1);
			s->plus = 1;
		} else if (c == '(') {
			if (depth)
				return ident_error(err, errsz, "nested '(' at position %zu", i + 1);
			depth = 1;
			group_start = s->n;
		} else if (c == ')') {
			if (!depth)
				return ident_error(err, errsz, "')' at position %zu without '('",
						   i + 1);
			depth = 0;
			if (s->n == group_start + 1 && s->d[group_start] == '0' &&
			    s->zero_group == (size_t)-1)
				s->zero_group = group_start;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			return ident_error(err, errsz,
					   "letter '%c' at position %zu: a phone "
					   "number is digits only",
					   c, i + 1);
		} else {
			phone_quote_byte(q, sizeof(q), c);
			return ident_error(err, errsz,
					   "invalid character '%s' at position %zu; "
					   "allowed are digits, spaces, dashes, dots, slashes, "
					   "parentheses and a leading +",
					   q, i + 1);
		}
	}
	if (depth)
		return ident_error(err, errsz, "'(' without ')'");
	s->d[s->n] = '\0';
	if (!s->n)
		return ident_error(err, errsz, "no digits in phone number");
	return IDENT_OK;
}

/* Whether `s` (n digits) starts with `pat` (digits and [..] classes with ranges). */
static int phone_prefix_match(const char *pat, const char *s, size_t n)
{
	size_t i = 0;

	for (; *pat; i++) {
		char c;
		int ok = 0;

		if (i >= n)
			return 0;
		c = s[i];
		if (*pat != '[') {
			if (*pat++ != c)
				return 0;
			continue;
		}
		for (pat++; *pat && *pat != ']'; pat++) {
			if (pat[1] == '-' && pat[2] && pat[2] != ']') {
				ok |= c >= pat[0] && c <= pat[2];
				pat += 2;
			} else {
				ok |= c == *pat;
			}
		}
		if (*pat)
			pat++;
		if (!ok)
			return 0;
	}
	return 1;
}

static const struct phone_cc *phone_cc_find(unsigned cc)
{
	size_t lo = 0, hi = ARRAY_SIZE(phone_ccs);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (phone_ccs[mid].cc == cc)
			return &phone_ccs[mid];
		if (phone_ccs[mid].cc > cc)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Short service numbers (ShortNumberMetadata's general pattern): 3, 4 or 6 digits. */
static int phone_nl_is_short(const char *nsn, size_t n)
{
	return (n == 3 || n == 4 || n == 6) && strchr("1349", nsn[0]);
}

/*
 * Type a Dutch national significant number.  Returns the range, or NULL
 * with the message saying what is wrong.  `bare`: typed without any prefix,
 * as short service numbers are dialled.
 */
static const struct phone_nl_range *phone_nl_classify(const char *nsn, size_t n, int bare,
						      char *err, size_t errsz)
{
	const struct phone_nl_range *near = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(phone_nl_emergency); i++) {
		if (strlen(phone_nl_emergency[i]) == n &&
		    memcmp(nsn, phone_nl_emergency[i], n) == 0) {
			ident_error(err, errsz,
				    "'%s' is an emergency number, not a valid "
				    "suspect number",
				    phone_nl_emergency[i]);
			return NULL;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(phone_nl_ranges); i++) {
		const struct phone_nl_range *r = &phone_nl_ranges[i];

		if (!phone_prefix_match(r->prefix, nsn, n))
			continue;
		if (n >= r->min && n <= r->max)
			return r;
		if (!near)
			near = r;
	}
	if (bare && phone_nl_is_short(nsn, n)) {
		ident_error(err, errsz,
			    "'%.*s' is a short service number, not a subscriber "
			    "number",
			    (int)n, nsn);
	} else if (n < NL_MIN || n > NL_MAX) {
		ident_error(err, errsz,
			    "too %s for +31 (NL): national number '%.*s' has %zu "
			    "digits, %d to %d allowed",
			    n < NL_MIN ? "short" : "long", (int)n, nsn, n, NL_MIN, NL_MAX);
	} else if (near && near->min == near->max) {
		ident_error(err, errsz,
			    "wrong length for a dutch %s number: national number "
			    "'%.*s' has %zu digits, %u allowed",
			    near->label, (int)n, nsn, n, (unsigned)near->min);
	} else if (near) {
		ident_error(err, errsz,
			    "wrong length for a dutch %s number: national number "
			    "'%.*s' has %zu digits, %u to %u allowed",
			    near->label, (int)n, nsn, n, (unsigned)near->min, (unsigned)near->max);
	} else {
		ident_error(err, errsz,
			    "dutch number +31%.*s fits no range of the numbering "
			    "plan",
			    (int)n, nsn);
	}
	return NULL;
}

static int phone_finish(struct ident *out, const struct phone_cc *cc, const char *nsn, size_t n,
			const char *type)
{
	char buf[E164_MAX + 2];
	int len, rc;

	len = snprintf(buf, sizeof(buf), "+%u%.*s", (unsigned)cc->cc, (int)n, nsn);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return IDENT_EINVAL; /* bounds checked by the callers; unreachable */
	rc = ident_set_canonical(out, buf, (size_t)len);
	if (rc)
		return rc;
	if (ident_attr_set(out, "country", cc->country) || ident_attr_set(out, "type", type))
		return IDENT_ENOMEM;
	return IDENT_OK;
}

static int phone_nl(struct ident *out, const char *nsn, size_t n, int bare, char *err, size_t errsz)
{
	const struct phone_nl_range *r = phone_nl_classify(nsn, n, bare, err, errsz);

	if (!r)
		return IDENT_EINVAL;
	return phone_finish(out, phone_cc_find(31), nsn, n, r->type);
}

/* A number after an international prefix: `d` starts with the country calling code. */
static int phone_international(struct ident *out, const struct phone_scan *s, size_t off, char *err,
			       size_t errsz)
{
	const char *d = s->d + off, *nsn;
	size_t m = s->n - off, k, n;
	const struct phone_cc *cc = NULL;
	unsigned code = 0;

	if (!m)
		return ident_error(err, errsz,
				   "no country calling code after the "
				   "international prefix");
	if (d[0] == '0')
		return ident_error(err, errsz,
				   "country calling code starts with 0 in '+%s'; "
				   "codes start with 1 to 9",
				   d);
	for (k = 1; k <= 3 && k <= m && !cc; k++) {
		code = code * 10 + (unsigned)(d[k - 1] - '0');
		cc = phone_cc_find(code);
	}
	if (!cc)
		return ident_error(err, errsz,
				   "unknown country calling code: '+%.3s' is not "
				   "assigned",
				   d);
	k--;
	nsn = d + k;
	n = m - k;
	/* "+31 (0)6 ...": the bracketed trunk 0 is not part of the number */
	if (s->zero_group == off + k && n && nsn[0] == '0') {
		nsn++;
		n--;
	} else if (cc->trunk0 && n && nsn[0] == '0') {
		nsn++;
		n--;
	}
	if (cc->cc == 31)
		return phone_nl(out, nsn, n, 0, err, errsz);
	if (cc->trunk0 && n && nsn[0] == '0')
		return ident_error(err, errsz, "no national number for +%u (%s) starts with 0",
				   (unsigned)cc->cc, cc->country);
	if (n < cc->min || n > cc->max) {
		if (cc->min == cc->max)
			return ident_error(err, errsz,
					   "too %s for +%u (%s): national number has "
					   "%zu digits, %u allowed",
					   n < cc->min ? "short" : "long", (unsigned)cc->cc,
					   cc->country, n, (unsigned)cc->min);
		return ident_error(err, errsz,
				   "too %s for +%u (%s): national number has %zu "
				   "digits, %u to %u allowed",
				   n < cc->min ? "short" : "long", (unsigned)cc->cc, cc->country, n,
				   (unsigned)cc->min, (unsigned)cc->max);
	}
	return phone_finish(out, cc, nsn, n, cc->type ? cc->type : "unknown");
}

int ident_phone_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz)
{
	struct phone_scan s;
	int rc;

	rc = phone_scan(&s, in, len, err, errsz);
	if (rc)
		return rc;
	if (s.plus)
		return phone_international(out, &s, 0, err, errsz);
	if (s.n >= 2 && s.d[0] == '0' && s.d[1] == '0')
		return phone_international(out, &s, 2, err, errsz);
	if (s.d[0] == '0')
		return phone_nl(out, s.d + 1, s.n - 1, 0, err, errsz);
	/*
	 * No prefix at all: a Dutch number without its trunk 0 (612345678, or
	 * 14020), or one typed with the country code but without + (31612345678).
	 */
	rc = phone_nl(out, s.d, s.n, 1, err, errsz);
	if (rc == IDENT_EINVAL && s.n >= 11 && s.d[0] == '3' && s.d[1] == '1') {
		char err2[IDENT_ERR_MAX];

		if (phone_nl_classify(s.d + 2, s.n - 2, 0, err2, sizeof(err2)))
			return phone_nl(out, s.d + 2, s.n - 2, 0, err, errsz);
	}
	return rc;
}
