/* rules.c - load and validate the intervention rules; see rules.h. */
#include "rules.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/mem.h"
#include "util/text.h"

#define TITLE_MAX	200  /* bytes in one title */
#define DESCRIPTION_MAX 1000 /* bytes in one description */
#define NAMES_MAX	160
#define CONFIDENCE_MAX	100

static const char *const target_names[] = {
	[RULE_TO_HOLDING_BANK] = "holding_bank",
	[RULE_TO_TLD_REGISTRY] = "tld_registry",
	[RULE_TO_SECTOR] = "sector",
	[RULE_TO_SIGNAL_SCOPE] = "signal_scope",
	[RULE_TO_IMPERSONATED_BANK] = "impersonated_bank",
};

#define NTARGETS (sizeof(target_names) / sizeof(target_names[0]))
#define TARGETS	 "holding_bank, tld_registry, sector, signal_scope, impersonated_bank"

/* Kinds whose value names a host, so that it has a top-level domain. */
#define HOST_KINDS (1u << IDENT_URL | 1u << IDENT_DOMAIN | 1u << IDENT_EMAIL)
/* The shield blocks sites, nothing else. */
#define SHIELD_KINDS (1u << IDENT_URL | 1u << IDENT_DOMAIN)

struct rules {
	json_t *doc;
	const char *version;
	size_t n;
	struct rule *rules;
};

#define invalid(err, errsz, ...) text_fail(err, errsz, RULES_EINVAL, __VA_ARGS__)
#define nomem(err, errsz)	 text_fail(err, errsz, RULES_ENOMEM, "out of memory")

static const char *kind_names(char *buf, size_t size, unsigned mask)
{
	size_t used = 0;
	int w;

	buf[0] = '\0';
	for (int k = 0; k < IDENT_KIND_COUNT; k++) {
		if (!(mask & (1u << k)))
			continue;
		w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
			     ident_kind_name((enum ident_kind)k));
		if (w < 0 || (size_t)w >= size - used)
			break;
		used += (size_t)w;
	}
	return buf;
}

#define ALL_KINDS ((1u << IDENT_KIND_COUNT) - 1)

/* ---- texts ---- */

/* {"nl": ..., "en": ...}, both required, nothing else: the public page shows both. */
static int check_texts(json_t *texts, const char *what, size_t max, const char *where, char *err,
		       size_t errsz)
{
	return text_check_langs(texts, what, max, NULL, where, err, errsz) ? RULES_EINVAL
									   : RULES_OK;
}

/* ---- when ---- */

static int check_kinds(json_t *list, struct rule *r, const char *where, char *err, size_t errsz)
{
	char names[NAMES_MAX];
	enum ident_kind k;
	size_t i;
	json_t *v;

	if (!list)
		return invalid(err, errsz, "%s: missing when.kinds", where);
	if (!json_is_array(list) || json_array_size(list) == 0)
		return invalid(err, errsz,
			       "%s: when.kinds must be a non-empty array of identifier kinds",
			       where);
	json_array_foreach(list, i, v)
	{
		if (!json_is_string(v))
			return invalid(err, errsz, "%s: when.kinds[%zu] must be a string", where,
				       i);
		if (ident_kind_parse(json_string_value(v), &k) != 0)
			return invalid(err, errsz,
				       "%s: when.kinds: unknown identifier kind '%.64s' "
				       "(allowed: %s)",
				       where, json_string_value(v),
				       kind_names(names, sizeof(names), ALL_KINDS));
		if (r->kinds & (1u << k))
			return invalid(err, errsz, "%s: when.kinds lists '%s' twice", where,
				       json_string_value(v));
		r->kinds |= 1u << k;
	}
	return RULES_OK;
}

static int check_int(json_t *v, const char *key, int min, int max, const char *what, int *out,
		     const char *where, char *err, size_t errsz)
{
	if (!v)
		return invalid(err, errsz, "%s: missing when.%s", where, key);
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return invalid(err, errsz, "%s: when.%s must be a whole number from %d to %d%s",
			       where, key, min, max, what);
	*out = (int)json_integer_value(v);
	return RULES_OK;
}

/*
 * when.fraud_types or when.roles: distinct codes of a taxonomy section, kept
 * in the fixed-size table of struct rule.  A role must be able to occur with
 * one of the rule's kinds, or the rule could never count it.
 */
static int check_codes(json_t *list, const char *key, const char *section, const char *noun,
		       const struct taxonomy *tx, struct rule *r, char codes[][RULE_ID_MAX],
		       size_t *n, const char *where, char *err, size_t errsz)
{
	bool usable;
	const char *code;
	char names[NAMES_MAX];
	size_t i;
	json_t *v;

	if (!json_is_array(list))
		return invalid(err, errsz, "%s: when.%s must be an array of codes", where, key);
	if (json_array_size(list) > RULE_CODES_MAX)
		return invalid(err, errsz, "%s: when.%s has %zu codes, at most %d allowed", where,
			       key, json_array_size(list), RULE_CODES_MAX);
	json_array_foreach(list, i, v)
	{
		if (!json_is_string(v))
			return invalid(err, errsz, "%s: when.%s[%zu] must be a string", where, key,
				       i);
		code = json_string_value(v);
		if (!taxonomy_has(tx, section, code))
			return invalid(err, errsz,
				       "%s: when.%s: unknown %s '%.64s' (allowed: the codes "
				       "of the taxonomy's %s)",
				       where, key, noun, code, section);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(code, codes[j]))
				return invalid(err, errsz, "%s: when.%s lists '%s' twice", where,
					       key, code);
		if (!strcmp(section, "identifier_roles")) {
			usable = false;
			for (int k = 0; k < IDENT_KIND_COUNT; k++)
				if ((r->kinds & (1u << k)) &&
				    taxonomy_allows_kind(tx, section, code, (enum ident_kind)k))
					usable = true;
			if (!usable)
				return invalid(err, errsz,
					       "%s: when.roles: role '%s' is never held by an "
					       "identifier of kind %s",
					       where, code,
					       kind_names(names, sizeof(names), r->kinds));
		}
		if ((size_t)snprintf(codes[i], RULE_ID_MAX, "%s", code) >= RULE_ID_MAX)
			return invalid(err, errsz,
				       "%s: when.%s: code '%.64s' is longer than %d "
				       "bytes, the most a rule can hold",
				       where, key, code, RULE_ID_MAX - 1);
		*n = i + 1;
	}
	return RULES_OK;
}

#define WHEN_MEMBERS "kinds, source, threshold, window_days, fraud_types, roles, min_confidence"

static bool when_member(const char *key)
{
	static const char *const members[] = {
		"kinds",       "source", "threshold",	   "window_days",
		"fraud_types", "roles",	 "min_confidence",
	};

	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (!strcmp(key, members[i]))
			return true;
	return false;
}

static int check_when(json_t *when, struct rule *r, const struct taxonomy *tx, const char *where,
		      char *err, size_t errsz)
{
	const char *key, *s;
	json_t *v;
	int rc;

	if (!when)
		return invalid(err, errsz, "%s: missing when", where);
	if (!json_is_object(when))
		return invalid(err, errsz, "%s: when must be an object with " WHEN_MEMBERS, where);
	json_object_foreach(when, key, v)
	{
		if (!when_member(key))
			return invalid(err, errsz, "%s: when: unknown member '%.64s' (allowed: %s)",
				       where, key, WHEN_MEMBERS);
	}
	rc = check_kinds(json_object_get(when, "kinds"), r, where, err, errsz);
	if (rc != RULES_OK)
		return rc;
	v = json_object_get(when, "source");
	if (!v)
		return invalid(err, errsz, "%s: missing when.source", where);
	s = json_string_value(v);
	if (s && !strcmp(s, "reports"))
		r->source = RULE_FROM_REPORTS;
	else if (s && !strcmp(s, "signals"))
		r->source = RULE_FROM_SIGNALS;
	else
		return invalid(err, errsz, "%s: when.source must be \"reports\" or \"signals\"",
			       where);
	rc = check_int(json_object_get(when, "threshold"), "threshold", 1, RULE_THRESHOLD_MAX,
		       " (independent sources)", &r->threshold, where, err, errsz);
	if (rc == RULES_OK)
		rc = check_int(json_object_get(when, "window_days"), "window_days", 1,
			       RULE_WINDOW_MAX, "", &r->window_days, where, err, errsz);
	if (rc != RULES_OK)
		return rc;
	v = json_object_get(when, "fraud_types");
	if (v) {
		rc = check_codes(v, "fraud_types", "fraud_types", "fraud type", tx, r,
				 r->fraud_types, &r->nfraud_types, where, err, errsz);
		if (rc != RULES_OK)
			return rc;
	}
	v = json_object_get(when, "roles");
	if (v) {
		rc = check_codes(v, "roles", "identifier_roles", "identifier role", tx, r, r->roles,
				 &r->nroles, where, err, errsz);
		if (rc != RULES_OK)
			return rc;
	}
	v = json_object_get(when, "min_confidence");
	if (v) {
		if (r->source != RULE_FROM_SIGNALS)
			return invalid(err, errsz,
				       "%s: when.min_confidence applies only to source "
				       "\"signals\" (reports have no confidence)",
				       where);
		rc = check_int(v, "min_confidence", 0, CONFIDENCE_MAX, "", &r->min_confidence,
			       where, err, errsz);
	}
	return rc;
}

/* ---- then ---- */

#define ACTION_MEMBERS "to, sector, raw"

static int check_action(json_t *e, size_t i, struct rule *r, const struct taxonomy *tx,
			const char *where, char *err, size_t errsz)
{
	struct rule_action *a = &r->actions[i];
	char names[NAMES_MAX];
	const char *key, *to;
	size_t t;
	json_t *v;

	if (!json_is_object(e))
		return invalid(err, errsz,
			       "%s: then.alert[%zu] must be an object with " ACTION_MEMBERS, where,
			       i);
	json_object_foreach(e, key, v)
	{
		if (strcmp(key, "to") && strcmp(key, "sector") && strcmp(key, "raw"))
			return invalid(err, errsz,
				       "%s: then.alert[%zu]: unknown member '%.64s' "
				       "(allowed: " ACTION_MEMBERS ")",
				       where, i, key);
	}
	v = json_object_get(e, "to");
	if (!v)
		return invalid(err, errsz, "%s: then.alert[%zu]: missing to", where, i);
	to = json_string_value(v);
	for (t = 0; to && t < NTARGETS; t++)
		if (!strcmp(to, target_names[t]))
			break;
	if (!to || t == NTARGETS)
		return invalid(err, errsz, "%s: then.alert[%zu]: to must be one of " TARGETS, where,
			       i);
	a->to = (enum rule_target)t;
	v = json_object_get(e, "sector");
	if (a->to == RULE_TO_SECTOR) {
		if (!v)
			return invalid(err, errsz,
				       "%s: then.alert[%zu]: to \"sector\" needs a sector", where,
				       i);
		if (!json_is_string(v) ||
		    !taxonomy_has(tx, "partner_sectors", json_string_value(v)))
			return invalid(err, errsz,
				       "%s: then.alert[%zu]: unknown sector '%.64s' (allowed: "
				       "the codes of the taxonomy's partner_sectors)",
				       where, i, json_is_string(v) ? json_string_value(v) : "");
		if ((size_t)snprintf(a->sector, sizeof(a->sector), "%s", json_string_value(v)) >=
		    sizeof(a->sector))
			return invalid(err, errsz,
				       "%s: then.alert[%zu]: sector '%.64s' is longer than %zu "
				       "bytes, the most a rule can hold",
				       where, i, json_string_value(v), sizeof(a->sector) - 1);
	} else if (v) {
		return invalid(err, errsz,
			       "%s: then.alert[%zu]: sector is only for to \"sector\", not "
			       "\"%s\"",
			       where, i, target_names[a->to]);
	}
	v = json_object_get(e, "raw");
	if (!v)
		return invalid(err, errsz, "%s: then.alert[%zu]: missing raw", where, i);
	if (!json_is_boolean(v))
		return invalid(err, errsz, "%s: then.alert[%zu]: raw must be true or false", where,
			       i);
	a->raw = json_is_true(v);

	/* A target the rule's writes cannot resolve would be an alert nobody gets. */
	if (a->to == RULE_TO_HOLDING_BANK && r->kinds != 1u << IDENT_IBAN)
		return invalid(err, errsz,
			       "%s: then.alert[%zu]: holding_bank needs when.kinds to be only "
			       "iban, not %s",
			       where, i, kind_names(names, sizeof(names), r->kinds));
	if (a->to == RULE_TO_TLD_REGISTRY && (r->kinds & ~HOST_KINDS))
		return invalid(err, errsz,
			       "%s: then.alert[%zu]: tld_registry needs when.kinds among url, "
			       "domain, email, not %s",
			       where, i, kind_names(names, sizeof(names), r->kinds & ~HOST_KINDS));
	if (a->to == RULE_TO_SIGNAL_SCOPE && r->source != RULE_FROM_SIGNALS)
		return invalid(err, errsz,
			       "%s: then.alert[%zu]: signal_scope needs when.source \"signals\"",
			       where, i);
	for (size_t j = 0; j < i; j++)
		if (r->actions[j].to == a->to && !strcmp(r->actions[j].sector, a->sector))
			return invalid(
				err, errsz,
				"%s: then.alert[%zu] repeats then.alert[%zu] (to \"%s\"%s%s)",
				where, i, j, target_names[a->to], a->sector[0] ? ", " : "",
				a->sector);
	r->nactions = i + 1;
	return RULES_OK;
}

static int check_flag(json_t *then, const char *key, bool *out, const char *where, char *err,
		      size_t errsz)
{
	json_t *v = json_object_get(then, key);

	if (!v)
		return invalid(err, errsz, "%s: missing then.%s", where, key);
	if (!json_is_boolean(v))
		return invalid(err, errsz, "%s: then.%s must be true or false", where, key);
	*out = json_is_true(v);
	return RULES_OK;
}

#define THEN_MEMBERS "alert, public, shield"

static int check_then(json_t *then, struct rule *r, const struct taxonomy *tx, const char *where,
		      char *err, size_t errsz)
{
	char names[NAMES_MAX];
	const char *key;
	json_t *v, *alert;
	size_t i;
	int rc;

	if (!then)
		return invalid(err, errsz, "%s: missing then", where);
	if (!json_is_object(then))
		return invalid(err, errsz, "%s: then must be an object with " THEN_MEMBERS, where);
	json_object_foreach(then, key, v)
	{
		if (strcmp(key, "alert") && strcmp(key, "public") && strcmp(key, "shield"))
			return invalid(err, errsz, "%s: then: unknown member '%.64s' (allowed: %s)",
				       where, key, THEN_MEMBERS);
	}
	alert = json_object_get(then, "alert");
	if (!alert)
		return invalid(err, errsz, "%s: missing then.alert", where);
	if (!json_is_array(alert))
		return invalid(err, errsz, "%s: then.alert must be an array of recipients", where);
	if (json_array_size(alert) > RULE_CODES_MAX)
		return invalid(err, errsz, "%s: then.alert has %zu recipients, at most %d allowed",
			       where, json_array_size(alert), RULE_CODES_MAX);
	json_array_foreach(alert, i, v)
	{
		rc = check_action(v, i, r, tx, where, err, errsz);
		if (rc != RULES_OK)
			return rc;
	}
	rc = check_flag(then, "public", &r->make_public, where, err, errsz);
	if (rc == RULES_OK)
		rc = check_flag(then, "shield", &r->shield, where, err, errsz);
	if (rc != RULES_OK)
		return rc;
	if (r->shield && (r->kinds & ~SHIELD_KINDS))
		return invalid(err, errsz,
			       "%s: then.shield holds only urls and domains; when.kinds also "
			       "lists %s",
			       where, kind_names(names, sizeof(names), r->kinds & ~SHIELD_KINDS));
	if (!r->nactions && !r->make_public && !r->shield)
		return invalid(err, errsz,
			       "%s: then: the rule does nothing; list an alert or set public or "
			       "shield to true",
			       where);
	return RULES_OK;
}

/* ---- document ---- */

#define RULE_MEMBERS "id, title, description, when, then"

static int check_rule(json_t *e, size_t i, struct rules *rs, const struct taxonomy *tx, char *err,
		      size_t errsz)
{
	struct rule *r = &rs->rules[i];
	char where[RULE_ID_MAX + 32];
	const char *key, *id;
	json_t *v;
	int rc;

	snprintf(where, sizeof(where), "rules[%zu]", i);
	if (!json_is_object(e))
		return invalid(err, errsz, "%s: must be an object", where);
	v = json_object_get(e, "id");
	if (!v)
		return invalid(err, errsz, "%s: missing id", where);
	if (!json_is_string(v))
		return invalid(err, errsz, "%s: id must be a string", where);
	id = json_string_value(v);
	if (!text_is_snake_case(id, RULE_ID_MAX - 1))
		return invalid(err, errsz,
			       "%s: id '%.64s' is not snake_case (allowed: a-z and 0-9 in "
			       "words joined by single '_', at most %d bytes)",
			       where, id, RULE_ID_MAX - 1);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(id, rs->rules[j].id))
			return invalid(err, errsz, "%s: duplicate id '%s', first at rules[%zu]",
				       where, id, j);
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(where, sizeof(where), "rules[%zu] '%s'", i, id);
	json_object_foreach(e, key, v)
	{
		if (strcmp(key, "id") && strcmp(key, "title") && strcmp(key, "description") &&
		    strcmp(key, "when") && strcmp(key, "then"))
			return invalid(err, errsz, "%s: unknown member '%.64s' (allowed: %s)",
				       where, key, RULE_MEMBERS);
	}
	rc = check_texts(json_object_get(e, "title"), "title", TITLE_MAX, where, err, errsz);
	if (rc == RULES_OK)
		rc = check_texts(json_object_get(e, "description"), "description", DESCRIPTION_MAX,
				 where, err, errsz);
	if (rc == RULES_OK)
		rc = check_when(json_object_get(e, "when"), r, tx, where, err, errsz);
	if (rc == RULES_OK)
		rc = check_then(json_object_get(e, "then"), r, tx, where, err, errsz);
	return rc;
}

static int check_document(struct rules *rs, const struct taxonomy *tx, char *err, size_t errsz)
{
	json_t *list, *e;
	size_t i;
	int rc;

	if (text_data_head(rs->doc, RULES_SCHEMA_VERSION, "rules", RULES_MAX, &list, &rs->version,
			   err, errsz))
		return RULES_EINVAL;
	rs->rules = mem_calloc(json_array_size(list), sizeof(*rs->rules));
	if (!rs->rules)
		return nomem(err, errsz);
	json_array_foreach(list, i, e)
	{
		rc = check_rule(e, i, rs, tx, err, errsz);
		if (rc != RULES_OK)
			return rc;
		rs->n = i + 1;
	}
	return RULES_OK;
}

int rules_load_buffer(const char *buf, size_t len, const struct taxonomy *tx, struct rules **out,
		      char *err, size_t errsz)
{
	struct rules *rs;
	int rc;

	*out = NULL;
	if (err && errsz)
		err[0] = '\0';
	if (!buf)
		buf = "";
	rs = mem_calloc(1, sizeof(*rs));
	if (!rs)
		return nomem(err, errsz);
	rc = text_load_json(buf, len, &rs->doc, err, errsz);
	if (rc)
		rc = rc == TEXT_ENOMEM ? RULES_ENOMEM : RULES_EINVAL;
	else
		rc = check_document(rs, tx, err, errsz);
	if (rc != RULES_OK) {
		text_sanitize(err, errsz);
		rules_free(rs);
		return rc;
	}
	*out = rs;
	return RULES_OK;
}

void rules_free(struct rules *rs)
{
	if (!rs)
		return;
	mem_free(rs->rules);
	json_decref(rs->doc);
	mem_free(rs);
}

json_t *rules_json(const struct rules *rs)
{
	return rs->doc;
}

const char *rules_version(const struct rules *rs)
{
	return rs->version;
}

size_t rules_count(const struct rules *rs)
{
	return rs->n;
}

const struct rule *rules_at(const struct rules *rs, size_t i)
{
	return i < rs->n ? &rs->rules[i] : NULL;
}

static bool listed(const char codes[][RULE_ID_MAX], size_t n, const char *code)
{
	if (n == 0)
		return true;
	if (!code)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(codes[i], code))
			return true;
	return false;
}

bool rule_counts(const struct rule *r, enum ident_kind kind, enum rule_source src,
		 const char *fraud_type, const char *role, int confidence)
{
	if ((unsigned)kind >= IDENT_KIND_COUNT || !(r->kinds & (1u << kind)) || r->source != src)
		return false;
	if (!listed(r->fraud_types, r->nfraud_types, fraud_type) ||
	    !listed(r->roles, r->nroles, role))
		return false;
	return src != RULE_FROM_SIGNALS || confidence >= r->min_confidence;
}
