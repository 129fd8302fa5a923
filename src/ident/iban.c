/*
 * iban.c - International Bank Account Numbers (ISO 13616).
 *
 * Canonical form: upper case without separators (NL91ABNA0417164300).
 * Checks, in this order so the message names the first thing wrong:
 * country in the SWIFT IBAN registry, length for that country, BBAN
 * structure, ISO 7064 mod-97-10 check digits, and for BE, ES, ME and NO
 * the national check digits inside the BBAN.
 */
#include "ident/ident.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define IBAN_MAX 34 /* ISO 13616: country, check digits, BBAN of at most 30 */

struct iban_country {
	char cc[3];
	const char *bban;  /* SWIFT notation: n digits, a upper-case letters, c alphanumeric */
	unsigned char len; /* whole IBAN */
	unsigned char bank_pos, bank_len; /* bank identifier in the BBAN, 1-based; 0: unknown */
};

/*
 * SWIFT IBAN registry release 101.  The bank identifier position is given
 * only where the registry makes it a leading field (or IT/SM after the CIN
 * letter) and it is well known; elsewhere the attribute is omitted.
 */
static const struct iban_country iban_countries[] = {
	{ "AD", "4!n4!n12!c", 24, 1, 4 },
	{ "AE", "3!n16!n", 23, 1, 3 },
	{ "AL", "8!n16!c", 28, 0, 0 },
	{ "AT", "5!n11!n", 20, 1, 5 },
	{ "AZ", "4!a20!c", 28, 1, 4 },
	{ "BA", "3!n3!n8!n2!n", 20, 1, 3 },
	{ "BE", "3!n7!n2!n", 16, 1, 3 },
	{ "BG", "4!a4!n2!n8!c", 22, 1, 4 },
	{ "BH", "4!a14!c", 22, 1, 4 },
	{ "BI", "5!n5!n11!n2!n", 27, 0, 0 },
	{ "BR", "8!n5!n10!n1!a1!c", 29, 1, 8 },
	{ "BY", "4!c4!n16!c", 28, 1, 4 },
	{ "CH", "5!n12!c", 21, 1, 5 },
	{ "CR", "4!n14!n", 22, 1, 4 },
	{ "CY", "3!n5!n16!c", 28, 1, 3 },
	{ "CZ", "4!n16!n", 24, 1, 4 },
	{ "DE", "8!n10!n", 22, 1, 8 },
	{ "DJ", "5!n5!n11!n2!n", 27, 0, 0 },
	{ "DK", "4!n9!n1!n", 18, 1, 4 },
	{ "DO", "4!c20!n", 28, 1, 4 },
	{ "EE", "2!n14!n", 20, 1, 2 },
	{ "EG", "4!n4!n17!n", 29, 0, 0 },
	{ "ES", "4!n4!n1!n1!n10!n", 24, 1, 4 },
	{ "FI", "3!n11!n", 18, 1, 3 },
	{ "FK", "2!a12!n", 18, 0, 0 },
	{ "FO", "4!n9!n1!n", 18, 1, 4 },
	{ "FR", "5!n5!n11!c2!n", 27, 1, 5 },
	{ "GB", "4!a6!n8!n", 22, 1, 4 },
	{ "GE", "2!a16!n", 22, 1, 2 },
	{ "GI", "4!a15!c", 23, 1, 4 },
	{ "GL", "4!n9!n1!n", 18, 1, 4 },
	{ "GR", "3!n4!n16!c", 27, 1, 3 },
	{ "GT", "4!c20!c", 28, 1, 4 },
	{ "HN", "4!a20!n", 28, 0, 0 },
	{ "HR", "7!n10!n", 21, 1, 7 },
	{ "HU", "3!n4!n1!n15!n1!n", 28, 1, 3 },
	{ "IE", "4!a6!n8!n", 22, 1, 4 },
	{ "IL", "3!n3!n13!n", 23, 1, 3 },
	{ "IQ", "4!a3!n12!n", 23, 0, 0 },
	{ "IS", "4!n2!n6!n10!n", 26, 0, 0 },
	{ "IT", "1!a5!n5!n12!c", 27, 2, 5 },
	{ "JO", "4!a4!n18!c", 30, 1, 4 },
	{ "KW", "4!a22!c", 30, 1, 4 },
	{ "KZ", "3!n13!c", 20, 1, 3 },
	{ "LB", "4!n20!c", 28, 1, 4 },
	{ "LC", "4!a24!c", 32, 1, 4 },
	{ "LI", "5!n12!c", 21, 1, 5 },
	{ "LT", "5!n11!n", 20, 1, 5 },
	{ "LU", "3!n13!c", 20, 1, 3 },
	{ "LV", "4!a13!c", 21, 1, 4 },
	{ "LY", "3!n3!n15!n", 25, 0, 0 },
	{ "MC", "5!n5!n11!c2!n", 27, 1, 5 },
	{ "MD", "2!c18!c", 24, 1, 2 },
	{ "ME", "3!n13!n2!n", 22, 1, 3 },
	{ "MK", "3!n10!c2!n", 19, 1, 3 },
	{ "MN", "4!n12!n", 20, 0, 0 },
	{ "MR", "5!n5!n11!n2!n", 27, 1, 5 },
	{ "MT", "4!a5!n18!c", 31, 1, 4 },
	{ "MU", "4!a2!n2!n12!n3!n3!a", 30, 1, 6 },
	{ "NI", "4!a20!n", 28, 0, 0 },
	{ "NL", "4!a10!n", 18, 1, 4 },
	{ "NO", "4!n6!n1!n", 15, 1, 4 },
	{ "OM", "3!n16!c", 23, 0, 0 },
	{ "PK", "4!a16!c", 24, 1, 4 },
	{ "PL", "8!n16!n", 28, 0, 0 },
	{ "PS", "4!a21!c", 29, 1, 4 },
	{ "PT", "4!n4!n11!n2!n", 25, 1, 4 },
	{ "QA", "4!a21!c", 29, 1, 4 },
	{ "RO", "4!a16!c", 24, 1, 4 },
	{ "RS", "3!n13!n2!n", 22, 1, 3 },
	{ "RU", "9!n5!n15!c", 33, 0, 0 },
	{ "SA", "2!n18!c", 24, 1, 2 },
	{ "SC", "4!a2!n2!n16!n3!a", 31, 0, 0 },
	{ "SD", "2!n12!n", 18, 0, 0 },
	{ "SE", "3!n16!n1!n", 24, 1, 3 },
	{ "SI", "5!n8!n2!n", 19, 1, 5 },
	{ "SK", "4!n6!n10!n", 24, 1, 4 },
	{ "SM", "1!a5!n5!n12!c", 27, 2, 5 },
	{ "SO", "4!n3!n12!n", 23, 0, 0 },
	{ "ST", "4!n4!n11!n2!n", 25, 0, 0 },
	{ "SV", "4!a20!n", 28, 0, 0 },
	{ "TL", "3!n14!n2!n", 23, 1, 3 },
	{ "TN", "2!n3!n13!n2!n", 24, 1, 2 },
	{ "TR", "5!n1!n16!c", 26, 1, 5 },
	{ "UA", "6!n19!c", 29, 1, 6 },
	{ "VA", "3!n15!n", 22, 0, 0 },
	{ "VG", "4!a16!n", 24, 1, 4 },
	{ "XK", "4!n10!n2!n", 20, 0, 0 },
	{ "YE", "4!a4!n18!c", 30, 0, 0 },
};

/*
 * Dutch bank codes (positions 5-8 of a Dutch IBAN) from the Betaalvereniging
 * BIC list; only codes whose holder is certain.  Sorted for bsearch().
 */
static const struct {
	char code[5];
	const char *name;
} iban_nl_banks[] = {
	{ "ABNA", "ABN AMRO Bank" },
	{ "ADYB", "Adyen" },
	{ "AEGO", "Aegon Bank" },
	{ "ANDL", "Anadolubank" },
	{ "ARBN", "Achmea Bank" },
	{ "ARSN", "Argenta Spaarbank" },
	{ "ASNB", "ASN Bank" },
	{ "BCDM", "Banque Chaabi du Maroc" },
	{ "BICK", "BinckBank" },
	{ "BKMG", "Bank Mendes Gans" },
	{ "BNGH", "BNG Bank" },
	{ "BNPA", "BNP Paribas" },
	{ "BOFA", "Bank of America" },
	{ "BOTK", "MUFG Bank" },
	{ "BUNQ", "bunq" },
	{ "CHAS", "JPMorgan Chase Bank" },
	{ "CITC", "Citco Bank" },
	{ "CITI", "Citibank" },
	{ "COBA", "Commerzbank" },
	{ "DEUT", "Deutsche Bank" },
	{ "DHBN", "Demir-Halk Bank" },
	{ "DLBK", "Delta Lloyd Bank" },
	{ "DNIB", "NIBC Bank" },
	{ "FBHL", "Credit Europe Bank" },
	{ "FRGH", "FGH Bank" },
	{ "FVLB", "Van Lanschot" },
	{ "GILL", "Theodoor Gilissen Bankiers" },
	{ "HAND", "Svenska Handelsbanken" },
	{ "HHBA", "Hof Hoorneman Bankiers" },
	{ "HSBC", "HSBC Bank" },
	{ "ICBK", "Industrial and Commercial Bank of China" },
	{ "INGB", "ING" },
	{ "INSI", "Insinger de Beaufort" },
	{ "ISBK", "Isbank" },
	{ "KABA", "Yapi Kredi Bank" },
	{ "KASA", "KAS Bank" },
	{ "KNAB", "Knab" },
	{ "KOEX", "KEB Hana Bank" },
	{ "KRED", "KBC Bank" },
	{ "LOYD", "Lloyds Bank" },
	{ "LPLN", "LeasePlan Bank" },
	{ "MHCB", "Mizuho Bank" },
	{ "MOYO", "Moneyou" },
	{ "NNBA", "Nationale-Nederlanden Bank" },
	{ "NWAB", "Nederlandse Waterschapsbank" },
	{ "PCBC", "China Construction Bank" },
	{ "RABO", "Rabobank" },
	{ "RBOS", "Royal Bank of Scotland" },
	{ "RBRB", "RegioBank" },
	{ "SNSB", "SNS" },
	{ "SOGE", "Societe Generale" },
	{ "TRIO", "Triodos Bank" },
	{ "UBSW", "UBS" },
	{ "UGBI", "GarantiBank International" },
	{ "VOWA", "Volkswagen Bank" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int iban_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int iban_is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static const struct iban_country *iban_country_find(const char *cc)
{
	size_t lo = 0, hi = ARRAY_SIZE(iban_countries);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(cc, iban_countries[mid].cc, 2);

		if (c == 0)
			return &iban_countries[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const char *iban_nl_bank_name(const char *code)
{
	size_t lo = 0, hi = ARRAY_SIZE(iban_nl_banks);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(code, iban_nl_banks[mid].code, 4);

		if (c == 0)
			return iban_nl_banks[mid].name;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Quote one input byte for a message: printable ASCII as is, others as \xHH. */
static void iban_quote_byte(char *buf, size_t bufsz, unsigned char c)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, bufsz, "%c", c);
	else
		snprintf(buf, bufsz, "\\x%02x", c);
}

/*
 * Copy the alphanumeric characters of `in` upper-cased into `out`, dropping
 * the separators people type (spaces, dashes, dots).  Returns the compact
 * length, or -1 with a message.
 */
static int iban_compact(const char *in, size_t len, char *out, size_t *outlen, char *err,
			size_t errsz)
{
	char q[8];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == ' ' || c == '-' || c == '.')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		if (!iban_is_digit((char)c) && !iban_is_upper((char)c)) {
			iban_quote_byte(q, sizeof(q), c);
			ident_error(err, errsz,
				    "invalid character '%s' at position %zu; "
				    "allowed are letters, digits, spaces, dashes and dots",
				    q, i + 1);
			return -1;
		}
		if (n >= IBAN_MAX) {
			ident_error(err, errsz, "too long: an iban has at most %d characters",
				    IBAN_MAX);
			return -1;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	*outlen = n;
	return 0;
}

/*
 * Check the BBAN against its SWIFT structure.  Returns 0, or the 1-based
 * position in the IBAN of the first character that does not fit and sets
 * *want to what was expected there.
 */
static size_t iban_check_structure(const char *bban, const char *fmt, const char **want)
{
	size_t pos = 0;

	while (*fmt) {
		unsigned long count = 0;

		while (iban_is_digit(*fmt))
			count = count * 10 + (unsigned long)(*fmt++ - '0');
		if (*fmt == '!')
			fmt++;
		for (unsigned long k = 0; k < count; k++, pos++) {
			char c = bban[pos];
			int ok;

			switch (*fmt) {
			case 'n':
				ok = iban_is_digit(c);
				*want = "a digit";
				break;
			case 'a':
				ok = iban_is_upper(c);
				*want = "a letter";
				break;
			default:
				ok = iban_is_digit(c) || iban_is_upper(c);
				*want = "a letter or digit";
				break;
			}
			if (!ok)
				return pos + 5;
		}
		if (*fmt)
			fmt++;
	}
	return 0;
}

/* Remainder mod 97 of the number whose digits are `s`, letters counting as 10..35. */
static unsigned iban_mod97_feed(unsigned r, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (iban_is_digit(c))
			r = (r * 10 + (unsigned)(c - '0')) % 97;
		else
			r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
	}
	return r;
}

/* Remainder mod 97 of an all-digit string (national checks). */
static unsigned iban_digits_mod97(const char *s, size_t n)
{
	return iban_mod97_feed(0, s, n);
}

static unsigned iban_check_digits(const char *iban, size_t len)
{
	unsigned r = iban_mod97_feed(0, iban + 4, len - 4);

	r = iban_mod97_feed(r, iban, 2);
	r = iban_mod97_feed(r, "00", 2);
	return 98 - r;
}

/* Spanish CCC: two check digits, over bank+branch and over the account. */
static char iban_es_ccc_digit(const char *s, size_t n)
{
	static const unsigned w[] = { 1, 2, 4, 8, 5, 10, 9, 7, 3, 6 };
	unsigned sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += w[i + 10 - n] * (unsigned)(s[i] - '0');
	sum = 11 - sum % 11;
	if (sum == 11)
		sum = 0;
	else if (sum == 10)
		sum = 1;
	return (char)('0' + sum);
}

static int iban_luhn_ok(const char *s, size_t n)
{
	unsigned sum = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[n - 1 - i] - '0');

		if (i % 2) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

/*
 * National check digits inside the BBAN, for the countries where they are
 * defined and public.  The BBAN structure has already been checked, so the
 * fields used here are digits.
 */
static int iban_check_national(const char *iban, size_t len, char *err, size_t errsz)
{
	const char *b = iban + 4;
	size_t bl = len - 4;

	if (memcmp(iban, "BE", 2) == 0) {
		unsigned want = iban_digits_mod97(b, 10);
		unsigned got = (unsigned)(b[10] - '0') * 10 + (unsigned)(b[11] - '0');

		if (want == 0)
			want = 97;
		if (want != got)
			return ident_error(err, errsz,
					   "national check digits mismatch for BE: "
					   "expected %02u, got %02u",
					   want, got);
	} else if (memcmp(iban, "ES", 2) == 0) {
		char want[3] = { iban_es_ccc_digit(b, 8), iban_es_ccc_digit(b + 10, 10), 0 };

		if (want[0] != b[8] || want[1] != b[9])
			return ident_error(err, errsz,
					   "national check digits mismatch for ES: "
					   "expected %s, got %.2s",
					   want, b + 8);
	} else if (memcmp(iban, "ME", 2) == 0) {
		if (iban_digits_mod97(b, bl) != 1)
			return ident_error(err, errsz,
					   "national check digits mismatch for ME: "
					   "the account number fails mod-97");
	} else if (memcmp(iban, "NO", 2) == 0) {
		static const unsigned w[] = { 6, 7, 8, 9, 4, 5, 6, 7, 8, 9 };
		unsigned sum = 0;

		/* a 0000 prefix marks an old 7-digit postal giro account (Luhn) */
		if (memcmp(b, "0000", 4) == 0) {
			if (!iban_luhn_ok(b + 4, 7))
				return ident_error(err, errsz,
						   "national check digit mismatch "
						   "for NO: the giro number fails luhn");
			return IDENT_OK;
		}
		for (size_t i = 0; i < 10; i++)
			sum += w[i] * (unsigned)(b[i] - '0');
		if ((char)('0' + sum % 11) != b[10])
			return ident_error(err, errsz,
					   "national check digit mismatch for NO: "
					   "the account number fails mod-11");
	}
	return IDENT_OK;
}

static int iban_set_attrs(struct ident *out, const struct iban_country *ctry, const char *iban)
{
	char code[UCHAR_MAX + 1]; /* bank_len is an unsigned char */

	if (ident_attr_set(out, "country", ctry->cc))
		return IDENT_ENOMEM;
	if (!ctry->bank_len)
		return IDENT_OK;
	memcpy(code, iban + 4 + ctry->bank_pos - 1, ctry->bank_len);
	code[ctry->bank_len] = '\0';
	if (ident_attr_set(out, "bank_code", code))
		return IDENT_ENOMEM;
	if (memcmp(ctry->cc, "NL", 2) == 0) {
		const char *name = iban_nl_bank_name(code);

		if (name && ident_attr_set(out, "bank", name))
			return IDENT_ENOMEM;
	}
	return IDENT_OK;
}

int ident_iban_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz)
{
	char iban[IBAN_MAX + 1];
	const struct iban_country *ctry;
	const char *want = "";
	size_t n, pos;
	unsigned cd, got;
	int rc;

	if (iban_compact(in, len, iban, &n, err, errsz))
		return IDENT_EINVAL;
	if (n == 0)
		return ident_error(err, errsz, "empty iban: no letters or digits");
	if (n < 2)
		return ident_error(err, errsz, "too short: '%s' is not an iban", iban);
	if (!iban_is_upper(iban[0]) || !iban_is_upper(iban[1]))
		return ident_error(err, errsz,
				   "unknown country code '%.2s': an iban starts "
				   "with two letters",
				   iban);
	ctry = iban_country_find(iban);
	if (!ctry)
		return ident_error(err, errsz,
				   "unknown country code '%.2s': not in the iban "
				   "registry",
				   iban);
	if (n != ctry->len)
		return ident_error(err, errsz,
				   "wrong length for %s: expected %u characters, "
				   "got %zu",
				   ctry->cc, (unsigned)ctry->len, n);
	if (!iban_is_digit(iban[2]) || !iban_is_digit(iban[3]))
		return ident_error(err, errsz, "check digits must be two digits, got '%.2s'",
				   iban + 2);
	pos = iban_check_structure(iban + 4, ctry->bban, &want);
	if (pos)
		return ident_error(err, errsz,
				   "bban structure mismatch for %s at position %zu: "
				   "expected %s, got '%c' (format %s)",
				   ctry->cc, pos, want, iban[pos - 1], ctry->bban);
	cd = iban_check_digits(iban, n);
	got = (unsigned)(iban[2] - '0') * 10 + (unsigned)(iban[3] - '0');
	if (cd != got)
		return ident_error(err, errsz,
				   "checksum mismatch: expected check digits %02u, "
				   "got %02u",
				   cd, got);
	rc = iban_check_national(iban, n, err, errsz);
	if (rc)
		return rc;
	rc = ident_set_canonical(out, iban, n);
	if (rc)
		return rc;
	return iban_set_attrs(out, ctry, iban);
}
