/*
 * subject.c - `signaal subject list|show|answer|uphold|reject`: the
 * operator works the requests of data subjects (subject.h).  Every step
 * that reads or decides a request is an entry in the audit log, naming the
 * identifier by its commitment and the request by its number only.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd/cmd.h"
#include "config.h"
#include "keys.h"
#include "pseudonym.h"
#include "report.h"
#include "store/store.h"
#include "subject.h"
#include "util/mem.h"

/* What every subcommand but list needs: the store, the audit keys and the request. */
struct ctx {
	struct config cfg;
	struct store *st;
	struct audit_keys keys;
	struct subject_request r;
	int have_keys, have_request;
};

static void ctx_close(struct ctx *c)
{
	if (c->have_keys)
		audit_keys_wipe(&c->keys);
	if (c->have_request)
		subject_request_release(&c->r);
	store_close(c->st);
	c->st = NULL;
}

/*
 * Separates `--reason TEXT` (when reason is not NULL) from the other
 * arguments into rest, which must hold argc entries.  0, or EXIT_USAGE.
 */
static int take_option(int argc, char **argv, const char *name, const char **value, char **rest,
		       int *nrest)
{
	*nrest = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				rest[(*nrest)++] = argv[i++];
			break;
		}
		if (name && strcmp(argv[i], name) == 0) {
			if (i + 1 >= argc) {
				cmd_error("option '%s' needs a value", name);
				return EXIT_USAGE;
			}
			*value = argv[++i];
			continue;
		}
		rest[(*nrest)++] = argv[i];
	}
	return 0;
}

/* A reason the person will read: printable text of at most SUBJECT_REASON_MAX characters. */
static int reason_ok(const char *s)
{
	size_t chars = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
			cmd_error("the reason must not contain control characters");
			return 0;
		}
		chars += (*p & 0xc0) != 0x80;
	}
	if (chars == 0 || chars > SUBJECT_REASON_MAX) {
		cmd_error("the reason must be 1 to %d characters", SUBJECT_REASON_MAX);
		return 0;
	}
	return 1;
}

/*
 * Loads the configuration, the request named by the one positional
 * argument, the store and the audit keys.  0, or the exit code.
 */
static int ctx_open(struct ctx *c, const char *name, int argc, char **argv)
{
	const char *pos[1];
	char err[512], *end;
	long long id;
	int npos, rc;

	memset(c, 0, sizeof(*c));
	rc = cmd_setup(name, &c->cfg, argc, argv, pos, 1, &npos);
	if (rc)
		return rc;
	if (npos != 1) {
		cmd_error("expected a request ID (see 'signaal %s --help')", name);
		return EXIT_USAGE;
	}
	errno = 0;
	id = strtoll(pos[0], &end, 10);
	if (errno || *end || id <= 0) {
		cmd_error("invalid request ID '%s': expected a number from 'subject list'", pos[0]);
		return EXIT_USAGE;
	}
	if (cmd_open_store(&c->cfg, STORE_OPEN_EXISTING, 1, &c->st))
		return 1;
	if (audit_keys_load(&c->keys, c->cfg.data_dir, c->cfg.audit_origin, err, sizeof(err))) {
		cmd_error("%s", err);
		ctx_close(c);
		return 1;
	}
	c->have_keys = 1;
	rc = store_subject_request_get(c->st, id, &c->r);
	if (rc == STORE_ENOTFOUND) {
		cmd_error("no subject request with ID %lld", id);
		ctx_close(c);
		return 1;
	}
	if (rc) {
		cmd_error("cannot read the request: %s", store_strerror(rc));
		ctx_close(c);
		return 1;
	}
	c->have_request = 1;
	return 0;
}

/* The audit entry for a step on the request; 0, or 1 after saying what went wrong. */
static int audit_step(struct ctx *c, const char *act)
{
	uint8_t subject[1][AUDIT_COMMIT_BYTES];
	struct audit_event ev = { .actor = "operator", .act = act, .ref = c->r.type };
	int rc;

	audit_commit_identifier(&c->keys, c->r.pseudonym, subject[0]);
	ev.subjects = (const uint8_t(*)[AUDIT_COMMIT_BYTES])subject;
	ev.nsubjects = 1;
	ev.detail = json_pack("{s:I}", "request", (json_int_t)c->r.id);
	rc = ev.detail ? audit_append_now(c->st, &ev) : STORE_ENOMEM;
	json_decref(ev.detail);
	if (rc) {
		cmd_error("request %lld: done, but the audit log could not record it (%s)",
			  (long long)c->r.id, store_strerror(rc));
		return 1;
	}
	return 0;
}

int cmd_subject_list(int argc, char **argv)
{
	static const char *const statuses[] = { "received", "answered", "upheld", "rejected",
						NULL };
	struct config cfg;
	struct store *st;
	struct subject_request *rs;
	const char *status = NULL;
	char **rest = mem_calloc((size_t)argc + 1, sizeof(*rest));
	size_t n;
	int nrest, npos, ok = 0, rc;

	if (!rest)
		return 1;
	rc = take_option(argc, argv, "--status", &status, rest, &nrest);
	if (!rc)
		rc = cmd_setup("subject list", &cfg, nrest, rest, NULL, 0, &npos);
	mem_free(rest);
	if (rc)
		return rc;
	for (size_t i = 0; status && statuses[i]; i++)
		ok |= strcmp(status, statuses[i]) == 0;
	if (status && !ok) {
		cmd_error("invalid status '%s': expected received, answered, upheld or rejected",
			  status);
		return EXIT_USAGE;
	}
	if (cmd_open_store(&cfg, STORE_OPEN_EXISTING, 1, &st))
		return 1;
	rc = store_subject_request_list(st, status, &rs, &n);
	store_close(st);
	if (rc) {
		cmd_error("cannot list the requests: %s", store_strerror(rc));
		return 1;
	}
	if (n == 0) {
		printf(status ? "no subject requests with status %s\n" : "no subject requests\n",
		       status);
	} else {
		printf("%-6s %-10s %-8s %-9s %-21s %s\n", "ID", "TYPE", "KIND", "STATUS",
		       "RECEIVED", "UPDATED");
		for (size_t i = 0; i < n; i++)
			printf("%-6lld %-10s %-8s %-9s %-21s %s\n", (long long)rs[i].id, rs[i].type,
			       rs[i].kind, rs[i].status, rs[i].created_at, rs[i].updated_at);
	}
	subject_requests_free(rs, n);
	return 0;
}

/* The pseudonym key, to open what a request sealed.  0, or -1 with err. */
static int pseudonym_key_load(const char *data_dir, struct pseudonym_key *key, char *err,
			      size_t errsz)
{
	uint8_t seed[KEY_SEED_BYTES];
	int rc;

	if (keys_load_seed(data_dir, "pseudonym", seed, err, errsz))
		return -1;
	rc = pseudonym_key_from_seed(key, seed);
	sodium_memzero(seed, sizeof(seed));
	if (rc)
		snprintf(err, errsz, "cannot derive the pseudonym key");
	return rc;
}

int cmd_subject_show(int argc, char **argv)
{
	struct ctx c;
	struct pseudonym_key key;
	json_t *open = NULL, *answer = NULL;
	char err[512];
	int rc = ctx_open(&c, "subject show", argc, argv);

	if (rc)
		return rc;
	if (pseudonym_key_load(c.cfg.data_dir, &key, err, sizeof(err))) {
		cmd_error("%s", err);
		ctx_close(&c);
		return 1;
	}
	/* Reading the value and the contact is a disclosure too: recorded before it happens. */
	rc = audit_step(&c, "subject.read");
	if (!rc && !(open = subject_open(&key, &c.r))) {
		cmd_error("cannot open the sealed data of request %lld", (long long)c.r.id);
		rc = 1;
	}
	pseudonym_key_clear(&key);
	if (rc) {
		ctx_close(&c);
		return rc;
	}
	printf("request   %lld\n", (long long)c.r.id);
	printf("type      %s\n", c.r.type);
	printf("status    %s\n", c.r.status);
	printf("received  %s\n", c.r.created_at);
	printf("updated   %s\n", c.r.updated_at);
	printf("language  %s\n", c.r.language);
	printf("kind      %s\n", c.r.kind);
	printf("value     %s\n", json_string_value(json_object_get(open, "value")));
	printf("contact   %s\n", json_string_value(json_object_get(open, "contact")));
	if (json_is_string(json_object_get(open, "reason")))
		printf("reason    %s\n", json_string_value(json_object_get(open, "reason")));
	if (c.r.prior_status[0])
		printf("disputed  yes (a rejection gives back status %s)\n", c.r.prior_status);
	if (c.r.answer)
		answer = json_loads(c.r.answer, 0, NULL);
	if (answer)
		printf("answer    %s\n", json_string_value(json_object_get(answer, "text")));
	if (c.r.decision_reason)
		printf("decision  %s\n", c.r.decision_reason);
	json_decref(answer);
	json_decref(open);
	ctx_close(&c);
	return 0;
}

int cmd_subject_answer(int argc, char **argv)
{
	struct ctx c;
	json_t *answer = NULL;
	char now[REPORT_TIME_MAX], *text = NULL;
	int rc = ctx_open(&c, "subject answer", argc, argv);

	if (rc)
		return rc;
	if (strcmp(c.r.type, "access") != 0) {
		cmd_error("request %lld is an objection: decide it with 'subject uphold' or "
			  "'subject reject'",
			  (long long)c.r.id);
		ctx_close(&c);
		return 1;
	}
	report_now(now);
	rc = subject_answer(c.st, &c.keys, &c.r, now, &answer);
	if (!rc) {
		text = json_dumps(answer, JSON_COMPACT);
		rc = text ? store_subject_request_answer(c.st, c.r.id, text, now) : STORE_ENOMEM;
	}
	if (rc) {
		cmd_error("cannot answer request %lld: %s", (long long)c.r.id, store_strerror(rc));
		rc = 1;
	} else {
		rc = audit_step(&c, "subject.answered");
		printf("request %lld answered; the person reads with the request code:\n%s\n",
		       (long long)c.r.id, json_string_value(json_object_get(answer, "text")));
	}
	mem_free(text);
	json_decref(answer);
	ctx_close(&c);
	return rc;
}

/* uphold and reject: the decision, its notice to the recipients, its audit entry. */
static int decide(int argc, char **argv, const char *name, const char *decision)
{
	const char *reason = NULL;
	char **rest = mem_calloc((size_t)argc + 1, sizeof(*rest)), now[REPORT_TIME_MAX];
	char *notice = NULL;
	int upheld = strcmp(decision, "upheld") == 0, nrest, notified = 0, rc;
	struct ctx c;

	if (!rest)
		return 1;
	rc = take_option(argc, argv, "--reason", &reason, rest, &nrest);
	if (!rc && !upheld && !reason) {
		cmd_error("--reason is required: the person reads why (see 'signaal %s --help')",
			  name);
		rc = EXIT_USAGE;
	}
	if (!rc && reason && !reason_ok(reason))
		rc = EXIT_USAGE;
	if (!rc)
		rc = ctx_open(&c, name, nrest, rest);
	mem_free(rest);
	if (rc)
		return rc;
	if (strcmp(c.r.type, "objection") != 0 || strcmp(c.r.status, "received") != 0) {
		cmd_error(strcmp(c.r.type, "objection") != 0
				  ? "request %lld is an access request: answer it with 'subject "
				    "answer'"
				  : "request %lld is decided already",
			  (long long)c.r.id);
		ctx_close(&c);
		return 1;
	}
	if (upheld)
		notice =
			subject_notice("retraction", "cleared", c.r.kind, c.r.pseudonym, "cleared");
	else if (c.r.prior_status[0])
		notice = subject_notice("alert", "dispute_rejected", c.r.kind, c.r.pseudonym,
					c.r.prior_status);
	report_now(now);
	rc = (upheld || c.r.prior_status[0]) && !notice
		     ? STORE_ENOMEM
		     : store_subject_request_decide(c.st, c.r.id, decision, reason, notice, now,
						    &notified);
	mem_free(notice);
	if (rc == STORE_ECONFLICT) {
		cmd_error("request %lld is decided already", (long long)c.r.id);
		rc = 1;
	} else if (rc) {
		cmd_error("cannot decide request %lld: %s", (long long)c.r.id, store_strerror(rc));
		rc = 1;
	} else {
		rc = audit_step(&c, upheld ? "subject.upheld" : "subject.rejected");
		printf("request %lld %s; %d recipient%s will be told (a running server sends it "
		       "within a second)\n",
		       (long long)c.r.id, decision, notified, notified == 1 ? "" : "s");
	}
	ctx_close(&c);
	return rc;
}

int cmd_subject_uphold(int argc, char **argv)
{
	return decide(argc, argv, "subject uphold", "upheld");
}

int cmd_subject_reject(int argc, char **argv)
{
	return decide(argc, argv, "subject reject", "rejected");
}
