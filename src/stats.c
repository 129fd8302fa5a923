/* stats.c - reports added up by the grouping asked for, small cells left out. */
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "taxonomy.h"
#include "util/mem.h"

static const struct {
	const char *name;
	unsigned dim;
} dims[] = {
	{ "municipality", STATS_MUNICIPALITY },
	{ "province", STATS_PROVINCE },
	{ "fraud_type", STATS_FRAUD_TYPE },
	{ "month", STATS_MONTH },
};

int stats_group_parse(const char *s, unsigned *mask, char *bad, size_t badsz)
{
	*mask = 0;
	if (bad && badsz)
		bad[0] = '\0';
	while (s && *s) {
		size_t len = strcspn(s, ",");
		unsigned found = 0;

		for (size_t i = 0; i < sizeof(dims) / sizeof(dims[0]); i++)
			if (strlen(dims[i].name) == len && strncmp(dims[i].name, s, len) == 0)
				found = dims[i].dim;
		if (!found || (*mask & found)) {
			if (bad && badsz)
				snprintf(bad, badsz, "%.*s", (int)(len < 40 ? len : 40), s);
			return -1;
		}
		*mask |= found;
		s += len + (s[len] == ',');
	}
	return *mask ? 0 : -1;
}

int64_t stats_round(int64_t n, int64_t to)
{
	return (n + to / 2) / to * to;
}

struct collect {
	const struct municipalities *m;
	unsigned group;
	struct stats_row *rows;
	size_t n, cap;
};

static int collect_cell(void *arg, const struct report_cell *c)
{
	struct collect *k = arg;
	struct stats_row *r;

	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		struct stats_row *p = mem_realloc(k->rows, cap * sizeof(*p));

		if (!p)
			return STORE_ENOMEM;
		k->rows = p;
		k->cap = cap;
	}
	r = &k->rows[k->n++];
	memset(r, 0, sizeof(*r));
	if (k->group & STATS_MUNICIPALITY)
		snprintf(r->municipality, sizeof(r->municipality), "%s", c->municipality);
	if ((k->group & STATS_PROVINCE) && c->municipality[0]) {
		const struct municipality *mu = municipalities_find(k->m, c->municipality);

		if (mu)
			snprintf(r->province, sizeof(r->province), "%s", mu->province_code);
	}
	if (k->group & STATS_FRAUD_TYPE)
		snprintf(r->fraud_type, sizeof(r->fraud_type), "%s", c->fraud_type);
	if (k->group & STATS_MONTH)
		snprintf(r->month, sizeof(r->month), "%s", c->month);
	r->reports = c->reports;
	r->loss_cents = c->loss_cents;
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct stats_row *x = a, *y = b;
	int d;

	if ((d = strcmp(x->province, y->province)) != 0 ||
	    (d = strcmp(x->municipality, y->municipality)) != 0 ||
	    (d = strcmp(x->fraud_type, y->fraud_type)) != 0)
		return d;
	return strcmp(x->month, y->month);
}

int stats_compute(struct store *st, const struct municipalities *m, const char *from,
		  const char *to, unsigned group, int min_cell, struct stats *out)
{
	struct collect k = { .m = m, .group = group };
	size_t w = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (min_cell < 1)
		min_cell = 1;
	rc = store_report_cells(st, from, to, collect_cell, &k);
	if (rc) {
		mem_free(k.rows);
		return rc;
	}
	if (k.n)
		qsort(k.rows, k.n, sizeof(*k.rows), row_cmp);
	/* Merge equal keys, then keep a cell only if its true count reaches min_cell. */
	for (size_t i = 0; i < k.n;) {
		struct stats_row sum = k.rows[i];
		size_t j = i + 1;

		for (; j < k.n && row_cmp(&k.rows[j], &sum) == 0; j++) {
			sum.reports += k.rows[j].reports;
			sum.loss_cents += k.rows[j].loss_cents;
		}
		if (sum.reports >= min_cell) {
			sum.reports = stats_round(sum.reports, STATS_COUNT_ROUND);
			sum.loss_cents = stats_round(sum.loss_cents, STATS_LOSS_ROUND);
			k.rows[w++] = sum;
		} else {
			out->suppressed++;
		}
		i = j;
	}
	out->rows = k.rows;
	out->n = w;
	return 0;
}

void stats_free(struct stats *s)
{
	if (!s)
		return;
	mem_free(s->rows);
	s->rows = NULL;
	s->n = 0;
}
