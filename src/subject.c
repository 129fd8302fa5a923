/* subject.c - requests of data subjects; see subject.h. */
#include "subject.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "partner.h"
#include "pseudonym.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/mem.h"

void subject_request_release(struct subject_request *r)
{
	if (!r)
		return;
	mem_free(r->sealed);
	mem_free(r->answer);
	mem_free(r->decision_reason);
	r->sealed = NULL;
	r->answer = NULL;
	r->decision_reason = NULL;
}

void subject_requests_free(struct subject_request *rs, size_t n)
{
	for (size_t i = 0; rs && i < n; i++)
		subject_request_release(&rs[i]);
	mem_free(rs);
}

int subject_seal(const struct pseudonym_key *key, struct subject_request *r, const char *value,
		 const char *contact, const char *reason)
{
	json_t *doc = json_pack("{s:s,s:s}", "value", value, "contact", contact);
	char *text;
	size_t len, cap;
	int rc = -1;

	if (doc && reason)
		json_object_set_new(doc, "reason", json_string(reason));
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!text)
		return -1;
	len = strlen(text);
	cap = len + PSEUDONYM_SEAL_OVERHEAD;
	mem_free(r->sealed);
	r->sealed = mem_alloc(cap);
	if (r->sealed && pseudonym_seal(key, r->pseudonym, (const uint8_t *)text, len, r->sealed,
					cap, &r->sealed_len) == 0)
		rc = 0;
	sodium_memzero(text, len);
	mem_free(text);
	if (rc) {
		mem_free(r->sealed);
		r->sealed = NULL;
	}
	return rc;
}

json_t *subject_open(const struct pseudonym_key *key, const struct subject_request *r)
{
	size_t n, got;
	char *text;
	json_t *doc = NULL;

	if (!r->sealed || r->sealed_len <= PSEUDONYM_SEAL_OVERHEAD)
		return NULL;
	n = r->sealed_len - PSEUDONYM_SEAL_OVERHEAD;
	text = mem_alloc(n + 1);
	if (!text)
		return NULL;
	if (pseudonym_open(key, r->pseudonym, r->sealed, r->sealed_len, (uint8_t *)text, n, &got) ==
	    0) {
		text[got] = '\0';
		doc = json_loads(text, 0, NULL);
	}
	sodium_memzero(text, n);
	mem_free(text);
	return doc;
}

char *subject_notice(const char *type, const char *reason, const char *kind,
		     const uint8_t pseudonym[SUBJECT_PSEUDONYM_BYTES], const char *status)
{
	char b64[sodium_base64_ENCODED_LEN(SUBJECT_PSEUDONYM_BYTES,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	json_t *doc;
	char *text;

	sodium_bin2base64(b64, sizeof(b64), pseudonym, SUBJECT_PSEUDONYM_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	doc = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", type, "reason", reason, "kind", kind,
			"pseudonym", b64, "status", status);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return text;
}

/* ---- the answer to an access request ---- */

struct disclosures {
	const struct partner *ps;
	size_t np;
	json_t *list;
	int rc;
};

/* What an audit act disclosed, as the answer names it; NULL for acts that disclosed nothing. */
static const char *what_of(const char *act)
{
	static const struct {
		const char *act, *what;
	} acts[] = {
		{ "alert.delivered", "alert" },	     { "retraction.delivered", "retraction" },
		{ "identifier.decrypted", "value" }, { "lookup.hit", "lookup" },
		{ "referral.delivered", "report" },  { "case.read", "report" },
	};

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (strcmp(act, acts[i].act) == 0)
			return acts[i].what;
	return NULL;
}

static int each_entry(void *arg, int64_t idx, const char *entry, const uint8_t *leaf)
{
	struct disclosures *d = arg;
	json_t *e = json_loads(entry, 0, NULL), *item;
	const char *actor = json_string_value(json_object_get(e, "actor"));
	const char *act = json_string_value(json_object_get(e, "act"));
	const char *at = json_string_value(json_object_get(e, "at"));
	const char *what = act ? what_of(act) : NULL;
	const struct partner *p = NULL;
	long long id;
	int used = 0;

	(void)idx;
	(void)leaf;
	if (actor && at && what && sscanf(actor, "partner:%lld%n", &id, &used) == 1 &&
	    actor[used] == '\0') {
		for (size_t i = 0; i < d->np; i++)
			if (d->ps[i].id == id)
				p = &d->ps[i];
		/* A partner no longer registered is still named, by its number. */
		item = json_pack("{s:s,s:s,s:s,s:s}", "organisation", p ? p->name : actor, "sector",
				 p ? p->sector : "", "what", what, "at", at);
		if (!item || json_array_append_new(d->list, item))
			d->rc = STORE_ENOMEM;
	}
	json_decref(e);
	return d->rc;
}

static const char *kind_text(const char *kind, int en)
{
	static const struct {
		const char *kind, *nl, *en;
	} names[] = {
		{ "iban", "het rekeningnummer", "the account number" },
		{ "phone", "het telefoonnummer", "the phone number" },
		{ "url", "het webadres", "the web address" },
		{ "domain", "de domeinnaam", "the domain name" },
		{ "email", "het e-mailadres", "the e-mail address" },
		{ "crypto", "het cryptoadres", "the crypto address" },
		{ "handle", "het account", "the account" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(kind, names[i].kind) == 0)
			return en ? names[i].en : names[i].nl;
	return en ? "the identifier" : "het gegeven";
}

static const char *what_text(const char *what, int en)
{
	static const struct {
		const char *what, *nl, *en;
	} names[] = {
		{ "alert", "een waarschuwing", "an alert" },
		{ "retraction", "een intrekking", "a retraction" },
		{ "value", "het gegeven zelf", "the identifier itself" },
		{ "lookup", "een opvraging", "a look-up" },
		{ "report", "een melding", "a report" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(what, names[i].what) == 0)
			return en ? names[i].en : names[i].nl;
	return what;
}

static const char *status_text(const char *status, int en)
{
	if (strcmp(status, "confirmed") == 0)
		return en ? "confirmed by a partner organisation" : "bevestigd door een partner";
	if (strcmp(status, "disputed") == 0)
		return en ? "disputed: it is not shown in the public check"
			  : "betwist: het staat niet in de openbare controle";
	if (strcmp(status, "cleared") == 0)
		return en ? "cleared: it is not shown and not shared"
			  : "vrijgegeven: het wordt niet getoond en niet gedeeld";
	return en ? "reported" : "gemeld";
}

/* The answer in words: "2026-11-23T21:00:00Z" shows as "2026-11-23 21:00 UTC". */
static char *answer_text(json_t *a, int en)
{
	const char *kind = json_string_value(json_object_get(a, "kind"));
	json_t *list = json_object_get(a, "recipients"), *it;
	struct buf b = BUF_INIT(64 * 1024);
	size_t i, len;
	int oom = 0;

	if (json_is_true(json_object_get(a, "registered"))) {
		const char *first = json_string_value(json_object_get(a, "first_seen"));

		oom |= BUF_ENOMEM ==
		       buf_addf(&b,
				en ? "Yes: %s you asked about is registered with Signaal, since "
				     "%.10s. "
				     "Reports: %d. Signals from partner organisations: %d. Status: "
				     "%s."
				   : "Ja: %s waarnaar u vraagt staat bij Signaal geregistreerd, "
				     "sinds "
				     "%.10s. Meldingen: %d. Signalen van partnerorganisaties: %d. "
				     "Status: "
				     "%s.",
				kind_text(kind, en), first ? first : "",
				(int)json_integer_value(json_object_get(a, "reports")),
				(int)json_integer_value(json_object_get(a, "signals")),
				status_text(json_string_value(json_object_get(a, "status")), en));
	} else {
		oom |= BUF_ENOMEM ==
		       buf_addf(&b,
				en ? "No: %s you asked about is not registered with Signaal."
				   : "Nee: %s waarnaar u vraagt staat niet bij Signaal "
				     "geregistreerd.",
				kind_text(kind, en));
	}
	if (json_array_size(list) == 0) {
		oom |= BUF_ENOMEM ==
		       buf_addf(&b, en ? " It was not shared with any organisation."
				       : " Het is met geen enkele organisatie gedeeld.");
	} else {
		oom |= BUF_ENOMEM ==
		       buf_addf(&b, en ? " It was shared with:" : " Het is gedeeld met:");
		json_array_foreach(list, i, it)
		{
			const char *at = json_string_value(json_object_get(it, "at"));
			const char *sector = json_string_value(json_object_get(it, "sector"));

			/* A long history is cut short, not failed: the list has it all. */
			int w = buf_addf(
				&b, "%s %s%s%s%s, %.10s %.5s UTC: %s", i ? ";" : "",
				json_string_value(json_object_get(it, "organisation")),
				sector && *sector ? " (" : "", sector ? sector : "",
				sector && *sector ? ")" : "", at, strlen(at) > 11 ? at + 11 : "",
				what_text(json_string_value(json_object_get(it, "what")), en));

			oom |= w == BUF_ENOMEM;
			if (w)
				break;
		}
		oom |= buf_addf(&b, ".") == BUF_ENOMEM;
	}
	if (oom || !b.data) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, &len);
}

int subject_answer(struct store *st, const struct audit_keys *keys, const struct subject_request *r,
		   const char *now, json_t **out)
{
	struct identifier_facts f;
	struct disclosures d = { 0 };
	struct partner *ps = NULL;
	uint8_t commit[AUDIT_COMMIT_BYTES];
	json_t *a;
	char *text;
	size_t np = 0;
	int rc;

	*out = NULL;
	rc = store_identifier_facts(st, r->pseudonym, &f);
	if (rc && rc != STORE_ENOTFOUND)
		return rc;
	a = json_pack("{s:b,s:s}", "registered", rc == STORE_OK, "kind", r->kind);
	if (!a)
		return STORE_ENOMEM;
	if (rc == STORE_OK) {
		json_object_set_new(a, "status", json_string(f.status));
		json_object_set_new(a, "first_seen", json_string(f.first_seen));
		json_object_set_new(a, "last_seen", json_string(f.last_seen));
		json_object_set_new(a, "reports", json_integer(f.reports));
		json_object_set_new(a, "signals", json_integer(f.signals));
	}
	rc = store_partner_list(st, &ps, &np);
	d.ps = ps;
	d.np = np;
	d.list = json_array();
	if (!rc && !d.list)
		rc = STORE_ENOMEM;
	if (!rc) {
		audit_commit_identifier(keys, r->pseudonym, commit);
		rc = store_audit_by_subject(st, commit, each_entry, &d);
		if (!rc)
			rc = d.rc;
	}
	mem_free(ps);
	if (rc) {
		json_decref(d.list);
		json_decref(a);
		return rc;
	}
	json_object_set_new(a, "recipients", d.list);
	json_object_set_new(a, "answered_at", json_string(now));
	text = answer_text(a, strcmp(r->language, "en") == 0);
	if (!text) {
		json_decref(a);
		return STORE_ENOMEM;
	}
	json_object_set_new(a, "text", json_string(text));
	mem_free(text);
	*out = a;
	return STORE_OK;
}
