/* normalize.c - `signaal normalize [--json] KIND VALUE`. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "cmd/cmd.h"
#include "ident/ident.h"

int cmd_normalize(int argc, char **argv)
{
	const char *kind_name = NULL, *value = NULL;
	enum ident_kind kind;
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	int json = 0, npos = 0, rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && npos == 0) {
			json = 1;
		} else if (argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2] && npos == 0) {
			cmd_error("unknown option '%s' (see 'signaal normalize --help')", argv[i]);
			return EXIT_USAGE;
		} else if (npos == 0) {
			kind_name = argv[i];
			npos++;
		} else if (npos == 1) {
			value = argv[i];
			npos++;
		} else {
			cmd_error("unexpected argument '%s' (see 'signaal normalize --help')",
				  argv[i]);
			return EXIT_USAGE;
		}
	}
	if (npos != 2) {
		cmd_error("expected KIND and VALUE (see 'signaal normalize --help')");
		return EXIT_USAGE;
	}
	if (ident_kind_parse(kind_name, &kind)) {
		cmd_error("unknown kind '%s'; expected one of iban, phone, url, domain, email, "
			  "crypto,"
			  " handle",
			  kind_name);
		return EXIT_USAGE;
	}
	rc = ident_normalize(&id, kind, value, strlen(value), err, sizeof(err));
	if (rc == IDENT_ENOMEM) {
		cmd_error("out of memory");
		return 1;
	}
	if (json) {
		json_t *doc = api_ident_json(kind, value, strlen(value), &id, rc, err);

		if (!doc || json_dumpf(doc, stdout, JSON_COMPACT) != 0) {
			json_decref(doc);
			ident_release(&id);
			cmd_error("cannot write the result");
			return 1;
		}
		json_decref(doc);
		putchar('\n');
	} else if (rc == IDENT_OK) {
		puts(id.canonical);
	} else {
		fprintf(stderr, "signaal: invalid %s: %s\n", kind_name, err);
	}
	ident_release(&id);
	return rc == IDENT_OK ? 0 : 1;
}
