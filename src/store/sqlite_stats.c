/* sqlite_stats.c - reports counted per municipality, fraud type and month. */
#include <stdio.h>
#include <string.h>

#include "store/sqlite_int.h"

int sqlite_report_cells(struct store *st, const char *from, const char *to,
			int (*each)(void *arg, const struct report_cell *c), void *arg)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"SELECT coalesce(municipality, ''), fraud_type, substr(created_at, 1, 7), "
			"count(*), coalesce(sum(CASE WHEN currency = 'EUR' THEN loss_cents END), "
			"0) "
			"FROM reports WHERE status = 'open' AND created_at >= ?1 AND "
			"created_at < ?2 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
			&s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct report_cell cell;
		const unsigned char *m = sqlite3_column_text(s, 0);
		const unsigned char *f = sqlite3_column_text(s, 1);
		const unsigned char *mo = sqlite3_column_text(s, 2);
		int stop;

		memset(&cell, 0, sizeof(cell));
		snprintf(cell.municipality, sizeof(cell.municipality), "%s",
			 m ? (const char *)m : "");
		snprintf(cell.fraud_type, sizeof(cell.fraud_type), "%s", f ? (const char *)f : "");
		snprintf(cell.month, sizeof(cell.month), "%s", mo ? (const char *)mo : "");
		cell.reports = sqlite3_column_int64(s, 3);
		cell.loss_cents = sqlite3_column_int64(s, 4);
		if ((stop = each(arg, &cell)) != 0) {
			sqlite3_reset(s);
			return stop;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
}
