/* partner.c - `signaal partner add|list` and `signaal partner key create|revoke`. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cmd/cmd.h"
#include "config.h"
#include "deliver/webhook.h"
#include "embedded.h"
#include "partner.h"
#include "report.h"
#include "store/store.h"
#include "taxonomy.h"
#include "util/mem.h"

/* The taxonomy the program carries, for checking sectors. */
static int taxonomy_ok(struct taxonomy **tx)
{
	const struct embedded_file *f = embedded_find("data/taxonomy.json");
	char err[512];

	if (!f || taxonomy_load_buffer((const char *)f->data, f->len, tx, err, sizeof(err))) {
		cmd_error("BUG: the taxonomy the program carries does not load");
		return 0;
	}
	return 1;
}

/* Appends `v` to a comma-separated list; -1 if it does not fit. */
static int list_add(char *list, size_t size, const char *v)
{
	size_t n = strlen(list);
	int w = snprintf(list + n, size - n, "%s%s", n ? "," : "", v);

	return w < 0 || (size_t)w >= size - n ? -1 : 0;
}

/*
 * Records an administrative act done from the command line in the audit
 * log; the act is done already, so a failure is reported and the command
 * fails, but nothing is undone.
 */
static int audited(struct store *st, const char *act, const char *ref, json_t *detail)
{
	const struct audit_event ev = {
		.actor = "operator", .act = act, .ref = ref, .detail = detail
	};
	int rc = audit_append_now(st, &ev);

	json_decref(detail);
	if (rc)
		cmd_error("%s was done but could not be recorded in the audit log: %s", act,
			  store_strerror(rc));
	return rc ? 1 : 0;
}

int cmd_partner_add(int argc, char **argv)
{
	struct partner p = { 0 };
	struct config cfg;
	struct store *st;
	char **rest = mem_calloc((size_t)argc + 1, sizeof(*rest)), err[400];
	struct taxonomy *tx = NULL;
	bool secret_made = false;
	int nrest = 0, npos, rc = EXIT_USAGE;

	if (!rest)
		return 1;
	for (int i = 0; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		char *field = NULL;
		size_t size = 0;

		if (strcmp(opt, "--name") == 0)
			field = p.name, size = sizeof(p.name);
		else if (strcmp(opt, "--sector") == 0)
			field = p.sector, size = sizeof(p.sector);
		else if (strcmp(opt, "--webhook") == 0)
			field = p.webhook_url, size = sizeof(p.webhook_url);
		else if (strcmp(opt, "--webhook-secret") == 0)
			field = p.webhook_secret, size = sizeof(p.webhook_secret);
		if (field || strcmp(opt, "--bank-code") == 0 || strcmp(opt, "--tld") == 0) {
			if (!val) {
				cmd_error("option '%s' needs a value", opt);
				goto out;
			}
			i++;
			if (strcmp(opt, "--bank-code") == 0) {
				if (!partner_bank_code_valid(val) ||
				    list_add(p.bank_codes, sizeof(p.bank_codes), val)) {
					cmd_error("invalid bank code '%s': expected four capital "
						  "letters "
						  "like ABNA",
						  val);
					goto out;
				}
			} else if (strcmp(opt, "--tld") == 0) {
				if (!partner_tld_valid(val) ||
				    list_add(p.tlds, sizeof(p.tlds), val)) {
					cmd_error("invalid top-level domain '%s': expected a "
						  "lower-case "
						  "label like nl, without dots",
						  val);
					goto out;
				}
			} else if ((size_t)snprintf(field, size, "%s", val) >= size) {
				cmd_error("value of '%s' is too long", opt);
				goto out;
			}
			continue;
		}
		rest[nrest++] = argv[i];
	}
	rc = cmd_setup("partner add", &cfg, nrest, rest, NULL, 0, &npos);
	if (rc)
		goto out;
	rc = EXIT_USAGE;
	if (!p.name[0] || !p.sector[0]) {
		cmd_error("--name and --sector are required (see 'signaal partner add --help')");
		goto out;
	}
	if (!taxonomy_ok(&tx)) {
		rc = 1;
		goto out;
	}
	if (partner_validate(&p, tx, cfg.webhook_allow_loopback, &secret_made, err, sizeof(err))) {
		cmd_error("%s", err);
		goto out;
	}
	report_now(p.created_at);
	rc = 1;
	if (cmd_open_store(&cfg, 0, 1, &st))
		goto out;
	switch (store_partner_add(st, &p)) {
	case STORE_OK:
		printf("partner '%s' added (sector %s)\n", p.name, p.sector);
		if (secret_made)
			printf("webhook secret (give it to the partner; shown once): %s\n",
			       p.webhook_secret);
		rc = audited(
			st, "partner.added", p.name,
			json_pack("{s:I,s:s}", "partner", (json_int_t)p.id, "sector", p.sector));
		break;
	case STORE_EEXISTS: cmd_error("a partner named '%s' exists already", p.name); break;
	default: cmd_error("cannot add partner '%s': database error", p.name); break;
	}
	store_close(st);
out:
	sodium_memzero(p.webhook_secret, sizeof(p.webhook_secret));
	taxonomy_free(tx);
	mem_free(rest);
	return rc;
}

int cmd_partner_list(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	struct partner *ps;
	size_t n;
	int npos, rc = cmd_setup("partner list", &cfg, argc, argv, NULL, 0, &npos);

	if (rc)
		return rc;
	if (cmd_open_store(&cfg, 0, 1, &st))
		return 1;
	rc = store_partner_list(st, &ps, &n);
	store_close(st);
	if (rc) {
		cmd_error("cannot list partners: database error");
		return 1;
	}
	printf("%-24s %-15s %-16s %-10s %s\n", "NAME", "SECTOR", "BANK CODES", "TLDS", "WEBHOOK");
	for (size_t i = 0; i < n; i++)
		printf("%-24s %-15s %-16s %-10s %s%s\n", ps[i].name, ps[i].sector,
		       ps[i].bank_codes[0] ? ps[i].bank_codes : "-",
		       ps[i].tlds[0] ? ps[i].tlds : "-",
		       ps[i].webhook_url[0] ? ps[i].webhook_url : "-",
		       ps[i].disabled ? " (disabled)" : "");
	for (size_t i = 0; i < n; i++)
		sodium_memzero(ps[i].webhook_secret, sizeof(ps[i].webhook_secret));
	mem_free(ps);
	return 0;
}

int cmd_partner_key_create(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	struct partner p;
	const char *pos[1];
	char key[PARTNER_KEY_MAX], prefix[PARTNER_KEY_PREFIX_MAX], now[REPORT_TIME_MAX];
	uint8_t hash[PARTNER_KEY_HASH_BYTES];
	int npos, rc = cmd_setup("partner key create", &cfg, argc, argv, pos, 1, &npos);

	if (rc)
		return rc;
	if (npos != 1) {
		cmd_error("expected the partner's NAME (see 'signaal partner key create --help')");
		return EXIT_USAGE;
	}
	if (cmd_open_store(&cfg, 0, 1, &st))
		return 1;
	rc = store_partner_get(st, pos[0], &p);
	if (rc) {
		store_close(st);
		cmd_error(rc == STORE_ENOTFOUND
				  ? "no partner named '%s' (see 'signaal partner list')"
				  : "cannot read partner '%s': database error",
			  pos[0]);
		return 1;
	}
	sodium_memzero(p.webhook_secret, sizeof(p.webhook_secret));
	partner_key_new(key, hash, prefix);
	report_now(now);
	rc = store_partner_key_add(st, p.id, hash, prefix, now);
	if (rc)
		cmd_error("cannot store the key: database error");
	/* A key whose creation is not in the audit log is taken back, never shown. */
	else if (audited(st, "partner_key.created", prefix,
			 json_pack("{s:I,s:s}", "partner", (json_int_t)p.id, "name", p.name)))
		rc = store_partner_key_revoke(st, prefix, now) ? STORE_EIO : STORE_EINVAL;
	store_close(st);
	if (rc) {
		sodium_memzero(key, sizeof(key));
		return 1;
	}
	/* The key alone on standard output, so that scripts can take it; the rest on stderr. */
	puts(key);
	fprintf(stderr, "key %s... for partner '%s'; it is shown only now\n", prefix, p.name);
	sodium_memzero(key, sizeof(key));
	return 0;
}

int cmd_partner_key_revoke(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	const char *pos[1];
	char now[REPORT_TIME_MAX];
	int npos, rc = cmd_setup("partner key revoke", &cfg, argc, argv, pos, 1, &npos);

	if (rc)
		return rc;
	if (npos != 1) {
		cmd_error("expected the key's PREFIX (see 'signaal partner key revoke --help')");
		return EXIT_USAGE;
	}
	if (cmd_open_store(&cfg, 0, 1, &st))
		return 1;
	report_now(now);
	rc = store_partner_key_revoke(st, pos[0], now);
	if (rc == STORE_OK && audited(st, "partner_key.revoked", pos[0], NULL)) {
		store_close(st);
		return 1;
	}
	store_close(st);
	if (rc == STORE_ENOTFOUND) {
		cmd_error("no active key with prefix '%s'", pos[0]);
		return 1;
	}
	if (rc) {
		cmd_error("cannot revoke the key: database error");
		return 1;
	}
	printf("key %s revoked\n", pos[0]);
	return 0;
}

int cmd_admin_key_create(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	const char *pos[1];
	char key[PARTNER_KEY_MAX], prefix[PARTNER_KEY_PREFIX_MAX], now[REPORT_TIME_MAX];
	uint8_t hash[PARTNER_KEY_HASH_BYTES];
	int npos, rc = cmd_setup("admin key create", &cfg, argc, argv, pos, 1, &npos);

	if (rc)
		return rc;
	if (npos != 1) {
		cmd_error("expected a NAME for the key (see 'signaal admin key create --help')");
		return EXIT_USAGE;
	}
	if (cmd_open_store(&cfg, 0, 1, &st))
		return 1;
	admin_key_new(key, hash, prefix);
	report_now(now);
	rc = store_admin_key_add(st, pos[0], hash, prefix, now);
	if (rc)
		cmd_error("cannot store the key: database error");
	else if (audited(st, "admin_key.created", prefix, json_pack("{s:s}", "name", pos[0])))
		rc = store_admin_key_revoke(st, prefix, now) ? STORE_EIO : STORE_EINVAL;
	store_close(st);
	if (rc) {
		sodium_memzero(key, sizeof(key));
		return 1;
	}
	puts(key);
	fprintf(stderr, "administration key %s... '%s'; it is shown only now\n", prefix, pos[0]);
	sodium_memzero(key, sizeof(key));
	return 0;
}

int cmd_admin_key_revoke(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	const char *pos[1];
	char now[REPORT_TIME_MAX];
	int npos, rc = cmd_setup("admin key revoke", &cfg, argc, argv, pos, 1, &npos);

	if (rc)
		return rc;
	if (npos != 1) {
		cmd_error("expected the key's PREFIX (see 'signaal admin key revoke --help')");
		return EXIT_USAGE;
	}
	if (cmd_open_store(&cfg, 0, 1, &st))
		return 1;
	report_now(now);
	rc = store_admin_key_revoke(st, pos[0], now);
	if (rc == STORE_OK && audited(st, "admin_key.revoked", pos[0], NULL)) {
		store_close(st);
		return 1;
	}
	store_close(st);
	if (rc == STORE_ENOTFOUND) {
		cmd_error("no active administration key with prefix '%s'", pos[0]);
		return 1;
	}
	if (rc) {
		cmd_error("cannot revoke the key: database error");
		return 1;
	}
	printf("administration key %s revoked\n", pos[0]);
	return 0;
}
