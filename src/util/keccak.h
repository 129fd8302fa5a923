/*
 * keccak.h - Keccak-256 as Ethereum uses it.
 *
 * This is the original Keccak submission (padding byte 0x01), not FIPS 202
 * SHA3-256 (padding 0x06): the two give different digests for the same input.
 * Ethereum fixed its hash before FIPS 202 was published, so EIP-55 address
 * checksums need this variant, which libsodium does not provide.
 */
#ifndef SIGNAAL_UTIL_KECCAK_H
#define SIGNAAL_UTIL_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define KECCAK256_DIGEST_LEN 32

/* Write the 32-byte Keccak-256 digest of `len` bytes at `data` into `out`. */
void keccak256(const void *data, size_t len, uint8_t out[KECCAK256_DIGEST_LEN]);

#endif
