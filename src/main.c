/*
 * main.c - `signaal COMMAND [ARGS]`: finds the command in the table and
 * runs it.  See cmd/cmd.h for how to add one.
 */
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "config.h"
#include "store/store.h"
#include "util/log.h"
#include "util/mem.h"

const struct cmd commands[] = {
	{ "serve", cmd_serve, "run the HTTP server",
	  "usage: signaal serve [OPTIONS]\n\n"
	  "Runs the HTTP server until SIGTERM or SIGINT, then finishes the requests in\n"
	  "flight and exits 0.  With no configuration it serves 127.0.0.1:8080 with an\n"
	  "embedded SQLite database in ./var, creating the directory, the database\n"
	  "(migrated to the newest schema) and the key files on first start.\n",
	  1 },
	{ "version", cmd_version, "print the version and the library versions",
	  "usage: signaal version\n\nPrints the program's version and those of the libraries it"
	  " runs on.\n",
	  0 },
	{ "config show", cmd_config_show, "print the effective configuration",
	  "usage: signaal config show [OPTIONS]\n\n"
	  "Prints every configuration key with its effective value and where it came\n"
	  "from (default, file, environment, flag), in the configuration file format.\n"
	  "Secrets are shown as (redacted).\n",
	  1 },
	{ "db migrate", cmd_db_migrate, "bring the database schema up to date",
	  "usage: signaal db migrate [OPTIONS]\n\n"
	  "Applies every numbered migration the database lacks, each in its own\n"
	  "transaction, and prints the schema version before and after.\n",
	  1 },
	{ "db backup", cmd_db_backup, "copy the database while the server runs",
	  "usage: signaal db backup [OPTIONS] FILE\n\n"
	  "Writes a consistent copy of the database to FILE (mode 0600) without\n"
	  "stopping the server.  FILE must not exist.\n",
	  1 },
	{ "keys init", cmd_keys_init, "create the server's key files",
	  "usage: signaal keys init [OPTIONS]\n\n"
	  "Creates the missing key files in DATA_DIR/keys (mode 0600).  Existing keys\n"
	  "are never replaced: stored pseudonyms depend on them.  `serve` does this\n"
	  "on start too.\n",
	  1 },
	{ "normalize", cmd_normalize, "print the canonical form of an identifier",
	  "usage: signaal normalize [--json] KIND VALUE\n\n"
	  "Validates VALUE as an identifier of KIND (iban, phone, url, domain, email,\n"
	  "crypto, handle) and prints its canonical form, the form in which Signaal\n"
	  "stores and matches it.  Exit status: 0 valid, 1 invalid (the reason on\n"
	  "standard error), 2 usage error.\n\n"
	  "  --json   print one JSON object: {\"kind\", \"input\", \"valid\", \"canonical\",\n"
	  "           \"attributes\"} (url also \"expressions\"), or for invalid input\n"
	  "           {\"kind\", \"input\", \"valid\": false, \"error\"}; exit status as above\n\n"
	  "Examples:\n"
	  "  signaal normalize iban 'nl91 abna 0417 1643 00'   ->  NL91ABNA0417164300\n"
	  "  signaal normalize phone '06-12345678'             ->  +31612345678\n",
	  0 },
	{ "partner add", cmd_partner_add, "register a partner organisation",
	  "usage: signaal partner add --name NAME --sector SECTOR [--bank-code CODE]...\n"
	  "                           [--tld TLD]... [--webhook URL --webhook-secret SECRET]\n"
	  "                           [OPTIONS]\n\n"
	  "Registers a partner.  SECTOR is one of bank, psp, telecom, marketplace, webshop,\n"
	  "registry, police, helpdesk, victim_support, government.  A bank names the bank\n"
	  "codes of its IBANs (ABNA, INGB, ...), a registry its top-level domains (nl).\n"
	  "SECTOR analyst registers an analyst: its keys read the statistics (/v1/stats)\n"
	  "and nothing else, and it takes no bank codes, domains or webhook.\n"
	  "Alerts go to the webhook (https; signed with SECRET, whsec_...; leave --webhook-secret\n"
	  "out to have one made and printed) and to the partner's feed and stream.\n",
	  1 },
	{ "partner list", cmd_partner_list, "list the partner organisations",
	  "usage: signaal partner list [OPTIONS]\n\nLists partners: name, sector, bank codes, "
	  "top-level domains, webhook.\n",
	  1 },
	{ "partner key create", cmd_partner_key_create, "make an API key for a partner",
	  "usage: signaal partner key create [OPTIONS] NAME\n\n"
	  "Makes a new API key for partner NAME and prints it, alone, on standard output.\n"
	  "It is shown this once: only its hash is kept.  The partner sends it as\n"
	  "'Authorization: Bearer KEY'.\n",
	  1 },
	{ "partner key revoke", cmd_partner_key_revoke, "revoke a partner's API key",
	  "usage: signaal partner key revoke [OPTIONS] PREFIX\n\n"
	  "Revokes the key that starts with PREFIX (the first 11 characters, as\n"
	  "'partner key create' reported them).  It stops working at once.\n",
	  1 },
	{ "admin key create", cmd_admin_key_create, "make a key for the administration API",
	  "usage: signaal admin key create [OPTIONS] NAME\n\n"
	  "Makes a key for the administration API (/v1/admin/: partners and their keys)\n"
	  "and prints it, alone, on standard output; only its hash is kept.  NAME says\n"
	  "whose key it is.\n",
	  1 },
	{ "admin key revoke", cmd_admin_key_revoke, "revoke an administration key",
	  "usage: signaal admin key revoke [OPTIONS] PREFIX\n\n"
	  "Revokes the administration key that starts with PREFIX (its first 11\n"
	  "characters).\n",
	  1 },
	{ "alerts failed", cmd_alerts_failed, "list alerts that could not be delivered",
	  "usage: signaal alerts failed [OPTIONS]\n\n"
	  "Lists the dead letters: alerts whose webhook failed every attempt (12, over\n"
	  "about an hour), with the partner, when delivery gave up and the last error.\n"
	  "The partner can still read them from its feed (GET /v1/alerts).\n",
	  1 },
	{ "alerts retry", cmd_alerts_retry, "send failed alerts again",
	  "usage: signaal alerts retry [OPTIONS] ID|all\n\n"
	  "Queues the dead letter ID (see 'alerts failed'), or all of them, for delivery\n"
	  "again, with a fresh set of attempts.\n",
	  1 },
	{ "client check", cmd_client_check, "check identifiers blindly against a server",
	  "usage: signaal client check --server URL [--key-file FILE | --key KEY]\n"
	  "                            [--public-key B64] [--cacert FILE] [--timeout SECONDS]\n"
	  "                            [--json]\n"
	  "                            [--] KIND VALUE [KIND VALUE]...\n\n"
	  "Checks identifiers against the Signaal server at URL with a partner API key,\n"
	  "without the server seeing them: each VALUE is normalised as KIND (iban, phone,\n"
	  "url, domain, email, crypto, handle), blinded, evaluated by the server with a\n"
	  "proof that is verified against the server's public key, and only then looked\n"
	  "up by its pseudonym.  Every identifier uses one of the partner's hourly blind\n"
	  "evaluations.  Prints one line per identifier:\n"
	  "  iban NL91ABNA0417164300: known, reported, 3 reports, 0 signals, first ...\n"
	  "  iban NL02ABNA0123456789: not known\n"
	  "\"not known\" means no reports or signals are known, not that it is safe.\n\n"
	  "The API key comes from --key-file FILE (its first line) or --key KEY, else\n"
	  "from the environment variable SIGNAAL_API_KEY.  Prefer the file or the\n"
	  "environment: other users of the machine can read --key in the process list.\n\n"
	  "  --server URL        the server, http(s)://host[:port][/prefix]\n"
	  "  --public-key B64    pin the server's public key (base64url, as GET /v1/oprf/key\n"
	  "                      shows it): a server evaluating with another key fails\n"
	  "  --cacert FILE       trust the CAs in this PEM file for https (a private CA)\n"
	  "  --timeout SECONDS   time limit per request (default 30)\n"
	  "  --json              print {\"items\": [...]}, one object per identifier:\n"
	  "                      \"kind\", \"input\", \"canonical\", \"known\", and for a\n"
	  "                      known one \"status\", \"reports\", \"signals\",\n"
	  "                      \"first_seen\", \"last_seen\", \"fraud_types\",\n"
	  "                      \"rules_fired\"\n\n"
	  "Exit status: 0 every identifier was checked, known or not; 1 nothing was\n"
	  "checked: an invalid identifier (nothing is sent then), no answer, an error\n"
	  "from the server (a 429 says when to retry), or a proof that did not verify\n"
	  "(then nothing was looked up); 2 usage error.\n",
	  0 },
	{ "audit verify", cmd_audit_verify, "check the audit log against its signed checkpoints",
	  "usage: signaal audit verify [--json] [OPTIONS]\n\n"
	  "Reads every entry of the audit log from the database, in order, and checks\n"
	  "that none is missing (positions run from 0 without a gap) and that each one's\n"
	  "stored leaf hash is the hash of its text.  Rebuilds the Merkle tree from the\n"
	  "texts and checks every stored checkpoint: its signature with the log's key\n"
	  "(derived from DATA_DIR/keys/audit.key and audit_origin) and its root against\n"
	  "the tree at its size.  The first failure is named on standard error:\n"
	  "  signaal: audit log: entry 17 does not match its leaf hash: it was changed ...\n"
	  "  signaal: audit log: checkpoint of size 40 does not match the entries: one of\n"
	  "           entries 32 to 39 was changed after it was signed ...\n"
	  "It can run while the server appends; checkpoints signed after it began are\n"
	  "left for the next run.  On success it prints\n"
	  "  audit log: 1234 entries, 56 checkpoints, all verified; latest checkpoint: size "
	  "1234\n\n"
	  "  --json   print {\"ok\", \"entries\", \"checkpoints\", \"latest_checkpoint\"} and, on\n"
	  "           failure, \"error\" with the \"entry\" or \"checkpoint\" it names\n\n"
	  "Exit status: 0 the log verifies, 1 it does not (or cannot be read), 2 usage\n"
	  "error.\n",
	  1 },
	{ "subject list", cmd_subject_list, "list the requests of data subjects",
	  "usage: signaal subject list [--status STATUS] [OPTIONS]\n\n"
	  "Lists the requests people made through /subject (POST /v1/subject-requests):\n"
	  "ID, type (access or objection), identifier kind, status and times.  STATUS is\n"
	  "one of received, answered, upheld, rejected; the open ones are 'received'.\n"
	  "Nothing personal is shown here: see 'subject show'.\n",
	  1 },
	{ "subject show", cmd_subject_show, "show one request of a data subject",
	  "usage: signaal subject show [OPTIONS] ID\n\n"
	  "Shows request ID with the identifier, the contact address and, for an\n"
	  "objection, the person's reason, opened from their sealed form; the answer or\n"
	  "the decision once there is one.  Opening them is recorded in the audit log\n"
	  "(subject.read).  Use the contact address only to check that the identifier is\n"
	  "the person's own, or to ask about the request.\n",
	  1 },
	{ "subject answer", cmd_subject_answer, "answer an access request",
	  "usage: signaal subject answer [OPTIONS] ID\n\n"
	  "Answers access request ID from the registry and the audit log: whether the\n"
	  "identifier is registered, since when, how many reports and signals, and which\n"
	  "organisations received it and when (alerts, retractions, the value itself,\n"
	  "look-ups).  Stores the answer, in the request's language, for the person to\n"
	  "read with the request code, prints it, and records subject.answered in the\n"
	  "audit log.  Answering again replaces the answer with a fresh one.  Check first\n"
	  "(with 'subject show') that the identifier is the person's own.\n",
	  1 },
	{ "subject uphold", cmd_subject_uphold, "uphold an objection: clear the identifier",
	  "usage: signaal subject uphold [--reason TEXT] [OPTIONS] ID\n\n"
	  "Upholds objection ID: the identifier's status becomes cleared (it stays out of\n"
	  "the public check and lookups show it cleared) and every partner that got an\n"
	  "alert about it gets a retraction with reason \"cleared\".  TEXT (optional, at\n"
	  "most 2,000 characters) is shown to the person.  Records subject.upheld in the\n"
	  "audit log.\n",
	  1 },
	{ "subject reject", cmd_subject_reject, "reject an objection, saying why",
	  "usage: signaal subject reject --reason TEXT [OPTIONS] ID\n\n"
	  "Rejects objection ID.  The identifier gets back the status it had before the\n"
	  "objection disputed it (unless another objection to it is still open), shows\n"
	  "in the public check again when a rule makes it public, and the partners that\n"
	  "were told of the dispute get an alert with reason \"dispute_rejected\".  TEXT\n"
	  "(required, at most 2,000 characters) is shown to the person.  Records\n"
	  "subject.rejected in the audit log.\n",
	  1 },
	{ "purge", cmd_purge, "erase what has outlived its retention period",
	  "usage: signaal purge [--dry-run] [--json] [OPTIONS]\n\n"
	  "Erases, class by class, the personal data whose retention period (the retain_*\n"
	  "keys) has passed, in transactions of at most 1,000 rows, while the server runs\n"
	  "or not.  What statistics need stays: a report keeps its fraud type, dates,\n"
	  "loss and municipality; an identifier its pseudonym and facts, so matching goes\n"
	  "on.  The server does the same every purge_interval seconds.  Prints the count\n"
	  "per class and records them in the audit log (act retention.purged).\n\n"
	  "  --dry-run   count what would be erased; change and record nothing\n"
	  "  --json      print {\"dry_run\", \"policy\", \"counts\": {\"narratives\",\n"
	  "              \"additions\", \"contacts\", \"raw_identifiers\",\n"
	  "              \"report_raw_identifiers\", \"signals\", \"feedback\", \"alerts\",\n"
	  "              \"subject_requests\"}} (subject_requests null when the database\n"
	  "              has no such table), \"batches\" (write transactions) and\n"
	  "              \"longest_batch_ms\" (the longest time the write lock was held)\n\n"
	  "Exit status: 0 done; 1 the database failed (what was erased before the failure\n"
	  "is in the audit log); 2 usage error.\n",
	  1 },
	{ "help", cmd_help, "show help for a command",
	  "usage: signaal help [COMMAND]\n\nLists the commands, or shows the help of one.\n", 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

/* The command named by the longest run of argv[1..3] ("partner key create"); *words gets its length. */
static const struct cmd *find_command(int argc, char **argv, int *words)
{
	char name[96];

	for (int n = argc - 1 < 3 ? argc - 1 : 3; n >= 1; n--) {
		size_t pos = 0;

		for (int i = 1; i <= n; i++)
			pos += (size_t)snprintf(name + pos, sizeof(name) - pos, "%s%s",
						i > 1 ? " " : "", argv[i]);
		if (pos >= sizeof(name))
			continue;
		for (const struct cmd *c = commands; c->name; c++) {
			if (strcmp(c->name, name) == 0) {
				*words = n;
				return c;
			}
		}
	}
	return NULL;
}

/* Whether argv[1] is the first word of two-word commands ("db" of "db migrate"). */
static int is_group(const char *word)
{
	size_t n = strlen(word);

	for (const struct cmd *c = commands; c->name; c++)
		if (strncmp(c->name, word, n) == 0 && c->name[n] == ' ')
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	int words = 0;

	/* Everything the server writes (database, keys, backups) is private to it. */
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	/* jansson allocates through our wrapper too, so fault injection reaches it. */
	json_set_alloc_funcs(mem_alloc, mem_free);

	if (argc < 2) {
		cmd_help(0, argv);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(argc - 2, argv + 2);
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(0, argv);
	c = find_command(argc, argv, &words);
	if (!c) {
		if (is_group(argv[1]) && argc > 2)
			cmd_error("unknown command '%s %s' (see 'signaal help')", argv[1], argv[2]);
		else if (is_group(argv[1]))
			cmd_error("'%s' needs a subcommand (see 'signaal help')", argv[1]);
		else
			cmd_error("unknown command '%s' (see 'signaal help')", argv[1]);
		return EXIT_USAGE;
	}
	for (int i = 1 + words; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(c->usage, stdout);
			if (c->takes_config) {
				fputs("\nOptions (each also as SIGNAAL_<NAME> or `name = value` in "
				      "the --config file):\n",
				      stdout);
				fflush(stdout);
				config_print_flags(1);
			}
			return 0;
		}
	}
	return c->fn(argc - 1 - words, argv + 1 + words);
}
