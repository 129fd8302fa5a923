/* partner_signal.c - partner signals; see partner_signal.h. */
#include "partner_signal.h"
#include "feedback.h"

#include <sodium.h>
#include <string.h>

#include "store/store.h"
#include "util/mem.h"

static const char *const tlp_names[] = { "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED" };

const char *tlp_name(enum tlp t)
{
	return (unsigned)t <= TLP_RED ? tlp_names[t] : "RED";
}

int tlp_parse(const char *s, enum tlp *out)
{
	for (int i = 0; i <= TLP_RED; i++) {
		if (strcmp(s, tlp_names[i]) == 0) {
			*out = (enum tlp)i;
			return 0;
		}
	}
	return -1;
}

void signal_release(struct signal *s)
{
	if (s->canonical) {
		sodium_memzero(s->canonical, strlen(s->canonical));
		mem_free(s->canonical);
	}
	mem_free(s->sealed);
	mem_free(s->modus_operandi);
	memset(s, 0, sizeof(*s));
}

int signal_prepare(const struct pseudonym_key *key, struct signal *s)
{
	size_t len = strlen(s->canonical), outlen;

	if (pseudonym_compute(key, ident_kind_name(s->kind), s->canonical, len, s->pseudonym))
		return STORE_EINVAL;
	s->sealed = mem_alloc(len + PSEUDONYM_SEAL_OVERHEAD);
	if (!s->sealed)
		return STORE_ENOMEM;
	if (pseudonym_seal(key, s->pseudonym, (const uint8_t *)s->canonical, len, s->sealed,
			   len + PSEUDONYM_SEAL_OVERHEAD, &outlen))
		return STORE_EINVAL;
	s->sealed_len = outlen;
	sodium_memzero(s->canonical, len);
	mem_free(s->canonical);
	s->canonical = NULL;
	return STORE_OK;
}

void feedback_list_free(struct feedback *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++)
		mem_free(f[i].note);
	mem_free(f);
}
