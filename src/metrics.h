/*
 * metrics.h - process-wide counters, exposed at /metrics in the Prometheus
 * text format.  Counting is lock-free (relaxed atomics) and safe from any
 * thread; metrics_init() is called once before the server starts.
 */
#ifndef SIGNAAL_METRICS_H
#define SIGNAAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct route;

/* Sizes the per-route tables; `routes` is borrowed for the life of the process. */
int metrics_init(const struct route *routes, size_t nroutes);
void metrics_free(void);

/* One finished request; route < 0 for requests that matched no route. */
void metrics_request(int route, int status, uint64_t duration_ns);
void metrics_db_error(void);
void metrics_group_commit(unsigned reports); /* one commit that carried `reports` reports */
void metrics_inflight(int delta);

/* Appends the whole exposition to out. */
int metrics_render(struct buf *out);

#endif
