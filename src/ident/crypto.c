/*
 * crypto.c - cryptocurrency addresses: canonical "chain:address".
 *
 * Accepted input: a bare address, or one prefixed with "btc:", "eth:" or the
 * URI schemes "bitcoin:" (BIP-21) and "ethereum:" (EIP-681), whose query
 * ("?amount=...") is dropped.  Chain prefixes are case-insensitive.
 *
 * Bitcoin:
 *   base58check P2PKH/P2SH (double SHA-256 checksum), canonical as given,
 *   because base58 is case-sensitive;
 *   segwit bech32 (v0, BIP-173) and bech32m (v1..16, BIP-350), canonical in
 *   lower case (the only case in which an address may be shared by QR-less
 *   means; upper case is its equivalent for QR codes, mixed case is invalid).
 *   Testnet addresses (tb1..., versions 0x6f/0xc4) are accepted with
 *   network=testnet rather than refused: victims report what a scammer sent,
 *   and a testnet address in a report is itself a sign of a fake "payment".
 *   Their canonical value differs from every mainnet address, so nothing
 *   matches across networks.
 *
 * Ethereum:
 *   "0x" and 40 hex digits.  Mixed case must satisfy EIP-55; all-lower and
 *   all-upper carry no checksum and are accepted.  The canonical form is
 *   lower case: the address is 20 bytes and the case is only a checksum over
 *   them, so two spellings that differ in case are the same account and must
 *   match.  With an explicit "eth:" prefix the "0x" may be left out.
 *
 * Attributes: chain (btc, eth), type (p2pkh, p2sh, p2wpkh, p2wsh, p2tr,
 * witness_v<N> for other segwit programs, account), network (mainnet,
 * testnet; bitcoin only), checksummed (true, false; ethereum only: whether
 * the case spelled a valid EIP-55 checksum).
 */
#include "ident/ident.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "util/bech32.h"
#include "util/keccak.h"

#define QUOTE_MAX 48 /* how much of the input an error message quotes */

#define BASE58_ADDR_MIN	   25
#define BASE58_ADDR_MAX	   35
#define BASE58_PAYLOAD_LEN 25 /* version, 20-byte hash, 4-byte checksum */

#define ETH_HEX_LEN 40

static const char base58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

enum chain { CHAIN_ANY, CHAIN_BTC, CHAIN_ETH };

/* Copy at most QUOTE_MAX bytes of s for an error message, masking control bytes. */
static const char *quote(char *buf, size_t bufsz, const char *s, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len && n + 4 < bufsz && i < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (i < len && n + 3 < bufsz) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int prefix_is(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	if (len < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != prefix[i])
			return 0;
	return 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int set_attrs(struct ident *out, const char *chain, const char *type, const char *key,
		     const char *value, char *err, size_t errsz)
{
	if (ident_attr_set(out, "chain", chain) || ident_attr_set(out, "type", type) ||
	    ident_attr_set(out, key, value))
		return ident_error(err, errsz, "internal error: attribute table full");
	return IDENT_OK;
}

static int set_canonical(struct ident *out, const char *chain, const char *addr, size_t len,
			 char *err, size_t errsz)
{
	char buf[4 + BECH32_MAX_LEN + 1];
	int n = snprintf(buf, sizeof(buf), "%s:%.*s", chain, (int)len, addr);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return ident_error(err, errsz, "internal error: address too long");
	return ident_set_canonical(out, buf, (size_t)n);
}

/* ---- bitcoin: base58check ---- */

static int base58_decode(uint8_t *out, size_t outsz, size_t *outlen, const char *s, size_t len,
			 size_t *badpos)
{
	uint8_t num[BASE58_ADDR_MAX]; /* big-endian; 35 digits of base 58 need < 26 bytes */
	size_t zeros = 0, nbytes = 0, i;

	while (zeros < len && s[zeros] == '1')
		zeros++;
	memset(num, 0, sizeof(num));
	for (i = zeros; i < len; i++) {
		const char *p =
			s[i] ? memchr(base58_alphabet, s[i], sizeof(base58_alphabet) - 1) : NULL;
		unsigned carry;

		if (!p) {
			*badpos = i;
			return -1;
		}
		carry = (unsigned)(p - base58_alphabet);
		for (size_t j = 0; j < sizeof(num); j++) {
			size_t k = sizeof(num) - 1 - j;

			if (j >= nbytes && carry == 0)
				break;
			carry += 58u * num[k];
			num[k] = (uint8_t)carry;
			carry >>= 8;
			if (j >= nbytes)
				nbytes = j + 1;
		}
	}
	if (zeros + nbytes > outsz) {
		*outlen = zeros + nbytes;
		return -2;
	}
	memset(out, 0, zeros);
	memcpy(out + zeros, num + sizeof(num) - nbytes, nbytes);
	*outlen = zeros + nbytes;
	return 0;
}

static int btc_base58(struct ident *out, const char *a, size_t len, char *err, size_t errsz)
{
	uint8_t payload[BASE58_PAYLOAD_LEN + 8], h1[32], h2[32];
	size_t plen = 0, bad = 0;
	char q[QUOTE_MAX + 4];
	const char *type, *network;
	int rc;

	if (len < BASE58_ADDR_MIN || len > BASE58_ADDR_MAX)
		return ident_error(err, errsz,
				   "'%s' is not a bitcoin address: %zu characters, base58 "
				   "addresses have 25 to 35",
				   quote(q, sizeof(q), a, len), len);
	rc = base58_decode(payload, sizeof(payload), &plen, a, len, &bad);
	if (rc == -1)
		return ident_error(err, errsz,
				   "invalid base58 character '%s' at position %zu (0, O, I and l "
				   "are not used)",
				   quote(q, sizeof(q), a + bad, 1), bad + 1);
	if (rc == -2 || plen != BASE58_PAYLOAD_LEN)
		return ident_error(err, errsz,
				   "'%s' is not a bitcoin address: decodes to %zu bytes, an "
				   "address has 25",
				   quote(q, sizeof(q), a, len), plen);

	crypto_hash_sha256(h1, payload, BASE58_PAYLOAD_LEN - 4);
	crypto_hash_sha256(h2, h1, sizeof(h1));
	if (memcmp(h2, payload + BASE58_PAYLOAD_LEN - 4, 4) != 0)
		return ident_error(err, errsz,
				   "checksum mismatch in base58 address '%s' "
				   "(a mistyped character?)",
				   quote(q, sizeof(q), a, len));

	switch (payload[0]) {
	case 0x00:
		type = "p2pkh";
		network = "mainnet";
		break;
	case 0x05:
		type = "p2sh";
		network = "mainnet";
		break;
	case 0x6f:
		type = "p2pkh";
		network = "testnet";
		break;
	case 0xc4:
		type = "p2sh";
		network = "testnet";
		break;
	default:
		return ident_error(err, errsz,
				   "'%s' is not a bitcoin address: version byte 0x%02x, "
				   "allowed are 0x00, 0x05 (mainnet) and 0x6f, 0xc4 (testnet)",
				   quote(q, sizeof(q), a, len), payload[0]);
	}
	rc = set_canonical(out, "btc", a, len, err, errsz);
	if (rc != IDENT_OK)
		return rc;
	return set_attrs(out, "btc", type, "network", network, err, errsz);
}

/* ---- bitcoin: segwit bech32 / bech32m ---- */

static int btc_segwit(struct ident *out, const char *a, size_t len, char *err, size_t errsz)
{
	struct bech32 b;
	uint8_t prog[64];
	size_t plen = 0;
	char q[QUOTE_MAX + 4], canon[BECH32_MAX_LEN + 1], vtype[16];
	const char *network, *type;
	unsigned version;
	int rc;

	rc = bech32_decode(&b, a, len);
	if (rc == BECH32_EHRPCHAR || rc == BECH32_EDATACHAR || rc == BECH32_EMIXEDCASE)
		return ident_error(err, errsz, "'%s' is not a bitcoin address: %s at position %zu",
				   quote(q, sizeof(q), a, len), bech32_strerror(rc), b.pos + 1);
	if (rc != BECH32_OK)
		return ident_error(err, errsz, "'%s' is not a bitcoin address: %s",
				   quote(q, sizeof(q), a, len), bech32_strerror(rc));

	if (strcmp(b.hrp, "bc") == 0)
		network = "mainnet";
	else if (strcmp(b.hrp, "tb") == 0)
		network = "testnet";
	else
		return ident_error(err, errsz,
				   "unknown human-readable part '%s': bitcoin uses 'bc' (mainnet) "
				   "and 'tb' (testnet)",
				   quote(q, sizeof(q), b.hrp, b.hrp_len));

	if (b.data_len < 1)
		return ident_error(err, errsz, "empty segwit address: no witness version");
	version = b.data[0];
	if (version > 16)
		return ident_error(err, errsz, "invalid witness version %u: allowed are 0 to 16",
				   version);
	if (version == 0 && b.encoding != BECH32_BECH32)
		return ident_error(err, errsz,
				   "checksum mismatch: witness version 0 needs a bech32 checksum "
				   "(bip-173), this is bech32m");
	if (version != 0 && b.encoding != BECH32_BECH32M)
		return ident_error(err, errsz,
				   "checksum mismatch: witness version %u needs a bech32m "
				   "checksum (bip-350), this is bech32",
				   version);
	if (bech32_convert_bits(prog, &plen, sizeof(prog), 8, b.data + 1, b.data_len - 1, 5, 0))
		return ident_error(err, errsz, "invalid padding in segwit address '%s'",
				   quote(q, sizeof(q), a, len));
	if (plen < 2 || plen > 40)
		return ident_error(err, errsz,
				   "invalid witness program length %zu: allowed are 2 to 40 bytes",
				   plen);
	if (version == 0 && plen != 20 && plen != 32)
		return ident_error(err, errsz,
				   "invalid witness program length %zu for version 0: allowed are "
				   "20 (p2wpkh) and 32 (p2wsh)",
				   plen);

	if (version == 0)
		type = plen == 20 ? "p2wpkh" : "p2wsh";
	else if (version == 1 && plen == 32)
		type = "p2tr";
	else {
		snprintf(vtype, sizeof(vtype), "witness_v%u", version);
		type = vtype;
	}

	for (size_t i = 0; i < len; i++)
		canon[i] = (char)lower((unsigned char)a[i]);
	rc = set_canonical(out, "btc", canon, len, err, errsz);
	if (rc != IDENT_OK)
		return rc;
	return set_attrs(out, "btc", type, "network", network, err, errsz);
}

static int is_base58(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!s[i] || !memchr(base58_alphabet, s[i], sizeof(base58_alphabet) - 1))
			return 0;
	return 1;
}

/* A human-readable part of letters, then '1' and data: the shape of any bech32 string. */
static int looks_bech32(const char *s, size_t len)
{
	size_t sep = len;

	while (sep > 0 && s[sep - 1] != '1')
		sep--;
	if (sep < 2 || sep - 1 > BECH32_HRP_MAX)
		return 0;
	for (size_t i = 0; i < sep - 1; i++)
		if (lower((unsigned char)s[i]) < 'a' || lower((unsigned char)s[i]) > 'z')
			return 0;
	return 1;
}

static int btc_normalize(struct ident *out, const char *a, size_t len, char *err, size_t errsz)
{
	char q[QUOTE_MAX + 4];

	if (len == 0)
		return ident_error(err, errsz, "no bitcoin address after the prefix");
	if (prefix_is(a, len, "bc1") || prefix_is(a, len, "tb1"))
		return btc_segwit(out, a, len, err, errsz);
	if (prefix_is(a, len, "bcrt1"))
		return ident_error(err, errsz,
				   "'%s' is a regtest address: only mainnet and testnet are "
				   "accepted",
				   quote(q, sizeof(q), a, len));
	if (prefix_is(a, len, "0x"))
		return ident_error(err, errsz,
				   "'%s' looks like an ethereum address, not a bitcoin address",
				   quote(q, sizeof(q), a, len));
	/* Not base58 but bech32-shaped: let the bech32 decoder say what is wrong. */
	if (!is_base58(a, len) && looks_bech32(a, len))
		return btc_segwit(out, a, len, err, errsz);
	return btc_base58(out, a, len, err, errsz);
}

/* ---- ethereum ---- */

static int eth_normalize(struct ident *out, const char *a, size_t len, int explicit_chain,
			 char *err, size_t errsz)
{
	char hex[2 + ETH_HEX_LEN + 1], q[QUOTE_MAX + 4];
	uint8_t hash[KECCAK256_DIGEST_LEN];
	int has_lower = 0, has_upper = 0, checksummed = 1, rc;
	const char *h = a;
	size_t n = len;

	if (prefix_is(a, len, "0x")) {
		h = a + 2;
		n = len - 2;
	} else if (!explicit_chain && !(len > 4 && prefix_is(a + len - 4, 4, ".eth"))) {
		return ident_error(err, errsz, "ethereum address '%s' must start with '0x'",
				   quote(q, sizeof(q), a, len));
	}
	if (n != ETH_HEX_LEN) {
		if (len > 4 && prefix_is(a + len - 4, 4, ".eth"))
			return ident_error(err, errsz,
					   "'%s' is an ens name, not an address: give the 0x "
					   "address it resolves to",
					   quote(q, sizeof(q), a, len));
		return ident_error(err, errsz, "ethereum address '%s' has %zu hex digits, needs 40",
				   quote(q, sizeof(q), a, len), n);
	}
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)h[i];

		if (hexval(c) < 0)
			return ident_error(err, errsz,
					   "invalid character '%s' in ethereum address at "
					   "position %zu: only hex digits 0-9, a-f are allowed",
					   quote(q, sizeof(q), h + i, 1), (size_t)(h - a) + i + 1);
		if (c >= 'a' && c <= 'f')
			has_lower = 1;
		if (c >= 'A' && c <= 'F')
			has_upper = 1;
		hex[i] = (char)lower(c);
	}
	hex[n] = '\0';

	/* EIP-55: letter i is upper case iff nibble i of keccak256(lower-case hex) >= 8. */
	keccak256(hex, n, hash);
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)h[i];
		int nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f;
		int want_upper = nibble >= 8;

		if (hexval(c) < 10)
			continue;
		if (want_upper != (c >= 'A' && c <= 'F')) {
			checksummed = 0;
			if (has_lower && has_upper)
				return ident_error(err, errsz,
						   "eip-55 checksum mismatch in "
						   "'%s': character %zu should be '%c' (mixed "
						   "case must match the checksum)",
						   quote(q, sizeof(q), a, len),
						   (size_t)(h - a) + i + 1,
						   want_upper ? c - 'a' + 'A' : lower(c));
		}
	}

	memmove(hex + 2, hex, n + 1);
	hex[0] = '0';
	hex[1] = 'x';
	rc = set_canonical(out, "eth", hex, n + 2, err, errsz);
	if (rc != IDENT_OK)
		return rc;
	return set_attrs(out, "eth", "account", "checksummed", checksummed ? "true" : "false", err,
			 errsz);
}

/* ---- entry point ---- */

int ident_crypto_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz)
{
	enum chain chain = CHAIN_ANY;
	const char *colon, *query;
	char q[QUOTE_MAX + 4];
	int uri = 0;

	ident_trim(&in, &len);
	if (len == 0)
		return ident_error(err, errsz, "empty crypto address");

	colon = memchr(in, ':', len);
	if (colon) {
		size_t plen = (size_t)(colon - in);

		if (plen == 3 && prefix_is(in, plen, "btc")) {
			chain = CHAIN_BTC;
		} else if (plen == 7 && prefix_is(in, plen, "bitcoin")) {
			chain = CHAIN_BTC;
			uri = 1;
		} else if (plen == 3 && prefix_is(in, plen, "eth")) {
			chain = CHAIN_ETH;
		} else if (plen == 8 && prefix_is(in, plen, "ethereum")) {
			chain = CHAIN_ETH;
			uri = 1;
		} else {
			return ident_error(err, errsz,
					   "unknown chain '%s': known are btc (bitcoin) and eth "
					   "(ethereum)",
					   quote(q, sizeof(q), in, plen));
		}
		len -= plen + 1;
		in = colon + 1;
		while (len && ident_is_space((unsigned char)in[0])) {
			in++;
			len--;
		}
		if (uri) {
			/* BIP-21 / EIP-681 parameters are not part of the address. */
			query = memchr(in, '?', len);
			if (query)
				len = (size_t)(query - in);
		}
		if (chain == CHAIN_ETH && memchr(in, '@', len))
			return ident_error(err, errsz,
					   "'%s': eip-681 chain ids and functions are not "
					   "supported, give the bare 0x address",
					   quote(q, sizeof(q), in, len));
	}

	if (chain == CHAIN_ANY && len > 4 && prefix_is(in + len - 4, 4, ".eth"))
		chain = CHAIN_ETH;
	if (chain == CHAIN_ANY)
		chain = prefix_is(in, len, "0x") ? CHAIN_ETH : CHAIN_BTC;
	if (chain == CHAIN_ETH) {
		if (len == 0)
			return ident_error(err, errsz, "no ethereum address after the prefix");
		return eth_normalize(out, in, len, colon != NULL, err, errsz);
	}
	return btc_normalize(out, in, len, err, errsz);
}
