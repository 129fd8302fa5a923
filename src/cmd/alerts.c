/* alerts.c - `signaal alerts failed` and `signaal alerts retry`: the dead letters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "cmd/cmd.h"
#include "config.h"
#include "partner.h"
#include "report.h"
#include "store/store.h"
#include "util/mem.h"

int cmd_alerts_failed(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	struct alert *as;
	struct partner *ps;
	size_t n, np;
	int npos, rc = cmd_setup("alerts failed", &cfg, argc, argv, NULL, 0, &npos);

	if (rc)
		return rc;
	if (cmd_open_store(&cfg, STORE_OPEN_EXISTING, 1, &st))
		return 1;
	rc = store_outbox_dead(st, &as, &n);
	if (!rc)
		rc = store_partner_list(st, &ps, &np);
	store_close(st);
	if (rc) {
		cmd_error("cannot read the outbox: database error");
		return 1;
	}
	printf("%-8s %-20s %-10s %-20s %-8s %s\n", "ID", "PARTNER", "EVENT", "GAVE UP AT",
	       "ATTEMPTS", "LAST ERROR");
	for (size_t i = 0; i < n; i++) {
		const char *name = "?";

		for (size_t j = 0; j < np; j++)
			if (ps[j].id == as[i].partner)
				name = ps[j].name;
		printf("%-8lld %-20s %-10s %-20s %-8d %s\n", (long long)as[i].id, name, as[i].event,
		       as[i].created_at, as[i].attempts, as[i].payload);
	}
	if (n == 0)
		printf("no failed deliveries\n");
	alerts_free(as, n);
	mem_free(ps);
	return 0;
}

int cmd_alerts_retry(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	const char *pos[1];
	char now[REPORT_TIME_MAX], *end;
	long long id = 0;
	int npos, count = 0, rc = cmd_setup("alerts retry", &cfg, argc, argv, pos, 1, &npos);

	if (rc)
		return rc;
	if (npos != 1) {
		cmd_error("expected an alert ID or 'all' (see 'signaal alerts retry --help')");
		return EXIT_USAGE;
	}
	if (strcmp(pos[0], "all") != 0) {
		errno = 0;
		id = strtoll(pos[0], &end, 10);
		if (errno || *end || id <= 0) {
			cmd_error(
				"invalid alert ID '%s': expected a number from 'alerts failed', or "
				"'all'",
				pos[0]);
			return EXIT_USAGE;
		}
	}
	if (cmd_open_store(&cfg, STORE_OPEN_EXISTING, 1, &st))
		return 1;
	report_now(now);
	rc = store_outbox_retry(st, id, now, &count);
	store_close(st);
	if (rc) {
		cmd_error("cannot update the outbox: database error");
		return 1;
	}
	if (count == 0 && id) {
		cmd_error("no failed delivery with ID %lld", id);
		return 1;
	}
	printf("%d deliver%s queued again; a running server sends them within a second\n", count,
	       count == 1 ? "y" : "ies");
	return 0;
}
