/* report.c - submitting reports and working cases; see report.h. */
#include "report.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "util/mem.h"

static const char *const recipient_names[RECIPIENT_COUNT] = {
	[RECIPIENT_BANK] = "bank",	   [RECIPIENT_POLICE] = "police",
	[RECIPIENT_HELPDESK] = "helpdesk", [RECIPIENT_VICTIM_SUPPORT] = "victim_support",
	[RECIPIENT_PLATFORM] = "platform",
};

const char *recipient_name(enum recipient r)
{
	return (unsigned)r < RECIPIENT_COUNT ? recipient_names[r] : "unknown";
}

int recipient_parse(const char *name, enum recipient *out)
{
	for (int i = 0; i < RECIPIENT_COUNT; i++) {
		if (strcmp(name, recipient_names[i]) == 0) {
			*out = (enum recipient)i;
			return 0;
		}
	}
	return -1;
}

void report_now(char out[REPORT_TIME_MAX])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, REPORT_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void ident_wipe(struct report_ident *id)
{
	if (id->canonical) {
		sodium_memzero(id->canonical, strlen(id->canonical));
		mem_free(id->canonical);
	}
	mem_free(id->sealed);
	id->canonical = NULL;
	id->sealed = NULL;
	id->sealed_len = 0;
}

void report_release(struct report *r)
{
	for (size_t i = 0; i < r->nidents; i++)
		ident_wipe(&r->idents[i]);
	mem_free(r->description);
	if (r->contact) {
		sodium_memzero(r->contact, strlen(r->contact));
		mem_free(r->contact);
	}
	mem_free(r->contact_sealed);
	memset(r, 0, sizeof(*r));
}

void case_view_release(struct case_view *cv)
{
	report_release(&cv->report);
	for (size_t i = 0; i < cv->nadditions; i++)
		mem_free(cv->additions[i].description);
	mem_free(cv->additions);
	memset(cv, 0, sizeof(*cv));
}

/* Pseudonym and sealed raw value for each identifier; the canonical text is wiped. */
static int idents_prepare(const struct pseudonym_key *key, struct report_ident *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct report_ident *id = &ids[i];
		size_t len = strlen(id->canonical), outlen;

		if (pseudonym_compute(key, ident_kind_name(id->kind), id->canonical, len,
				      id->pseudonym))
			return STORE_EINVAL;
		id->sealed = mem_alloc(len + PSEUDONYM_SEAL_OVERHEAD);
		if (!id->sealed)
			return STORE_ENOMEM;
		if (pseudonym_seal(key, id->pseudonym, (const uint8_t *)id->canonical, len,
				   id->sealed, len + PSEUDONYM_SEAL_OVERHEAD, &outlen))
			return STORE_EINVAL;
		id->sealed_len = outlen;
		sodium_memzero(id->canonical, len);
		mem_free(id->canonical);
		id->canonical = NULL;
	}
	return STORE_OK;
}

/*
 * Contact details are sealed under the pseudonym key with the case hash's
 * first bytes in the place of a pseudonym, so that a sealed value cannot
 * be moved to another report.
 */
static void contact_ad(const uint8_t hash[CASECODE_HASH_BYTES], uint8_t ad[PSEUDONYM_BYTES])
{
	crypto_generichash(ad, PSEUDONYM_BYTES, hash, CASECODE_HASH_BYTES,
			   (const unsigned char *)"signaal contact v1", 18);
}

int report_prepare(const struct pseudonym_key *key, struct report *r, char code[CASECODE_TEXT_MAX])
{
	int rc;

	casecode_new(code, r->case_hash);
	if (!r->created_at[0])
		report_now(r->created_at);
	snprintf(r->status, sizeof(r->status), "open");
	rc = idents_prepare(key, r->idents, r->nidents);
	if (rc)
		return rc;
	if (r->contact) {
		size_t len = strlen(r->contact), outlen;
		uint8_t ad[PSEUDONYM_BYTES];

		contact_ad(r->case_hash, ad);
		r->contact_sealed = mem_alloc(len + PSEUDONYM_SEAL_OVERHEAD);
		if (!r->contact_sealed)
			return STORE_ENOMEM;
		if (pseudonym_seal(key, ad, (const uint8_t *)r->contact, len, r->contact_sealed,
				   len + PSEUDONYM_SEAL_OVERHEAD, &outlen))
			return STORE_EINVAL;
		r->contact_sealed_len = outlen;
	}
	return STORE_OK;
}

/* Opens a sealed value into a new string; NULL if it does not open. */
static char *open_sealed(const struct pseudonym_key *key, const uint8_t ad[PSEUDONYM_BYTES],
			 const uint8_t *sealed, size_t len)
{
	size_t outlen;
	char *s;

	if (len < PSEUDONYM_SEAL_OVERHEAD)
		return NULL;
	s = mem_alloc(len - PSEUDONYM_SEAL_OVERHEAD + 1);
	if (!s)
		return NULL;
	if (pseudonym_open(key, ad, sealed, len, (uint8_t *)s, len - PSEUDONYM_SEAL_OVERHEAD,
			   &outlen)) {
		mem_free(s);
		return NULL;
	}
	s[outlen] = '\0';
	return s;
}

int report_case_load(struct store *st, const struct pseudonym_key *key,
		     const uint8_t hash[CASECODE_HASH_BYTES], struct case_view *out)
{
	struct report *r = &out->report;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_case_get(st, hash, out);
	if (rc) {
		case_view_release(out);
		return rc;
	}
	for (size_t i = 0; i < r->nidents; i++)
		r->idents[i].canonical = open_sealed(key, r->idents[i].pseudonym,
						     r->idents[i].sealed, r->idents[i].sealed_len);
	if (r->contact_sealed) {
		uint8_t ad[PSEUDONYM_BYTES];

		contact_ad(hash, ad);
		r->contact = open_sealed(key, ad, r->contact_sealed, r->contact_sealed_len);
	}
	return STORE_OK;
}

int report_case_add(struct store *st, const struct pseudonym_key *key,
		    const uint8_t hash[CASECODE_HASH_BYTES], const char *description,
		    struct report_ident *idents, size_t nidents)
{
	char now[REPORT_TIME_MAX];
	int rc = idents_prepare(key, idents, nidents);

	if (rc)
		return rc;
	report_now(now);
	return store_case_add(st, hash, now, description, idents, nidents);
}

int report_case_consent(struct store *st, const uint8_t hash[CASECODE_HASH_BYTES], unsigned consent)
{
	char now[REPORT_TIME_MAX];

	report_now(now);
	return store_case_consent(st, hash, consent, now);
}

int report_case_withdraw(struct store *st, const uint8_t hash[CASECODE_HASH_BYTES])
{
	char now[REPORT_TIME_MAX];

	report_now(now);
	return store_case_withdraw(st, hash, now);
}
