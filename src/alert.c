/* alert.c - rules applied to what reports name, and alerts to partners; see alert.h. */
#include "alert.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "ident/ident.h"
#include "partner.h"
#include "pseudonym.h"
#include "report.h"
#include "rules.h"
#include "partner_signal.h"
#include "store/store.h"
#include "casecode.h"
#include "util/log.h"
#include "util/mem.h"

void alerts_free(struct alert *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		mem_free(a[i].payload);
		mem_free(a[i].sealed);
	}
	mem_free(a);
}

/* RFC 3339 time `days` before `now` (also RFC 3339), for window queries. */
static void days_before(const char *now, int days, char out[32])
{
	struct tm tm = { 0 };
	time_t t;

	if (sscanf(now, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		snprintf(out, 32, "%s", now);
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm) - (time_t)days * 86400;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct counter {
	const struct rule *rule;
	char prefix; /* 'r' reports, 'p' partners */
	char last[80];
	int count;
};

static int list_has(const char list[][RULE_ID_MAX], size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], v) == 0)
			return 1;
	return 0;
}

/* Counts distinct sources (rows come ordered by source) that meet the rule's filters. */
static int count_source(void *arg, const struct alert_source *src)
{
	struct counter *c = arg;
	const struct rule *r = c->rule;

	if (src->source[0] != c->prefix)
		return 0;
	if (r->nfraud_types && !list_has(r->fraud_types, r->nfraud_types, src->fraud_type))
		return 0;
	if (r->nroles && !list_has(r->roles, r->nroles, src->role))
		return 0;
	if (c->prefix == 'p' && src->confidence < r->min_confidence)
		return 0;
	if (strcmp(src->source, c->last) != 0) {
		c->count++;
		snprintf(c->last, sizeof(c->last), "%s", src->source);
	}
	return 0;
}

/* Recipients of one firing: each partner once, raw if any action entitles it. */
struct recipients {
	size_t n;
	int64_t id[64];
	int raw[64];
};

static void recipient_add(struct recipients *rc, int64_t id, int raw)
{
	for (size_t i = 0; i < rc->n; i++) {
		if (rc->id[i] == id) {
			rc->raw[i] |= raw;
			return;
		}
	}
	if (rc->n < sizeof(rc->id) / sizeof(rc->id[0])) {
		rc->id[rc->n] = id;
		rc->raw[rc->n++] = raw;
	}
}

static void resolve(const struct rule *rule, const struct report_ident *id,
		    const struct partner *ps, size_t np, struct recipients *out)
{
	out->n = 0;
	for (size_t a = 0; a < rule->nactions; a++) {
		const struct rule_action *act = &rule->actions[a];

		for (size_t i = 0; i < np; i++) {
			const struct partner *p = &ps[i];
			int match = 0;

			if (p->disabled)
				continue;
			switch (act->to) {
			case RULE_TO_HOLDING_BANK:
				match = id->kind == IDENT_IBAN && strcmp(p->sector, "bank") == 0 &&
					id->routing[0] &&
					partner_list_has(p->bank_codes, id->routing);
				break;
			case RULE_TO_TLD_REGISTRY:
				match = strcmp(p->sector, "registry") == 0 && id->routing[0] &&
					partner_list_has(p->tlds, id->routing);
				break;
			case RULE_TO_SECTOR: match = strcmp(p->sector, act->sector) == 0; break;
			case RULE_TO_SIGNAL_SCOPE:	/* partner signals only */
			case RULE_TO_IMPERSONATED_BANK: /* a report does not say which bank */
				break;
			}
			if (match)
				recipient_add(out, p->id, act->raw);
		}
	}
}

static char *payload(const struct rule *rule, const struct report_ident *id, const struct report *r,
		     int sources)
{
	char b64[sodium_base64_ENCODED_LEN(ALERT_PSEUDONYM_BYTES,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	json_t *doc;
	char *text;

	sodium_bin2base64(b64, sizeof(b64), id->pseudonym, ALERT_PSEUDONYM_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	doc = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:s,s:s}", "type", "alert", "rule", rule->id,
			"kind", ident_kind_name(id->kind), "pseudonym", b64, "independent_sources",
			sources, "window_days", rule->window_days, "fraud_type", r->fraud_type,
			"fired_at", r->created_at);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return text;
}

static int fire_rules(struct alert_ctx *ctx, struct report *r, struct report_ident *id,
		      struct partner **ps, size_t *np)
{
	for (size_t k = 0; k < rules_count(ctx->rules); k++) {
		const struct rule *rule = rules_at(ctx->rules, k);
		struct counter cnt = { rule, 'r', "", 0 };
		struct recipients rcpt;
		char since[32], reason[160], *body;
		int fired, rc;

		if (!rule_counts(rule, id->kind, RULE_FROM_REPORTS, r->fraud_type, id->role, 0))
			continue;
		days_before(r->created_at, rule->window_days, since);
		rc = store_tx_sources(ctx->store, id->pseudonym, since, count_source, &cnt);
		if (rc)
			return rc;
		if (cnt.count < rule->threshold)
			continue;
		rc = store_tx_fired_since(ctx->store, rule->id, id->pseudonym, since, &fired);
		if (rc)
			return rc;
		if (fired)
			continue; /* once per identifier per window; other rules still apply */
		snprintf(reason, sizeof(reason), "%d independent report%s within %d days",
			 cnt.count, cnt.count == 1 ? "" : "s", rule->window_days);
		rc = store_tx_firing_add(ctx->store, rule->id, id->pseudonym, r->created_at,
					 cnt.count, reason);
		if (rc)
			return rc;
		if (!*ps) {
			rc = store_partner_list(ctx->store, ps, np);
			if (rc)
				return rc;
		}
		resolve(rule, id, *ps, *np, &rcpt);
		body = payload(rule, id, r, cnt.count);
		if (!body)
			return STORE_ENOMEM;
		for (size_t i = 0; i < rcpt.n && !rc; i++)
			rc = store_tx_outbox_add(ctx->store, rcpt.id[i], "alert", id->pseudonym,
						 rcpt.raw[i], body, r->created_at);
		mem_free(body);
		if (rc)
			return rc;
	}
	return STORE_OK;
}

/*
 * The partner a consented recipient means: the bank holding the account
 * the money went to, the police, the helpdesk, victim support, or the
 * marketplace.  NULL when there is none (the referral waits as pending).
 */
static const struct partner *referral_partner(enum recipient rc, const struct report *r,
					      const struct partner *ps, size_t np)
{
	static const char *const sectors[RECIPIENT_COUNT] = {
		[RECIPIENT_BANK] = "bank",
		[RECIPIENT_POLICE] = "police",
		[RECIPIENT_HELPDESK] = "helpdesk",
		[RECIPIENT_VICTIM_SUPPORT] = "victim_support",
		[RECIPIENT_PLATFORM] = "marketplace",
	};

	for (size_t i = 0; i < np; i++) {
		if (ps[i].disabled || strcmp(ps[i].sector, sectors[rc]) != 0)
			continue;
		if (rc != RECIPIENT_BANK)
			return &ps[i];
		for (size_t k = 0; k < r->nidents; k++)
			if (r->idents[k].kind == IDENT_IBAN && r->idents[k].routing[0] &&
			    partner_list_has(ps[i].bank_codes, r->idents[k].routing))
				return &ps[i];
	}
	return NULL;
}

static int route_referrals(struct alert_ctx *ctx, struct report *r, struct partner **ps, size_t *np)
{
	static const char payload[] = "{\"type\":\"referral\"}";
	int rc = STORE_OK;

	if (!r->consent)
		return STORE_OK;
	if (!*ps && (rc = store_partner_list(ctx->store, ps, np)) != STORE_OK)
		return rc;
	for (int i = 0; i < RECIPIENT_COUNT && rc == STORE_OK; i++) {
		const struct partner *p;

		if (!(r->consent & (1u << i)))
			continue;
		p = referral_partner((enum recipient)i, r, *ps, *np);
		if (p)
			rc = store_tx_referral_route(ctx->store, r->id,
						     recipient_name((enum recipient)i), p->id,
						     payload, r->created_at);
	}
	return rc;
}

int alert_after_report(void *arg, struct report *r)
{
	struct alert_ctx *ctx = arg;
	struct partner *ps = NULL;
	size_t np = 0;
	int rc = STORE_OK;

	for (size_t i = 0; i < r->nidents && rc == STORE_OK; i++) {
		struct report_ident *id = &r->idents[i];
		int dup = 0;

		/* The same identifier twice in one report counts once. */
		for (size_t j = 0; j < i; j++)
			dup |= memcmp(r->idents[j].pseudonym, id->pseudonym,
				      ALERT_PSEUDONYM_BYTES) == 0;
		if (dup)
			continue;
		rc = store_tx_identifier_touch(ctx->store, id->pseudonym, ident_kind_name(id->kind),
					       id->sealed, id->sealed_len, id->routing, 0,
					       r->created_at);
		if (!rc)
			rc = store_tx_source_add(ctx->store, id->pseudonym,
						 r->reporter[0] ? r->reporter : "r:unknown",
						 r->fraud_type, id->role, 0, r->created_at);
		if (!rc && ctx->rules)
			rc = fire_rules(ctx, r, id, &ps, &np);
	}
	if (rc == STORE_OK)
		rc = route_referrals(ctx, r, &ps, &np);
	for (size_t i = 0; i < np; i++)
		sodium_memzero(ps[i].webhook_secret, sizeof(ps[i].webhook_secret));
	mem_free(ps);
	return rc;
}

/*
 * The report a referral carries: what the victim told, as the victim's
 * case shows it, without the case code and without who else received it.
 */
static void referral_add_report(json_t *doc, const struct alert *a, struct store *st,
				const struct pseudonym_key *key, struct alert_disclosure *disc)
{
	uint8_t hash[CASECODE_HASH_BYTES];
	char recipient[32];
	int64_t partner;
	struct case_view cv;
	json_t *rep, *ids, *adds;
	const struct report *r = &cv.report;

	if (!st ||
	    store_referral_case(st, a->referral, hash, &partner, recipient, sizeof(recipient)) ||
	    report_case_load(st, key, hash, &cv))
		return;
	if (strcmp(r->status, "open") != 0) {
		json_object_set_new(doc, "withdrawn", json_true());
		case_view_release(&cv);
		return;
	}
	ids = json_array();
	for (size_t i = 0; ids && i < r->nidents; i++)
		json_array_append_new(ids,
				      json_pack("{s:s,s:s?,s:s?}", "kind",
						ident_kind_name(r->idents[i].kind), "value",
						r->idents[i].canonical, "role",
						r->idents[i].role[0] ? r->idents[i].role : NULL));
	adds = json_array();
	for (size_t i = 0; adds && i < cv.nadditions; i++)
		json_array_append_new(adds, json_pack("{s:s,s:s?}", "at", cv.additions[i].at,
						      "description", cv.additions[i].description));
	rep = json_pack("{s:s,s:s,s:s?,s:s?,s:s?,s:o,s:o,s:s?,s:s?,s:s?,s:s}", "fraud_type",
			r->fraud_type, "channels", r->channels, "description", r->description,
			"occurred_at", r->occurred_at[0] ? r->occurred_at : NULL, "payment_method",
			r->payment_method[0] ? r->payment_method : NULL, "identifiers",
			ids ? ids : json_array(), "additions", adds ? adds : json_array(),
			"municipality", r->municipality[0] ? r->municipality : NULL, "age_band",
			r->age_band[0] ? r->age_band : NULL, "victim_type",
			r->victim_type[0] ? r->victim_type : NULL, "reported_at", r->created_at);
	if (rep && r->has_loss)
		json_object_set_new(rep, "loss",
				    json_pack("{s:I,s:s}", "amount_cents",
					      (json_int_t)r->loss_cents, "currency", r->currency));
	if (rep && r->contact)
		json_object_set_new(rep, "contact", json_loads(r->contact, 0, NULL));
	json_object_set_new(doc, "report", rep);
	json_object_set_new(doc, "recipient", json_string(recipient));
	disc->has_case = rep != NULL;
	memcpy(disc->case_hash, hash, sizeof(disc->case_hash));
	case_view_release(&cv);
}

char *alert_render(const struct alert *a, struct store *st, const struct pseudonym_key *key,
		   size_t *len, struct alert_disclosure *disc)
{
	json_t *doc = json_loads(a->payload ? a->payload : "{}", 0, NULL);
	char *text;

	memset(disc, 0, sizeof(*disc));
	if (!doc)
		return NULL;
	if (a->referral)
		json_object_set_new(doc, "referral_id", json_integer(a->referral));
	if (strcmp(a->event, "referral") == 0 && a->referral)
		referral_add_report(doc, a, st, key, disc);
	json_object_set_new(doc, "id", json_integer(a->id));
	json_object_set_new(doc, "event", json_string(a->event));
	json_object_set_new(doc, "created_at", json_string(a->created_at));
	if (a->raw && a->sealed && a->has_pseudonym && key &&
	    a->sealed_len > PSEUDONYM_SEAL_OVERHEAD) {
		size_t n = a->sealed_len - PSEUDONYM_SEAL_OVERHEAD, outlen;
		char *value = mem_alloc(n + 1);

		/* Opened only here, for a recipient a rule entitles to the raw value. */
		if (value && pseudonym_open(key, a->pseudonym, a->sealed, a->sealed_len,
					    (uint8_t *)value, n, &outlen) == 0) {
			value[outlen] = '\0';
			json_object_set_new(doc, "value", json_string(value));
			disc->raw = true;
			sodium_memzero(value, n);
		}
		mem_free(value);
	}
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	*len = text ? strlen(text) : 0;
	return text;
}

void alert_audit(struct audit *au, const struct alert *a, const struct alert_disclosure *disc,
		 const char *channel)
{
	const struct audit_keys *k = au ? audit_keys_of(au) : NULL;
	uint8_t subjects[2][AUDIT_COMMIT_BYTES];
	struct audit_event ev = { .ref = channel, .subjects = (const uint8_t(*)[16])subjects };
	char actor[32], act[32];
	json_t *detail;

	if (!au)
		return;
	snprintf(actor, sizeof(actor), "partner:%lld", (long long)a->partner);
	snprintf(act, sizeof(act), "%s.delivered", a->event);
	ev.actor = actor;
	ev.act = act;
	if (a->has_pseudonym)
		audit_commit_identifier(k, a->pseudonym, subjects[ev.nsubjects++]);
	if (disc->has_case)
		audit_commit_case(k, disc->case_hash, sizeof(disc->case_hash),
				  subjects[ev.nsubjects++]);
	detail = json_pack("{s:I}", "alert", (json_int_t)a->id);
	ev.detail = detail;
	if (audit_record(au, &ev, NULL, NULL))
		log_error("audit: cannot record a delivery", "channel", channel);
	/* What the delivery opened: each its own entry, as the log's readers expect. */
	if (disc->raw && a->has_pseudonym) {
		ev.act = "identifier.decrypted";
		ev.nsubjects = 1;
		if (audit_record(au, &ev, NULL, NULL))
			log_error("audit: cannot record a decryption", "channel", channel);
	}
	if (disc->has_case) {
		ev.act = "case.read";
		ev.subjects = (const uint8_t(*)[16])subjects[a->has_pseudonym ? 1 : 0];
		ev.nsubjects = 1;
		if (audit_record(au, &ev, NULL, NULL))
			log_error("audit: cannot record a case read", "channel", channel);
	}
	json_decref(detail);
}

/*
 * TLP decides who may get a signal at all, whatever a rule says: RED only
 * the partners named in the scope, AMBER (and AMBER+STRICT) only partners
 * within the scope, GREEN and CLEAR whom the rule names.  Never the sender.
 */
static int tlp_allows(const struct signal *s, const struct partner *p)
{
	int named = partner_list_has(s->scope_partners, p->name);
	int in_scope = named || partner_list_has(s->scope_sectors, p->sector);

	if (p->id == s->partner)
		return 0;
	switch (s->tlp) {
	case TLP_RED: return named;
	case TLP_AMBER:
	case TLP_AMBER_STRICT: return in_scope;
	default: return 1;
	}
}

static void resolve_signal(const struct rule *rule, const struct signal *s,
			   const struct partner *ps, size_t np, struct recipients *out)
{
	out->n = 0;
	for (size_t a = 0; a < rule->nactions; a++) {
		const struct rule_action *act = &rule->actions[a];

		for (size_t i = 0; i < np; i++) {
			const struct partner *p = &ps[i];
			int match = 0;

			if (p->disabled || !tlp_allows(s, p))
				continue;
			switch (act->to) {
			case RULE_TO_SIGNAL_SCOPE:
				match = partner_list_has(s->scope_partners, p->name) ||
					partner_list_has(s->scope_sectors, p->sector);
				break;
			case RULE_TO_HOLDING_BANK:
				match = s->kind == IDENT_IBAN && strcmp(p->sector, "bank") == 0 &&
					s->routing[0] &&
					partner_list_has(p->bank_codes, s->routing);
				break;
			case RULE_TO_TLD_REGISTRY:
				match = strcmp(p->sector, "registry") == 0 && s->routing[0] &&
					partner_list_has(p->tlds, s->routing);
				break;
			case RULE_TO_SECTOR: match = strcmp(p->sector, act->sector) == 0; break;
			case RULE_TO_IMPERSONATED_BANK: break;
			}
			if (match)
				recipient_add(out, p->id, act->raw);
		}
	}
}

int alert_after_signal(void *arg, struct signal *s)
{
	struct alert_ctx *ctx = arg;
	struct partner *ps = NULL;
	size_t np = 0;
	char source[32], b64[sodium_base64_ENCODED_LEN(ALERT_PSEUDONYM_BYTES,
						       sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	int rc;

	snprintf(source, sizeof(source), "p:%lld", (long long)s->partner);
	rc = store_tx_identifier_touch(ctx->store, s->pseudonym, ident_kind_name(s->kind),
				       s->sealed, s->sealed_len, s->routing, 1, s->created_at);
	if (!rc)
		rc = store_tx_source_add(ctx->store, s->pseudonym, source, s->fraud_type, "",
					 s->confidence, s->created_at);
	for (size_t k = 0; !rc && ctx->rules && k < rules_count(ctx->rules); k++) {
		const struct rule *rule = rules_at(ctx->rules, k);
		struct counter cnt = { rule, 'p', "", 0 };
		struct recipients rcpt;
		char since[32], reason[160], *body;
		json_t *doc;
		int fired;

		if (!rule_counts(rule, s->kind, RULE_FROM_SIGNALS, s->fraud_type, "",
				 s->confidence))
			continue;
		days_before(s->created_at, rule->window_days, since);
		rc = store_tx_sources(ctx->store, s->pseudonym, since, count_source, &cnt);
		if (rc || cnt.count < rule->threshold)
			continue;
		rc = store_tx_fired_since(ctx->store, rule->id, s->pseudonym, since, &fired);
		if (rc || fired)
			continue;
		snprintf(reason, sizeof(reason), "%d partner signal%s within %d days", cnt.count,
			 cnt.count == 1 ? "" : "s", rule->window_days);
		rc = store_tx_firing_add(ctx->store, rule->id, s->pseudonym, s->created_at,
					 cnt.count, reason);
		if (!rc && !ps)
			rc = store_partner_list(ctx->store, &ps, &np);
		if (rc)
			break;
		resolve_signal(rule, s, ps, np, &rcpt);
		sodium_bin2base64(b64, sizeof(b64), s->pseudonym, ALERT_PSEUDONYM_BYTES,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:i,s:s}", "type", "alert", "rule",
				rule->id, "kind", ident_kind_name(s->kind), "pseudonym", b64,
				"fraud_type", s->fraud_type, "confidence", s->confidence, "tlp",
				tlp_name(s->tlp), "independent_sources", cnt.count, "fired_at",
				s->created_at);
		if (doc && s->modus_operandi)
			json_object_set_new(doc, "modus_operandi", json_string(s->modus_operandi));
		body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
		json_decref(doc);
		if (!body) {
			rc = STORE_ENOMEM;
			break;
		}
		for (size_t i = 0; i < rcpt.n && !rc; i++)
			rc = store_tx_outbox_add(ctx->store, rcpt.id[i], "alert", s->pseudonym,
						 rcpt.raw[i], body, s->created_at);
		mem_free(body);
	}
	for (size_t i = 0; i < np; i++)
		sodium_memzero(ps[i].webhook_secret, sizeof(ps[i].webhook_secret));
	mem_free(ps);
	return rc;
}

int alert_after_withdraw(void *arg, const struct withdrawn_ident *ids, size_t n, const char *now)
{
	struct alert_ctx *ctx = arg;
	char b64[sodium_base64_ENCODED_LEN(ALERT_PSEUDONYM_BYTES,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	int rc = STORE_OK;

	for (size_t i = 0; i < n && rc == STORE_OK && ctx->rules; i++) {
		for (size_t k = 0; k < rules_count(ctx->rules) && rc == STORE_OK; k++) {
			const struct rule *rule = rules_at(ctx->rules, k);
			struct counter cnt = { rule, 'r', "", 0 };
			char since[32], *body;
			json_t *doc;
			int fired;

			if (rule->source != RULE_FROM_REPORTS ||
			    !(rule->kinds & (1u << ids[i].kind)))
				continue;
			days_before(now, rule->window_days, since);
			rc = store_tx_fired_since(ctx->store, rule->id, ids[i].pseudonym, since,
						  &fired);
			if (rc || !fired)
				continue;
			rc = store_tx_sources(ctx->store, ids[i].pseudonym, since, count_source,
					      &cnt);
			if (rc || cnt.count >= rule->threshold)
				continue;
			/* Without this report the rule would not have fired: take it back. */
			sodium_bin2base64(b64, sizeof(b64), ids[i].pseudonym, ALERT_PSEUDONYM_BYTES,
					  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
			doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i}", "type", "retraction", "reason",
					"report_withdrawn", "rule", rule->id, "kind",
					ident_kind_name((enum ident_kind)ids[i].kind), "pseudonym",
					b64, "independent_sources", cnt.count);
			body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
			json_decref(doc);
			if (!body)
				return STORE_ENOMEM;
			rc = store_tx_firing_retract(ctx->store, rule->id, ids[i].pseudonym, since,
						     now, body);
			mem_free(body);
		}
	}
	return rc;
}
