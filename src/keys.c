/* keys.c - creating and reading the key files; see keys.h. */
#include "keys.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"

const char *const keys_purposes[] = { "pseudonym", "audit", NULL };

#define KEY_MAGIC "signaal-key v1 "

int keys_path(const char *data_dir, const char *purpose, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/keys/%s.key", data_dir, purpose);

	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

static int key_create(const char *path, const char *purpose, char *err, size_t errsz)
{
	uint8_t seed[KEY_SEED_BYTES];
	char b64[sodium_base64_ENCODED_LEN(KEY_SEED_BYTES,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	char line[160];
	int n, rc;

	randombytes_buf(seed, sizeof(seed));
	sodium_bin2base64(b64, sizeof(b64), seed, sizeof(seed),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(seed, sizeof(seed));
	n = snprintf(line, sizeof(line), KEY_MAGIC "%s %s\n", purpose, b64);
	sodium_memzero(b64, sizeof(b64));
	rc = n < 0 || (size_t)n >= sizeof(line) ? -1
						: fs_write_new(path, line, (size_t)n, err, errsz);
	sodium_memzero(line, sizeof(line));
	return rc;
}

int keys_ensure(const char *data_dir, int *created, char *err, size_t errsz)
{
	char dir[1100], path[1100];

	if (created)
		*created = 0;
	snprintf(dir, sizeof(dir), "%s/keys", data_dir);
	if (fs_mkdir_p(dir, 0700, err, errsz))
		return -1;
	for (size_t i = 0; keys_purposes[i]; i++) {
		if (keys_path(data_dir, keys_purposes[i], path, sizeof(path))) {
			snprintf(err, errsz, "data directory name too long");
			return -1;
		}
		if (access(path, F_OK) == 0)
			continue;
		if (errno != ENOENT) {
			snprintf(err, errsz, "cannot check '%s': %s", path, strerror(errno));
			return -1;
		}
		if (key_create(path, keys_purposes[i], err, errsz))
			return -1;
		if (created)
			(*created)++;
	}
	return 0;
}

/*
 * libsodium 1.0.18 reads every byte from 0x80 up as '_', so a damaged key
 * file could pass as another seed.  No branch on the seed's characters.
 */
static int ascii_only(const char *s, size_t n)
{
	unsigned char high = 0;

	for (size_t i = 0; i < n; i++)
		high |= (unsigned char)s[i];
	return !(high & 0x80);
}

int keys_load_seed(const char *data_dir, const char *purpose, uint8_t seed[KEY_SEED_BYTES],
		   char *err, size_t errsz)
{
	char path[1100], text[200], want[64];
	size_t seedlen = 0;
	struct stat sb;
	const char *b64, *end;
	long n;
	int rc = -1;

	if (keys_path(data_dir, purpose, path, sizeof(path))) {
		snprintf(err, errsz, "data directory name too long");
		return -1;
	}
	if (stat(path, &sb) == 0 && (sb.st_mode & 077)) {
		/* As ssh does: a secret that others can read may be known already. */
		snprintf(err, errsz,
			 "key file '%s' is accessible by others (mode %04o); "
			 "run 'chmod 600' on it",
			 path, (unsigned)(sb.st_mode & 07777));
		return -1;
	}
	n = fs_read_small(path, text, sizeof(text) - 1, err, errsz);
	if (n < 0)
		return -1;
	text[n] = '\0';
	snprintf(want, sizeof(want), KEY_MAGIC "%s ", purpose);
	if (strncmp(text, want, strlen(want)) != 0) {
		snprintf(err, errsz, "key file '%s' is not a signaal %s key", path, purpose);
		goto out;
	}
	b64 = text + strlen(want);
	end = b64 + strcspn(b64, "\n");
	if (!ascii_only(b64, (size_t)(end - b64)) ||
	    sodium_base642bin(seed, KEY_SEED_BYTES, b64, (size_t)(end - b64), NULL, &seedlen, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
	    seedlen != KEY_SEED_BYTES) {
		snprintf(err, errsz, "key file '%s' is damaged: expected a %d-byte base64url seed",
			 path, KEY_SEED_BYTES);
		sodium_memzero(seed, KEY_SEED_BYTES);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(text, sizeof(text));
	return rc;
}

int keys_fingerprint(const char *data_dir, char out[KEYS_FINGERPRINT_HEX], char *err, size_t errsz)
{
	static const char label[] = "signaal key fingerprint v1";
	crypto_generichash_state all;
	uint8_t seed[KEY_SEED_BYTES], one[32], fp[16];

	crypto_generichash_init(&all, NULL, 0, sizeof(fp));
	for (size_t i = 0; keys_purposes[i]; i++) {
		if (keys_load_seed(data_dir, keys_purposes[i], seed, err, errsz)) {
			sodium_memzero(seed, sizeof(seed));
			return -1;
		}
		/* Keyed by the seed: a commitment to it, not a way back. */
		crypto_generichash(one, sizeof(one), (const uint8_t *)label, sizeof(label) - 1,
				   seed, sizeof(seed));
		sodium_memzero(seed, sizeof(seed));
		crypto_generichash_update(&all, (const uint8_t *)keys_purposes[i],
					  strlen(keys_purposes[i]) + 1);
		crypto_generichash_update(&all, one, sizeof(one));
	}
	crypto_generichash_final(&all, fp, sizeof(fp));
	sodium_bin2hex(out, KEYS_FINGERPRINT_HEX, fp, sizeof(fp));
	return 0;
}
