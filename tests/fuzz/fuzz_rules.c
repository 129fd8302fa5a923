/*
 * fuzz_rules.c - the rules loader on arbitrary bytes, against the shipped
 * taxonomy (read once from DATA_DIR).
 *
 * A failure must leave one printable line of error and no struct.  A document
 * that loads must hold only rules within the documented bounds, whose
 * rule_counts() agrees with their kinds, source, lists and confidence, and
 * publishing it (rules_json) and loading that again must give the same rules.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "taxonomy.h"
#include "util/text.h"

#ifndef DATA_DIR
#define DATA_DIR "data"
#endif

static struct taxonomy *tx;

static void load_taxonomy(void)
{
	char err[TAXONOMY_ERR_MAX];

	if (tx)
		return;
	if (taxonomy_load_file(DATA_DIR "/taxonomy.json", &tx, err, sizeof(err)) != TAXONOMY_OK) {
		fprintf(stderr, "fuzz_rules: %s\n", err);
		abort();
	}
}

static void check_err(int rc, const char *err, size_t errsz)
{
	size_t n = strlen(err);
	json_t *s;

	if ((rc != RULES_EINVAL && rc != RULES_ENOMEM) || n == 0 || n >= errsz)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			abort();
	/* jansson accepts only valid UTF-8 as a string. */
	s = json_string(err);
	if (!s)
		abort();
	json_decref(s);
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static void check_rule(const struct rule *r)
{
	enum rule_source other =
		r->source == RULE_FROM_REPORTS ? RULE_FROM_SIGNALS : RULE_FROM_REPORTS;
	const char *ft = r->nfraud_types ? r->fraud_types[r->nfraud_types - 1] : NULL;
	const char *role = r->nroles ? r->roles[0] : NULL;
	bool seen_kind = false;

	if (!terminated(r->id, sizeof(r->id)) || !text_is_snake_case(r->id, RULE_ID_MAX - 1))
		abort();
	if (r->kinds == 0 || r->kinds >> IDENT_KIND_COUNT)
		abort();
	if (r->threshold < 1 || r->threshold > RULE_THRESHOLD_MAX || r->window_days < 1 ||
	    r->window_days > RULE_WINDOW_MAX || r->min_confidence < 0 || r->min_confidence > 100)
		abort();
	if (r->source == RULE_FROM_REPORTS && r->min_confidence != 0)
		abort();
	if (r->nfraud_types > RULE_CODES_MAX || r->nroles > RULE_CODES_MAX ||
	    r->nactions > RULE_CODES_MAX)
		abort();
	for (size_t i = 0; i < r->nfraud_types; i++)
		if (!taxonomy_has(tx, "fraud_types", r->fraud_types[i]))
			abort();
	for (size_t i = 0; i < r->nroles; i++)
		if (!taxonomy_has(tx, "identifier_roles", r->roles[i]))
			abort();
	for (size_t i = 0; i < r->nactions; i++) {
		const struct rule_action *a = &r->actions[i];

		if (!terminated(a->sector, sizeof(a->sector)))
			abort();
		if ((a->to == RULE_TO_SECTOR) != (a->sector[0] != '\0'))
			abort();
		if (a->to == RULE_TO_SECTOR && !taxonomy_has(tx, "partner_sectors", a->sector))
			abort();
		if (a->to == RULE_TO_SIGNAL_SCOPE && r->source != RULE_FROM_SIGNALS)
			abort();
		if (a->to == RULE_TO_HOLDING_BANK && r->kinds != 1u << IDENT_IBAN)
			abort();
	}
	if (!r->nactions && !r->make_public && !r->shield)
		abort();

	for (int k = 0; k < IDENT_KIND_COUNT; k++) {
		bool in = r->kinds & (1u << k);

		if (rule_counts(r, (enum ident_kind)k, r->source, ft, role, 100) != in)
			abort();
		if (rule_counts(r, (enum ident_kind)k, other, ft, role, 100))
			abort();
		if (!in)
			continue;
		if (!seen_kind && r->source == RULE_FROM_SIGNALS && r->min_confidence > 0 &&
		    rule_counts(r, (enum ident_kind)k, r->source, ft, role, r->min_confidence - 1))
			abort();
		if (r->nfraud_types &&
		    rule_counts(r, (enum ident_kind)k, r->source, NULL, role, 100))
			abort();
		if (r->nroles && rule_counts(r, (enum ident_kind)k, r->source, ft, NULL, 100))
			abort();
		seen_kind = true;
	}
}

/* Loading the published document again must give exactly the same rules. */
static void check_round_trip(const struct rules *rs)
{
	char err[RULES_ERR_MAX];
	struct rules *again = NULL;
	char *text = json_dumps(rules_json(rs), JSON_COMPACT);

	if (!text)
		return;
	if (rules_load_buffer(text, strlen(text), tx, &again, err, sizeof(err)) != RULES_OK)
		abort();
	if (rules_count(again) != rules_count(rs) ||
	    strcmp(rules_version(again), rules_version(rs)))
		abort();
	/* Both come from zeroed memory, so padding and unused bytes compare equal. */
	for (size_t i = 0; i < rules_count(rs); i++)
		if (memcmp(rules_at(rs, i), rules_at(again, i), sizeof(struct rule)))
			abort();
	rules_free(again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[RULES_ERR_MAX];
	struct rules *rs = NULL;
	size_t n;
	int rc;

	load_taxonomy();
	rc = rules_load_buffer((const char *)data, size, tx, &rs, err, sizeof(err));
	if (rc != RULES_OK) {
		if (rs)
			abort();
		check_err(rc, err, sizeof(err));
		return 0;
	}
	n = rules_count(rs);
	if (!rules_version(rs) || strlen(rules_version(rs)) != 10 || n == 0 || n > RULES_MAX ||
	    rules_at(rs, n))
		abort();
	for (size_t i = 0; i < n; i++) {
		check_rule(rules_at(rs, i));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(rules_at(rs, i)->id, rules_at(rs, j)->id))
				abort();
	}
	check_round_trip(rs);
	rules_free(rs);
	return 0;
}
