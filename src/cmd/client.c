/*
 * client.c - `signaal client check`: the blind check from the command line,
 * through the client library (include/signaal/client.h).
 */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "ident/ident.h"
#include "signaal/client.h"
#include "util/mem.h"

#define KEY_LINE_MAX 512

struct check_args {
	const char *server, *key, *key_file, *public_key, *cacert;
	long timeout_s;
	int json;
	struct signaal_item *items;
	size_t n;
};

/* The value of option argv[*i] ("--name VALUE" or "--name=VALUE"), or NULL after the error. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (*i + 1 >= argc) {
		cmd_error("option '%s' needs a value (see 'signaal client check --help')", name);
		return NULL;
	}
	return argv[++*i];
}

static int is_option(const char *arg, const char *name)
{
	size_t len = strlen(name);

	return strncmp(arg, name, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
}

/* Parses argv into `a`; returns 0 or EXIT_USAGE after printing the error. */
static int parse_args(int argc, char **argv, struct check_args *a)
{
	const char **pos = mem_calloc((size_t)argc + 1, sizeof(*pos));
	const char **value = NULL;
	int npos = 0, options = 1;
	char *end;

	if (!pos) {
		cmd_error("out of memory");
		return 1;
	}
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (options && strcmp(arg, "--") == 0) {
			options = 0;
			continue;
		}
		if (!options || arg[0] != '-' || arg[1] != '-' || !arg[2]) {
			pos[npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--json") == 0) {
			a->json = 1;
			continue;
		}
		{
			const struct {
				const char *name;
				const char **dest; /* NULL: --timeout */
			} opts[] = {
				{ "--server", &a->server },	{ "--key", &a->key },
				{ "--key-file", &a->key_file }, { "--public-key", &a->public_key },
				{ "--cacert", &a->cacert },	{ "--timeout", NULL },
			};
			const char *name = NULL, *v;

			for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
				if (is_option(arg, opts[k].name)) {
					name = opts[k].name;
					value = opts[k].dest;
				}
			}
			if (!name) {
				cmd_error("unknown option '%s' (see 'signaal client check --help')",
					  arg);
				goto usage;
			}
			v = option_value(argc, argv, &i, name);
			if (!v)
				goto usage;
			if (value) {
				*value = v;
				continue;
			}
			errno = 0;
			a->timeout_s = strtol(v, &end, 10);
			if (errno || end == v || *end || a->timeout_s < 1 || a->timeout_s > 3600) {
				cmd_error(
					"invalid value '%s' for --timeout: expected whole seconds "
					"from 1 to 3600",
					v);
				goto usage;
			}
		}
	}
	if (npos == 0 || npos % 2) {
		cmd_error("expected KIND VALUE pairs (see 'signaal client check --help')");
		goto usage;
	}
	if (!a->server) {
		cmd_error("no server: give --server URL (see 'signaal client check --help')");
		goto usage;
	}
	if (a->key && a->key_file) {
		cmd_error("give the API key once: --key or --key-file, not both");
		goto usage;
	}
	a->n = (size_t)npos / 2;
	a->items = mem_calloc(a->n, sizeof(*a->items));
	if (!a->items) {
		mem_free(pos);
		cmd_error("out of memory");
		return 1;
	}
	for (size_t i = 0; i < a->n; i++) {
		enum ident_kind kind;

		if (ident_kind_parse(pos[2 * i], &kind)) {
			cmd_error("unknown kind '%s'; expected one of iban, phone, url, domain, "
				  "email, crypto, handle",
				  pos[2 * i]);
			goto usage;
		}
		a->items[i].kind = pos[2 * i];
		a->items[i].value = pos[2 * i + 1];
	}
	mem_free(pos);
	return 0;
usage:
	mem_free(pos);
	mem_free(a->items);
	a->items = NULL;
	return EXIT_USAGE;
}

/* Reads the key from the first line of `path` into key (keysz bytes); 0 or -1 after the error. */
static int read_key_file(const char *path, char *key, size_t keysz)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		cmd_error("cannot open key file '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!fgets(key, (int)keysz, f))
		key[0] = '\0';
	fclose(f);
	n = strcspn(key, "\r\n");
	key[n] = '\0';
	while (n > 0 && (key[n - 1] == ' ' || key[n - 1] == '\t'))
		key[--n] = '\0';
	if (n == 0) {
		cmd_error("key file '%s' holds no key on its first line", path);
		return -1;
	}
	return 0;
}

static json_t *strings_json(char **s, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(s[i]));
	return a;
}

static json_t *result_json(const struct signaal_item *item, const struct signaal_result *r)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "kind", r->kind, "input", item->value,
			      "canonical", r->canonical, "known", r->known);

	if (o && r->known) {
		json_object_set_new(o, "status", json_string(r->status));
		json_object_set_new(o, "reports", json_integer(r->reports));
		json_object_set_new(o, "signals", json_integer(r->signals));
		json_object_set_new(o, "first_seen", json_string(r->first_seen));
		json_object_set_new(o, "last_seen", json_string(r->last_seen));
		json_object_set_new(o, "fraud_types",
				    strings_json(r->fraud_types, r->nfraud_types));
		json_object_set_new(o, "rules_fired",
				    strings_json(r->rules_fired, r->nrules_fired));
	}
	return o;
}

static void print_list(const char *label, char **s, size_t n)
{
	if (n == 0)
		return;
	printf("; %s ", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", s[i]);
}

/* One line: "iban NL91ABNA0417164300: known, reported, 3 reports, ..." or "...: not known". */
static void print_result(const struct signaal_result *r)
{
	printf("%s %s: ", r->kind, r->canonical);
	if (!r->known) {
		puts("not known");
		return;
	}
	printf("known, %s, %ld report%s, %ld signal%s, first %.10s, last %.10s", r->status,
	       r->reports, r->reports == 1 ? "" : "s", r->signals, r->signals == 1 ? "" : "s",
	       r->first_seen, r->last_seen);
	print_list("fraud types", r->fraud_types, r->nfraud_types);
	print_list("rules fired", r->rules_fired, r->nrules_fired);
	putchar('\n');
}

static int print_results(const struct check_args *a, const struct signaal_result *res)
{
	json_t *doc, *items;

	if (!a->json) {
		for (size_t i = 0; i < a->n; i++)
			print_result(&res[i]);
		return fflush(stdout) == 0 ? 0 : -1;
	}
	items = json_array();
	for (size_t i = 0; items && i < a->n; i++)
		if (json_array_append_new(items, result_json(&a->items[i], &res[i])))
			break;
	doc = items && json_array_size(items) == a->n ? json_pack("{s:o}", "items", items) : NULL;
	if (!doc) {
		json_decref(items);
		return -1;
	}
	if (json_dumpf(doc, stdout, JSON_COMPACT) != 0 || putchar('\n') == EOF ||
	    fflush(stdout) != 0) {
		json_decref(doc);
		return -1;
	}
	json_decref(doc);
	return 0;
}

int cmd_client_check(int argc, char **argv)
{
	struct check_args a = { 0 };
	struct signaal_client *c = NULL;
	struct signaal_client_error err;
	struct signaal_result *res = NULL;
	char keybuf[KEY_LINE_MAX];
	const char *key;
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;
	keybuf[0] = '\0';
	key = a.key;
	if (!key && a.key_file) {
		if (read_key_file(a.key_file, keybuf, sizeof(keybuf))) {
			rc = 1;
			goto out;
		}
		key = keybuf;
	}
	if (!key)
		key = getenv("SIGNAAL_API_KEY");
	if (!key || !*key) {
		cmd_error("no API key: set SIGNAAL_API_KEY, or give --key-file FILE "
			  "(see 'signaal client check --help')");
		rc = EXIT_USAGE;
		goto out;
	}
	if (signaal_client_new(&c, a.server, key, &err) ||
	    (a.public_key && signaal_client_pin_key(c, a.public_key, &err)) ||
	    (a.cacert && signaal_client_set_ca_file(c, a.cacert, &err)) ||
	    (a.timeout_s && signaal_client_set_timeout(c, a.timeout_s * 1000, &err))) {
		cmd_error("%s", err.message);
		rc = err.code == SIGNAAL_CLIENT_EARG ? EXIT_USAGE : 1;
		goto out;
	}
	if (signaal_client_check(c, a.items, a.n, &res, &err)) {
		if (err.code == SIGNAAL_CLIENT_EIDENT)
			cmd_error("'%s': %s", a.items[err.item].value, err.message);
		else
			cmd_error("%s", err.message);
		rc = 1;
		goto out;
	}
	if (print_results(&a, res)) {
		cmd_error("cannot write the result");
		rc = 1;
	}
out:
	sodium_memzero(keybuf, sizeof(keybuf));
	signaal_results_free(res, a.n);
	signaal_client_free(c);
	mem_free(a.items);
	return rc;
}
