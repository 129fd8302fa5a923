/*
 * group.h - group commit of reports, shared by the backends.  Private to
 * src/store/.
 *
 * A report is queued and the HTTP thread goes on; one writer thread per
 * store takes everything queued at once and hands the batch to the
 * backend's `run`, which writes it in one transaction (one fsync for many
 * reports) and sets each job's rc; then the writer calls each job's done.
 */
#ifndef SIGNAAL_STORE_GROUP_H
#define SIGNAAL_STORE_GROUP_H

#include <pthread.h>
#include <stdbool.h>

#include "store/store.h"

struct group_job {
	struct report *r;
	store_done_fn done;
	void *arg;
	int rc; /* set by run */
	struct group_job *next;
};

struct store_group {
	struct store *st;
	void (*run)(struct store *st, struct group_job *batch);
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct group_job *queue, **tail;
	pthread_t writer;
	bool started, stop;
};

void store_group_init(struct store_group *g, struct store *st,
		      void (*run)(struct store *st, struct group_job *batch));
/* Queues r; the writer thread starts on first use.  STORE_EINVAL once stopping. */
int store_group_submit(struct store_group *g, struct report *r, store_done_fn done, void *arg);
/* Writes what is queued, stops the writer and frees what init made (store_close). */
void store_group_destroy(struct store_group *g);

#endif
