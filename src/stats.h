/*
 * stats.h - insight: how many reports, and how much loss, per municipality,
 * province, fraud type and month.
 *
 * Counts come from the store per municipality, fraud type and month
 * (store_report_cells) and are added up here to the grouping asked for.
 * No victim may be singled out by them, so every answer is protected the
 * way statistics offices protect tables of small areas:
 *
 *  - a cell of fewer than `min_cell` reports is left out (and counted in
 *    `suppressed`), so a municipality with one or two victims of a fraud
 *    type in a month shows nothing;
 *  - every count that is shown is rounded to a multiple of 5 and every loss
 *    to a multiple of EUR 100, so that a left-out cell cannot be worked out
 *    by subtracting the shown cells from a coarser total (one answer by
 *    province, another by municipality): the rounding of the cells adds up
 *    to more than a small cell holds;
 *  - periods are whole months, so two answers never differ by one day.
 *
 * Withdrawn reports do not count; purged ones do (they keep these columns).
 */
#ifndef SIGNAAL_STATS_H
#define SIGNAAL_STATS_H

#include <stddef.h>
#include <stdint.h>

#define STATS_COUNT_ROUND 5
#define STATS_LOSS_ROUND  10000 /* cents */

enum stats_dim {
	STATS_MUNICIPALITY = 1,
	STATS_PROVINCE = 2,
	STATS_FRAUD_TYPE = 4,
	STATS_MONTH = 8,
};

struct stats_row {
	char municipality[8]; /* "" when not grouped by it, or the report named none */
	char province[8];     /* the same */
	char fraud_type[64];
	char month[8];
	int64_t reports;    /* rounded to STATS_COUNT_ROUND */
	int64_t loss_cents; /* stated losses in EUR, rounded to STATS_LOSS_ROUND */
};

struct stats {
	struct stats_row *rows; /* in order of the grouped columns */
	size_t n;
	size_t suppressed; /* cells below the threshold that were left out */
};

struct store;
struct municipalities;

/*
 * "province,fraud_type" to a mask of stats_dim.  -1 for an unknown or
 * repeated name (copied to bad) or an empty list.
 */
int stats_group_parse(const char *s, unsigned *mask, char *bad, size_t badsz);

/*
 * Reports made in [from, to) ("YYYY-MM-DD"), grouped by `group`, cells under
 * `min_cell` (at least 1) left out.  A store error code, or 0.
 */
int stats_compute(struct store *st, const struct municipalities *m, const char *from,
		  const char *to, unsigned group, int min_cell, struct stats *out);

void stats_free(struct stats *s);

/* n rounded to the nearest multiple of `to` (halves up). */
int64_t stats_round(int64_t n, int64_t to);

#endif
