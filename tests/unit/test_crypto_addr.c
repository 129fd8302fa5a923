/*
 * test_crypto_addr.c - the crypto identifier kind and the bech32 decoder.
 *
 * The BIP-173/BIP-350 vectors come from tests/fixtures/bech32_vectors.tsv;
 * base58 and EIP-55 cases are in the table below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ident/ident.h"
#include "util/bech32.h"
#include "util/mem.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

struct crypto_case {
	const char *in;
	const char *canonical; /* NULL: must be rejected */
	const char *type;      /* when rejected: a substring of the error message */
	const char *key;       /* one more attribute to check: network or checksummed */
	const char *value;
};

#define BAD(in, msg)                      \
	{                                 \
		in, NULL, msg, NULL, NULL \
	}

static const struct crypto_case cases[] = {
	/* base58check */
	{ "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "p2pkh",
	  "network", "mainnet" },
	{ "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "p2sh",
	  "network", "mainnet" },
	{ "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
	  "p2pkh", "network", "mainnet" },
	{ "bitcoin:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2?amount=0.5&label=Invoice",
	  "btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "p2pkh", "network", "mainnet" },
	{ "BITCOIN:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
	  "p2sh", "network", "mainnet" },
	{ "  1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa \n", "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
	  "p2pkh", "network", "mainnet" },
	{ "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "btc:mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "p2pkh",
	  "network", "testnet" },
	{ "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", "btc:2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", "p2sh",
	  "network", "testnet" },
	{ "1111111111111111111114oLvT2", "btc:1111111111111111111114oLvT2", "p2pkh", "network",
	  "mainnet" },
	/* segwit */
	{ "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
	  "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "p2wpkh", "network", "mainnet" },
	{ "bitcoin:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4?amount=1",
	  "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "p2wpkh", "network", "mainnet" },
	{ "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
	  "btc:bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "p2tr", "network",
	  "mainnet" },
	{ "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
	  "btc:tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "p2wsh", "network",
	  "testnet" },
	{ "BC1SW50QGDZ25J", "btc:bc1sw50qgdz25j", "witness_v16", "network", "mainnet" },
	/* EIP-55 examples: all caps, all lower, normal */
	{ "0x52908400098527886E0F7030069857D2E4169EE7",
	  "eth:0x52908400098527886e0f7030069857d2e4169ee7", "account", "checksummed", "true" },
	{ "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
	  "eth:0x8617e340b3d01fa5f11f306f4090fd50e238070d", "account", "checksummed", "true" },
	{ "0xde709f2102306220921060314715629080e2fb77",
	  "eth:0xde709f2102306220921060314715629080e2fb77", "account", "checksummed", "true" },
	{ "0x27b1fdb04752bbc536007a920d24acb045561c26",
	  "eth:0x27b1fdb04752bbc536007a920d24acb045561c26", "account", "checksummed", "true" },
	{ "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
	  "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "account", "checksummed", "true" },
	{ "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
	  "eth:0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359", "account", "checksummed", "true" },
	{ "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
	  "eth:0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb", "account", "checksummed", "true" },
	{ "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	  "eth:0xd1220a0cf47c7b9be7a2e6ba89f429762e7b9adb", "account", "checksummed", "true" },
	/* no checksum in a single case */
	{ "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
	  "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "account", "checksummed", "false" },
	{ "0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED",
	  "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "account", "checksummed", "false" },
	{ "eth:5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
	  "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "account", "checksummed", "true" },
	{ "ethereum:0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359?value=1e18",
	  "eth:0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359", "account", "checksummed", "true" },
	{ "ETH: 0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
	  "eth:0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb", "account", "checksummed", "true" },

	BAD("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "checksum mismatch in base58 address"),
	BAD("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", "checksum mismatch in base58 address"),
	BAD("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNV0", "invalid base58 character '0' at position 33"),
	BAD("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVNl", "invalid base58 character 'l' at position 34"),
	BAD("LKDyUEtTR1HXamkiEphisSiBJu6o3ZPE34", "version byte 0x30"),
	BAD("1BvBMSEYstWetqTFn5Au4m4", "23 characters, base58 addresses have 25 to 35"),
	BAD("5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ", "51 characters"),
	BAD("1111111111111111111111111111111111", "decodes to 34 bytes"),
	BAD("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "checksum mismatch"),
	BAD("bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "mixed upper and lower case"),
	BAD("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", "regtest"),
	BAD("ltc:LKDyUEtTR1HXamkiEphisSiBJu6o3ZPE34", "unknown chain 'ltc'"),
	BAD("eth:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "has 34 hex digits, needs 40"),
	BAD("btc:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "looks like an ethereum address"),
	BAD("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
	    "eip-55 checksum mismatch in '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD': "
	    "character 42 should be 'd'"),
	BAD("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "character 4 should be 'a'"),
	BAD("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "has 39 hex digits"),
	BAD("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAgd", "invalid character 'g'"),
	BAD("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "base58"),
	BAD("vitalik.eth", "'vitalik.eth' is an ens name"),
	BAD("eth:vitalik.eth", "is an ens name"),
	BAD("bitcoin:", "no bitcoin address after the prefix"),
	BAD("bitcoin:?amount=1", "no bitcoin address after the prefix"),
	BAD("eth:", "no ethereum address after the prefix"),
	BAD("ethereum:0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359@1", "eip-681 chain ids"),
	BAD(" \t ", "empty crypto address"),
	BAD("bc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
	    "qqqqqqqqqqqqqqqqqqqq",
	    "longer than 90 characters"),
	BAD("\xff\xfe\x01", "not a bitcoin address: 3 characters"),
};

static void check_idempotent(const char *canonical)
{
	struct ident again = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	int rc;

	rc = ident_crypto_normalize(&again, canonical, strlen(canonical), err, sizeof(err));
	if (rc != IDENT_OK)
		fail_msg("canonical '%s' rejected: %s", canonical, err);
	assert_string_equal(again.canonical, canonical);
	ident_release(&again);
}

static void test_crypto_table(void **state)
{
	size_t nvalid = 0, ninvalid = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct crypto_case *c = &cases[i];
		struct ident id = IDENT_INIT;
		char err[IDENT_ERR_MAX] = "";
		int rc = ident_crypto_normalize(&id, c->in, strlen(c->in), err, sizeof(err));

		if (c->canonical) {
			if (rc != IDENT_OK)
				fail_msg("'%s' rejected: %s", c->in, err);
			assert_string_equal(id.canonical, c->canonical);
			assert_string_equal(ident_attr_get(&id, "chain"),
					    c->canonical[0] == 'b' ? "btc" : "eth");
			assert_string_equal(ident_attr_get(&id, "type"), c->type);
			assert_non_null(ident_attr_get(&id, c->key));
			assert_string_equal(ident_attr_get(&id, c->key), c->value);
			check_idempotent(id.canonical);
			nvalid++;
		} else {
			if (rc != IDENT_EINVAL)
				fail_msg("'%s' accepted as '%s'", c->in,
					 id.canonical ? id.canonical : "");
			if (!strstr(err, c->type))
				fail_msg("'%s': error '%s' lacks '%s'", c->in, err, c->type);
			ninvalid++;
		}
		ident_release(&id);
	}
	assert_int_equal(nvalid, 27);
	assert_int_equal(ninvalid, 28);
}

/* ---- BIP-173 / BIP-350 vectors ---- */

static size_t unescape(char *s)
{
	size_t r = 0, w = 0;

	while (s[r]) {
		if (s[r] == '\\' && s[r + 1] == 'x' && s[r + 2] && s[r + 3]) {
			char hex[3] = { s[r + 2], s[r + 3], '\0' };

			s[w++] = (char)strtoul(hex, NULL, 16);
			r += 4;
		} else {
			s[w++] = s[r++];
		}
	}
	s[w] = '\0';
	return w;
}

static const char *status_name(int st)
{
	switch (st) {
	case BECH32_OK: return "ok";
	case BECH32_ETOOLONG: return "too_long";
	case BECH32_ENOSEP: return "no_sep";
	case BECH32_EHRPEMPTY: return "hrp_empty";
	case BECH32_EHRPCHAR: return "hrp_char";
	case BECH32_ESHORT: return "short";
	case BECH32_EDATACHAR: return "data_char";
	case BECH32_EMIXEDCASE: return "mixed_case";
	case BECH32_ECHECKSUM: return "checksum";
	}
	return "?";
}

/* scriptPubKey of a segwit address: OP_n, push of the program. */
static void script_pubkey_hex(const char *addr, size_t len, char *out, size_t outsz)
{
	struct bech32 b;
	uint8_t prog[64];
	size_t plen = 0, n = 0;

	assert_int_equal(bech32_decode(&b, addr, len), BECH32_OK);
	assert_true(b.data_len >= 1);
	assert_int_equal(
		bech32_convert_bits(prog, &plen, sizeof(prog), 8, b.data + 1, b.data_len - 1, 5, 0),
		0);
	n += (size_t)snprintf(out + n, outsz - n, "%02x%02x", b.data[0] ? 0x50 + b.data[0] : 0,
			      (unsigned)plen);
	for (size_t i = 0; i < plen && n < outsz; i++)
		n += (size_t)snprintf(out + n, outsz - n, "%02x", prog[i]);
}

static void test_bech32_vectors(void **state)
{
	FILE *f = fopen(FIXTURES_DIR "/bech32_vectors.tsv", "r");
	char line[512], spk[200], canon[128];
	size_t nvalid = 0, ninvalid = 0, naddr = 0, nbadaddr = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *cat = line, *in, *want, *nl;
		struct bech32 b;
		struct ident id = IDENT_INIT;
		char err[IDENT_ERR_MAX] = "";
		size_t len;
		int rc;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		in = strchr(cat, '\t');
		assert_non_null(in);
		*in++ = '\0';
		want = strchr(in, '\t');
		assert_non_null(want);
		*want++ = '\0';
		len = unescape(in);

		if (strcmp(cat, "checksum_valid") == 0) {
			rc = bech32_decode(&b, in, len);
			if (rc != BECH32_OK)
				fail_msg("'%s': %s", in, bech32_strerror(rc));
			assert_string_equal(b.encoding == BECH32_BECH32 ? "bech32" : "bech32m",
					    want);
			nvalid++;
		} else if (strcmp(cat, "checksum_invalid") == 0) {
			rc = bech32_decode(&b, in, len);
			assert_string_equal(status_name(rc), want);
			ninvalid++;
		} else if (strcmp(cat, "address_valid") == 0) {
			script_pubkey_hex(in, len, spk, sizeof(spk));
			assert_string_equal(spk, want);
			rc = ident_crypto_normalize(&id, in, len, err, sizeof(err));
			if (rc != IDENT_OK)
				fail_msg("'%s' rejected: %s", in, err);
			snprintf(canon, sizeof(canon), "btc:%s", in);
			for (char *p = canon; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			assert_string_equal(id.canonical, canon);
			assert_string_equal(ident_attr_get(&id, "network"),
					    (in[0] | 0x20) == 'b' ? "mainnet" : "testnet");
			check_idempotent(id.canonical);
			naddr++;
		} else if (strcmp(cat, "address_invalid") == 0) {
			rc = ident_crypto_normalize(&id, in, len, err, sizeof(err));
			if (rc != IDENT_EINVAL)
				fail_msg("'%s' accepted", in);
			if (!strstr(err, want))
				fail_msg("'%s': error '%s' lacks '%s'", in, err, want);
			nbadaddr++;
		} else {
			fail_msg("unknown category '%s'", cat);
		}
		ident_release(&id);
	}
	fclose(f);
	assert_int_equal(nvalid, 14);
	assert_int_equal(ninvalid, 26);
	assert_int_equal(naddr, 8);
	assert_int_equal(nbadaddr, 26);
}

static void test_convert_bits_roundtrip(void **state)
{
	const uint8_t bytes[] = { 0x75, 0x1e, 0x76, 0xe8, 0x19 };
	uint8_t five[16], back[16];
	size_t n5 = 0, n8 = 0;

	(void)state;
	assert_int_equal(bech32_convert_bits(five, &n5, sizeof(five), 5, bytes, 5, 8, 1), 0);
	assert_int_equal(n5, 8);
	assert_int_equal(bech32_convert_bits(back, &n8, sizeof(back), 8, five, n5, 5, 0), 0);
	assert_int_equal(n8, 5);
	assert_memory_equal(back, bytes, 5);
	/* output too small, value out of range */
	assert_int_equal(bech32_convert_bits(five, &n5, 7, 5, bytes, 5, 8, 1), -1);
	five[0] = 32;
	assert_int_equal(bech32_convert_bits(back, &n8, sizeof(back), 8, five, 8, 5, 0), -1);
}

static void test_crypto_out_of_memory(void **state)
{
	static const char *const inputs[] = {
		"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
		"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
	};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct ident id = IDENT_INIT;
		char err[IDENT_ERR_MAX];

		mem_fail_after(0);
		assert_int_equal(
			ident_crypto_normalize(&id, inputs[i], strlen(inputs[i]), err, sizeof(err)),
			IDENT_ENOMEM);
		mem_fail_after(-1);
		ident_release(&id);
	}
}

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crypto_table),
		cmocka_unit_test(test_bech32_vectors),
		cmocka_unit_test(test_convert_bits_roundtrip),
		cmocka_unit_test(test_crypto_out_of_memory),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
