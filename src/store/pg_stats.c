/*
 * pg_stats.c - reports counted per municipality, fraud type and month in
 * the PostgreSQL backend; the counterpart of sqlite_stats.c.
 */
#include <stdio.h>
#include <string.h>

#include "store/pg_int.h"

int pg_report_cells(struct store *st, const char *from, const char *to,
		    int (*each)(void *arg, const struct report_cell *c), void *arg)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c), rows;

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_text(&p, from);
	pg_param_text(&p, to);
	/* sum() of a bigint is numeric: back to bigint, as SQLite's integer sum. */
	rc = pg_query(c,
		      "SELECT coalesce(municipality, ''), fraud_type, substr(created_at, 1, 7), "
		      "count(*), coalesce(sum(CASE WHEN currency = 'EUR' THEN loss_cents END), "
		      "0)::bigint "
		      "FROM reports WHERE status = 'open' AND created_at >= $1 AND "
		      "created_at < $2 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
		      &p, &res);
	if (rc)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows; i++) {
		struct report_cell cell;
		int stop;

		memset(&cell, 0, sizeof(cell));
		pg_text(res, i, 0, cell.municipality, sizeof(cell.municipality));
		pg_text(res, i, 1, cell.fraud_type, sizeof(cell.fraud_type));
		pg_text(res, i, 2, cell.month, sizeof(cell.month));
		cell.reports = pg_int(res, i, 3);
		cell.loss_cents = pg_int(res, i, 4);
		if ((stop = each(arg, &cell)) != 0) {
			PQclear(res);
			return stop;
		}
	}
	PQclear(res);
	return STORE_OK;
}
