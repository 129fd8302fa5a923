/* purge.c - `signaal purge [--dry-run] [--json]`: retention, run by the operator. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config.h"
#include "purge.h"
#include "store/store.h"
#include "util/mem.h"

static const struct {
	const char *name;
	const char *what;
} classes[] = {
	{ "narratives", "reports whose description was erased" },
	{ "additions", "additions whose text was erased" },
	{ "contacts", "reports whose contact details and reporter were erased" },
	{ "raw_identifiers", "registry identifiers whose raw value was erased" },
	{ "report_raw_identifiers", "report identifiers whose raw value was erased" },
	{ "signals", "partner signals deleted" },
	{ "feedback", "feedback on those signals deleted" },
	{ "alerts", "delivered or dead alerts deleted from the outbox" },
	{ "subject_requests", "decided data-subject requests deleted" },
};

static int print_text(const struct purge_policy *p, json_t *counts)
{
	char policy[256];

	purge_policy_summary(p, policy, sizeof(policy));
	printf("%s (%s)\n", p->dry_run ? "dry run: would erase" : "erased", policy);
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		json_t *v = json_object_get(counts, classes[i].name);

		if (json_is_integer(v))
			printf("  %-24s %8lld  %s\n", classes[i].name,
			       (long long)json_integer_value(v), classes[i].what);
		else
			printf("  %-24s %8s  %s\n", classes[i].name, "-", "not in this database");
	}
	return 0;
}

int cmd_purge(int argc, char **argv)
{
	struct purge_policy policy;
	struct purge_counts counts;
	struct config cfg;
	struct store *st;
	char **rest = mem_calloc((size_t)argc + 1, sizeof(*rest));
	json_t *doc = NULL;
	int json = 0, dry_run = 0, nrest = 0, npos, rc;

	if (!rest)
		return 1;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			dry_run = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			rest[nrest++] = argv[i];
	}
	rc = cmd_setup("purge", &cfg, nrest, rest, NULL, 0, &npos);
	mem_free(rest);
	if (rc)
		return rc;
	purge_policy_from_config(&policy, &cfg);
	policy.dry_run = dry_run;
	/* Purging a database that is not there is a mistake, not an empty success. */
	if (cmd_open_store(&cfg, STORE_OPEN_EXISTING, 1, &st))
		return 1;
	rc = purge_run(st, NULL, &policy, "operator", &counts);
	store_close(st);
	if (rc) {
		cmd_error("purge %s: %s",
			  dry_run ? "failed"
				  : "stopped part-way (what was erased is "
				    "in the audit log)",
			  store_strerror(rc));
		return 1;
	}
	doc = purge_counts_json(&counts);
	if (!doc) {
		cmd_error("out of memory");
		return 1;
	}
	if (json) {
		char policy_s[256];
		json_t *out;

		purge_policy_summary(&policy, policy_s, sizeof(policy_s));
		out = json_pack("{s:b, s:s, s:O, s:I, s:I}", "dry_run", dry_run, "policy", policy_s,
				"counts", doc, "batches", (json_int_t)counts.batches,
				"longest_batch_ms", (json_int_t)counts.longest_batch_ms);
		if (!out || json_dumpf(out, stdout, JSON_COMPACT) != 0) {
			json_decref(out);
			json_decref(doc);
			cmd_error("cannot write the counts");
			return 1;
		}
		putchar('\n');
		json_decref(out);
	} else {
		print_text(&policy, doc);
	}
	json_decref(doc);
	return 0;
}
